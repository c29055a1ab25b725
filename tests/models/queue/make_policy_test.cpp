#include <gtest/gtest.h>

#include "models/queue/exim_policy.hpp"
#include "models/queue/fifo_policy.hpp"
#include "models/queue/policy.hpp"
#include "models/queue/postfix_policy.hpp"
#include "models/queue/sendmail_policy.hpp"
#include "tests/models/queue/queue_test_util.hpp"

namespace mailsim::queue {
namespace {

TEST(MakePolicy, SendmailSettings) {
  const std::string text = "sendmail:QueueSortOrder=host,MaxQueueRunSize=100,QueueInterval=1h";
  auto policy = make_policy(text);
  EXPECT_EQ(policy->name(), text);
  auto* sendmail = dynamic_cast<SendmailPolicy*>(policy.get());
  ASSERT_NE(sendmail, nullptr);
  EXPECT_EQ(sendmail->config().sort_order, QueueSortOrder::HOST);
  EXPECT_EQ(sendmail->config().max_queue_run_size, 100);
  EXPECT_EQ(sendmail->config().queue_interval, 3600);

  auto loaded = make_policy("sendmail:QueueLA=20,QueueFactor=1000,RefuseLA=30");
  auto* load = dynamic_cast<SendmailPolicy*>(loaded.get());
  ASSERT_NE(load, nullptr);
  EXPECT_EQ(load->config().queue_la, 20);
  EXPECT_EQ(load->config().queue_factor, 1000);
  EXPECT_EQ(load->config().refuse_la, 30);
}

TEST(MakePolicy, SendmailDefaults) {
  auto policy = make_policy("sendmail");
  auto* sendmail = dynamic_cast<SendmailPolicy*>(policy.get());
  ASSERT_NE(sendmail, nullptr);
  const SendmailConfig& c = sendmail->config();
  EXPECT_EQ(c.queue_interval, 1800);
  EXPECT_EQ(c.sort_order, QueueSortOrder::PRIORITY);
  EXPECT_EQ(c.recipient_factor, 30000);
  EXPECT_EQ(c.class_factor, 1800);
  EXPECT_EQ(c.retry_factor, 90000);
  EXPECT_EQ(c.delivery_mode, DeliveryMode::BACKGROUND);
  EXPECT_EQ(c.queue_la, 8);
  EXPECT_EQ(c.queue_factor, 600000);
  EXPECT_EQ(c.refuse_la, 12);
  EXPECT_EQ(c.queue_return, 5 * 86400);
}

TEST(MakePolicy, SendmailNamesAnyCase) {
  auto policy = make_policy("sendmail:queuesortorder=Time,DELIVERYMODE=q,timeout.QueueReturn=2d");
  auto* sendmail = dynamic_cast<SendmailPolicy*>(policy.get());
  ASSERT_NE(sendmail, nullptr);
  EXPECT_EQ(sendmail->config().sort_order, QueueSortOrder::TIME);
  EXPECT_EQ(sendmail->config().delivery_mode, DeliveryMode::QUEUE_ONLY);
  EXPECT_EQ(sendmail->config().queue_return, 2 * 86400);
}

TEST(MakePolicy, PostfixSettings) {
  auto policy = make_policy(
      "postfix:minimal_backoff_time=10m,maximal_backoff_time=2h,"
      "default_destination_concurrency_negative_feedback=1/concurrency");
  auto* postfix = dynamic_cast<PostfixPolicy*>(policy.get());
  ASSERT_NE(postfix, nullptr);
  EXPECT_EQ(postfix->config().minimal_backoff, 600);
  EXPECT_EQ(postfix->config().maximal_backoff, 7200);
  EXPECT_TRUE(postfix->config().negative_feedback.per_concurrency);
  EXPECT_EQ(postfix->config().queue_run_delay, 300);
}

TEST(MakePolicy, EximRetryWithCommas) {
  // The retry value keeps its commas; a following `Name=` starts a new setting.
  auto policy = make_policy("exim:retry=F,1h,10m; G,8h,30m,2,queue_run_interval=5m");
  auto* exim = dynamic_cast<EximPolicy*>(policy.get());
  ASSERT_NE(exim, nullptr);
  ASSERT_EQ(exim->config().rules.size(), 2u);
  EXPECT_EQ(exim->config().rules[1].multiplier, 2);
  EXPECT_EQ(exim->config().queue_run_interval, 300);
}

TEST(MakePolicy, EximDefaults) {
  auto policy = make_policy("exim");
  auto* exim = dynamic_cast<EximPolicy*>(policy.get());
  ASSERT_NE(exim, nullptr);
  EXPECT_EQ(exim->config().rules.size(), 3u);
  EXPECT_EQ(exim->config().queue_run_interval, 1800);
  EXPECT_EQ(exim->config().retry_interval_max, 86400);
}

TEST(MakePolicy, Fifo) {
  auto policy = make_policy("fifo:concurrency=4,retry=1m");
  EXPECT_NE(dynamic_cast<FifoPolicy*>(policy.get()), nullptr);
  EXPECT_EQ(policy->name(), "fifo:concurrency=4,retry=1m");
}

TEST(MakePolicy, InvalidSpecs) {
  struct Case {
    const char* spec;
    int column;
    const char* message;
  };
  const Case cases[] = {
      {"", 1, "missing queue policy name"},
      {"qmail", 1, "unknown queue policy \"qmail\""},
      {"sendmail:", 10, "empty setting"},
      {"sendmail:QueueSortOrder", 10, "has no value"},
      {"sendmail:=5", 10, "missing setting name"},
      {"sendmail:Bogus=1", 10, "unknown sendmail setting \"Bogus\""},
      {"sendmail:QueueSortOrder=bogus", 25, "invalid QueueSortOrder value \"bogus\""},
      {"sendmail:MaxQueueRunSize=5,QueueInterval=soon", 42, "invalid QueueInterval value"},
      {"sendmail:MaxQueueRunSize=-1", 26, "at least 0"},
      {"sendmail:DeliveryMode=x", 23, "invalid DeliveryMode value"},
      {"sendmail:QueueFactor=-5", 22, "at least 0"},
      {"postfix:maximal_queue_lifetime=-1d", 32, "invalid maximal_queue_lifetime"},
      {"postfix:QUEUE_RUN_DELAY=1s", 9, "unknown postfix setting"},
      {"postfix:queue_run_delay=0", 25, "greater than zero"},
      {"postfix:default_destination_concurrency_positive_feedback=1/x", 59,
       "invalid default_destination_concurrency_positive_feedback"},
      {"exim:retry=F,2x,15m", 15, "invalid character 'x'"},
      {"exim:queue_run_interval=5m,retry=G,16h,1h", 42, "needs a multiplier"},
      {"exim:Retry=F,1h,1m", 6, "unknown exim setting"},
      {"fifo:concurrency=0", 18, "at least 1"},
      {"sendmail:QueueSortOrder=host:MaxQueueRunSize=1", 29, "settings are separated by commas"},
      {"sendmail:DeliveryMode=b=1", 24, "settings are separated by commas"},
      {"fifo:concurrency=2,,retry=1m", 20, "empty setting"},
  };
  for (const Case& c : cases) {
    auto error = catch_input_error([&] { make_policy(c.spec); });
    ASSERT_TRUE(error.has_value()) << c.spec;
    EXPECT_EQ(error->pos().file, "<policy>") << c.spec;
    EXPECT_EQ(error->pos().line, 1) << c.spec;
    EXPECT_EQ(error->pos().column, c.column) << c.spec;
    EXPECT_NE(error->message().find(c.message), std::string::npos) << error->what();
  }
}

}  // namespace
}  // namespace mailsim::queue
