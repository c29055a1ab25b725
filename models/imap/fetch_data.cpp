// FETCH data items in Dovecot 2.3.19's form; see fetch_data.hpp.
#include "models/imap/fetch_data.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "models/imap/parser.hpp"
#include "models/message/header.hpp"

namespace mailsim::imap {
namespace {

std::string nstring(const std::optional<std::string>& value) {
  return value ? quote_string(*value) : "NIL";
}

std::string trim(std::string_view text) {
  std::size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  std::size_t end = text.find_last_not_of(" \t");
  return std::string(text.substr(begin, end - begin + 1));
}

// Splits at `separator` outside double quotes and angle brackets.
std::vector<std::string> split_outside_quotes(std::string_view text, char separator) {
  std::vector<std::string> items;
  std::string current;
  bool quoted = false;
  int angle = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && quoted && i + 1 < text.size()) {
      current += c;
      current += text[++i];
      continue;
    }
    if (c == '"') quoted = !quoted;
    if (!quoted && c == '<') ++angle;
    if (!quoted && c == '>' && angle > 0) --angle;
    if (c == separator && !quoted && angle == 0) {
      items.push_back(current);
      current.clear();
      continue;
    }
    current += c;
  }
  items.push_back(current);
  return items;
}

std::string unquote(std::string_view text) {
  std::string value = trim(text);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    std::string out;
    for (std::size_t i = 1; i + 1 < value.size(); ++i) {
      if (value[i] == '\\' && i + 2 < value.size()) ++i;
      out += value[i];
    }
    return out;
  }
  return value;
}

// RFC 3501 §7.4.2 address structure: (name adl mailbox host).
std::string address(std::string_view text) {
  std::string item = trim(text);
  std::optional<std::string> name;
  std::string spec = item;
  std::size_t open = item.rfind('<');
  std::size_t close = item.rfind('>');
  if (open != std::string::npos && close != std::string::npos && close > open) {
    std::string display = unquote(item.substr(0, open));
    if (!display.empty()) name = display;
    spec = item.substr(open + 1, close - open - 1);
  }
  std::size_t at = spec.rfind('@');
  std::optional<std::string> host;
  std::string mailbox = spec;
  if (at != std::string::npos) {
    mailbox = spec.substr(0, at);
    host = spec.substr(at + 1);
  }
  return fmt::format("({} NIL {} {})", nstring(name), quote_string(mailbox), nstring(host));
}

std::string address_list(const std::optional<std::string>& value) {
  if (!value || trim(*value).empty()) return "NIL";
  std::string out = "(";
  for (const std::string& item : split_outside_quotes(*value, ',')) {
    if (trim(item).empty()) continue;
    out += address(item);
  }
  out += ")";
  return out == "()" ? "NIL" : out;
}

struct ContentType {
  std::string type = "text";
  std::string subtype = "plain";
  std::vector<std::pair<std::string, std::string>> parameters;
};

ContentType parse_content_type(const std::optional<std::string>& value) {
  ContentType content_type;
  if (!value) {
    // RFC 2045 §5.2: the default is text/plain; charset=us-ascii.
    content_type.parameters.emplace_back("charset", "us-ascii");
    return content_type;
  }
  std::vector<std::string> items = split_outside_quotes(*value, ';');
  std::string media = trim(items[0]);
  std::size_t slash = media.find('/');
  if (slash != std::string::npos) {
    content_type.type = trim(media.substr(0, slash));
    content_type.subtype = trim(media.substr(slash + 1));
  }
  for (std::size_t i = 1; i < items.size(); ++i) {
    std::size_t equals = items[i].find('=');
    if (equals == std::string::npos) continue;
    content_type.parameters.emplace_back(trim(items[i].substr(0, equals)),
                                         unquote(items[i].substr(equals + 1)));
  }
  if (content_type.parameters.empty() && to_upper(content_type.type) == "TEXT") {
    content_type.parameters.emplace_back("charset", "us-ascii");
  }
  return content_type;
}

std::string parameter_list(const ContentType& content_type) {
  if (content_type.parameters.empty()) return "NIL";
  std::string out = "(";
  for (std::size_t i = 0; i < content_type.parameters.size(); ++i) {
    if (i > 0) out += ' ';
    out += quote_string(content_type.parameters[i].first) + " " +
           quote_string(content_type.parameters[i].second);
  }
  return out + ")";
}

std::size_t count_lines(std::string_view text) {
  std::size_t lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  if (!text.empty() && text.back() != '\n') ++lines;
  return lines;
}

std::string part_structure(std::string_view part, bool extensible);

