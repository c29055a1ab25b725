#include "models/common/timefmt.hpp"

#include <cstdio>

#include <fmt/format.h>

namespace mailsim::timefmt {
namespace {

const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's
// days_from_civil algorithm).
std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

Civil to_civil(std::int64_t t) {
  std::int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  std::int64_t secs = t - days * 86400;
  std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  Civil c{};
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = static_cast<int>(yoe + era * 400 + (c.month <= 2));
  c.hour = static_cast<int>(secs / 3600);
  c.minute = static_cast<int>(secs % 3600 / 60);
  c.second = static_cast<int>(secs % 60);
  c.weekday = static_cast<int>((days % 7 + 11) % 7);  // 1970-01-01 was a Thursday
  return c;
}

std::string rfc5322(std::int64_t t) {
  // A simulation formats the same second many times over (one greeting per connection), so
  // each thread keeps the last result.
  thread_local std::int64_t last_time = 0;
  thread_local std::string last_text;
  if (!last_text.empty() && last_time == t) return last_text;
  Civil c = to_civil(t);
  last_text = fmt::format("{}, {} {} {} {:02}:{:02}:{:02} GMT", kDays[c.weekday], c.day,
                          kMonths[c.month - 1], c.year, c.hour, c.minute, c.second);
  last_time = t;
  return last_text;
}

std::string asctime(std::int64_t t) {
  Civil c = to_civil(t);
  return fmt::format("{} {} {:2} {:02}:{:02}:{:02} {}", kDays[c.weekday], kMonths[c.month - 1],
                     c.day, c.hour, c.minute, c.second, c.year);
}

std::string syslog(std::int64_t t) {
  Civil c = to_civil(t);
  return fmt::format("{} {:2} {:02}:{:02}:{:02}", kMonths[c.month - 1], c.day, c.hour, c.minute,
                     c.second);
}

std::string compact_minute(std::int64_t t) {
  Civil c = to_civil(t);
  return fmt::format("{:04}{:02}{:02}{:02}{:02}", c.year, c.month, c.day, c.hour, c.minute);
}

std::optional<std::int64_t> parse_iso8601(std::string_view text) {
  int y, mo, d, h = 0, mi = 0, s = 0;
  char sep = 0;
  std::string buf(text);
  int n = std::sscanf(buf.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d", &y, &mo, &d, &sep, &h, &mi, &s);
  if (n != 3 && n != 7) return std::nullopt;
  if (n == 7 && sep != 'T' && sep != ' ') return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::string rest;
  if (n == 7) {
    size_t pos = buf.find(':');
    pos = buf.find(':', pos + 1);
    rest = buf.substr(pos + 3);
  }
  if (!rest.empty() && rest != "Z" && rest != "+00:00") return std::nullopt;
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

}  // namespace mailsim::timefmt
