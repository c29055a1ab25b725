// Wall-clock text forms used on the wire, in mailboxes and in logs. A
// simulated instant is `start_epoch + simulated seconds`, always in GMT/UTC
// because the lab's hosts run in UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mailsim::timefmt {

/// Broken-down UTC time.
struct Civil {
  int year, month, day, hour, minute, second, weekday;  // month 1-12, weekday 0 = Sunday
};

Civil to_civil(std::int64_t epoch_seconds);

/// RFC 5322 date as Sendmail writes it: `Fri, 4 Dec 2026 17:08:07 GMT`.
std::string rfc5322(std::int64_t epoch_seconds);

/// asctime() form used on mbox `From ` lines: `Fri Dec  4 17:08:11 2026`.
std::string asctime(std::int64_t epoch_seconds);

/// Traditional syslog stamp: `Dec  4 17:08:11`.
std::string syslog(std::int64_t epoch_seconds);

/// Sendmail's `$t` stamp for Message-Id: `202612041708` (YYYYMMDDhhmm).
std::string compact_minute(std::int64_t epoch_seconds);

/// Parses `2026-12-04T17:08:07Z` or `2026-12-04 17:08:07` (UTC).
std::optional<std::int64_t> parse_iso8601(std::string_view text);

}  // namespace mailsim::timefmt
