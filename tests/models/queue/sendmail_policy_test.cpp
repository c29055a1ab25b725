#include "models/queue/sendmail_policy.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/models/queue/queue_test_util.hpp"

namespace mailsim::queue {
namespace {

std::unique_ptr<SendmailPolicy> sendmail(const std::string& settings) {
  auto policy = make_policy(settings.empty() ? "sendmail" : "sendmail:" + settings);
  return std::unique_ptr<SendmailPolicy>(dynamic_cast<SendmailPolicy*>(policy.release()));
}

TEST(SendmailPriority, HandComputedExamples) {
  SendmailConfig config;  // RecipientFactor 30000, ClassFactor 1800
  struct Case {
    std::uint64_t size;
    int recipients;
    int msg_class;
    long expected;
  };
  const Case cases[] = {
      {149, 1, 0, 30149},                            // the lab's deferred message logs pri=30149
      {2000, 3, -60, 2000 + 60 * 1800 + 3 * 30000},  // bulk: 200000
      {500, 2, -100, 500 + 100 * 1800 + 2 * 30000},  // junk: 240500
      {1000, 1, 10, 1000 - 10 * 1800 + 30000},       // a positive class lowers pri: 13000
  };
  for (const Case& c : cases) {
    Item item = make_item(1, "naver.com", c.size, c.recipients, c.msg_class);
    EXPECT_EQ(sendmail_priority(item, config), c.expected) << "size " << c.size;
  }
}

TEST(SendmailPriority, RetryFactorPerDeferral) {
  auto policy = sendmail("DeliveryMode=queueonly");
  policy->enqueue(make_item(1, "naver.com", 149), 0);
  std::vector<Item> first = policy->take_due(0);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].priority, 30149);
  EXPECT_EQ(policy->finished(first[0], Outcome::DEFERRED, 1), Disposition::REQUEUED);
  std::vector<Item> second = policy->take_due(1800);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].priority, 120149);  // the lab's retry logs pri=120149
  EXPECT_EQ(policy->finished(second[0], Outcome::DEFERRED, 1801), Disposition::REQUEUED);
  std::vector<Item> third = policy->take_due(3600);
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].priority, 210149);
}

// Four queued messages in queue directory order A, B, C, D.
std::vector<Item> sort_fixture() {
  auto item = [](ItemId id, const char* qf, const char* host, long pri, double created,
                 double last_attempt) {
    Item it = make_item(id, host);
    it.queue_id = qf;
    it.priority = pri;
    it.created = created;
    it.last_attempt = last_attempt;
    return it;
  };
  return {item(1, "q3", "b.example.com", 300, 10, -1),  // A
          item(2, "q1", "a.example.org", 100, 30, 50),  // B
          item(3, "q2", "a.example.com", 200, 20, 40),  // C
          item(4, "q0", "b.example.com", 50, 40, -1)};  // D
}

TEST(SendmailSort, EachQueueSortOrder) {
  struct Case {
    QueueSortOrder order;
    std::vector<ItemId> expected;
  };
  const Case cases[] = {
      {QueueSortOrder::PRIORITY, {4, 2, 3, 1}},
      // Hosts compare written backwards ("gro.elpmaxe.a" < "moc.elpmaxe.a" < "moc.elpmaxe.b"), and
      // the two b.example.com items then go by priority.
      {QueueSortOrder::HOST, {2, 3, 4, 1}},
      {QueueSortOrder::TIME, {1, 3, 2, 4}},
      {QueueSortOrder::FILENAME, {4, 2, 3, 1}},
      // qf times: A 10 (queued), B 50, C 40, D 40 (queued); oldest first.
      {QueueSortOrder::MODIFICATION, {1, 3, 4, 2}},
      {QueueSortOrder::NONE, {1, 2, 3, 4}},
  };
  std::mt19937 rng;
  for (const Case& c : cases) {
    std::vector<Item> items = sort_fixture();
    sort_queue_run(items, c.order, rng);
    EXPECT_EQ(ids_of(items), c.expected) << static_cast<int>(c.order);
  }
}

TEST(SendmailSort, RandomIsPermutation) {
  std::vector<Item> items = sort_fixture();
  std::mt19937 rng;
  sort_queue_run(items, QueueSortOrder::RANDOM, rng);
  std::vector<ItemId> ids = ids_of(items);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<ItemId>{1, 2, 3, 4}));
}

