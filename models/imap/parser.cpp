// IMAP command framing and argument reading; see parser.hpp.
#include "models/imap/parser.hpp"

#include <fmt/format.h>

namespace mailsim::imap {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// RFC 3501 §9: ATOM-CHAR is any CHAR except atom-specials.
bool is_atom_char(char c, bool allow_bracket, bool allow_wildcards) {
  auto byte = static_cast<unsigned char>(c);
  if (byte <= 0x1f || byte >= 0x7f) return false;
  switch (c) {
    case '(':
    case ')':
    case '{':
    case ' ':
    case '"':
    case '\\':
      return false;
    case '%':
    case '*':
      return allow_wildcards;
    case ']':
      return allow_bracket;
    default:
      return true;
  }
}

// Returns the literal size announced at the end of `line` (`{n}` or `{n+}`), or nullopt.
std::optional<std::size_t> literal_size(std::string_view line, bool& synchronizing) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  std::size_t open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view digits = line.substr(open + 1, line.size() - open - 2);
  synchronizing = true;
  if (!digits.empty() && digits.back() == '+') {
    synchronizing = false;
    digits.remove_suffix(1);
  }
  // More than 10 digits cannot be a real message size; the command fails in the parser.
  if (digits.empty() || digits.size() > 10) return std::nullopt;
  std::size_t size = 0;
  for (char c : digits) {
    if (!is_digit(c)) return std::nullopt;
    size = size * 10 + static_cast<std::size_t>(c - '0');
  }
  return size;
}

std::size_t line_content_end(const std::string& buffer, std::size_t begin, std::size_t lf) {
  return (lf > begin && buffer[lf - 1] == '\r') ? lf - 1 : lf;
}

}  // namespace

std::optional<std::string> CommandFramer::next_command(std::string& continuations) {
  std::size_t pos = 0;
  std::size_t literal_index = 0;
  while (true) {
    std::size_t lf = buffer_.find('\n', pos);
    if (lf == std::string::npos) return std::nullopt;
    std::size_t end = line_content_end(buffer_, pos, lf);
    bool synchronizing = false;
    std::optional<std::size_t> size =
        literal_size(std::string_view(buffer_).substr(pos, end - pos), synchronizing);
    if (!size) {
      std::string command = buffer_.substr(0, end);
      buffer_.erase(0, lf + 1);
      continued_literals_ = 0;
      return command;
    }
    if (synchronizing) {
      // RFC 3501 §7.5: the client waits for a continuation request before sending the data.
      if (literal_index >= continued_literals_) {
        continuations += "+ OK\r\n";
        ++continued_literals_;
      }
      ++literal_index;
    }
    if (buffer_.size() - (lf + 1) < *size) return std::nullopt;
    pos = lf + 1 + *size;
  }
}

std::optional<std::string> CommandFramer::next_line() {
  std::size_t lf = buffer_.find('\n');
  if (lf == std::string::npos) return std::nullopt;
  std::string line = buffer_.substr(0, line_content_end(buffer_, 0, lf));
  buffer_.erase(0, lf + 1);
  return line;
}

bool SequenceSet::contains(std::uint32_t number, std::uint32_t largest) const {
  for (const SequenceRange& range : ranges) {
    std::uint32_t first = range.first == 0 ? largest : range.first;
    std::uint32_t last = range.last == 0 ? largest : range.last;
    // RFC 3501 §9: `n:m` and `m:n` denote the same range.
    if (first > last) std::swap(first, last);
    if (number >= first && number <= last) return true;
  }
  return false;
}

bool ArgumentReader::consume(char c) {
  if (peek() != c || at_end()) return false;
  ++pos_;
  return true;
}

std::optional<std::string> ArgumentReader::atom(bool allow_bracket) {
  std::size_t end = pos_;
  while (end < text_.size() && is_atom_char(text_[end], allow_bracket, false)) ++end;
  if (end == pos_) return std::nullopt;
  std::string value(text_.substr(pos_, end - pos_));
  pos_ = end;
  return value;
}

