#include "models/queue/exim_policy.hpp"

#include <gtest/gtest.h>

#include "tests/models/queue/queue_test_util.hpp"

namespace mailsim::queue {
namespace {

const char* kTwoRules = "F,2h,15m; G,16h,1h,1.5";

TEST(EximRetryRules, ParseDefault) {
  std::vector<RetryRule> rules = parse_retry_rules("F,2h,15m; G,16h,1h,1.5; F,4d,6h");
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0].kind, 'F');
  EXPECT_EQ(rules[0].cutoff, 7200);
  EXPECT_EQ(rules[0].interval, 900);
  EXPECT_EQ(rules[1].kind, 'G');
  EXPECT_EQ(rules[1].cutoff, 57600);
  EXPECT_EQ(rules[1].interval, 3600);
  EXPECT_EQ(rules[1].multiplier, 1.5);
  EXPECT_EQ(rules[2].kind, 'F');
  EXPECT_EQ(rules[2].cutoff, 4 * 86400);
  EXPECT_EQ(rules[2].interval, 6 * 3600);
}

TEST(EximRetryRules, MultiplierOfOneIsFixed) {
  std::vector<RetryRule> rules = parse_retry_rules("G,16h,1h,1");
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].multiplier, 1.0);
}

TEST(EximRetryRules, CompoundTimes) {
  std::vector<RetryRule> rules = parse_retry_rules("F,1d12h,1h30m;F,1w,90");
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].cutoff, 86400 + 12 * 3600);
  EXPECT_EQ(rules[0].interval, 5400);
  EXPECT_EQ(rules[1].cutoff, 7 * 86400);
  EXPECT_EQ(rules[1].interval, 90);
}

TEST(EximRetryRules, InvalidColumns) {
  struct Case {
    const char* text;
    int column;
    const char* message;
  };
  const Case cases[] = {
      {"", 1, "missing retry rule"},
      {"X,2h,15m", 1, "invalid retry rule letter 'X'"},
      {"H,2h,15m,2", 1, "not modelled"},
      {"F2h,15m", 2, "expected ','"},
      {"F,2x,15m", 4, "invalid character 'x'"},
      {"F,,15m", 3, "invalid cutoff time"},
      {"F,2h,0", 6, "greater than zero"},
      {"G,16h,1h", 9, "needs a multiplier"},
      {"F,2h,15m,2", 9, "takes no multiplier"},
      {"F,2h,15m; ", 11, "missing retry rule after ';'"},
      {"F,2h,15m G,1h,1m,2", 10, "expected ';'"},
      {"G,16h,1h,abc", 10, "invalid multiplier"},
      {"F,0,15m", 3, "retry cutoff time must be greater than zero"},
      {"G,16h,1h,0.5", 10, "invalid multiplier 0.5; a G rule's multiplier must be at least 1"},
  };
  for (const Case& c : cases) {
    auto error = catch_input_error([&] { parse_retry_rules(c.text); });
    ASSERT_TRUE(error.has_value()) << c.text;
    EXPECT_EQ(error->pos().file, "<retry>") << c.text;
    EXPECT_EQ(error->pos().line, 1) << c.text;
    EXPECT_EQ(error->pos().column, c.column) << c.text;
    EXPECT_NE(error->message().find(c.message), std::string::npos) << error->what();
  }
}

TEST(EximRetry, FixedThenGeometric) {
  // First failure at 0, each retry exactly at its retry time. F,2h,15m:
  // every 900 s while the failing time is at most 7200 (the try at 7200
  // still uses it). G,16h,1h,1.5 from 8100: the last gap (900) is below
  // 1h, so 3600; then 5400, 8100, 12150, 18225, and 27337 (27337.5
  // truncated). At 82912 the failing time passes 16h: timed out.
  const std::vector<double> expected = {900,  1800,  2700,  3600,  4500,  5400,  6300, 7200,
                                        8100, 11700, 17100, 25200, 37350, 55575, 82912};
  std::vector<RetryRule> rules = parse_retry_rules(kTwoRules);
  RetryRecord record{0, 0, 0};
  double now = 0;
  for (double want : expected) {
    std::optional<double> next = next_retry(rules, record, now, now - record.first_failed);
    ASSERT_TRUE(next.has_value()) << now;
    EXPECT_EQ(*next, want) << "failure at " << now;
    record.last_try = now;
    record.next_try = *next;
    now = *next;
  }
  EXPECT_FALSE(next_retry(rules, record, now, now - record.first_failed).has_value());
}

TEST(EximRetry, LateRunUsesPredictedGap) {
  std::vector<RetryRule> rules = parse_retry_rules(kTwoRules);
  // Predicted gap 3600 (8100 -> 11700), tried late at 13000: the next gap
  // grows from 3600, not from the 4900 that actually passed.
  RetryRecord record{0, 8100, 11700};
  EXPECT_EQ(next_retry(rules, record, 13000, 13000), 13000 + 5400);
}

TEST(EximRetry, IntervalMaxCaps) {
  std::vector<RetryRule> rules = parse_retry_rules(kTwoRules);
  RetryRecord record{0, 8100, 11700};
  EXPECT_EQ(next_retry(rules, record, 11700, 11700, 4000), 11700 + 4000);
}

