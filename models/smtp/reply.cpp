#include "models/smtp/reply.hpp"

#include <cctype>

namespace mailsim::smtp {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Length of a `d.ddd.ddd` enhanced status code at the start of `text`, or 0.
std::size_t enhanced_length(std::string_view text) {
  std::size_t i = 0;
  if (i >= text.size() || !is_digit(text[i])) return 0;
  ++i;
  for (int part = 0; part < 2; ++part) {
    if (i >= text.size() || text[i] != '.') return 0;
    ++i;
    std::size_t digits = 0;
    while (i < text.size() && is_digit(text[i]) && digits < 3) {
      ++i;
      ++digits;
    }
    if (digits == 0) return 0;
  }
  if (i < text.size() && text[i] != ' ') return 0;
  return i;
}

}  // namespace

std::string leading_enhanced_code(int code, std::string_view text) {
  std::size_t n = enhanced_length(text);
  if (n == 0 || text[0] != static_cast<char>('0' + code / 100)) return "";
  return std::string(text.substr(0, n));
}

std::vector<Reply> ReplyReader::feed(std::string_view bytes) {
  buffer_.append(bytes);
  std::vector<Reply> done;
  std::size_t pos = 0;
  for (;;) {
    std::size_t lf = buffer_.find('\n', pos);
    if (lf == std::string::npos) break;
    std::string_view line(buffer_.data() + pos, lf - pos);
    pos = lf + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    bool valid = line.size() >= 3 && is_digit(line[0]) && is_digit(line[1]) && is_digit(line[2]) &&
                 (line.size() == 3 || line[3] == ' ' || line[3] == '-');
    if (!valid) {
      Reply bad;
      bad.text = std::string(line);
      pending_ = Reply{};
      done.push_back(std::move(bad));
      continue;
    }
    int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view();
    if (pending_.lines.empty()) {
      pending_.code = code;
      pending_.enhanced = leading_enhanced_code(code, text);
      std::string_view rest = text.substr(pending_.enhanced.size());
      if (!pending_.enhanced.empty() && !rest.empty()) rest.remove_prefix(1);
      pending_.text = std::string(rest);
    }
    pending_.lines.emplace_back(text);
    // RFC 5321 section 4.2.1: a hyphen after the code marks a continued reply.
    bool last = line.size() == 3 || line[3] == ' ';
    if (last) {
      done.push_back(std::move(pending_));
      pending_ = Reply{};
    }
  }
  buffer_.erase(0, pos);
  return done;
}

}  // namespace mailsim::smtp
