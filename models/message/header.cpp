#include "models/message/header.hpp"

#include <cctype>

namespace mailsim::message {
namespace {

bool equal_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}

std::string trim_wsp(std::string_view text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && is_wsp(text[begin])) ++begin;
  while (end > begin && is_wsp(text[end - 1])) --end;
  return std::string(text.substr(begin, end - begin));
}

}  // namespace

bool is_field_line(std::string_view line) {
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (std::size_t i = 0; i < colon; ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    // RFC 5322 section 3.6.8: ftext is %d33-57 / %d59-126.
    if (c < 33 || c > 126) return false;
  }
  return true;
}

MessageParts split_message(std::string_view message_lf) {
  MessageParts parts;
  std::size_t pos = 0;
  bool in_field = false;
  while (pos < message_lf.size()) {
    std::size_t lf = message_lf.find('\n', pos);
    std::size_t next = lf == std::string_view::npos ? message_lf.size() : lf + 1;
    std::string_view line = message_lf.substr(pos, next - pos);
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);

    if (line.empty()) {
      parts.headers = message_lf.substr(0, pos);
      parts.body = message_lf.substr(next);
      parts.separator = true;
      return parts;
    }
    bool continuation = in_field && is_wsp(line.front());
    if (!continuation && !is_field_line(line)) break;
    in_field = true;
    pos = next;
  }
  parts.headers = message_lf.substr(0, pos);
  parts.body = message_lf.substr(pos);
  return parts;
}

std::vector<HeaderField> parse_headers(std::string_view message_lf) {
  std::string_view headers = split_message(message_lf).headers;
  std::vector<HeaderField> fields;
  std::string unfolded;
  auto flush = [&] {
    if (unfolded.empty()) return;
    std::size_t colon = unfolded.find(':');
    fields.push_back(
        {unfolded.substr(0, colon), trim_wsp(std::string_view(unfolded).substr(colon + 1))});
    unfolded.clear();
  };

  std::size_t pos = 0;
  while (pos < headers.size()) {
    std::size_t lf = headers.find('\n', pos);
    std::size_t next = lf == std::string_view::npos ? headers.size() : lf + 1;
    std::string_view line = headers.substr(pos, (lf == std::string_view::npos ? next : lf) - pos);
    // RFC 5322 section 2.2.3: unfolding removes the line break before the WSP.
    if (is_wsp(line.front())) {
      unfolded.append(line);
    } else {
      flush();
      unfolded.assign(line);
    }
    pos = next;
  }
  flush();
  return fields;
}

std::optional<std::string> find_header(std::string_view message_lf, std::string_view name) {
  for (HeaderField& field : parse_headers(message_lf)) {
    if (equal_ignore_case(field.name, name)) return std::move(field.value);
  }
  return std::nullopt;
}

bool has_header(std::string_view message_lf, std::string_view name) {
  return find_header(message_lf, name).has_value();
}

}  // namespace mailsim::message
