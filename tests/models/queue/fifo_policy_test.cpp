#include "models/queue/fifo_policy.hpp"

#include <gtest/gtest.h>

#include "tests/models/queue/queue_test_util.hpp"

namespace mailsim::queue {
namespace {

TEST(FifoPolicy, ArrivalOrderAndRetryAtBack) {
  auto policy = make_policy("fifo");  // concurrency 1, retry 15m
  for (ItemId id = 1; id <= 3; ++id) policy->enqueue(make_item(id, "a.example"), 0);
  std::vector<Item> got = policy->take_due(0);
  ASSERT_EQ(ids_of(got), (std::vector<ItemId>{1}));
  EXPECT_EQ(policy->finished(got[0], Outcome::DEFERRED, 5), Disposition::REQUEUED);
  got = policy->take_due(5);
  ASSERT_EQ(ids_of(got), (std::vector<ItemId>{2}));
  policy->finished(got[0], Outcome::DELIVERED, 6);
  got = policy->take_due(6);
  ASSERT_EQ(ids_of(got), (std::vector<ItemId>{3}));
  policy->finished(got[0], Outcome::DELIVERED, 7);
  EXPECT_TRUE(policy->take_due(7).empty());
  EXPECT_EQ(policy->next_due(7), 5 + 900);
  EXPECT_EQ(ids_of(policy->take_due(905)), (std::vector<ItemId>{1}));
}

TEST(FifoPolicy, HeadOfLineBlocking) {
  auto policy = make_policy("fifo:concurrency=2,retry=1m");
  policy->enqueue(make_item(1, "down.example"), 0);
  std::vector<Item> got = policy->take_due(0);
  ASSERT_EQ(got.size(), 1u);
  policy->finished(got[0], Outcome::UNREACHABLE, 10);  // back of the queue, due at 70
  policy->enqueue(make_item(2, "up.example"), 20);
  EXPECT_TRUE(policy->take_due(20).empty());  // waits behind item 1
  EXPECT_EQ(policy->next_due(20), 70);
  EXPECT_EQ(ids_of(policy->take_due(70)), (std::vector<ItemId>{1, 2}));
}

TEST(FifoPolicy, InterruptedGoesBackToTheHead) {
  auto policy = make_policy("fifo");
  for (ItemId id = 1; id <= 2; ++id) policy->enqueue(make_item(id, "a.example"), 0);
  std::vector<Item> got = policy->take_due(0);
  ASSERT_EQ(ids_of(got), (std::vector<ItemId>{1}));
  policy->interrupted(got[0], 5);
  EXPECT_EQ(policy->waiting(), 2u);
  std::vector<Item> again = policy->take_due(60);
  ASSERT_EQ(ids_of(again), (std::vector<ItemId>{1}));
  EXPECT_EQ(again[0].attempts, 1);
  EXPECT_EQ(again[0].previous_attempt, -1);
}

TEST(FifoPolicy, Concurrency) {
  auto policy = make_policy("fifo:concurrency=2");
  for (ItemId id = 1; id <= 3; ++id) policy->enqueue(make_item(id, "a.example"), 0);
  EXPECT_EQ(ids_of(policy->take_due(0)), (std::vector<ItemId>{1, 2}));
  EXPECT_EQ(policy->active(), 2u);
  EXPECT_EQ(policy->waiting(), 1u);
  EXPECT_EQ(policy->next_due(0), kNever);
}

TEST(FifoPolicy, ExpiresAfterLifetime) {
  auto policy = make_policy("fifo:lifetime=1h,retry=15m");
  policy->enqueue(make_item(1, "down.example"), 0);
  for (double t = 0; t < 3600; t += 900) {
    std::vector<Item> got = policy->take_due(t);
    ASSERT_EQ(got.size(), 1u) << t;
    EXPECT_EQ(policy->finished(got[0], Outcome::DEFERRED, t), Disposition::REQUEUED) << t;
  }
  std::vector<Item> last = policy->take_due(3600);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(policy->finished(last[0], Outcome::DEFERRED, 3600), Disposition::EXPIRED);
  EXPECT_EQ(policy->waiting(), 0u);
}

TEST(FifoPolicy, FailedBounces) {
  auto policy = make_policy("fifo");
  policy->enqueue(make_item(1, "a.example"), 0);
  std::vector<Item> got = policy->take_due(0);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(policy->finished(got[0], Outcome::FAILED, 1), Disposition::BOUNCED);
}

}  // namespace
}  // namespace mailsim::queue