TEST(SendmailQueueRun, DeferredWaitsForNextRun) {
  auto policy = sendmail("");  // QueueInterval 30m, DeliveryMode background
  policy->enqueue(make_item(1, "daum.net"), 0);
  std::vector<Item> now = policy->take_due(0);
  ASSERT_EQ(now.size(), 1u);  // tried at once
  EXPECT_EQ(policy->finished(now[0], Outcome::UNREACHABLE, 1), Disposition::REQUEUED);
  EXPECT_EQ(policy->next_due(1), 1800);
  EXPECT_TRUE(policy->take_due(1799).empty());
  EXPECT_EQ(policy->take_due(1800).size(), 1u);
}

// A daemon restarted at 1000 s (sendmail -bd -q30m) runs the queue at once, then every 30
// minutes from then: 2800, 4600, ...
TEST(SendmailQueueRun, RestartRunsTheQueueAtOnce) {
  auto policy = sendmail("");
  policy->enqueue(make_item(1, "daum.net"), 0);
  std::vector<Item> now = policy->take_due(0);
  ASSERT_EQ(now.size(), 1u);
  policy->interrupted(now[0], 1);  // the crash killed the delivery process
  EXPECT_EQ(policy->next_due(1), 1800);
  policy->restarted(1000);
  EXPECT_EQ(policy->next_due(1000), 1000);
  now = policy->take_due(1000);
  ASSERT_EQ(now.size(), 1u);
  EXPECT_TRUE(now[0].queue_run);
  // The killed process never rewrote the qf file: one try, no RetryFactor added.
  EXPECT_EQ(now[0].attempts, 1);
  EXPECT_EQ(now[0].priority, 100 + 30000);
  policy->finished(now[0], Outcome::DEFERRED, 1001);
  EXPECT_EQ(policy->next_due(1001), 2800);
  EXPECT_TRUE(policy->take_due(1800).empty());
  EXPECT_EQ(policy->take_due(2800).size(), 1u);
}

// The run due at 600 s reads the queue then. Nothing calls take_due() at 600 s because the queue
// is empty; a message queued at 600.5 s still waits for the 1200 s run.
TEST(SendmailQueueRun, RunSeesOnlyMailQueuedBeforeItStarts) {
  auto policy = sendmail("DeliveryMode=queueonly,QueueInterval=10m");
  EXPECT_TRUE(policy->take_due(0).empty());
  policy->enqueue(make_item(1, "a.example"), 600.5);
  EXPECT_TRUE(policy->take_due(600.5).empty());
  EXPECT_EQ(policy->next_due(600.5), 1200);
  EXPECT_EQ(ids_of(policy->take_due(1200)), (std::vector<ItemId>{1}));
}

// A message whose delivery was still going at the run's start had its qf file locked then.
TEST(SendmailQueueRun, RunSkipsMailLockedAtItsStart) {
  auto policy = sendmail("QueueInterval=10m");
  policy->enqueue(make_item(1, "a.example"), 590);
  std::vector<Item> got = policy->take_due(590);  // delivered at once, until 600.2 s
  ASSERT_EQ(got.size(), 1u);
  policy->finished(got[0], Outcome::DEFERRED, 600.2);
  EXPECT_TRUE(policy->take_due(600.2).empty());
  EXPECT_EQ(policy->next_due(600.2), 1200);
  EXPECT_EQ(policy->take_due(1200).size(), 1u);
}

TEST(SendmailQueueRun, MinQueueAgeSkipsRuns) {
  auto policy = sendmail("MinQueueAge=45m");
  policy->enqueue(make_item(1, "daum.net"), 0);
  std::vector<Item> now = policy->take_due(0);
  ASSERT_EQ(now.size(), 1u);
  policy->finished(now[0], Outcome::DEFERRED, 10);
  // The run at 30m finds the message tried 29m50s ago, less than 45m. The run at 60m is the first
  // after 10 s + 45m.
  EXPECT_EQ(policy->next_due(10), 3600);
  EXPECT_TRUE(policy->take_due(1800).empty());
  EXPECT_EQ(policy->next_due(1800), 3600);
  EXPECT_EQ(policy->take_due(3600).size(), 1u);
}

TEST(SendmailQueueRun, OneItemAtATime) {
  auto policy = sendmail("DeliveryMode=queueonly");
  policy->enqueue(make_item(1, "a.example", 3000), 0);
  policy->enqueue(make_item(2, "a.example", 1000), 0);
  policy->enqueue(make_item(3, "a.example", 2000), 0);
  std::vector<Item> first = policy->take_due(0);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].id, 2u);  // lowest pri first
  EXPECT_TRUE(policy->take_due(5).empty());
  EXPECT_EQ(policy->waiting(), 2u);
  EXPECT_EQ(policy->active(), 1u);
  policy->finished(first[0], Outcome::DELIVERED, 10);
  std::vector<Item> second = policy->take_due(10);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].id, 3u);
  policy->finished(second[0], Outcome::DELIVERED, 20);
  std::vector<Item> third = policy->take_due(20);
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].id, 1u);
}

