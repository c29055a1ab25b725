// mbox reading and writing; see mbox.hpp for the format and its limits.
#include "models/mailbox/mbox.hpp"

#include <algorithm>
#include <cstdlib>

#include "models/common/error.hpp"
#include "models/common/timefmt.hpp"

namespace mailsim::mailbox {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool iequals_prefix(std::string_view line, std::string_view name) {
  if (line.size() < name.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char a = line[i];
    char b = name[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

// Calls `fn(line_start, line_end_without_lf)` for every body line of `content`.
template <typename Fn>
void for_each_body_line(std::string_view content, Fn fn) {
  std::size_t end = header_end(content);
  if (end == std::string_view::npos) return;
  std::size_t pos = end + 1;
  while (pos < content.size()) {
    std::size_t lf = content.find('\n', pos);
    std::size_t stop = lf == std::string_view::npos ? content.size() : lf;
    fn(pos, stop);
    if (lf == std::string_view::npos) break;
    pos = lf + 1;
  }
}

// Strips the trailing spaces that Dovecot reserves after a header value.
std::string_view trim_right(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::uint32_t parse_u32(std::string_view text) {
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') break;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
    if (value > 0xffffffffULL) return 0;
  }
  return static_cast<std::uint32_t>(value);
}

// Parses `X-IMAPbase: <uidvalidity> <last uid> [keywords]` or the pseudo-message's `X-IMAP:`.
void parse_imap_base(std::string_view value, MboxFile& file) {
  std::size_t start = value.find_first_not_of(' ');
  if (start == std::string_view::npos) return;
  value.remove_prefix(start);
  file.uid_validity = parse_u32(value);
  std::size_t space = value.find(' ');
  if (space == std::string_view::npos) return;
  std::string_view rest = value.substr(space);
  std::size_t digits = rest.find_first_not_of(' ');
  if (digits == std::string_view::npos) return;
  file.last_uid = parse_u32(rest.substr(digits));
}

// Moves Dovecot's fields out of one message's header. Returns true for the pseudo-message.
bool extract_dovecot_fields(std::string_view raw, bool first_in_file, MboxMessage& message,
                            MboxFile& file, std::string& content) {
  std::size_t end = header_end(raw);
  std::string_view header = end == std::string_view::npos ? raw : raw.substr(0, end);
  bool pseudo = false;
  content.clear();
  content.reserve(raw.size());
  std::size_t pos = 0;
  bool skipping = false;  // inside a removed field, so its continuation lines go too
  while (pos < header.size()) {
    std::size_t lf = header.find('\n', pos);
    std::size_t stop = lf == std::string_view::npos ? header.size() : lf + 1;
    std::string_view line = header.substr(pos, stop - pos);
    std::string_view text = line.substr(0, line.size() - (line.back() == '\n' ? 1 : 0));
    pos = stop;
    if (!text.empty() && (text[0] == ' ' || text[0] == '\t')) {
      if (!skipping) content.append(line);
      continue;
    }
    skipping = true;
    DovecotFields& fields = message.dovecot;
    if (iequals_prefix(text, "X-IMAPbase:")) {
      if (first_in_file) parse_imap_base(text.substr(11), file);
      fields.order.push_back(DovecotHeader::X_IMAPBASE);
    } else if (iequals_prefix(text, "X-IMAP:")) {
      // Dovecot treats a first message carrying X-IMAP as its pseudo-message.
      if (first_in_file) {
        parse_imap_base(text.substr(7), file);
        pseudo = true;
      }
    } else if (iequals_prefix(text, "X-UID:")) {
      std::string_view value = text.substr(6);
      std::size_t digits = value.find_first_not_of(' ');
      fields.uid = digits == std::string_view::npos ? 0 : parse_u32(value.substr(digits));
      fields.uid_padding = value.size() - trim_right(value).size();
      fields.order.push_back(DovecotHeader::X_UID);
    } else if (iequals_prefix(text, "Status:")) {
      fields.status = std::string(trim_right(text.substr(7)));
      fields.status.erase(0, fields.status.find_first_not_of(' '));
      fields.order.push_back(DovecotHeader::STATUS);
    } else if (iequals_prefix(text, "X-Status:")) {
      fields.x_status = std::string(text.substr(9));
      fields.order.push_back(DovecotHeader::X_STATUS);
    } else if (iequals_prefix(text, "X-Keywords:")) {
      fields.x_keywords = std::string(text.substr(11));
      fields.order.push_back(DovecotHeader::X_KEYWORDS);
    } else if (iequals_prefix(text, "Content-Length:")) {
      fields.content_length = std::string(text.substr(15));
      fields.order.push_back(DovecotHeader::CONTENT_LENGTH);
    } else {
      skipping = false;
      content.append(line);
    }
  }
  if (end != std::string_view::npos) content.append(raw.substr(end));
  return pseudo;
}

}  // namespace

bool DovecotFields::has(DovecotHeader header) const {
  return std::find(order.begin(), order.end(), header) != order.end();
}

std::size_t header_end(std::string_view content) {
  if (starts_with(content, "\n")) return 0;
  std::size_t pos = content.find("\n\n");
  return pos == std::string_view::npos ? pos : pos + 1;
}

std::string from_line(std::string_view envelope_sender, std::int64_t delivery_time) {
  std::string line = "From ";
  line += envelope_sender.empty() ? std::string_view("MAILER-DAEMON") : envelope_sender;
  line += "  ";
  line += timefmt::asctime(delivery_time);
  line += '\n';
  return line;
}

std::size_t header_end(const Content& content) {
  std::size_t end = header_end(*content.shared);
  // The head is whole field lines, so the empty line can only be in the shared text.
  return end == std::string_view::npos ? end : content.head.size() + end;
}

Content quote_from_lines(const Content& content) {
  const std::string& text = *content.shared;
  std::vector<std::size_t> starts;
  // procmail quotes only the body; a header line cannot start with `From ` after Sendmail.
  // NOTE: procmail's handling of a `From ` line inside the header was not recorded.
  for_each_body_line(text, [&](std::size_t begin, std::size_t stop) {
    if (std::string_view(text).substr(begin, stop - begin).substr(0, 5) == "From ") {
      starts.push_back(begin);
    }
  });
  if (starts.empty()) return content;
  auto quoted = std::make_shared<std::string>();
  quoted->reserve(text.size() + starts.size());
  std::size_t copied = 0;
  for (std::size_t begin : starts) {
    quoted->append(text, copied, begin - copied);
    quoted->push_back('>');
    copied = begin;
  }
  quoted->append(text, copied, std::string::npos);
  return Content(content.head, std::move(quoted));
}

std::string unquote_from_lines(std::string_view content) {
  std::string result;
  result.reserve(content.size());
  std::size_t copied = 0;
  for_each_body_line(content, [&](std::size_t begin, std::size_t stop) {
    if (content.substr(begin, stop - begin).substr(0, 6) == ">From ") {
      result.append(content.substr(copied, begin - copied));
      copied = begin + 1;
    }
  });
  result.append(content.substr(copied));
  return result;
}

std::string write_mbox_message(std::string_view envelope_sender, std::int64_t delivery_time,
                               const std::string& content) {
  Content quoted = quote_from_lines(std::make_shared<const std::string>(content));
  const std::string& text = *quoted.shared;
  std::string out = from_line(envelope_sender, delivery_time);
  out.reserve(out.size() + text.size() + 2);
  out += text;
  if (!text.empty() && text.back() != '\n') out += '\n';
  out += '\n';
  return out;
}

MboxFile parse_mbox(std::string_view text, const std::string& file_name) {
  MboxFile file;
  if (text.empty()) return file;
  if (!starts_with(text, "From ")) {
    throw InputError(SourcePos{file_name, 1, 1},
                     "not an mbox file: the first line must start with \"From \"");
  }
  // Every line starting with `From ` begins a message, because procmail quotes body lines.
  std::vector<std::size_t> starts{0};
  for (std::size_t pos = text.find("\nFrom "); pos != std::string_view::npos;
       pos = text.find("\nFrom ", pos + 1)) {
    starts.push_back(pos + 1);
  }
  for (std::size_t i = 0; i < starts.size(); ++i) {
    std::size_t begin = starts[i];
    std::size_t end = i + 1 < starts.size() ? starts[i + 1] : text.size();
    std::string_view chunk = text.substr(begin, end - begin);
    std::size_t lf = chunk.find('\n');
    std::string_view separator = chunk.substr(0, lf);
    std::string_view raw = lf == std::string_view::npos ? std::string_view() : chunk.substr(lf + 1);
    // The empty line before the next `From ` (or at the end of the file) is the separator.
    if (raw.size() >= 2 && raw.substr(raw.size() - 2) == "\n\n")
      raw.remove_suffix(1);
    else if (raw == "\n")
      raw.remove_suffix(1);

    MboxMessage message;
    std::string_view rest = separator.substr(5);
    std::size_t space = rest.find(' ');
    message.envelope_sender = std::string(rest.substr(0, space));
    if (space != std::string_view::npos) {
      std::string_view date = rest.substr(space);
      date.remove_prefix(std::min(date.find_first_not_of(' '), date.size()));
      message.date = std::string(date);
    }
    auto content = std::make_shared<std::string>();
    bool pseudo = extract_dovecot_fields(raw, i == 0, message, file, *content);
    if (pseudo) {
      file.pseudo_message = std::string(chunk);
      continue;
    }
    message.content = std::move(content);
    file.messages.push_back(std::move(message));
  }
  return file;
}

}  // namespace mailsim::mailbox
