#include "models/queue/postfix_policy.hpp"

#include <gtest/gtest.h>

#include "tests/models/queue/queue_test_util.hpp"

namespace mailsim::queue {
namespace {

std::unique_ptr<PostfixPolicy> postfix(const std::string& settings) {
  auto policy = make_policy(settings.empty() ? "postfix" : "postfix:" + settings);
  return std::unique_ptr<PostfixPolicy>(dynamic_cast<PostfixPolicy*>(policy.release()));
}

TEST(PostfixBackoff, AgeClampedSequence) {
  // Defaults: minimal_backoff_time 300s, maximal_backoff_time 4000s,
  // queue_run_delay 300s. Each deferral waits the message's age (at least
  // 300 s, at most 4000 s), and the next deferred-queue scan after that
  // time picks the message up.
  auto policy = postfix("");
  policy->enqueue(make_item(1, "daum.net"), 0);
  // attempt at t: age t -> ready at 2t, until 4000 s caps it; 4800 + 4000
  // = 8800 -> scan at 9000; 9000 + 4000 = 13000 -> scan at 13200.
  const double attempts[] = {0, 300, 600, 1200, 2400, 4800, 9000, 13200};
  double previous = 0;
  for (double t : attempts) {
    // Every deferred-queue scan before the ready time finds nothing due.
    for (double scan = previous + 300; scan < t; scan += 300) {
      EXPECT_LE(policy->next_due(scan - 1), scan);
      EXPECT_TRUE(policy->take_due(scan).empty()) << scan;
    }
    if (t > 0) {
      EXPECT_LE(policy->next_due(previous), t);
      EXPECT_TRUE(policy->take_due(t - 1).empty()) << t;
    }
    std::vector<Item> got = policy->take_due(t);
    ASSERT_EQ(got.size(), 1u) << t;
    EXPECT_EQ(policy->finished(got[0], Outcome::DEFERRED, t), Disposition::REQUEUED);
    previous = t;
  }
}

TEST(PostfixBackoff, MinimalBackoffForNewMail) {
  auto policy = postfix("minimal_backoff_time=10m,queue_run_delay=1m");
  policy->enqueue(make_item(1, "daum.net"), 100);
  std::vector<Item> got = policy->take_due(100);
  ASSERT_EQ(got.size(), 1u);
  policy->finished(got[0], Outcome::DEFERRED, 130);  // age 30 s < 10 min
  // Ready at 130 + 600 = 730: the 12-minute scan (720) is 10 s early, so
  // the 13-minute scan picks it up.
  EXPECT_LE(policy->next_due(130), 780);
  EXPECT_TRUE(policy->take_due(720).empty());
  ASSERT_EQ(policy->take_due(780).size(), 1u);
}

TEST(PostfixExpiry, MaximalQueueLifetime) {
  auto policy = postfix("maximal_queue_lifetime=1h");
  policy->enqueue(make_item(1, "daum.net"), 0);
  const double attempts[] = {0, 300, 600, 1200, 2400};
  for (double t : attempts) {
    std::vector<Item> got = policy->take_due(t);
    ASSERT_EQ(got.size(), 1u) << t;
    EXPECT_EQ(policy->finished(got[0], Outcome::DEFERRED, t), Disposition::REQUEUED);
  }
  std::vector<Item> last = policy->take_due(4800);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(policy->finished(last[0], Outcome::UNREACHABLE, 4800), Disposition::EXPIRED);
  EXPECT_EQ(policy->waiting(), 0u);
}

TEST(PostfixConcurrency, SlowStartPlusOnePerSuccess) {
  auto policy = postfix("");  // initial 5, limit 20, positive feedback 1
  for (ItemId id = 1; id <= 12; ++id) policy->enqueue(make_item(id, "a.example"), 0);
  std::vector<Item> first = policy->take_due(0);
  EXPECT_EQ(first.size(), 5u);
  EXPECT_EQ(policy->window("a.example"), 5);
  EXPECT_EQ(policy->finished(first[0], Outcome::DELIVERED, 1), Disposition::DONE);
  EXPECT_EQ(policy->window("a.example"), 6);
  EXPECT_EQ(policy->take_due(1).size(), 2u);  // 4 busy -> 6
  policy->finished(first[1], Outcome::DELIVERED, 2);
  EXPECT_EQ(policy->window("a.example"), 7);
  EXPECT_EQ(policy->take_due(2).size(), 2u);  // 5 busy -> 7
  EXPECT_EQ(policy->active(), 7u);
}

TEST(PostfixConcurrency, LimitCapsWindow) {
  auto policy = postfix("default_destination_concurrency_limit=6");
  for (ItemId id = 1; id <= 10; ++id) policy->enqueue(make_item(id, "a.example"), 0);
  std::vector<Item> got = policy->take_due(0);
  policy->finished(got[0], Outcome::DELIVERED, 1);
  policy->finished(got[1], Outcome::DELIVERED, 2);
  EXPECT_EQ(policy->window("a.example"), 6);
}

// A concurrency limit below initial_destination_concurrency lowers the start, as
// qmgr_transport_create() does.
TEST(PostfixConcurrency, LimitBelowTheInitialConcurrency) {
  for (long limit : {1L, 3L}) {
    auto policy = postfix("default_destination_concurrency_limit=" + std::to_string(limit));
    for (ItemId id = 1; id <= 10; ++id) policy->enqueue(make_item(id, "a.example"), 0);
    std::vector<Item> got = policy->take_due(0);
    EXPECT_EQ(got.size(), static_cast<std::size_t>(limit)) << limit;
    EXPECT_EQ(policy->window("a.example"), limit);
    policy->finished(got[0], Outcome::DELIVERED, 1);
    EXPECT_EQ(policy->window("a.example"), limit);  // success does not pass the limit
    EXPECT_EQ(policy->take_due(1).size(), 1u) << limit;
  }
}

TEST(PostfixConcurrency, PerConcurrencyFeedback) {
  auto policy = postfix("default_destination_concurrency_positive_feedback=1/concurrency");
  for (ItemId id = 1; id <= 10; ++id) policy->enqueue(make_item(id, "a.example"), 0);
  std::vector<Item> got = policy->take_due(0);
  ASSERT_EQ(got.size(), 5u);
  // 1/5 per delivery: the window grows after five deliveries.
  for (int i = 0; i < 4; ++i) policy->finished(got[i], Outcome::DELIVERED, 1 + i);
  EXPECT_EQ(policy->window("a.example"), 5);
  policy->finished(got[4], Outcome::DELIVERED, 5);
  EXPECT_EQ(policy->window("a.example"), 6);
}

TEST(PostfixConcurrency, DeadDestination) {
  auto policy = postfix("");
  for (ItemId id = 1; id <= 5; ++id) policy->enqueue(make_item(id, "dead.example"), 0);
  std::vector<Item> got = policy->take_due(0);
  ASSERT_EQ(got.size(), 5u);
  // Negative feedback 1 with no failure credit lowers 5 to 3; the failed
  // pseudo-cohort count grows by 1/window: 1/5, + 1/3, + 1/2 >= 1 -> dead.
  policy->finished(got[0], Outcome::UNREACHABLE, 10);
  EXPECT_EQ(policy->window("dead.example"), 3);
  EXPECT_FALSE(policy->dead("dead.example", 10));
  policy->finished(got[1], Outcome::UNREACHABLE, 11);
  EXPECT_EQ(policy->window("dead.example"), 2);
  EXPECT_FALSE(policy->dead("dead.example", 11));
  EXPECT_EQ(policy->finished(got[2], Outcome::UNREACHABLE, 12), Disposition::REQUEUED);
  EXPECT_EQ(policy->window("dead.example"), 0);
  EXPECT_TRUE(policy->dead("dead.example", 12));
  EXPECT_TRUE(policy->dead("dead.example", 311));
  EXPECT_FALSE(policy->dead("dead.example", 312));  // minimal_backoff_time later

  // New mail for the dead destination is deferred without an attempt.
  policy->enqueue(make_item(6, "dead.example"), 13);
  EXPECT_TRUE(policy->take_due(13).empty());
  EXPECT_EQ(policy->waiting(), 4u);
  EXPECT_EQ(policy->active(), 2u);
  policy->finished(got[3], Outcome::UNREACHABLE, 14);
  policy->finished(got[4], Outcome::UNREACHABLE, 14);

  // All six are due by the 600 s scan; the destination is back at the
  // initial concurrency.
  EXPECT_TRUE(policy->take_due(300).empty());
  EXPECT_EQ(policy->next_due(300), 600);
  std::vector<Item> retry = policy->take_due(600);
  EXPECT_EQ(ids_of(retry), (std::vector<ItemId>{1, 2, 3, 4, 5}));
  EXPECT_EQ(policy->window("dead.example"), 5);
}

TEST(PostfixConcurrency, SuccessClearsFailedCohorts) {
  auto policy = postfix("");
  for (ItemId id = 1; id <= 5; ++id) policy->enqueue(make_item(id, "flaky.example"), 0);
  std::vector<Item> got = policy->take_due(0);
  policy->finished(got[0], Outcome::UNREACHABLE, 1);  // 1/5, window 3
  policy->finished(got[1], Outcome::UNREACHABLE, 2);  // + 1/3, window 2
  policy->finished(got[2], Outcome::DELIVERED, 3);    // cohorts back to 0
  policy->finished(got[3], Outcome::UNREACHABLE, 4);  // 1/window only
  EXPECT_FALSE(policy->dead("flaky.example", 4));
}

// A crash kills the delivery agents before they report. At startup qmgr moves what was left in the
// active queue to the incoming queue and scans it at once.
TEST(PostfixRestart, ActiveQueueRetriedAtStartup) {
  auto policy = postfix("");
  for (ItemId id = 1; id <= 7; ++id) policy->enqueue(make_item(id, "a.example"), 0);
  std::vector<Item> got = policy->take_due(0);
  ASSERT_EQ(ids_of(got), (std::vector<ItemId>{1, 2, 3, 4, 5}));  // initial concurrency 5
  for (const Item& item : got) policy->interrupted(item, 10);
  EXPECT_EQ(policy->active(), 0u);
  EXPECT_EQ(policy->waiting(), 7u);
  EXPECT_EQ(policy->window("a.example"), 5);  // no feedback from a killed agent
  policy->restarted(100);
  std::vector<Item> again = policy->take_due(100);
  ASSERT_EQ(ids_of(again), (std::vector<ItemId>{1, 2, 3, 4, 5}));
  for (const Item& item : again) EXPECT_EQ(item.attempts, 1) << item.id;
  for (const Item& item : again) policy->finished(item, Outcome::DELIVERED, 101);
  EXPECT_EQ(ids_of(policy->take_due(101)), (std::vector<ItemId>{6, 7}));
}

// The restarted qmgr has no record of the dead destination and starts it at the initial
// concurrency, while the messages it deferred keep their queue file time stamps.
TEST(PostfixRestart, ForgetsDeadDestinations) {
  auto policy = postfix("");
  for (ItemId id = 1; id <= 5; ++id) policy->enqueue(make_item(id, "dead.example"), 0);
  std::vector<Item> got = policy->take_due(0);
  ASSERT_EQ(got.size(), 5u);
  for (int i = 0; i < 3; ++i) policy->finished(got[i], Outcome::UNREACHABLE, 10 + i);
  ASSERT_TRUE(policy->dead("dead.example", 12));
  policy->interrupted(got[3], 15);
  policy->interrupted(got[4], 15);
  policy->restarted(20);
  EXPECT_FALSE(policy->dead("dead.example", 20));
  EXPECT_EQ(policy->window("dead.example"), 5);
  EXPECT_EQ(ids_of(policy->take_due(20)), (std::vector<ItemId>{4, 5}));  // 1 to 3 wait for 310 s
  EXPECT_EQ(policy->next_due(20), 320);  // scans every queue_run_delay from the restart
}

// The scan at qmgr's start compares the queue files' time stamps with that moment: a message
// deferred until 340 s is due at a restart at 400 s, not at the next multiple of 300 s.
TEST(PostfixRestart, StartupScanTakesDueDeferredMail) {
  auto policy = postfix("");
  policy->enqueue(make_item(1, "a.example"), 0);
  std::vector<Item> got = policy->take_due(0);
  ASSERT_EQ(got.size(), 1u);
  policy->finished(got[0], Outcome::DEFERRED, 40);  // next try at 40 + 300 = 340
  policy->restarted(400);
  EXPECT_EQ(ids_of(policy->take_due(400)), (std::vector<ItemId>{1}));
}

TEST(PostfixQueues, ActiveLimit) {
  auto policy = postfix("qmgr_message_active_limit=2");
  policy->enqueue(make_item(1, "a.example"), 0);
  policy->enqueue(make_item(2, "b.example"), 0);
  policy->enqueue(make_item(3, "c.example"), 0);
  std::vector<Item> got = policy->take_due(0);
  EXPECT_EQ(ids_of(got), (std::vector<ItemId>{1, 2}));
  EXPECT_EQ(policy->active_queue_size(), 2u);
  EXPECT_EQ(policy->waiting(), 1u);
  policy->finished(got[0], Outcome::DELIVERED, 1);
  EXPECT_EQ(ids_of(policy->take_due(1)), (std::vector<ItemId>{3}));
}

TEST(PostfixQueues, RoundRobinDestinations) {
  auto policy = postfix("default_process_limit=3");
  policy->enqueue(make_item(1, "a.example"), 0);
  policy->enqueue(make_item(2, "a.example"), 0);
  policy->enqueue(make_item(3, "a.example"), 0);
  policy->enqueue(make_item(4, "b.example"), 0);
  // Three processes: the destinations take turns instead of a.example
  // using all three.
  EXPECT_EQ(ids_of(policy->take_due(0)), (std::vector<ItemId>{1, 4, 2}));
}

TEST(PostfixOutcome, BouncedAndDone) {
  auto policy = postfix("");
  policy->enqueue(make_item(1, "a.example"), 0);
  policy->enqueue(make_item(2, "a.example"), 0);
  std::vector<Item> got = policy->take_due(0);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(policy->finished(got[0], Outcome::FAILED, 1), Disposition::BOUNCED);
  EXPECT_EQ(policy->finished(got[1], Outcome::DELIVERED, 1), Disposition::DONE);
  EXPECT_EQ(policy->active_queue_size(), 0u);
}

TEST(PostfixFeedback, ParseValues) {
  EXPECT_DOUBLE_EQ(parse_feedback("1")->value(5), 1.0);
  EXPECT_DOUBLE_EQ(parse_feedback("1/8")->value(5), 0.125);
  EXPECT_DOUBLE_EQ(parse_feedback("1/concurrency")->value(4), 0.25);
  EXPECT_FALSE(parse_feedback("").has_value());
  EXPECT_FALSE(parse_feedback("1/0").has_value());
  EXPECT_FALSE(parse_feedback("one").has_value());
  EXPECT_FALSE(parse_feedback("1/x").has_value());
}

}  // namespace
}  // namespace mailsim::queue