TEST(SendmailQueueRun, LongRunSkipsInterval) {
  auto policy = sendmail("DeliveryMode=queueonly");
  policy->enqueue(make_item(1, "a.example"), 0);
  policy->enqueue(make_item(2, "a.example"), 0);
  std::vector<Item> first = policy->take_due(0);
  ASSERT_EQ(first.size(), 1u);
  policy->enqueue(make_item(3, "a.example"), 100);  // not in the running run
  policy->finished(first[0], Outcome::DELIVERED, 1900);
  std::vector<Item> second = policy->take_due(1900);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].id, 2u);
  policy->finished(second[0], Outcome::DELIVERED, 2000);
  // The 30m run lapsed while the first run was going.
  EXPECT_TRUE(policy->take_due(2000).empty());
  EXPECT_EQ(policy->next_due(2000), 3600);
}

TEST(SendmailLimits, MaxDaemonChildren) {
  auto policy = sendmail("MaxDaemonChildren=2");
  for (ItemId id = 1; id <= 3; ++id) policy->enqueue(make_item(id, "a.example"), 0);
  std::vector<Item> started = policy->take_due(0);
  EXPECT_EQ(ids_of(started), (std::vector<ItemId>{1, 2}));
  EXPECT_EQ(policy->waiting(), 1u);
  EXPECT_EQ(policy->next_due(0), kNever);  // waits for a child, not for a time
  policy->finished(started[0], Outcome::DELIVERED, 5);
  EXPECT_EQ(ids_of(policy->take_due(5)), (std::vector<ItemId>{3}));
}

// runqueue(): with MaxDaemonChildren children already busy, the daemon skips the queue run
// ("Skipping queue run -- too many children"), and the message waits for the next one.
TEST(SendmailLimits, MaxDaemonChildrenSkipsTheRun) {
  auto run = sendmail("MaxDaemonChildren=1");
  run->enqueue(make_item(1, "a.example"), 0);
  std::vector<Item> immediate = run->take_due(0);
  ASSERT_EQ(immediate.size(), 1u);
  run->finished(immediate[0], Outcome::DEFERRED, 1);
  run->enqueue(make_item(2, "a.example"), 1790);
  std::vector<Item> busy = run->take_due(1790);
  ASSERT_EQ(ids_of(busy), (std::vector<ItemId>{2}));
  EXPECT_TRUE(run->take_due(1800).empty());  // the only child is busy at 30m
  run->finished(busy[0], Outcome::DELIVERED, 1850);
  EXPECT_TRUE(run->take_due(1850).empty());
  EXPECT_EQ(run->next_due(1850), 3600);
  EXPECT_EQ(ids_of(run->take_due(3600)), (std::vector<ItemId>{1}));
}

// The runner is one child for its whole run, also between two jobs: new mail waits for the run
// to end.
TEST(SendmailLimits, RunnerHoldsItsChildBetweenJobs) {
  auto run = sendmail("MaxDaemonChildren=1,QueueInterval=10m");
  for (ItemId id = 1; id <= 2; ++id) {
    run->enqueue(make_item(id, "a.example"), id);
    std::vector<Item> first = run->take_due(id);
    ASSERT_EQ(first.size(), 1u);
    run->finished(first[0], Outcome::DEFERRED, id + 0.5);
  }
  std::vector<Item> job = run->take_due(600);
  ASSERT_EQ(ids_of(job), (std::vector<ItemId>{1}));
  run->enqueue(make_item(3, "a.example"), 601);
  EXPECT_TRUE(run->take_due(601).empty());
  run->finished(job[0], Outcome::DELIVERED, 602);
  job = run->take_due(602);
  ASSERT_EQ(ids_of(job), (std::vector<ItemId>{2}));  // the run goes on, the new mail waits
  run->finished(job[0], Outcome::DELIVERED, 603);
  EXPECT_EQ(ids_of(run->take_due(603)), (std::vector<ItemId>{3}));
}

