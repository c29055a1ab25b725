#include "models/smtp/data_codec.hpp"

#include <cstdint>
#include <cstring>

namespace mailsim::smtp {

std::string encode_data(std::string_view message_lf) {
  std::string out;
  out.reserve(message_lf.size() + message_lf.size() / 32 + 8);
  std::size_t pos = 0;
  while (pos < message_lf.size()) {
    // RFC 5321 section 4.5.2: the sender doubles a leading dot.
    if (message_lf[pos] == '.') out += '.';
    std::size_t lf = message_lf.find('\n', pos);
    if (lf == std::string_view::npos) {
      out.append(message_lf, pos, std::string_view::npos);
      out += "\r\n";
      break;
    }
    out.append(message_lf, pos, lf - pos);
    out += "\r\n";
    pos = lf + 1;
  }
  out += ".\r\n";
  return out;
}

std::uint64_t encoded_data_size(std::string_view message_lf) {
  std::uint64_t size = message_lf.size() + 3;  // the terminating ".\r\n"
  bool at_line_start = true;
  std::size_t pos = 0;
  while (pos < message_lf.size()) {
    if (message_lf[pos] == '.') ++size;  // the stuffed dot of RFC 5321 section 4.5.2
    std::size_t lf = message_lf.find('\n', pos);
    if (lf == std::string_view::npos) {
      at_line_start = false;
      break;
    }
    ++size;  // the CR in front of each LF
    pos = lf + 1;
  }
  if (!at_line_start) size += 2;
  return size;
}

bool has_8bit(std::string_view text) {
  // Eight bytes at a time: any byte with its high bit set makes the OR have one too.
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, sizeof word);
    if (word & kHighBits) return true;
  }
  for (; i < text.size(); ++i) {
    if (static_cast<unsigned char>(text[i]) & 0x80) return true;
  }
  return false;
}

}  // namespace mailsim::smtp
