#include "models/message/sendmail_ids.hpp"

#include <gtest/gtest.h>

namespace mailsim::message {
namespace {

// 2026-12-04 15:02:48 UTC, when the first recorded session connected.
constexpr std::int64_t k150248 = 1796396568;
// 2026-12-04 17:08:07 UTC, when kim's PC connected to mail.daum.net.
constexpr std::int64_t k170807 = 1796404087;

struct QueueIdCase {
  std::int64_t epoch;
  unsigned sequence;
  unsigned pid;
  const char* expected;
};

// Ids recorded from Sendmail 8.17.1.9; the sequence numbers are the values of
// the two sequence characters (for example "qM" = 52 * 60 + 22 = 3142).
TEST(QueueId, RecordedIds) {
  const QueueIdCase cases[] = {
      {k170807, 3142, 31312, "6B4H87qM031312"},      {k150248, 1840, 15806, "6B4F2mUe015806"},
      {k170807 + 3, 2560, 31315, "6B4H8Age031315"},  {k150248 + 10, 841, 15885, "6B4F2wE1015885"},
      {k150248 + 68, 3008, 16086, "6B4F3uo8016086"}, {k150248 + 68, 3009, 16086, "6B4F3uo9016086"},
  };
  for (const QueueIdCase& c : cases) {
    EXPECT_EQ(queue_id(c.epoch, c.sequence, c.pid), c.expected) << c.expected;
  }
}

TEST(QueueId, SequenceWrapsAt3600) {
  EXPECT_EQ(queue_id(k170807, 3142 + 3600, 31312), "6B4H87qM031312");
  EXPECT_EQ(queue_id(k170807, 3599, 1), "6B4H87xx000001");
}

TEST(QueueId, YearCountsFrom1900Mod60) {
  // 2020-01-01 00:00:00 UTC: (120 mod 60) = 0, month 0, day 1.
  EXPECT_EQ(queue_id(1577836800, 0, 1), "00100000000001");
  // 1999-12-31 23:59:59 UTC: (99 mod 60) = 39 = 'd', month 11, day 31, 23:59:59.
  EXPECT_EQ(queue_id(946684799, 61, 42), "dBVNxx11000042");
}

TEST(QueueId, PidWiderThanSixDigits) {
  EXPECT_EQ(queue_id(k170807, 0, 4194304), "6B4H87004194304");
}

TEST(MessageId, SendmailForm) {
  EXPECT_EQ(message_id(k170807 + 2, "6B4H87qM031312", "mail.daum.net"),
            "<202612041708.6B4H87qM031312@mail.daum.net>");
  EXPECT_EQ(message_id(k150248 + 12, "6B4F2wE1015885", "mail.naver.com"),
            "<202612041503.6B4F2wE1015885@mail.naver.com>");
}

}  // namespace
}  // namespace mailsim::message