// Splits a multipart body at its boundary delimiter lines (RFC 2046 §5.1.1). The LF before
// a delimiter line belongs to the delimiter, not to the part.
std::vector<std::string_view> split_parts(std::string_view body, const std::string& boundary) {
  std::vector<std::string_view> parts;
  std::string delimiter = "--" + boundary;
  std::size_t part_start = std::string_view::npos;
  std::size_t line_start = 0;
  while (line_start < body.size()) {
    std::size_t lf = body.find('\n', line_start);
    std::size_t line_end = lf == std::string_view::npos ? body.size() : lf;
    std::string_view line = body.substr(line_start, line_end - line_start);
    if (line.substr(0, delimiter.size()) == delimiter) {
      std::string_view tail = trim(line.substr(delimiter.size())) == "--" ? "--" : "";
      if (part_start != std::string_view::npos) {
        std::size_t part_end = line_start > part_start ? line_start - 1 : part_start;
        parts.push_back(body.substr(part_start, part_end - part_start));
      }
      if (tail == "--") return parts;
      part_start = lf == std::string_view::npos ? body.size() : lf + 1;
    }
    if (lf == std::string_view::npos) break;
    line_start = lf + 1;
  }
  return parts;
}

std::string part_structure(std::string_view part, bool extensible) {
  message::MessageParts sections = message::split_message(part);
  ContentType content_type =
      parse_content_type(message::find_header(sections.headers, "Content-Type"));
  std::string upper_type = to_upper(content_type.type);
  if (upper_type == "MULTIPART") {
    std::string boundary;
    for (const auto& [name, value] : content_type.parameters) {
      if (to_upper(name) == "BOUNDARY") boundary = value;
    }
    std::string out = "(";
    for (std::string_view child : split_parts(sections.body, boundary)) {
      out += part_structure(child, extensible);
    }
    out += " " + quote_string(content_type.subtype);
    if (extensible) out += " " + parameter_list(content_type) + " NIL NIL NIL";
    return out + ")";
  }
  std::optional<std::string> encoding =
      message::find_header(sections.headers, "Content-Transfer-Encoding");
  std::string out = fmt::format(
      "({} {} {} {} {} {} {}", quote_string(content_type.type), quote_string(content_type.subtype),
      parameter_list(content_type), nstring(message::find_header(sections.headers, "Content-ID")),
      nstring(message::find_header(sections.headers, "Content-Description")),
      quote_string(encoding ? *encoding : "7bit"), to_crlf(sections.body).size());
  // RFC 3501 §7.4.2: text parts carry their size in lines.
  if (upper_type == "TEXT") out += fmt::format(" {}", count_lines(sections.body));
  if (extensible) out += " NIL NIL NIL NIL";
  return out + ")";
}

}  // namespace

std::string to_crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

std::string header_section(std::string_view message) {
  message::MessageParts parts = message::split_message(message);
  std::string out(parts.headers);
  // The empty line that ends the header section is part of BODY[HEADER] (RFC 3501 §6.4.5).
  out += '\n';
  return out;
}

std::string text_section(std::string_view message) {
  return std::string(message::split_message(message).body);
}

std::string header_fields(std::string_view message, const std::vector<std::string>& names,
                          bool exclude) {
  std::string_view headers = message::split_message(message).headers;
  std::string out;
  bool keep = false;
  std::size_t start = 0;
  while (start < headers.size()) {
    std::size_t lf = headers.find('\n', start);
    std::size_t end = lf == std::string_view::npos ? headers.size() : lf + 1;
    std::string_view line = headers.substr(start, end - start);
    if (line[0] != ' ' && line[0] != '\t') {
      std::string name = to_upper(trim(line.substr(0, line.find(':'))));
      bool listed = std::find(names.begin(), names.end(), name) != names.end();
      keep = listed != exclude;
    }
    if (keep) out += line;
    start = end;
  }
  out += '\n';
  return out;
}

std::string internal_date(std::string_view asctime_date) {
  // `Fri Dec  4 15:03:21 2026`: weekday, month, day, time, year.
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start < asctime_date.size()) {
    std::size_t end = asctime_date.find(' ', start);
    if (end == std::string_view::npos) end = asctime_date.size();
    if (end > start) words.emplace_back(asctime_date.substr(start, end - start));
    start = end + 1;
  }
  if (words.size() != 5) {
    throw std::invalid_argument(fmt::format("invalid mbox From line date: {}", asctime_date));
  }
  int day = std::stoi(words[2]);
  return fmt::format("{:02}-{}-{} {} +0000", day, words[1], words[4], words[3]);
}

std::string envelope(std::string_view message) {
  std::string_view headers = message::split_message(message).headers;
  auto field = [&](std::string_view name) { return message::find_header(headers, name); };
  std::optional<std::string> from = field("From");
  std::optional<std::string> sender = field("Sender");
  std::optional<std::string> reply_to = field("Reply-To");
  // RFC 3501 §7.4.2: a missing Sender or Reply-To takes the value of From.
  if (!sender) sender = from;
  if (!reply_to) reply_to = from;
  return fmt::format("({} {} {} {} {} {} {} {} {} {})", nstring(field("Date")),
                     nstring(field("Subject")), address_list(from), address_list(sender),
                     address_list(reply_to), address_list(field("To")), address_list(field("Cc")),
                     address_list(field("Bcc")), nstring(field("In-Reply-To")),
                     nstring(field("Message-ID")));
}

std::string body_structure(std::string_view message, bool extensible) {
  return part_structure(message, extensible);
}

}  // namespace mailsim::imap
