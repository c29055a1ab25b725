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

// Column of `token` on line `line` (1-based) of `text`, the end of the line for an empty token.
int column_of(const std::string& text, int line, const std::string& token) {
  std::size_t begin = 0;
  for (int i = 1; i < line; ++i) begin = text.find('\n', begin) + 1;
  std::string row = text.substr(begin, text.find('\n', begin) - begin);
  return static_cast<int>(token.empty() ? row.size() + 1 : row.find(token) + 1);
}

TEST(Faults, InvalidLines) {
  struct Case {
    std::string text;
    int line;
    std::string bad;  // the token the column must point at; empty for the end of the line
    std::string message;
  };
  const Case cases[] = {
      {"in 10m link a down", 1, "in", "expected 'at', got 'in'"},
      {"at soon host relay crash", 1, "soon",
       "expected a time such as 90s, 10m or 1h5m, got 'soon'"},
      {"at 10m volcano erupts", 1, "volcano",
       "expected 'link', 'host', 'dns' or 'domain', got 'volcano'"},
      {"at 10m link r1-mx sideways", 1, "sideways", "expected 'down' or 'up', got 'sideways'"},
      {"at 10m link", 1, "", "expected a link name"},
      {"at 10m link r1/mx down", 1, "r1/mx", "expected a link name"},
      {"at 1h host relay reboot", 1, "reboot", "expected 'crash' or 'restart'"},
      {"at 2h dns outage", 1, "", "expected 'for' at the end of the line"},
      {"at 2h dns outage for 0s", 1, "0s", "expected a positive duration"},
      {"at 2h dns down for 1m", 1, "down", "expected 'outage', got 'down'"},
      {"at 3h domain d7.example tempfail for 30m extra", 1, "extra",
       "expected the end of the line"},
      {"at 3h domain d7.example bounce for 30m", 1, "bounce", "expected 'tempfail'"},
      {"# header\n\nat 1h30 link a down", 3, "1h30", "expected a time"},
      // Order errors point at the action of the entry that breaks the order.
      {"at 10m link a down\nat 20m link a down", 2, "down",
       "link a is already down at 20m00.0s (since 'down' at 10m00.0s, line 1)"},
      {"at 1h host relay crash\nat 2h host relay crash", 2, "crash", "host relay is already down"},
      {"at 20m link a up", 1, "up",
       "link a is not down at 20m00.0s, so 'up' needs an earlier 'down'"},
      {"at 1h host relay restart", 1, "restart", "needs an earlier 'crash'"},
      // Overlaps point at the time of the later entry, in time order rather than line order.
      {"at 1h dns outage for 10m\nat 1h5m dns outage for 1m", 2, "1h5m",
       "dns outage at 1h05m00s overlaps the one at 1h00m00s (line 1)"},
      {"at 2h dns outage for 1h\nat 1h30m dns outage for 1h", 1, "2h", "overlaps the one at 1h30m"},
      {"at 1h domain d1.example tempfail for 30m\nat 1h29m domain d1.example tempfail for 5m", 2,
       "1h29m", "domain d1.example tempfail at 1h29m00s overlaps"},
  };
  for (const Case& c : cases) {
    auto error = catch_input_error([&] { parse_faults(c.text, "faults.txt"); });
    ASSERT_TRUE(error.has_value()) << c.text;
    EXPECT_EQ(error->pos().file, "faults.txt") << c.text;
    EXPECT_EQ(error->pos().line, c.line) << c.text;
    EXPECT_EQ(error->pos().column, column_of(c.text, c.line, c.bad)) << c.text;
    EXPECT_NE(error->message().find(c.message), std::string::npos)
        << c.text << " -> " << error->message();
  }
}

TEST(Faults, ValidNeighbours) {
  const char* texts[] = {
      "at 1h dns outage for 10m\nat 1h10m dns outage for 5m",  // back to back
      "at 1h domain a.example tempfail for 1h\nat 1h30m domain b.example tempfail for 1h",
      "at 1h link a down\nat 1h link b down\nat 2h link a up\nat 2h link a down",
      "at 1h host relay crash\nat 1h link relay down",  // a host and its link are separate
  };
  for (const char* text : texts) {
    auto error = catch_input_error([&] { parse_faults(text, "f"); });
    EXPECT_FALSE(error.has_value()) << text << " -> " << (error ? error->what() : "");
  }
}

TEST(Faults, FieldPositions) {
  struct Case {
    std::string line;
    std::string target;  // the token target_pos must point at
    std::string action;
    std::string duration;  // empty when the entry has none
  };
  const Case cases[] = {
      {"at 10m   link mx.a  down", "mx.a", "down", ""},
      {"at 1h host relay.bench crash", "relay.bench", "crash", ""},
      {"at 2h  dns outage for 15m", "dns", "outage", "15m"},
      {"at 3h domain d7.example tempfail for 30m", "d7.example", "tempfail", "30m"},
  };
  for (const Case& c : cases) {
    std::vector<Fault> faults = parse_faults(c.line, "f");
    ASSERT_EQ(faults.size(), 1u) << c.line;
    const Fault& f = faults[0];
    EXPECT_EQ(f.pos.column, 1) << c.line;
    EXPECT_EQ(f.time_pos.column, column_of(c.line, 1, c.line.substr(3, c.line.find(' ', 3) - 3)))
        << c.line;
    EXPECT_EQ(f.target_pos.column, column_of(c.line, 1, c.target)) << c.line;
    EXPECT_EQ(f.action_pos.column, column_of(c.line, 1, c.action)) << c.line;
    if (c.duration.empty())
      EXPECT_EQ(f.duration_pos.line, 0) << c.line;
    else
      EXPECT_EQ(f.duration_pos.column, column_of(c.line, 1, c.duration)) << c.line;
    EXPECT_EQ(f.target_pos.line, 1) << c.line;
  }
}

// A timeline inside a YAML block scalar: its first line is line 8 of the file and every line is
// indented by 2, so column 1 of the text is column 3 of the file.
TEST(Faults, OffsetPositions) {
  const std::string text = "at 1m link a down\n\nat 2m link a sideways\n";
  auto error = catch_input_error([&] { parse_faults(text, "s.yaml", 8, 3); });
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->pos().file, "s.yaml");
  EXPECT_EQ(error->pos().line, 8 + 2);
  EXPECT_EQ(error->pos().column, 2 + column_of(text, 3, "sideways"));

  std::vector<Fault> faults = parse_faults("at 1m link a down\n  at 2m link a up", "s.yaml", 8, 3);
  ASSERT_EQ(faults.size(), 2u);
  EXPECT_EQ(faults[1].pos.line, 9);
  EXPECT_EQ(faults[1].pos.column, 2 + 3);
  EXPECT_EQ(faults[1].action_pos.column, 2 + column_of("  at 2m link a up", 1, "up"));
}

TEST(Faults, ErrorText) {
  auto error = catch_input_error([] { parse_faults("at 10m link r1-mx sideways", "faults.txt"); });
  ASSERT_TRUE(error.has_value());
  EXPECT_STREQ(error->what(), "faults.txt:1:19: expected 'down' or 'up', got 'sideways'");
}

}  // namespace
}  // namespace mailsim::workload
