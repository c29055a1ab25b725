#include "models/config/text.hpp"

#include <gtest/gtest.h>

namespace mailsim::config::text {
namespace {

TEST(TextLines, SplitsCrLfAndKeepsNumbers) {
  std::vector<Line> lines = split_lines("a\r\n\nb");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].text, "a");
  EXPECT_EQ(lines[1].text, "");
  EXPECT_EQ(lines[2].text, "b");
  EXPECT_EQ(lines[2].number, 3);
  EXPECT_EQ(split_lines("a\n").size(), 1u);
}

TEST(TextAddresses, Ipv4) {
  for (const char* ok : {"10.0.2.100", "0.0.0.0", "255.255.255.255"}) {
    EXPECT_TRUE(is_ipv4(ok)) << ok;
  }
  for (const char* bad : {"10.0.2", "10.0.2.256", "1.2.3.4.5", "1..2.3", "a.b.c.d", "0010.1.1.1"}) {
    EXPECT_FALSE(is_ipv4(bad)) << bad;
  }
}

TEST(TextAddresses, Ipv6) {
  for (const char* ok :
       {"::1", "::", "fe80::", "2001:db8::25", "1:2:3:4:5:6:7:8", "::ffff:10.0.2.1"}) {
    EXPECT_TRUE(is_ipv6(ok)) << ok;
  }
  for (const char* bad : {"", ":1", "1:", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "g::1"}) {
    EXPECT_FALSE(is_ipv6(bad)) << bad;
  }
}

TEST(TextNames, HostNames) {
  for (const char* ok : {"naver.com", "mail.naver.com", "localhost", "a-b.c1"}) {
    EXPECT_TRUE(is_host_name(ok)) << ok;
  }
  for (const char* bad : {"", ".naver.com", "naver..com", "-a.com", "a_b.com", "naver.com."}) {
    EXPECT_FALSE(is_host_name(bad)) << bad;
  }
}

}  // namespace
}  // namespace mailsim::config::text