TEST(EximPolicy, RetryScheduleThenExpiry) {
  auto policy = make_policy("exim:queue_run_interval=15m,retry=F,2h,15m; G,16h,1h,1.5");
  policy->enqueue(make_item(1, "daum.net"), 0);
  // Retry times as in FixedThenGeometric, each rounded up to the next
  // 15-minute queue run: 37350 -> 37800. From there the gaps use the
  // predicted ones: 37800 + 18225 = 56025 -> 56700; 56700 + 27337 = 84037
  // -> 84600, when the failing time is past 16h.
  const double attempts[] = {0,    900,  1800,  2700,  3600,  4500,  5400,  6300,
                             7200, 8100, 11700, 17100, 25200, 37800, 56700, 84600};
  double previous = 0;
  for (double t : attempts) {
    // Every queue run before the retry time finds nothing to try.
    for (double run = previous + 900; run < t; run += 900) {
      EXPECT_LE(policy->next_due(run - 1), run);
      EXPECT_TRUE(policy->take_due(run).empty()) << run;
    }
    if (t > 0) {
      EXPECT_LE(policy->next_due(previous), t);
    }
    std::vector<Item> got = policy->take_due(t);
    ASSERT_EQ(got.size(), 1u) << t;
    Disposition want = t == 84600 ? Disposition::EXPIRED : Disposition::REQUEUED;
    EXPECT_EQ(policy->finished(got[0], Outcome::UNREACHABLE, t), want) << t;
    previous = t;
  }
  EXPECT_EQ(policy->waiting(), 0u);
}

// A delivery process killed by a crash writes no retry record, so the queue run that the
// restarted daemon (exim -bd -q30m) starts at once tries the message again.
TEST(EximPolicy, InterruptedAttemptLeavesNoRetryRecord) {
  auto policy = make_policy("exim");
  auto* exim = dynamic_cast<EximPolicy*>(policy.get());
  ASSERT_NE(exim, nullptr);
  policy->enqueue(make_item(1, "daum.net"), 0);
  std::vector<Item> got = policy->take_due(0);
  ASSERT_EQ(got.size(), 1u);
  policy->interrupted(got[0], 5);
  EXPECT_FALSE(exim->host_record("daum.net").has_value());
  EXPECT_EQ(policy->waiting(), 1u);
  EXPECT_EQ(policy->active(), 0u);
  policy->restarted(100);
  std::vector<Item> again = policy->take_due(100);
  ASSERT_EQ(ids_of(again), (std::vector<ItemId>{1}));
  EXPECT_EQ(again[0].attempts, 1);
  EXPECT_EQ(policy->finished(again[0], Outcome::DELIVERED, 101), Disposition::DONE);
}

TEST(EximPolicy, HostRecordHoldsNewMail) {
  auto policy = make_policy("exim");  // default rules, queue runs every 30m
  auto* exim = dynamic_cast<EximPolicy*>(policy.get());
  ASSERT_NE(exim, nullptr);
  policy->enqueue(make_item(1, "daum.net"), 0);
  std::vector<Item> got = policy->take_due(0);
  ASSERT_EQ(got.size(), 1u);
  policy->finished(got[0], Outcome::UNREACHABLE, 0);
  ASSERT_TRUE(exim->host_record("daum.net").has_value());
  EXPECT_EQ(exim->host_record("daum.net")->next_try, 900);

  // New mail to the failing host waits for a queue run after 900 s.
  policy->enqueue(make_item(2, "daum.net"), 100);
  EXPECT_TRUE(policy->take_due(100).empty());
  EXPECT_EQ(policy->next_due(100), 1800);
  std::vector<Item> run = policy->take_due(1800);
  ASSERT_EQ(ids_of(run), (std::vector<ItemId>{1}));  // one at a time, in arrival order
  EXPECT_EQ(policy->finished(run[0], Outcome::DELIVERED, 1801), Disposition::DONE);
  EXPECT_FALSE(exim->host_record("daum.net").has_value());
  std::vector<Item> next = policy->take_due(1801);
  EXPECT_EQ(ids_of(next), (std::vector<ItemId>{2}));
}

TEST(EximPolicy, NewMailTriedAtOnce) {
  auto policy = make_policy("exim");
  policy->enqueue(make_item(1, "a.example"), 5);
  policy->enqueue(make_item(2, "b.example"), 5);
  std::vector<Item> got = policy->take_due(5);
  EXPECT_EQ(ids_of(got), (std::vector<ItemId>{1, 2}));
  EXPECT_EQ(policy->finished(got[0], Outcome::FAILED, 6), Disposition::BOUNCED);
  EXPECT_EQ(policy->finished(got[1], Outcome::DELIVERED, 6), Disposition::DONE);
}

TEST(EximPolicy, AddressErrorUsesMessageAge) {
  // A 4xx reply starts a retry record for the address. The message is
  // older than that record, so its age (4h, past F,2h) picks the G rule:
  // first interval 1h, next retry 14400 + 3600. Counting from the new
  // record alone would give F: 14400 + 900.
  auto policy = make_policy("exim:queue_run_interval=2h,retry=F,2h,15m; G,16h,1h,1.5");
  policy->enqueue(make_item(1, "a.example"), 0);
  const double host_failures[] = {0, 7200};
  for (double t : host_failures) {
    std::vector<Item> got = policy->take_due(t);
    ASSERT_EQ(got.size(), 1u) << t;
    EXPECT_EQ(policy->finished(got[0], Outcome::UNREACHABLE, t), Disposition::REQUEUED);
  }
  std::vector<Item> got = policy->take_due(14400);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(policy->finished(got[0], Outcome::DEFERRED, 14400), Disposition::REQUEUED);
  EXPECT_EQ(policy->next_due(14400), 21600);
  std::vector<Item> again = policy->take_due(21600);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].next_try, 18000);
}

}  // namespace
}  // namespace mailsim::queue
