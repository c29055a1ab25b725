#include "models/common/units.hpp"

#include <gtest/gtest.h>

namespace mailsim::units {
namespace {

struct DurationCase {
  const char* text;
  double seconds;
};

TEST(ParseDuration, AcceptsUnits) {
  const DurationCase cases[] = {
      {"20ms", 0.020}, {"1.5s", 1.5}, {"30m", 1800}, {"3H", 10800}, {"1D", 86400},
      {"1W", 604800},  {"45", 45},    {"250us", 250e-6}, {"2 h", 7200},
  };
  for (const auto& c : cases) {
    auto got = parse_duration(c.text);
    ASSERT_TRUE(got.has_value()) << c.text;
    EXPECT_DOUBLE_EQ(*got, c.seconds) << c.text;
  }
}

TEST(ParseDuration, RejectsGarbage) {
  for (const char* text : {"", "ms", "-1s", "5 fortnights", "1.2.3s", "s5"}) {
    EXPECT_FALSE(parse_duration(text).has_value()) << text;
  }
}

TEST(ParseSize, SiAndIecPrefixes) {
  EXPECT_EQ(parse_size("10MB"), 10'000'000u);
  EXPECT_EQ(parse_size("2MiB"), 2u * 1024 * 1024);
  EXPECT_EQ(parse_size("512KB"), 512'000u);
  EXPECT_EQ(parse_size("100"), 100u);
  EXPECT_EQ(parse_size("1.5KiB"), 1536u);
  EXPECT_FALSE(parse_size("1.5B").has_value());
  EXPECT_FALSE(parse_size("10 parsecs").has_value());
}

TEST(ParseBandwidth, BitsAndBytes) {
  EXPECT_DOUBLE_EQ(*parse_bandwidth("8Mbps"), 1e6);
  EXPECT_DOUBLE_EQ(*parse_bandwidth("100Mbps"), 12.5e6);
  EXPECT_DOUBLE_EQ(*parse_bandwidth("1Gbps"), 125e6);
  EXPECT_DOUBLE_EQ(*parse_bandwidth("1MBps"), 1e6);
  EXPECT_DOUBLE_EQ(*parse_bandwidth("800"), 800);
  EXPECT_FALSE(parse_bandwidth("0Mbps").has_value());
  EXPECT_FALSE(parse_bandwidth("fast").has_value());
}

TEST(FormatDuration, PicksUnitAfterRounding) {
  EXPECT_EQ(format_duration(250e-6), "250.0us");
  EXPECT_EQ(format_duration(0.0123), "12.300ms");
  EXPECT_EQ(format_duration(0.99999999), "1.000s");
  EXPECT_EQ(format_duration(1.5), "1.500s");
  EXPECT_EQ(format_duration(90), "1m30.0s");
  EXPECT_EQ(format_duration(3725), "1h02m05s");
  EXPECT_EQ(format_duration(3599.99), "1h00m00s");
  EXPECT_EQ(format_duration(119.99), "2m00.0s");
  EXPECT_EQ(format_duration(7199.9), "2h00m00s");
}

}  // namespace
}  // namespace mailsim::units
