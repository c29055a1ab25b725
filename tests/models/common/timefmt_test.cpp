#include "models/common/timefmt.hpp"

#include <gtest/gtest.h>

namespace mailsim::timefmt {
namespace {

// 2026-12-04 17:08:07 UTC, the moment kim's PC connected in the recorded lab.
constexpr std::int64_t kLabStart = 1796404087;

TEST(Timefmt, Rfc5322MatchesSendmail) {
  EXPECT_EQ(rfc5322(kLabStart), "Fri, 4 Dec 2026 17:08:07 GMT");
  EXPECT_EQ(rfc5322(0), "Thu, 1 Jan 1970 00:00:00 GMT");
}

TEST(Timefmt, Rfc5322RepeatedAndAlternatingTimes) {
  // Each call must describe its own second, whatever was formatted before.
  EXPECT_EQ(rfc5322(kLabStart), "Fri, 4 Dec 2026 17:08:07 GMT");
  EXPECT_EQ(rfc5322(kLabStart), "Fri, 4 Dec 2026 17:08:07 GMT");
  EXPECT_EQ(rfc5322(kLabStart + 1), "Fri, 4 Dec 2026 17:08:08 GMT");
  EXPECT_EQ(rfc5322(0), "Thu, 1 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(rfc5322(kLabStart), "Fri, 4 Dec 2026 17:08:07 GMT");
  EXPECT_EQ(rfc5322(0), "Thu, 1 Jan 1970 00:00:00 GMT");
}

TEST(Timefmt, AsctimePadsDayWithSpace) {
  EXPECT_EQ(asctime(kLabStart + 4), "Fri Dec  4 17:08:11 2026");
}

TEST(Timefmt, SyslogStamp) { EXPECT_EQ(syslog(kLabStart + 3), "Dec  4 17:08:10"); }

TEST(Timefmt, CompactMinuteForMessageId) { EXPECT_EQ(compact_minute(kLabStart), "202612041708"); }

TEST(Timefmt, ParsesIso8601RoundTrip) {
  EXPECT_EQ(parse_iso8601("2026-12-04T17:08:07Z"), kLabStart);
  EXPECT_EQ(parse_iso8601("2026-12-04 17:08:07"), kLabStart);
  EXPECT_EQ(parse_iso8601("1970-01-01"), 0);
  EXPECT_EQ(parse_iso8601("2024-02-29T00:00:00Z"), 1709164800);
}

TEST(Timefmt, RejectsBadDates) {
  for (const char* text : {"", "yesterday", "2026-13-01", "2026-12-04T25:00:00Z", "2026-12-04T10:00:00+09:00"}) {
    EXPECT_FALSE(parse_iso8601(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace mailsim::timefmt
