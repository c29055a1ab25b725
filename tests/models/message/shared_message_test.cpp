#include "models/message/shared_message.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "models/message/compose.hpp"
#include "models/message/trace.hpp"

namespace mailsim::message {
namespace {

constexpr std::int64_t k170807 = 1796404087;  // 2026-12-04 17:08:07 UTC

QueueingInfo hop(const std::string& by_host, const std::string& qid) {
  QueueingInfo info;
  info.received.helo = "mail.daum.net";
  info.received.peer_name = "mail.daum.net";
  info.received.peer_ip = "10.0.2.200";
  info.received.by_host = by_host;
  info.received.version = "8.17.1.9/8.17.1.9";
  info.received.queue_id = qid;
  info.received.recipients = {"lee@naver.com"};
  info.received.when = k170807;
  info.envelope_start = k170807;
  info.mail_from = "kim@daum.net";
  return info;
}

TEST(SharedMessage, HeadMustEndWithLineFeed) {
  auto text = std::make_shared<const std::string>("\nbody\n");
  EXPECT_THROW(SharedMessage("X-A: 1", text), std::invalid_argument);
  EXPECT_NO_THROW(SharedMessage("X-A: 1\n", text));
}

TEST(SharedMessage, NullTextIsEmpty) {
  SharedMessage message{std::shared_ptr<const std::string>()};
  EXPECT_TRUE(message.empty());
  EXPECT_EQ(message.flatten(), "");
}

TEST(SharedMessage, FlattenAndPrefix) {
  SharedMessage message("X-A: 1\n", std::make_shared<const std::string>("Subject: s\n\nbody\n"));
  EXPECT_EQ(message.size(), 24u);
  EXPECT_EQ(message.flatten(), "X-A: 1\nSubject: s\n\nbody\n");
  EXPECT_EQ(message.prefix(3), "X-A");
  EXPECT_EQ(message.prefix(10), "X-A: 1\nSub");
  EXPECT_EQ(message.back(), '\n');
  EXPECT_TRUE(message.contains('b'));
  EXPECT_FALSE(message.contains('\r'));
}

TEST(SharedMessage, HeadersFromBothParts) {
  SharedMessage message("Received: by a\n",
                        std::make_shared<const std::string>("Subject: s\n\nDate: in the body\n"));
  EXPECT_EQ(find_header(message, "Received").value_or(""), "by a");
  EXPECT_EQ(find_header(message, "subject").value_or(""), "s");
  EXPECT_FALSE(has_header(message, "Date"));
  ASSERT_EQ(parse_headers(message).size(), 2u);
  EXPECT_EQ(parse_headers(message)[0].name, "Received");
  EXPECT_EQ(parse_headers(message)[1].name, "Subject");
}

// Two hops queue the message: both queued forms share the client's text, and each equals
// what the string form of prepare_queued_message() gives.
TEST(PrepareQueuedShared, TwoHopsShareText) {
  auto text = std::make_shared<const std::string>(
      "From: kim@daum.net\nDate: Fri, 4 Dec 2026 17:08:07 +0000\nMessage-Id: <1@x>\n\nhi\n");
  SharedMessage first = prepare_queued_message(SharedMessage(text), hop("mail.daum.net", "Q1"));
  SharedMessage second = prepare_queued_message(first, hop("mail.naver.com", "Q2"));
  EXPECT_EQ(first.shared.get(), text.get());
  EXPECT_EQ(second.shared.get(), text.get());
  std::string expected_first = prepare_queued_message(*text, hop("mail.daum.net", "Q1"));
  EXPECT_EQ(first.flatten(), expected_first);
  EXPECT_EQ(second.flatten(), prepare_queued_message(expected_first, hop("mail.naver.com", "Q2")));
}

// A message without the empty line after its header section gains one, so it is copied.
TEST(PrepareQueuedShared, MissingSeparatorCopies) {
  const char* texts[] = {"Subject: no body\n", "", "not a header\nline\n"};
  for (const char* raw : texts) {
    auto text = std::make_shared<const std::string>(raw);
    SharedMessage queued = prepare_queued_message(SharedMessage(text), hop("mail.naver.com", "Q"));
    EXPECT_NE(queued.shared.get(), text.get()) << raw;
    EXPECT_EQ(queued.flatten(), prepare_queued_message(std::string(raw), hop("mail.naver.com", "Q")))
        << raw;
  }
}

TEST(AttachmentSizes, MatchDecodedBytes) {
  Draft draft;
  draft.from = "lee@naver.com";
  draft.to = {"kim@daum.net"};
  draft.subject = "photos";
  draft.body = "two files\n";
  draft.attachments = {{"a.jpg", "image/jpeg", 100000, 1}, {"b.bin", "application/octet-stream", 2, 2}};
  std::string text = compose(draft);
  auto extracted = extract_attachments(text);
  auto sizes = attachment_sizes(text);
  ASSERT_EQ(sizes.size(), 2u);
  ASSERT_EQ(extracted.size(), 2u);
  EXPECT_EQ(sizes[0].first, "a.jpg");
  EXPECT_EQ(sizes[0].second, 100000u);
  EXPECT_EQ(sizes[1].second, 2u);
  EXPECT_EQ(extracted[0].second, attachment_bytes(100000, 1));
  EXPECT_EQ(extracted[1].second, attachment_bytes(2, 2));
}

TEST(AttachmentSizes, InvalidBase64Skipped) {
  std::string text =
      "Content-Disposition: attachment; filename=\"x\"\n\nnot*base64\n--b--\n"
      "Content-Disposition: attachment; filename=\"y\"\n\nQUJD\n--b--\n";
  auto sizes = attachment_sizes(text);
  ASSERT_EQ(sizes.size(), 1u);
  EXPECT_EQ(sizes[0].first, "y");
  EXPECT_EQ(sizes[0].second, 3u);
}

}  // namespace
}  // namespace mailsim::message
