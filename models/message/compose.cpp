#include "models/message/compose.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>

namespace mailsim::message {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

}  // namespace

std::uint64_t attachment_seed(std::uint64_t scenario_seed, std::size_t item_index,
                              std::size_t attachment_index) {
  return scenario_seed * 0x100000001B3ull + item_index * 131 + attachment_index + 1;
}

namespace {

// The xorshift64* stream behind attachment_bytes(), produced in pieces so that a large
// attachment is encoded without holding its raw bytes.
class AttachmentStream {
 public:
  explicit AttachmentStream(std::uint64_t seed) : x_(seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull) {
    if (x_ == 0) x_ = 1;
  }

  // Writes the next `size` bytes. Every call but the last must ask for a multiple of 8.
  void fill(char* out, std::size_t size) {
    for (std::size_t i = 0; i < size; i += 8) {
      x_ ^= x_ >> 12;
      x_ ^= x_ << 25;
      x_ ^= x_ >> 27;
      std::uint64_t v = x_ * 0x2545F4914F6CDD1Dull;
      for (std::size_t k = 0; k < 8 && i + k < size; ++k) out[i + k] = static_cast<char>((v >> (8 * k)) & 0xff);
    }
  }

 private:
  std::uint64_t x_;
};

// Appends the base64 form of `data` to `out`, breaking lines after `line_length` characters
// (0: never) counted from `column`. Padding is written when `data` is not a multiple of 3,
// so only the last piece of a longer input may have such a size.
void append_base64(std::string& out, std::string_view data, std::size_t line_length, std::size_t& column) {
  auto put = [&](char c) {
    out.push_back(c);
    if (line_length && ++column == line_length) {
      out.push_back('\n');
      column = 0;
    }
  };
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    auto a = static_cast<unsigned char>(data[i]), b = static_cast<unsigned char>(data[i + 1]),
         c = static_cast<unsigned char>(data[i + 2]);
    put(kAlphabet[a >> 2]);
    put(kAlphabet[((a & 3) << 4) | (b >> 4)]);
    put(kAlphabet[((b & 15) << 2) | (c >> 6)]);
    put(kAlphabet[c & 63]);
  }
  if (i + 1 == data.size()) {
    auto a = static_cast<unsigned char>(data[i]);
    put(kAlphabet[a >> 2]);
    put(kAlphabet[(a & 3) << 4]);
    put('=');
    put('=');
  } else if (i + 2 == data.size()) {
    auto a = static_cast<unsigned char>(data[i]), b = static_cast<unsigned char>(data[i + 1]);
    put(kAlphabet[a >> 2]);
    put(kAlphabet[((a & 3) << 4) | (b >> 4)]);
    put(kAlphabet[(b & 15) << 2]);
    put('=');
  }
}

// Returns the size of base64_encode(data) for data of `size` bytes.
std::uint64_t base64_encoded_size(std::uint64_t size, std::size_t line_length) {
  std::uint64_t chars = (size + 2) / 3 * 4;
  if (line_length == 0) return chars;
  return chars + (chars + line_length - 1) / line_length;
}

}  // namespace

std::string attachment_bytes(std::uint64_t size, std::uint64_t seed) {
  std::string out;
  out.resize(size);
  AttachmentStream(seed).fill(out.data(), size);
  return out;
}

std::string base64_encode(std::string_view data, std::size_t line_length) {
  std::string out;
  out.reserve(base64_encoded_size(data.size(), line_length));
  std::size_t column = 0;
  append_base64(out, data, line_length, column);
  if (line_length && column != 0) out.push_back('\n');
  return out;
}

