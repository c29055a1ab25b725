#include "models/message/compose.hpp"

#include <fmt/format.h>

#include <array>

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

std::string attachment_bytes(std::uint64_t size, std::uint64_t seed) {
  std::string out;
  out.resize(size);
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
  if (x == 0) x = 1;
  for (std::uint64_t i = 0; i < size; i += 8) {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    std::uint64_t v = x * 0x2545F4914F6CDD1Dull;
    for (std::uint64_t k = 0; k < 8 && i + k < size; ++k)
      out[i + k] = static_cast<char>((v >> (8 * k)) & 0xff);
  }
  return out;
}

std::string base64_encode(std::string_view data, std::size_t line_length) {
  std::string out;
  out.reserve(data.size() * 4 / 3 + data.size() / 50 + 8);
  std::size_t column = 0;
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
  std::string out = fmt::format("From: {}\nTo: {}\nSubject: {}\n", d.from, join(d.to), d.subject);
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
    out += base64_encode(attachment_bytes(a.size, a.seed));
  }
  out += fmt::format("--{}--\n", boundary);
  return out;
}

std::vector<std::pair<std::string, std::string>> extract_attachments(std::string_view m) {
  std::vector<std::pair<std::string, std::string>> out;
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
    std::string bytes;
    if (base64_decode(m.substr(body_start, body_end - body_start), bytes))
      out.emplace_back(name, bytes);
    pos = body_end;
  }
  return out;
}

}  // namespace mailsim::message