std::optional<std::string> ArgumentReader::string() {
  if (peek() == '"') {
    std::string value;
    std::size_t i = pos_ + 1;
    for (; i < text_.size(); ++i) {
      char c = text_[i];
      if (c == '"') {
        pos_ = i + 1;
        return value;
      }
      if (c == '\r' || c == '\n') return std::nullopt;
      if (c == '\\') {
        // RFC 3501 §9: only `"` and `\` may be escaped.
        if (i + 1 >= text_.size() || (text_[i + 1] != '"' && text_[i + 1] != '\\')) {
          return std::nullopt;
        }
        c = text_[++i];
      }
      value += c;
    }
    return std::nullopt;
  }
  if (peek() == '{') {
    std::size_t lf = text_.find('\n', pos_);
    if (lf == std::string_view::npos) return std::nullopt;
    std::size_t end = (lf > pos_ && text_[lf - 1] == '\r') ? lf - 1 : lf;
    bool synchronizing = false;
    std::optional<std::size_t> size =
        literal_size(text_.substr(pos_, end - pos_), synchronizing);
    if (!size || text_.substr(pos_, end - pos_).find(' ') != std::string_view::npos ||
        text_.size() - (lf + 1) < *size) {
      return std::nullopt;
    }
    std::string value(text_.substr(lf + 1, *size));
    pos_ = lf + 1 + *size;
    return value;
  }
  return std::nullopt;
}

std::optional<std::string> ArgumentReader::astring() {
  if (peek() == '"' || peek() == '{') return string();
  return atom(true);
}

std::optional<std::string> ArgumentReader::list_pattern() {
  if (peek() == '"' || peek() == '{') return string();
  std::size_t end = pos_;
  while (end < text_.size() && is_atom_char(text_[end], true, true)) ++end;
  if (end == pos_) return std::nullopt;
  std::string value(text_.substr(pos_, end - pos_));
  pos_ = end;
  return value;
}

std::optional<std::string> ArgumentReader::flag() {
  std::size_t start = pos_;
  bool system = consume('\\');
  std::optional<std::string> name = atom();
  if (!name) {
    pos_ = start;
    return std::nullopt;
  }
  return system ? "\\" + *name : *name;
}

std::optional<SequenceSet> ArgumentReader::sequence_set() {
  std::size_t end = pos_;
  while (end < text_.size() && (is_digit(text_[end]) || text_[end] == ':' ||
                                text_[end] == ',' || text_[end] == '*')) {
    ++end;
  }
  std::string_view text = text_.substr(pos_, end - pos_);
  // The set must end the token: `1x` is not a sequence set.
  if (text.empty() || (end < text_.size() && text_[end] != ' ' && text_[end] != ')')) {
    return std::nullopt;
  }
  SequenceSet set;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string_view item =
        text.substr(start, comma == std::string_view::npos ? std::string_view::npos
                                                           : comma - start);
    std::size_t colon = item.find(':');
    auto number = [](std::string_view part, std::uint32_t& out) {
      if (part == "*") {
        out = 0;
        return true;
      }
      // RFC 3501 §9: nz-number, so no leading zero and not 0.
      if (part.empty() || part.size() > 10 || part[0] == '0') return false;
      std::uint64_t value = 0;
      for (char c : part) {
        if (!is_digit(c)) return false;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
      }
      if (value > 0xffffffffu) return false;
      out = static_cast<std::uint32_t>(value);
      return true;
    };
    SequenceRange range;
    if (colon == std::string_view::npos) {
      if (!number(item, range.first)) return std::nullopt;
      range.last = range.first;
    } else if (!number(item.substr(0, colon), range.first) ||
               !number(item.substr(colon + 1), range.last)) {
      return std::nullopt;
    }
    set.ranges.push_back(range);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  pos_ = end;
  return set;
}

std::string ArgumentReader::fetch_item() {
  std::size_t end = pos_;
  int depth = 0;
  while (end < text_.size()) {
    char c = text_[end];
    if (c == '[') ++depth;
    if (c == ']' && depth > 0) --depth;
    if (depth == 0 && (c == ' ' || c == '(' || c == ')')) break;
    ++end;
  }
  std::string item(text_.substr(pos_, end - pos_));
  pos_ = end;
  return item;
}

std::string to_upper(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return upper;
}

std::string quote_string(std::string_view text) {
  bool literal = false;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '\r' || c == '\n' || byte >= 0x80 || byte == 0) literal = true;
  }
  if (literal) return fmt::format("{{{}}}\r\n{}", text.size(), text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace mailsim::imap
