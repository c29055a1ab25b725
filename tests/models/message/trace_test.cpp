#include "models/message/trace.hpp"

#include <gtest/gtest.h>

namespace mailsim::message {
namespace {

constexpr std::int64_t k150248 = 1796396568;  // 2026-12-04 15:02:48 UTC
constexpr std::int64_t k170807 = 1796404087;  // 2026-12-04 17:08:07 UTC
const char kDebianVersion[] = "8.17.1.9/8.17.1.9/Debian-2+deb12u2";

ReceivedInfo naver(std::string helo, std::string ptr, std::string ip, std::string qid,
                   std::vector<std::string> rcpts, std::int64_t when, bool esmtp = true) {
  ReceivedInfo info;
  info.helo = std::move(helo);
  info.peer_name = std::move(ptr);
  info.peer_ip = std::move(ip);
  info.by_host = "mail.naver.com";
  info.version = kDebianVersion;
  info.esmtp = esmtp;
  info.queue_id = std::move(qid);
  info.recipients = std::move(rcpts);
  info.when = when;
  return info;
}

struct ReceivedCase {
  const char* name;
  ReceivedInfo info;
  const char* expected;
};

// Every expected text is a Received field copied from a mailbox that
// Sendmail 8.17.1.9 and procmail wrote.
TEST(ReceivedHeader, RecordedForms) {
  ReceivedInfo bounce =
      naver("", "", "", "6B4F9e4K017006", {"kim@naver.com", "postmaster"}, k150248 + 412);
  bounce.local_bounce = true;
  const ReceivedCase cases[] = {
      {"ptr, ESMTP, one recipient",
       naver("pc1.naver.com", "localhost", "127.0.0.1", "6B4F2mUe015806", {"lee@naver.com"},
             k150248 + 2),
       "Received: from pc1.naver.com (localhost [127.0.0.1])\n"
       "\tby mail.naver.com (8.17.1.9/8.17.1.9/Debian-2+deb12u2) with ESMTP id 6B4F2mUe015806\n"
       "\tfor <lee@naver.com>; Fri, 4 Dec 2026 15:02:50 GMT\n"},
      {"HELO gives with SMTP",
       naver("pc1.naver.com", "localhost", "127.0.0.1", "6B4F3JM5016071", {"kim@naver.com"},
             k150248 + 32, false),
       "Received: from pc1.naver.com (localhost [127.0.0.1])\n"
       "\tby mail.naver.com (8.17.1.9/8.17.1.9/Debian-2+deb12u2) with SMTP id 6B4F3JM5016071\n"
       "\tfor <kim@naver.com>; Fri, 4 Dec 2026 15:03:20 GMT\n"},
      {"no PTR",
       naver("client.daum.net", "", "127.0.0.2", "6B4F3gRP016077", {"kim@naver.com"}, k150248 + 57),
       "Received: from client.daum.net ([127.0.0.2])\n"
       "\tby mail.naver.com (8.17.1.9/8.17.1.9/Debian-2+deb12u2) with ESMTP id 6B4F3gRP016077\n"
       "\tfor <kim@naver.com>; Fri, 4 Dec 2026 15:03:45 GMT\n"},
      {"two recipients drop the for clause",
       naver("pc1.naver.com", "localhost", "127.0.0.1", "6B4F9Kbh016900",
             {"lee@naver.com", "kim@naver.com"}, k150248 + 394),
       "Received: from pc1.naver.com (localhost [127.0.0.1])\n"
       "\tby mail.naver.com (8.17.1.9/8.17.1.9/Debian-2+deb12u2) with ESMTP id 6B4F9Kbh016900;\n"
       "\tFri, 4 Dec 2026 15:09:22 GMT\n"},
      {"locally generated bounce", bounce,
       "Received: from localhost (localhost)\n"
       "\tby mail.naver.com (8.17.1.9/8.17.1.9/Debian-2+deb12u2) id 6B4F9e4K017006;\n"
       "\tFri, 4 Dec 2026 15:09:40 GMT\n"},
      {"relay hop without PTR",
       naver("mail.daum.net", "", "127.0.111.200", "6B4H8Age031315", {"lee@naver.com"},
             k170807 + 4),
       "Received: from mail.daum.net ([127.0.111.200])\n"
       "\tby mail.naver.com (8.17.1.9/8.17.1.9/Debian-2+deb12u2) with ESMTP id 6B4H8Age031315\n"
       "\tfor <lee@naver.com>; Fri, 4 Dec 2026 17:08:11 GMT\n"},
  };
  for (const ReceivedCase& c : cases) {
    EXPECT_EQ(received_header(c.info), c.expected) << c.name;
  }
}

TEST(ReceivedHeader, RedHatVersionString) {
  ReceivedInfo info = naver("pc1.naver.com", "localhost", "127.0.0.1", "6B4F2mUe015806",
                            {"lee@naver.com"}, k150248 + 2);
  info.version = "8.17.1.9/8.17.1.9";
  EXPECT_EQ(received_header(info),
            "Received: from pc1.naver.com (localhost [127.0.0.1])\n"
            "\tby mail.naver.com (8.17.1.9/8.17.1.9) with ESMTP id 6B4F2mUe015806\n"
            "\tfor <lee@naver.com>; Fri, 4 Dec 2026 15:02:50 GMT\n");
}

QueueingInfo daum_hop1() {
  QueueingInfo q;
  q.received.helo = "kim-pc.daum.net";
  q.received.peer_ip = "127.0.111.22";
  q.received.by_host = "mail.daum.net";
  q.received.version = kDebianVersion;
  q.received.queue_id = "6B4H87qM031312";
  q.received.recipients = {"lee@naver.com"};
  q.received.when = k170807 + 2;
  q.envelope_start = k170807;
  q.mail_from = "kim@daum.net";
  return q;
}

const char kKimMessage[] =
    "From: kim@daum.net\n"
    "To: lee@naver.com\n"
    "Subject: hello from daum.net\n"
    "\n"
    "Hi lee,\n"
    "this message went from kim's PC to mail.daum.net and from there to mail.naver.com.\n"
    "-- kim\n";

// The expected text is what mail.daum.net's Sendmail sent on the relay hop.
TEST(PrepareQueuedMessage, AddsDateAndMessageId) {
  EXPECT_EQ(prepare_queued_message(kKimMessage, daum_hop1()),
            "Received: from kim-pc.daum.net ([127.0.111.22])\n"
            "\tby mail.daum.net (8.17.1.9/8.17.1.9/Debian-2+deb12u2) with ESMTP id "
            "6B4H87qM031312\n"
            "\tfor <lee@naver.com>; Fri, 4 Dec 2026 17:08:09 GMT\n"
            "Date: Fri, 4 Dec 2026 17:08:07 GMT\n"
            "Message-Id: <202612041708.6B4H87qM031312@mail.daum.net>\n"
            "From: kim@daum.net\n"
            "To: lee@naver.com\n"
            "Subject: hello from daum.net\n"
            "\n"
            "Hi lee,\n"
            "this message went from kim's PC to mail.daum.net and from there to "
            "mail.naver.com.\n"
            "-- kim\n");
}

TEST(PrepareQueuedMessage, KeepsClientDateAndMessageId) {
  const char message[] =
      "Date: Mon, 1 Dec 2025 09:00:00 +0900\n"
      "From: Kim <kim@naver.com>\n"
      "Message-ID: <20251201090000.12345@pc1.naver.com>\n"
      "\n"
      "message three\n";
  QueueingInfo q = daum_hop1();
  std::string out = prepare_queued_message(message, q);
  EXPECT_EQ(out, received_header(q.received) + message);
}

TEST(PrepareQueuedMessage, AddsFromBetweenDateAndMessageId) {
  QueueingInfo q = daum_hop1();
  std::string out = prepare_queued_message("Subject: x\n\nbody\n", q);
  EXPECT_EQ(out, received_header(q.received) +
                     "Date: Fri, 4 Dec 2026 17:08:07 GMT\n"
                     "From: kim@daum.net\n"
                     "Message-Id: <202612041708.6B4H87qM031312@mail.daum.net>\n"
                     "Subject: x\n\nbody\n");
}

TEST(PrepareQueuedMessage, NullSenderFromIsMailerDaemon) {
  QueueingInfo q = daum_hop1();
  q.mail_from = "";
  std::string out = prepare_queued_message("Date: x\nMessage-Id: <a@b>\n\nbody\n", q);
  EXPECT_EQ(out, received_header(q.received) +
                     "From: MAILER-DAEMON\nDate: x\nMessage-Id: <a@b>\n\nbody\n");
}

TEST(PrepareQueuedMessage, WarningsFollowDefaults) {
  QueueingInfo q = daum_hop1();
  q.authentication_warnings = {"mail.daum.net: [127.0.111.22] didn't use HELO protocol"};
  std::string out = prepare_queued_message(kKimMessage, q);
  std::string expected_prefix =
      "Message-Id: <202612041708.6B4H87qM031312@mail.daum.net>\n"
      "X-Authentication-Warning: mail.daum.net: [127.0.111.22] didn't use HELO protocol\n"
      "From: kim@daum.net\n";
  EXPECT_NE(out.find(expected_prefix), std::string::npos) << out;
}

TEST(PrepareQueuedMessage, AddsMissingSeparator) {
  QueueingInfo q = daum_hop1();
  const char message[] = "Date: x\nFrom: a@b\nMessage-Id: <a@b>\nno separator line\n";
  EXPECT_EQ(
      prepare_queued_message(message, q),
      received_header(q.received) + "Date: x\nFrom: a@b\nMessage-Id: <a@b>\n\nno separator line\n");
}

}  // namespace
}  // namespace mailsim::message
