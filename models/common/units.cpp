#include "models/common/units.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

namespace mailsim::units {
namespace {

// Splits "12.5ms" into 12.5 and "ms". Rejects empty, signed or non-finite numbers.
bool split_number(std::string_view text, double& value, std::string& unit) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  if (i == 0) return false;
  std::string number(text.substr(0, i));
  char* end = nullptr;
  value = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size() || !std::isfinite(value)) return false;
  size_t j = i;
  while (j < text.size() && text[j] == ' ') ++j;
  unit = std::string(text.substr(j));
  return true;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::optional<double> parse_duration(std::string_view text) {
  double v = 0;
  std::string unit;
  if (!split_number(text, v, unit)) return std::nullopt;
  std::string u = lower(unit);
  if (u.empty() || u == "s" || u == "sec") return v;
  if (u == "us") return v * 1e-6;
  if (u == "ms") return v * 1e-3;
  if (u == "m" || u == "min") return v * 60;
  if (u == "h") return v * 3600;
  if (u == "d") return v * 86400;
  if (u == "w") return v * 604800;
  return std::nullopt;
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  double v = 0;
  std::string unit;
  if (!split_number(text, v, unit)) return std::nullopt;
  std::string u = lower(unit);
  double factor = 0;
  if (u.empty() || u == "b") factor = 1;
  else if (u == "kb" || u == "k") factor = 1e3;
  else if (u == "mb" || u == "m") factor = 1e6;
  else if (u == "gb" || u == "g") factor = 1e9;
  else if (u == "kib") factor = 1024.0;
  else if (u == "mib") factor = 1024.0 * 1024;
  else if (u == "gib") factor = 1024.0 * 1024 * 1024;
  else return std::nullopt;
  double bytes = v * factor;
  if (bytes != std::floor(bytes) || bytes > 1e18) return std::nullopt;
  return static_cast<std::uint64_t>(bytes);
}

std::optional<double> parse_bandwidth(std::string_view text) {
  double v = 0;
  std::string unit;
  if (!split_number(text, v, unit)) return std::nullopt;
  // Bits per second use a lower-case "b" in "bps"; bytes per second "Bps".
  double factor = 0;
  if (unit.empty() || unit == "Bps") factor = 1;
  else if (unit == "bps") factor = 1.0 / 8;
  else if (unit == "kbps" || unit == "Kbps") factor = 1e3 / 8;
  else if (unit == "Mbps") factor = 1e6 / 8;
  else if (unit == "Gbps") factor = 1e9 / 8;
  else if (unit == "kBps" || unit == "KBps") factor = 1e3;
  else if (unit == "MBps") factor = 1e6;
  else if (unit == "GBps") factor = 1e9;
  else return std::nullopt;
  if (v <= 0) return std::nullopt;
  return v * factor;
}

std::string format_duration(double seconds) {
  // Thresholds sit half a printed unit below each boundary, so a value that
  // rounds up to 1000.000ms prints as 1.000s instead.
  if (seconds < 0.99995e-3) return fmt::format("{:.1f}us", seconds * 1e6);
  if (seconds < 0.9999995) return fmt::format("{:.3f}ms", seconds * 1e3);
  if (seconds < 59.9995) return fmt::format("{:.3f}s", seconds);
  // Round first at the printed precision so 3599.99 s prints as 1h00m00s,
  // not 59m60.0s.
  if (seconds >= 3599.5) {
    long whole = std::lround(seconds);
    return fmt::format("{}h{:02}m{:02}s", whole / 3600, whole % 3600 / 60, whole % 60);
  }
  long tenths = std::lround(seconds * 10);
  return fmt::format("{}m{:02}.{}s", tenths / 600, tenths % 600 / 10, tenths % 10);
}

}  // namespace mailsim::units
