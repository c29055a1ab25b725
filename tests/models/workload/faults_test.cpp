#include "models/workload/faults.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/models/workload/workload_test_support.hpp"

namespace mailsim::workload {
namespace {

TEST(CompoundDuration, Valid) {
  struct Case {
    const char* text;
    double seconds;
  };
  const Case cases[] = {{"10m", 600},     {"1h5m", 3900},    {"1.5h", 5400}, {"90", 90},
                        {"90s", 90},      {"2d12h", 216000}, {"1m30s", 90},  {"0s", 0},
                        {"1h0m5s", 3605}, {"500ms", 0.5}};
  for (const Case& c : cases) {
    auto value = parse_compound_duration(c.text);
    ASSERT_TRUE(value.has_value()) << c.text;
    EXPECT_DOUBLE_EQ(*value, c.seconds) << c.text;
  }
}

TEST(CompoundDuration, Invalid) {
  for (const char* text : {"", "h", "1h30", "5m1h", "1h1h", "-5m", "10x", "1h 5m", "m5"})
    EXPECT_FALSE(parse_compound_duration(text).has_value()) << text;
}

TEST(Faults, ExampleTimeline) {
  const std::string text =
      "# outages for the queue benchmark\n"
      "at 10m link r1-mx down\n"
      "at 20m link r1-mx up\n"
      "\n"
      "at 1h host relay crash\n"
      "at 1h5m host relay restart\n"
      "at 2h dns outage for 15m\n"
      "at 3h domain d0007.example tempfail for 30m      # remote 4xx\n";
  std::vector<Fault> faults = parse_faults(text, "faults.txt");
  ASSERT_EQ(faults.size(), 6u);

  struct Expected {
    double at;
    FaultKind kind;
    const char* target;
    FaultAction action;
    double duration;
    int line;
  };
  const Expected expected[] = {
      {600, FaultKind::LINK, "r1-mx", FaultAction::DOWN, 0, 2},
      {1200, FaultKind::LINK, "r1-mx", FaultAction::UP, 0, 3},
      {3600, FaultKind::HOST, "relay", FaultAction::CRASH, 0, 5},
      {3900, FaultKind::HOST, "relay", FaultAction::RESTART, 0, 6},
      {7200, FaultKind::DNS, "", FaultAction::OUTAGE, 900, 7},
      {10800, FaultKind::DOMAIN, "d0007.example", FaultAction::TEMPFAIL, 1800, 8},
  };
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(faults[i].at, expected[i].at) << i;
    EXPECT_EQ(faults[i].kind, expected[i].kind) << i;
    EXPECT_EQ(faults[i].target, expected[i].target) << i;
    EXPECT_EQ(faults[i].action, expected[i].action) << i;
    EXPECT_EQ(faults[i].duration, expected[i].duration) << i;
    EXPECT_EQ(faults[i].pos.line, expected[i].line) << i;
    EXPECT_EQ(faults[i].pos.file, "faults.txt") << i;
  }
}

TEST(Faults, SortedByTime) {
  std::vector<Fault> faults = parse_faults(
      "at 2h dns outage for 1m\nat 20m link a up\r\nat 10m link a down\n  # trailing\n", "f");
  ASSERT_EQ(faults.size(), 3u);
  EXPECT_EQ(faults[0].at, 600);
  EXPECT_EQ(faults[1].at, 1200);
  EXPECT_EQ(faults[2].at, 7200);
  EXPECT_EQ(faults[0].pos.line, 3);
}

TEST(Faults, EmptyInput) {
  EXPECT_TRUE(parse_faults("", "f").empty());
  EXPECT_TRUE(parse_faults("# nothing yet\n\n", "f").empty());
}

TEST(Faults, Names) {
  EXPECT_STREQ(to_string(FaultKind::DOMAIN), "domain");
  EXPECT_STREQ(to_string(FaultAction::TEMPFAIL), "tempfail");
}

TEST(Faults, InvalidLines) {
  struct Case {
    const char* text;
    int line;
    int column;
    const char* message;
  };
  const Case cases[] = {
      {"in 10m link a down", 1, 1, "expected 'at', got 'in'"},
      {"at soon host relay crash", 1, 4, "expected a time such as 90s, 10m or 1h5m, got 'soon'"},
      {"at 10m volcano erupts", 1, 8, "expected 'link', 'host', 'dns' or 'domain', got 'volcano'"},
      {"at 10m link r1-mx sideways", 1, 19, "expected 'down' or 'up', got 'sideways'"},
      {"at 10m link", 1, 12, "expected a link name"},
      {"at 10m link r1/mx down", 1, 13, "expected a link name"},
      {"at 1h host relay reboot", 1, 18, "expected 'crash' or 'restart'"},
      {"at 2h dns outage", 1, 17, "expected 'for' at the end of the line"},
      {"at 2h dns outage for 0s", 1, 22, "expected a positive duration"},
      {"at 2h dns down for 1m", 1, 11, "expected 'outage', got 'down'"},
      {"at 3h domain d7.example tempfail for 30m extra", 1, 42, "expected the end of the line"},
      {"at 3h domain d7.example bounce for 30m", 1, 25, "expected 'tempfail'"},
      {"# header\n\nat 1h30 link a down", 3, 4, "expected a time"},
      {"at 10m link a down\nat 20m link a down", 2, 1, "link a is already down at 20m00.0s"},
      {"at 20m link a up", 1, 1, "link a is not down at 20m00.0s, so 'up' needs an earlier 'down'"},
      {"at 1h host relay restart", 1, 1, "needs an earlier 'crash'"},
  };
  for (const Case& c : cases) {
    auto error = catch_input_error([&] { parse_faults(c.text, "faults.txt"); });
    ASSERT_TRUE(error.has_value()) << c.text;
    EXPECT_EQ(error->pos().file, "faults.txt") << c.text;
    EXPECT_EQ(error->pos().line, c.line) << c.text;
    EXPECT_EQ(error->pos().column, c.column) << c.text;
    EXPECT_NE(error->message().find(c.message), std::string::npos)
        << c.text << " -> " << error->message();
  }
}

TEST(Faults, ErrorText) {
  auto error = catch_input_error([] { parse_faults("at 10m link r1-mx sideways", "faults.txt"); });
  ASSERT_TRUE(error.has_value());
  EXPECT_STREQ(error->what(), "faults.txt:1:19: expected 'down' or 'up', got 'sideways'");
}

}  // namespace
}  // namespace mailsim::workload