TEST(SendmailLimits, MaxQueueRunSizeInDirectoryOrder) {
  auto policy = sendmail("DeliveryMode=queueonly,MaxQueueRunSize=2");
  policy->enqueue(make_item(1, "a.example", 3000), 0);
  policy->enqueue(make_item(2, "a.example", 2000), 0);
  policy->enqueue(make_item(3, "a.example", 1000), 0);  // best pri, but third in the directory
  std::vector<ItemId> order;
  double t = 0;
  for (int i = 0; i < 3; ++i) {
    std::vector<Item> got = policy->take_due(t);
    if (got.empty()) break;
    order.push_back(got[0].id);
    policy->finished(got[0], Outcome::DELIVERED, t + 1);
    t += 1;
  }
  EXPECT_EQ(order, (std::vector<ItemId>{2, 1}));
  EXPECT_EQ(policy->waiting(), 1u);
  EXPECT_EQ(ids_of(policy->take_due(1800)), (std::vector<ItemId>{3}));
}

// The load average of `running` processes kept for `seconds` from time 0, as Sendmail rounds it.
long load_after(double seconds, int running) {
  double average = 0;
  for (int tick = 5; tick <= seconds; tick += 5) average = average * 1884.0 / 2048.0 + running * (1 - 1884.0 / 2048.0);
  return static_cast<long>(average + 0.5);
}

TEST(SendmailLoad, QueueLaQueuesArrivals) {
  // QueueFactor=0: from QueueLA on, every message is only queued.
  auto policy = sendmail("QueueLA=2,QueueFactor=0");
  for (ItemId id = 1; id <= 4; ++id) policy->enqueue(make_item(id, "a.example"), 0);
  EXPECT_EQ(policy->take_due(0).size(), 4u);  // the load is still 0
  ASSERT_EQ(load_after(60, 4), 3);
  EXPECT_EQ(policy->load_average(60), 3);
  EXPECT_TRUE(policy->should_queue(60, 1));
  policy->enqueue(make_item(5, "a.example"), 60);
  EXPECT_TRUE(policy->take_due(60).empty());
  EXPECT_EQ(policy->next_due(60), 1800);
}

TEST(SendmailLoad, QueueFactorSparesCheapMessages) {
  // At LA 3 with QueueLA=2 the limit is 600000 / 2 = 300000: one recipient (pri 30100) is sent,
  // eleven (pri 330100) are queued.
  auto policy = sendmail("QueueLA=2");
  for (ItemId id = 1; id <= 4; ++id) policy->enqueue(make_item(id, "a.example"), 0);
  policy->take_due(0);
  policy->enqueue(make_item(5, "a.example", 100, 1), 60);
  policy->enqueue(make_item(6, "a.example", 100, 11), 60);
  EXPECT_EQ(ids_of(policy->take_due(60)), (std::vector<ItemId>{5}));
  EXPECT_EQ(policy->waiting(), 1u);
}

TEST(SendmailLoad, QueueRunSkippedUnderLoad) {
  auto policy = sendmail("QueueLA=2,QueueFactor=0");
  for (ItemId id = 1; id <= 4; ++id) policy->enqueue(make_item(id, "a.example"), 0);
  std::vector<Item> busy = policy->take_due(0);
  policy->enqueue(make_item(5, "b.example"), 60);  // queued: LA 3
  ASSERT_EQ(load_after(1800, 4), 4);
  EXPECT_TRUE(policy->take_due(1800).empty());  // "Skipping queue run -- load average too high"
  EXPECT_EQ(policy->next_due(1800), 3600);
  for (const Item& item : busy) policy->finished(item, Outcome::DELIVERED, 1801);
  EXPECT_EQ(policy->load_average(3600), 0);
  EXPECT_EQ(ids_of(policy->take_due(3600)), (std::vector<ItemId>{5}));
}

TEST(SendmailLoad, RunSkipsExpensiveJobs) {
  // queueonly, so the runner is the only process. After 60 s of one delivery the LA is 1, and
  // QueueLA=1 with QueueFactor=100000 skips jobs over pri 100000: 4 recipients (pri 120100).
  ASSERT_EQ(load_after(60, 1), 1);
  auto policy = sendmail("DeliveryMode=queueonly,QueueLA=1,QueueFactor=100000,QueueSortOrder=host");
  policy->enqueue(make_item(1, "a.example", 100, 1, 10), 0);  // pri 100 - 18000 + 30000
  policy->enqueue(make_item(2, "b.example", 100, 4), 0);      // pri 120100
  policy->enqueue(make_item(3, "c.example", 100, 1), 0);      // pri 30100
  std::vector<Item> first = policy->take_due(1800);
  EXPECT_EQ(ids_of(first), (std::vector<ItemId>{1}));
  policy->finished(first[0], Outcome::DELIVERED, 1860);
  EXPECT_EQ(ids_of(policy->take_due(1860)), (std::vector<ItemId>{3}));  // 2 is skipped
  EXPECT_EQ(policy->waiting(), 1u);
}