bool base64_decode(std::string_view text, std::string& out) {
  std::array<int, 256> value{};
  value.fill(-1);
  for (int i = 0; i < 64; ++i) value[static_cast<unsigned char>(kAlphabet[i])] = i;
  out.clear();
  unsigned buffer = 0;
  int bits = 0, padding = 0;
  for (char ch : text) {
    if (ch == '\n' || ch == '\r') continue;
    if (ch == '=') {
      ++padding;
      continue;
    }
    if (padding) return false;  // data after padding
    int v = value[static_cast<unsigned char>(ch)];
    if (v < 0) return false;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return padding <= 2;
}

bool base64_decode_line(std::string_view text, std::string& out, bool padding_required) {
  out.clear();
  if (text.find_first_of("\r\n") != std::string_view::npos) return false;
  if (padding_required && text.size() % 4 != 0) return false;
  std::size_t padding = 0;
  while (!text.empty() && text.back() == '=' && padding < 2) {
    text.remove_suffix(1);
    ++padding;
  }
  std::size_t length = text.size() + padding;
  if (length % 4 == 1 || (padding > 0 && length % 4 != 0)) return false;
  return base64_decode(text, out);  // rejects any other character, '=' included
}

std::string compose(const Draft& d) {
  // The attachments make up nearly all of a large message: reserving for them up front keeps
  // the string from growing by reallocation, which would hold two copies for a moment.
  std::uint64_t reserve = d.body.size() + 4096;
  for (const auto& a : d.attachments) reserve += base64_encoded_size(a.size, 76) + 512;
  std::string out;
  out.reserve(reserve);
  out += fmt::format("From: {}\nTo: {}\nSubject: {}\n", d.from, join(d.to), d.subject);
  for (const auto& [name, value] : d.extra_headers) out += fmt::format("{}: {}\n", name, value);
  if (d.attachments.empty()) {
    out += "\n" + d.body;
    return out;
  }
  std::string boundary = fmt::format("=-mailsim-{:016x}", d.attachments.front().seed);
  out += "MIME-Version: 1.0\n";
  out += fmt::format("Content-Type: multipart/mixed; boundary=\"{}\"\n\n", boundary);
  out += "This is a multi-part message in MIME format.\n";
  out += fmt::format(
      "--{}\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 7bit\n\n",
      boundary);
  out += d.body;
  if (!d.body.empty() && d.body.back() != '\n') out += "\n";
  for (const auto& a : d.attachments) {
    out += fmt::format(
        "--{}\nContent-Type: {}; name=\"{}\"\nContent-Disposition: attachment; filename=\"{}\"\n"
        "Content-Transfer-Encoding: base64\n\n",
        boundary, a.content_type, a.filename, a.filename);
    // A piece of 24 KiB is a multiple of both the 3-byte base64 group and the 8-byte word of
    // the byte stream.
    constexpr std::size_t kPiece = 3 * 8 * 1024;
    AttachmentStream stream(a.seed);
    std::string piece(kPiece, '\0');
    std::size_t column = 0;
    for (std::uint64_t done = 0; done < a.size; done += kPiece) {
      std::size_t size = static_cast<std::size_t>(std::min<std::uint64_t>(kPiece, a.size - done));
      stream.fill(piece.data(), size);
      append_base64(out, std::string_view(piece.data(), size), 76, column);
    }
    if (column != 0) out.push_back('\n');
  }
  out += fmt::format("--{}--\n", boundary);
  return out;
}

namespace {

// Returns the number of bytes base64_decode() writes for `text`, or nullopt where it fails.
std::optional<std::uint64_t> base64_decoded_size(std::string_view text) {
  std::array<bool, 256> valid{};
  for (int i = 0; i < 64; ++i) valid[static_cast<unsigned char>(kAlphabet[i])] = true;
  std::uint64_t chars = 0;
  int padding = 0;
  for (char ch : text) {
    if (ch == '\n' || ch == '\r') continue;
    if (ch == '=') {
      ++padding;
      continue;
    }
    if (padding || !valid[static_cast<unsigned char>(ch)]) return std::nullopt;
    ++chars;
  }
  if (padding > 2) return std::nullopt;
  return chars * 6 / 8;
}

// Calls `fn(name, encoded text)` for each attachment part of a composed message.
template <typename Fn>
void for_each_attachment(std::string_view m, Fn fn) {
  std::size_t pos = 0;
  const std::string_view marker = "Content-Disposition: attachment; filename=\"";
  while ((pos = m.find(marker, pos)) != std::string_view::npos) {
    std::size_t name_start = pos + marker.size();
    std::size_t name_end = m.find('"', name_start);
    if (name_end == std::string_view::npos) break;
    std::string name(m.substr(name_start, name_end - name_start));
    std::size_t body_start = m.find("\n\n", name_end);
    if (body_start == std::string_view::npos) break;
    body_start += 2;
    std::size_t body_end = m.find("\n--", body_start);
    if (body_end == std::string_view::npos) body_end = m.size();
    fn(name, m.substr(body_start, body_end - body_start));
    pos = body_end;
  }
}

}  // namespace

std::vector<std::pair<std::string, std::uint64_t>> attachment_sizes(std::string_view message_lf) {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for_each_attachment(message_lf, [&](const std::string& name, std::string_view encoded) {
    if (auto size = base64_decoded_size(encoded)) out.emplace_back(name, *size);
  });
  return out;
}

std::vector<std::pair<std::string, std::string>> extract_attachments(std::string_view m) {
  std::vector<std::pair<std::string, std::string>> out;
  for_each_attachment(m, [&](const std::string& name, std::string_view encoded) {
    std::string bytes;
    if (base64_decode(encoded, bytes)) out.emplace_back(name, bytes);
  });
  return out;
}

}  // namespace mailsim::message
