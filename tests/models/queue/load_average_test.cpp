#include "models/queue/load_average.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace mailsim::queue {
namespace {

constexpr double kDecay = 1884.0 / 2048.0;  // Linux's EXP_1 / FIXED_1

// The average after `ticks` updates with `running` processes, from `start`, one update at a
// time as the kernel does it.
double stepwise(double start, int ticks, double running) {
  double average = start;
  for (int i = 0; i < ticks; ++i) average = average * kDecay + running * (1 - kDecay);
  return average;
}

TEST(LoadAverage, RisesTowardsTheRunningCount) {
  struct Case {
    double now;
    int ticks;  // updates at 5, 10, ... seconds up to `now`
  };
  const Case cases[] = {{0, 0}, {4.9, 0}, {5, 1}, {10, 2}, {59, 11}, {60, 12}, {300, 60}, {3600, 720}};
  for (const Case& c : cases) {
    LoadAverage load;
    EXPECT_NEAR(load.at(c.now, 4), stepwise(0, c.ticks, 4), 1e-9) << "at " << c.now;
  }
}

TEST(LoadAverage, DecaysWhenProcessesEnd) {
  LoadAverage load;
  load.advance(60, 10);  // 10 processes from 0 to 60 s, then none
  EXPECT_NEAR(load.at(60, 0), stepwise(0, 12, 10), 1e-9);
  EXPECT_NEAR(load.at(120, 0), stepwise(stepwise(0, 12, 10), 12, 0), 1e-9);
}

TEST(LoadAverage, EachUpdateSeesTheCountOfItsTime) {
  // 2 processes until 7 s, then 6: the update at 5 s counts 2 and the one at 10 s counts 6.
  LoadAverage load;
  load.advance(7, 2);
  EXPECT_NEAR(load.at(10, 6), stepwise(stepwise(0, 1, 2), 1, 6), 1e-9);
  load.advance(10, 6);
  EXPECT_NEAR(load.at(10, 0), stepwise(stepwise(0, 1, 2), 1, 6), 1e-9);
}

TEST(LoadAverage, SendmailRoundsToNearest) {
  // One process: 1 - EXP_1^8 = 0.487 after 40 s and 1 - EXP_1^9 = 0.528 after 45 s.
  LoadAverage load;
  EXPECT_EQ(load.sendmail_la(40, 1), 0);
  EXPECT_EQ(load.sendmail_la(45, 1), 1);
  EXPECT_EQ(load.sendmail_la(3600, 7), 7);
}

TEST(LoadAverage, ResetAtBoot) {
  LoadAverage load;
  load.advance(60, 4);
  load.reset(62);
  EXPECT_EQ(load.at(62, 4), 0);
  EXPECT_NEAR(load.at(65, 4), stepwise(0, 1, 4), 1e-9);
}

TEST(SendmailLoadRules, ShouldQueue) {
  struct Case {
    long priority;
    long la;
    long queue_la;
    long queue_factor;
    bool expected;
  };
  const Case cases[] = {
      {1000000000, 7, 8, 600000, false},  // below QueueLA nothing is queued
      {600000, 8, 8, 600000, false},      // at QueueLA the limit is QueueFactor / 1
      {600001, 8, 8, 600000, true},
      {200000, 10, 8, 600000, false},  // 600000 / 3
      {200001, 10, 8, 600000, true},
      {33, 10, 8, 100, false},  // 100 / 3 is 33 in integer division
      {34, 10, 8, 100, true},
      {600001, 0, 0, 600000, true},  // QueueLA=0 applies the rule at every load
      {30100, 0, 0, 600000, false},
      {1, 5, 5, 0, true},  // QueueFactor=0 queues everything from QueueLA on
      {0, 5, 5, 0, false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(sendmail_should_queue(c.priority, c.la, c.queue_la, c.queue_factor), c.expected)
        << "pri " << c.priority << ", LA " << c.la << ", QueueLA " << c.queue_la << ", QueueFactor "
        << c.queue_factor;
  }
}

TEST(SendmailLoadRules, Refuses) {
  EXPECT_TRUE(sendmail_refuses(12, 12));
  EXPECT_TRUE(sendmail_refuses(40, 12));
  EXPECT_FALSE(sendmail_refuses(11, 12));
  EXPECT_FALSE(sendmail_refuses(1000, 0));  // RefuseLA=0 turns the check off
}

}  // namespace
}  // namespace mailsim::queue
