#include "models/workload/domains.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "tests/models/workload/workload_test_support.hpp"

namespace mailsim::workload {
namespace {

TEST(DomainTable, NamesPaddedToCountWidth) {
  struct Case {
    std::size_t domains, users, domain, user;
    const char* name;
    const char* mailbox;
  };
  const Case cases[] = {
      {1000, 50, 0, 0, "d0001.example", "u01@d0001.example"},
      {1000, 50, 999, 49, "d1000.example", "u50@d1000.example"},
      {12, 9, 11, 8, "d12.example", "u9@d12.example"},
      {5, 1000, 0, 6, "d1.example", "u0007@d1.example"},
  };
  for (const Case& c : cases) {
    DomainTable table(c.domains, c.users, {}, {}, 1);
    EXPECT_EQ(table.name(c.domain), c.name);
    EXPECT_EQ(table.mailbox(c.domain, c.user), c.mailbox);
  }
}

TEST(DomainTable, IndexOfRoundTrip) {
  DomainTable table(1000, 1, {}, {}, 1);
  EXPECT_EQ(table.index_of("d0001.example"), std::optional<std::size_t>(0));
  EXPECT_EQ(table.index_of("d0742.example"), std::optional<std::size_t>(741));
  EXPECT_EQ(table.index_of("d0000.example"), std::nullopt);
  EXPECT_EQ(table.index_of("d1001.example"), std::nullopt);
  EXPECT_EQ(table.index_of("d001.example"), std::nullopt);
  EXPECT_EQ(table.index_of("x0001.example"), std::nullopt);
  EXPECT_EQ(table.index_of("d0001.example.com"), std::nullopt);
  EXPECT_EQ(table.index_of("d00a1.example"), std::nullopt);
}

TEST(DomainTable, ClassCountsFollowShares) {
  // Counts come from cumulative shares: round(1000 * 0.1) = 100 slow, round(1000 * 0.15) - 100
  // = 50 dead, 350 - 150 = 200 greylisting, 500 - 350 = 150 ratelimit, 500 normal.
  DomainTable table(1000, 1, {0.1, 0.05, 0.2, 0.15}, {}, 7);
  EXPECT_EQ(table.count(DomainClass::SLOW), 100u);
  EXPECT_EQ(table.count(DomainClass::DEAD), 50u);
  EXPECT_EQ(table.count(DomainClass::GREYLISTING), 200u);
  EXPECT_EQ(table.count(DomainClass::RATELIMIT), 150u);
  EXPECT_EQ(table.count(DomainClass::NORMAL), 500u);
}

TEST(DomainTable, ClassesSpreadOverIndices) {
  // A shuffle puts the 500 slow domains anywhere, so the first 500 indices contain about half.
  DomainTable table(1000, 1, {0.5, 0, 0, 0}, {}, 3);
  int slow_in_first_half = 0;
  for (std::size_t i = 0; i < 500; ++i)
    slow_in_first_half += table.classify(i) == DomainClass::SLOW;
  EXPECT_GT(slow_in_first_half, 200);
  EXPECT_LT(slow_in_first_half, 300);
}

TEST(DomainTable, ClassifySameSeedSame) {
  DomainClassShares shares{0.2, 0.2, 0.2, 0.2};
  DomainTable a(200, 1, shares, {}, 5);
  DomainTable b(200, 1, shares, {}, 5);
  DomainTable c(200, 1, shares, {}, 6);
  int same_as_b = 0;
  int same_as_c = 0;
  for (std::size_t i = 0; i < 200; ++i) {
    same_as_b += a.classify(i) == b.classify(i);
    same_as_c += a.classify(i) == c.classify(i);
  }
  EXPECT_EQ(same_as_b, 200);
  EXPECT_LT(same_as_c, 200);
}

TEST(DomainTable, ClassifyPastEndThrows) {
  DomainTable table(3, 1, {}, {}, 1);
  EXPECT_THROW(table.classify(3), std::out_of_range);
}

TEST(DomainTable, ParamsKept) {
  DomainClassParams params;
  EXPECT_EQ(params.greylist_delay, 300);  // Postgrey's default delay
  params.ratelimit_per_minute = 5;
  DomainTable table(3, 1, {}, params, 1);
  EXPECT_EQ(table.params().ratelimit_per_minute, 5);
}

TEST(DomainTable, InvalidInputRejected) {
  struct Case {
    std::size_t domains, users;
    DomainClassShares shares;
    DomainClassParams params;
    const char* message;
  };
  DomainClassParams no_rate;
  no_rate.ratelimit_per_minute = 0;
  const Case cases[] = {
      {0, 1, {}, {}, "number of domains must be at least 1"},
      {1, 0, {}, {}, "users per domain must be at least 1"},
      {10, 1, {-0.1, 0, 0, 0}, {}, "share slow must be between 0 and 1"},
      {10, 1, {0, 1.5, 0, 0}, {}, "share dead must be between 0 and 1"},
      {10, 1, {0.5, 0.3, 0.2, 0.1}, {}, "add up to 1.1"},
      {10, 1, {}, no_rate, "ratelimit_per_minute must be at least 1"},
  };
  for (const Case& c : cases) {
    auto error = catch_input_error([&] { DomainTable(c.domains, c.users, c.shares, c.params, 1); });
    ASSERT_TRUE(error.has_value()) << c.message;
    EXPECT_NE(error->message().find(c.message), std::string::npos) << error->message();
  }
}

TEST(DomainClass, Names) {
  EXPECT_STREQ(to_string(DomainClass::NORMAL), "normal");
  EXPECT_STREQ(to_string(DomainClass::GREYLISTING), "greylisting");
  EXPECT_STREQ(to_string(DomainClass::RATELIMIT), "ratelimit");
}

TEST(Greylist, FirstTryDeferredUntilDelay) {
  Greylist greylist;  // 300 s, Postgrey's default
  EXPECT_FALSE(greylist.attempt("a@x", "b@y", 0));
  EXPECT_FALSE(greylist.attempt("a@x", "b@y", 299));
  EXPECT_TRUE(greylist.attempt("a@x", "b@y", 300));
  EXPECT_TRUE(greylist.attempt("a@x", "b@y", 5000));
  // Another pair starts its own delay.
  EXPECT_FALSE(greylist.attempt("a@x", "c@y", 301));
  EXPECT_FALSE(greylist.attempt("z@x", "b@y", 301));
}

TEST(RateLimiter, SlidingMinute) {
  RateLimiter limiter(3);
  EXPECT_TRUE(limiter.accept(0));
  EXPECT_TRUE(limiter.accept(1));
  EXPECT_TRUE(limiter.accept(2));
  EXPECT_FALSE(limiter.accept(3));
  // At 60 the message of time 0 is 60 s old and leaves the window (now - 60, now].
  EXPECT_TRUE(limiter.accept(60));
  EXPECT_FALSE(limiter.accept(60.5));
  EXPECT_TRUE(limiter.accept(61));
}

}  // namespace
}  // namespace mailsim::workload
