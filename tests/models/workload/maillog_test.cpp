// Replay of Sendmail 8.17 maillog lines. The recorded log mixes Sendmail and Dovecot lines from
// one lab session; the expected arrivals are read off it by hand.
#include "models/workload/maillog.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/models/workload/workload_test_support.hpp"

namespace mailsim::workload {
namespace {

MaillogReplay parse_text(const std::string& text, int year = 2026) {
  return parse_maillog(std::string_view(text), MaillogOptions{"maillog", year});
}

std::string from_line(const std::string& stamp, const std::string& qid, const std::string& from,
                      int size, int nrcpts) {
  return stamp + " mail sendmail[100]: " + qid + ": from=" + from +
         ", size=" + std::to_string(size) + ", class=0, nrcpts=" + std::to_string(nrcpts) +
         ", proto=ESMTP, daemon=MTA-v4, relay=localhost [127.0.0.1]\n";
}

std::string to_line(const std::string& stamp, const std::string& qid, const std::string& to) {
  return stamp + " mail sendmail[101]: " + qid + ": to=" + to +
         ", delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=30000, dsn=2.0.0, stat=Sent\n";
}

TEST(Maillog, RecordedLog) {
  std::ifstream file(MAILSIM_SOURCE_DIR "/tests/models/workload/data/sendmail-dovecot.maillog");
  ASSERT_TRUE(file.is_open());
  MaillogReplay replay = parse_maillog(file, MaillogOptions{"sendmail-dovecot.maillog", 2026});

  // 62 lines: 12 from=, 7 to=, 43 others (Dovecot, daemon start, rejects, RCPT flood, ETRN).
  EXPECT_EQ(replay.lines, 62u);
  EXPECT_EQ(replay.from_lines, 12u);
  EXPECT_EQ(replay.to_lines, 7u);
  EXPECT_EQ(replay.skipped, 43u);
  EXPECT_EQ(replay.orphan_to_lines, 0u);
  // Six from= lines have no to= line: sessions that never sent DATA (size=0) or had every
  // recipient rejected (nrcpts=0).
  EXPECT_EQ(replay.without_recipients, 6u);
  // First line: Dec 4 14:59:21 2026 UTC.
  EXPECT_EQ(replay.start_epoch, 1796396361);

  struct Expected {
    const char* qid;
    double at;  // seconds after 14:59:21
    const char* sender;
    const char* recipient;
    std::uint64_t size;
  };
  const Expected expected[] = {
      {"6B4F2mUe015806", 210, "kim@naver.com", "lee@naver.com", 119},     // 15:02:51
      {"6B4F2wE1015885", 220, "kim@naver.com", "lee@naver.com", 329},     // 15:03:01
      {"6B4F31Hh015888", 223, "kim@naver.com", "lee@naver.com", 192},     // 15:03:04
      {"6B4F3JM5016071", 240, "lee@naver.com", "kim@naver.com", 90},      // 15:03:21
      {"6B4F3gRP016077", 264, "someone@daum.net", "kim@naver.com", 120},  // 15:03:45
      {"6B4F3mmL016081", 270, "lee@naver.com", "someone@daum.net", 87},   // deferred, tried twice
  };
  ASSERT_EQ(replay.arrivals.size(), 6u);
  ASSERT_EQ(replay.queue_ids.size(), 6u);
  for (std::size_t i = 0; i < 6; ++i) {
    const Arrival& a = replay.arrivals[i];
    EXPECT_EQ(replay.queue_ids[i], expected[i].qid);
    EXPECT_EQ(a.id, i + 1);
    EXPECT_EQ(a.at, expected[i].at) << expected[i].qid;
    EXPECT_EQ(a.sender, expected[i].sender) << expected[i].qid;
    ASSERT_EQ(a.recipients.size(), 1u) << expected[i].qid;
    EXPECT_EQ(a.recipients[0], expected[i].recipient) << expected[i].qid;
    EXPECT_EQ(a.size, expected[i].size) << expected[i].qid;
  }
}

TEST(Maillog, SeveralRecipientsFirstToOnly) {
  std::string log = from_line("Mar  1 10:00:00", "AAA001", "<kim@daum.net>", 500, 3) +
                    to_line("Mar  1 10:00:02", "AAA001", "<a@x.example>,<b@y.example>") +
                    to_line("Mar  1 10:30:00", "AAA001", "<b@y.example>,<c@y.example>") +
                    to_line("Mar  1 11:00:00", "AAA001", "<a@x.example>");
  MaillogReplay replay = parse_text(log);
  ASSERT_EQ(replay.arrivals.size(), 1u);
  const std::vector<std::string> expected = {"a@x.example", "b@y.example", "c@y.example"};
  EXPECT_EQ(replay.arrivals[0].recipients, expected);
  EXPECT_EQ(replay.arrivals[0].size, 500u);
  EXPECT_EQ(replay.to_lines, 3u);
}

TEST(Maillog, NullSenderAndBareAddresses) {
  std::string log = from_line("Mar  1 10:00:00", "AAA002", "<>", 42, 1) +
                    to_line("Mar  1 10:00:01", "AAA002", "lee");
  MaillogReplay replay = parse_text(log);
  ASSERT_EQ(replay.arrivals.size(), 1u);
  EXPECT_EQ(replay.arrivals[0].sender, "");
  EXPECT_EQ(replay.arrivals[0].recipients, std::vector<std::string>{"lee"});
}

TEST(Maillog, YearRollover) {
  // Dec 31 23:59:59 2026 -> Jan 1 00:00:01 2027 is 2 s later.
  std::string log = from_line("Dec 31 23:59:59", "AAA003", "<a@x>", 1, 1) +
                    to_line("Dec 31 23:59:59", "AAA003", "<b@y>") +
                    from_line("Jan  1 00:00:01", "AAA004", "<a@x>", 1, 1) +
                    to_line("Jan  1 00:00:02", "AAA004", "<b@y>");
  MaillogReplay replay = parse_text(log);
  ASSERT_EQ(replay.arrivals.size(), 2u);
  EXPECT_EQ(replay.arrivals[1].at, 2);
}

TEST(Maillog, LeapDayNeedsLeapYear) {
  std::string log = from_line("Feb 29 12:00:00", "AAA005", "<a@x>", 1, 1) +
                    to_line("Feb 29 12:00:01", "AAA005", "<b@y>");
  EXPECT_EQ(parse_text(log, 2028).arrivals.size(), 1u);
  auto error = catch_input_error([&] { parse_text(log, 2026); });
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->pos().column, 5);
  EXPECT_NE(error->message().find("Feb 29 2026 is not a date"), std::string::npos);
}

TEST(Maillog, SkipsAndCounts) {
  std::string log =
      "Mar  1 09:59:58 mail sm-msp-queue[9]: AAA010: from=<x@y>, size=5, class=0, nrcpts=1\n"
      "\n" +
      from_line("Mar  1 10:00:00", "AAA006", "<a@x>", 10, 1) +
      "Mar  1 10:00:00 mail postfix/smtpd[5]: connect from unknown[10.0.0.1]\n"
      "Mar  1 10:00:01 mail sm-mta[7]: AAA006: to=<b@y>, delay=00:00:01, stat=Sent\n"
      // A to= line whose from= line is before the log starts.
      "Mar  1 10:00:02 mail sendmail[7]: ZZZ999: to=<c@y>, delay=00:00:01, stat=Sent\n"
      "Mar  1 10:00:03 mail sendmail[7]: STARTTLS=client, relay=mx.example, version=TLSv1.3\n"
      "Mar  1 10:00:04 mail sendmail[7]: AAA006: lost input channel from [10.0.0.1]\n"
      "Mar  1 10:00:05 mail sendmail[7]: --\n";
  MaillogReplay replay = parse_text(log);
  EXPECT_EQ(replay.lines, 9u);
  EXPECT_EQ(replay.from_lines, 1u);
  EXPECT_EQ(replay.to_lines, 2u);
  EXPECT_EQ(replay.orphan_to_lines, 1u);
  // sm-msp-queue, blank, postfix, STARTTLS, lost input channel, "--".
  EXPECT_EQ(replay.skipped, 6u);
  ASSERT_EQ(replay.arrivals.size(), 1u);
  // Times count from the first line (09:59:58), skipped or not.
  EXPECT_EQ(replay.arrivals[0].at, 2);
}

TEST(Maillog, DsnNotReplayed) {
  std::string log = from_line("Mar  1 10:00:00", "AAA007", "<a@x>", 10, 1) +
                    to_line("Mar  1 10:00:01", "AAA007", "<nobody@y>") +
                    "Mar  1 10:00:01 mail sendmail[8]: AAA007: AAA008: DSN: User unknown\n" +
                    from_line("Mar  1 10:00:01", "AAA008", "<>", 900, 1) +
                    to_line("Mar  1 10:00:02", "AAA008", "<a@x>");
  MaillogReplay replay = parse_text(log);
  EXPECT_EQ(replay.dsn_messages, 1u);
  ASSERT_EQ(replay.arrivals.size(), 1u);
  EXPECT_EQ(replay.queue_ids[0], "AAA007");
  EXPECT_EQ(replay.orphan_to_lines, 0u);
}

TEST(Maillog, SeedFromQueueId) {
  std::string log = from_line("Mar  1 10:00:00", "AAA020", "<a@x>", 1, 1) +
                    to_line("Mar  1 10:00:00", "AAA020", "<b@y>") +
                    from_line("Mar  1 10:00:00", "AAA021", "<a@x>", 1, 1) +
                    to_line("Mar  1 10:00:00", "AAA021", "<b@y>");
  MaillogReplay first = parse_text(log);
  MaillogReplay second = parse_text(log);
  ASSERT_EQ(first.arrivals.size(), 2u);
  EXPECT_NE(first.arrivals[0].seed, first.arrivals[1].seed);
  EXPECT_EQ(first.arrivals[0].seed, second.arrivals[0].seed);
}

TEST(Maillog, TimeOrder) {
  struct Case {
    std::string log;
    int bad_line;  // 0 when the log is valid
  };
  const std::string kernel = " mail kernel: x\n";
  const Case cases[] = {
      {"Dec  4 15:00:00" + kernel + "Dec  4 15:00:00" + kernel, 0},  // equal stamps
      {"Dec  4 15:00:00" + kernel + "\n" + "Dec  4 15:00:01" + kernel, 0},
      {"Dec 31 23:59:59" + kernel + "Jan  1 00:00:00" + kernel, 0},  // into the next year
      {"Dec  4 15:00:01" + kernel + "Dec  4 15:00:00" + kernel, 2},
      {"Dec  4 15:00:00" + kernel + "\n" + "Dec  3 16:00:00" + kernel, 3},
      {"Dec  4 15:00:00" + kernel + "Dec  4 16:00:00" + kernel + "Dec  4 15:30:00" + kernel, 3},
  };
  for (const Case& c : cases) {
    auto error = catch_input_error([&] { parse_text(c.log); });
    if (c.bad_line == 0) {
      EXPECT_FALSE(error.has_value()) << c.log << " -> " << (error ? error->what() : "");
      continue;
    }
    ASSERT_TRUE(error.has_value()) << c.log;
    EXPECT_EQ(error->pos().line, c.bad_line) << c.log;
    EXPECT_EQ(error->pos().column, 1) << c.log;
    EXPECT_NE(error->message().find("must be in time order"), std::string::npos)
        << error->message();
  }
}

TEST(Maillog, MalformedLines) {
  struct Case {
    std::string line;
    std::string bad;  // the text the column must point at; empty for the end of the line
    std::string message;
  };
  const std::string stamp = "Dec  4 15:02:51 mail sendmail[1]: ";
  const Case cases[] = {
      {"Foo  4 15:02:51 mail sendmail[1]: x", "Foo", "expected a syslog timestamp"},
      {"Dec  4 25:02:51 mail sendmail[1]: x", "25:", "hour 25 is out of range"},
      {"Dec  4 15:2:51 mail sendmail[1]: x", "2:5", "expected the minute as two digits"},
      {"Dec 32 15:02:51 mail sendmail[1]: x", "32", "Dec 32 2026 is not a date"},
      {stamp + "AAA: from=<kim@naver.com>, size=abc, class=0, nrcpts=1", "abc",
       "expected a whole number after size=, got 'abc'"},
      {stamp + "AAA: from=<kim@naver.com>, class=0, nrcpts=1", "", "from= line has no size= field"},
      {stamp + "AAA: from=<kim@naver.com>, size=5, class=0", "", "no nrcpts= field"},
      {stamp + "AAA: from=<kim@naver.com, size=5, class=0, nrcpts=1", "<kim",
       "address after from= has no closing '>'"},
      {stamp + "AAA: from=, size=5, class=0, nrcpts=1", ", size",
       "expected an address after from="},
      {stamp + "AAA: to=<lee@naver.com>,, delay=00:00:01", ", delay",
       "expected an address after to="},
      {stamp + "AAA: to=<lee@naver.com>,<kim, delay=00:00:01", "<kim",
       "address after to= has no closing '>'"},
      {stamp + "AAA: to=<lee@>, delay=00:00:01", "<lee@>", "address 'lee@' after to= has no domain"},
      {stamp + "AAA: to=<@>, delay=00:00:01", "<@>", "address '@' after to= has no domain"},
      // The first line is stamped 15:00:00, so a line one second earlier goes back in time.
      {"Dec  4 14:59:59 mail sendmail[1]: x", "Dec",
       "timestamp 'Dec  4 14:59:59' is earlier than 'Dec  4 15:00:00' on line 1"},
  };
  for (const Case& c : cases) {
    // The to= cases need a from= line for the queue ID AAA first.
    const bool is_to = c.line.find(": to=") != std::string::npos;
    std::string text = is_to ? stamp + "AAA: from=<a@b>, size=1, class=0, nrcpts=1\n" : "";
    text = "Dec  4 15:00:00 mail kernel: boot\n" + text + c.line + "\n";
    const int line_number = is_to ? 3 : 2;
    auto error = catch_input_error([&] { parse_text(text); });
    ASSERT_TRUE(error.has_value()) << c.line;
    const int column = static_cast<int>(c.bad.empty() ? c.line.size() + 1 : c.line.find(c.bad) + 1);
    EXPECT_EQ(error->pos().file, "maillog") << c.line;
    EXPECT_EQ(error->pos().line, line_number) << c.line;
    EXPECT_EQ(error->pos().column, column) << c.line << " -> " << error->what();
    EXPECT_NE(error->message().find(c.message), std::string::npos)
        << c.line << " -> " << error->message();
  }
}

}  // namespace
}  // namespace mailsim::workload