TEST(SendmailLoad, PriorityRunFlushesTheRest) {
  // In priority order every job after the first one over the limit is over it too, and the run
  // ends there: 3 (pri 120100) and 2 (pri 150100) stay queued.
  auto policy = sendmail("DeliveryMode=queueonly,QueueLA=1,QueueFactor=100000");
  policy->enqueue(make_item(1, "a.example", 100, 1, 10), 0);  // pri 12100
  policy->enqueue(make_item(2, "b.example", 100, 5), 0);      // pri 150100
  policy->enqueue(make_item(3, "c.example", 100, 4), 0);      // pri 120100
  std::vector<Item> first = policy->take_due(1800);
  EXPECT_EQ(ids_of(first), (std::vector<ItemId>{1}));
  policy->finished(first[0], Outcome::DELIVERED, 1860);
  EXPECT_TRUE(policy->take_due(1860).empty());
  EXPECT_EQ(policy->waiting(), 2u);
  EXPECT_EQ(policy->next_due(1860), 3600);
}

TEST(SendmailLoad, RunAbortedWhenNoJobCanGo) {
  // QueueFactor=20000 is below RecipientFactor (30000): at LA 1 the run stops before any job.
  auto policy = sendmail("DeliveryMode=queueonly,QueueLA=1,QueueFactor=20000");
  policy->enqueue(make_item(1, "a.example", 100, 1, 20), 0);  // pri 100 - 36000 + 30000
  policy->enqueue(make_item(2, "b.example"), 0);
  std::vector<Item> first = policy->take_due(1800);
  EXPECT_EQ(ids_of(first), (std::vector<ItemId>{1}));
  policy->finished(first[0], Outcome::DELIVERED, 1860);
  EXPECT_TRUE(policy->take_due(1860).empty());  // "Aborting queue run: load average too high"
  EXPECT_EQ(policy->next_due(1860), 3600);
}

TEST(SendmailLoad, RefuseLa) {
  auto policy = sendmail("RefuseLA=2");
  for (ItemId id = 1; id <= 4; ++id) policy->enqueue(make_item(id, "a.example"), 0);
  policy->take_due(0);
  EXPECT_FALSE(policy->refuses(0));
  EXPECT_FALSE(policy->refuses(10));  // LA 0.6 rounds to 1
  EXPECT_TRUE(policy->refuses(60));   // LA 3

  auto never = sendmail("RefuseLA=0");
  for (ItemId id = 1; id <= 4; ++id) never->enqueue(make_item(id, "a.example"), 0);
  never->take_due(0);
  EXPECT_FALSE(never->refuses(3600));
}

TEST(SendmailLoad, RestartStartsFromZero) {
  auto policy = sendmail("");
  for (ItemId id = 1; id <= 4; ++id) policy->enqueue(make_item(id, "a.example"), 0);
  policy->take_due(0);
  EXPECT_EQ(policy->load_average(60), 3);
  policy->restarted(60);
  EXPECT_EQ(policy->load_average(60), 0);
}

TEST(SendmailExpiry, QueueReturn) {
  auto policy = sendmail("Timeout.queuereturn=1h");
  policy->enqueue(make_item(1, "daum.net"), 0);
  std::vector<Item> got = policy->take_due(0);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(policy->finished(got[0], Outcome::UNREACHABLE, 1), Disposition::REQUEUED);
  got = policy->take_due(1800);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(policy->finished(got[0], Outcome::DEFERRED, 1801), Disposition::REQUEUED);
  got = policy->take_due(3600);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(policy->finished(got[0], Outcome::UNREACHABLE, 3601), Disposition::EXPIRED);
  EXPECT_EQ(policy->waiting(), 0u);
  EXPECT_EQ(policy->next_due(3601), kNever);
}

TEST(SendmailOutcome, DeliveredAndFailed) {
  auto policy = sendmail("");
  policy->enqueue(make_item(1, "a.example"), 0);
  policy->enqueue(make_item(2, "a.example"), 0);
  std::vector<Item> got = policy->take_due(0);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(policy->finished(got[0], Outcome::DELIVERED, 1), Disposition::DONE);
  EXPECT_EQ(policy->finished(got[1], Outcome::FAILED, 1), Disposition::BOUNCED);
  EXPECT_EQ(policy->waiting() + policy->active(), 0u);
}

TEST(SendmailSettings, ConnectionCache) {
  EXPECT_TRUE(sendmail("")->connection_cache());
  EXPECT_EQ(sendmail("")->connection_cache_size(), 2);
  EXPECT_FALSE(sendmail("ConnectionCacheSize=0")->connection_cache());
}

}  // namespace
}  // namespace mailsim::queue
