// RFC 1939 section 3 byte-stuffing of a stored message; see multiline.hpp.
#include "models/pop3/multiline.hpp"

#include <cstring>
#include <string_view>

namespace mailsim::pop3 {
namespace {

// Line-by-line state kept across the head and the shared text. The head ends with LF, so no
// line spans the two.
struct Stuffer {
  std::string& out;
  bool whole;
  std::uint64_t body_lines;
  bool in_body = false;
  std::uint64_t sent_body_lines = 0;

  // Returns false once TOP has sent the requested body lines.
  bool append(std::string_view text) {
    std::size_t pos = 0;
    while (pos < text.size()) {
      if (in_body && !whole && sent_body_lines == body_lines) return false;
      std::size_t lf = text.find('\n', pos);
      std::size_t stop = lf == std::string_view::npos ? text.size() : lf;
      // RFC 1939 section 3: a line starting with the termination octet is byte-stuffed.
      if (text[pos] == '.') out += '.';
      out.append(text.substr(pos, stop - pos));
      out += "\r\n";
      if (in_body) ++sent_body_lines;
      if (stop == pos && !in_body) in_body = true;
      pos = lf == std::string_view::npos ? text.size() : lf + 1;
    }
    return true;
  }
};

std::uint64_t part_stuffed_size(std::string_view text) {
  std::uint64_t size = text.size();
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (text[pos] == '.') ++size;
    const void* found = std::memchr(text.data() + pos, '\n', text.size() - pos);
    if (!found) {
      size += 2;  // the CRLF of a last line without LF
      break;
    }
    ++size;  // the CR in front of each LF
    pos = static_cast<std::size_t>(static_cast<const char*>(found) - text.data()) + 1;
  }
  return size;
}

}  // namespace

void append_stuffed(std::string& out, const message::SharedMessage& message, bool whole,
                    std::uint64_t body_lines) {
  Stuffer stuffer{out, whole, body_lines};
  if (stuffer.append(message.head)) stuffer.append(*message.shared);
}

std::uint64_t stuffed_size(const message::SharedMessage& message) {
  return part_stuffed_size(message.head) + part_stuffed_size(*message.shared);
}

std::string encode_multiline(const message::SharedMessage& message) {
  std::string out;
  out.reserve(message.size() + message.size() / 32 + 8);
  append_stuffed(out, message);
  out += ".\r\n";
  return out;
}

}  // namespace mailsim::pop3
