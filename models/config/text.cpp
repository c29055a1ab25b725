#include "models/config/text.hpp"

#include <cctype>

namespace mailsim::config {

std::string Warning::to_string() const {
  std::string where = format_pos(pos);
  return where.empty() ? message : where + ": " + message;
}

namespace text {

std::vector<Line> split_lines(std::string_view text) {
  std::vector<Line> lines;
  int number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    size_t next = end == std::string_view::npos ? text.size() : end + 1;
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(Line{++number, line});
    start = next;
  }
  return lines;
}

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (is_space(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return trim_right(s);
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::vector<Word> split_words(std::string_view line) {
  std::vector<Word> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    size_t start = i;
    while (i < line.size() && !is_space(line[i])) ++i;
    if (i > start)
      words.push_back(Word{line.substr(start, i - start), static_cast<int>(start) + 1});
  }
  return words;
}

int column_of(std::string_view line, std::string_view part) {
  return static_cast<int>(part.data() - line.data()) + 1;
}

bool is_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  size_t label_start = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      std::string_view label = name.substr(label_start, i - label_start);
      if (label.empty() || label.front() == '-' || label.back() == '-') return false;
      label_start = i + 1;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (!std::isalnum(c) && c != '-') return false;
  }
  return true;
}

bool is_ipv4(std::string_view text) {
  int parts = 0;
  size_t i = 0;
  while (true) {
    size_t start = i;
    int value = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      value = value * 10 + (text[i] - '0');
      if (value > 255 || i - start >= 3) return false;
      ++i;
    }
    if (i == start) return false;
    ++parts;
    if (i == text.size()) return parts == 4;
    if (text[i] != '.' || parts == 4) return false;
    ++i;
  }
}

bool is_ipv6(std::string_view text) {
  if (text.empty()) return false;
  size_t double_colon = text.find("::");
  if (double_colon != std::string_view::npos &&
      text.find("::", double_colon + 1) != std::string_view::npos)
    return false;
  int groups = 0;
  size_t i = 0;
  bool compressed = double_colon != std::string_view::npos;
  if (text.substr(0, 2) == "::")
    i = 2;
  else if (text.front() == ':')
    return false;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && text[i] != ':') ++i;
    std::string_view group = text.substr(start, i - start);
    if (group.find('.') != std::string_view::npos) {
      // An embedded IPv4 address is the last part and counts as two groups.
      if (i != text.size() || !is_ipv4(group)) return false;
      groups += 2;
      break;
    }
    if (group.empty() || group.size() > 4) return false;
    for (char c : group) {
      if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    }
    ++groups;
    if (i == text.size()) break;
    ++i;  // the ':'
    if (i < text.size() && text[i] == ':') {
      ++i;  // "::" may also end the address, as in "fe80::"
      continue;
    }
    if (i == text.size()) return false;  // a single trailing ':'
  }
  return compressed ? groups <= 7 : groups == 8;
}

}  // namespace text
}  // namespace mailsim::config
