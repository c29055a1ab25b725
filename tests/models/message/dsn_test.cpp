#include "models/message/dsn.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "models/message/sendmail_ids.hpp"

namespace mailsim::message {
namespace {

constexpr std::int64_t k150939 = 1796396979;  // 2026-12-04 15:09:39 UTC
constexpr std::int64_t k150940 = 1796396980;  // 2026-12-04 15:09:40 UTC
constexpr std::int64_t k150950 = 1796396990;  // 2026-12-04 15:09:50 UTC
constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 24 * kHour;
const char kDebianVersion[] = "8.17.1.9/8.17.1.9/Debian-2+deb12u2";

// The notice mail.naver.com generated for each loop case. The inputs repeat what the
// Sendmail 8.17.1.9 log and the queued original show. The expected texts are the two
// bounces as procmail stored them in kim's mailbox, minus the Return-Path line that the
// local mailer adds at delivery.
DsnInfo naver_bounce(std::string qid, std::int64_t now) {
  DsnInfo info;
  info.hostname = "mail.naver.com";
  info.version = kDebianVersion;
  info.queue_id = std::move(qid);
  info.now = now;
  info.to = {"<kim@naver.com>", "postmaster"};
  info.received_from = "localhost [127.0.0.1]";
  info.received_from_mta = "localhost";
  info.original_sender = "kim@naver.com";
  info.headers_only = true;  // PrivacyOptions=nobodyreturn
  return info;
}

DsnInfo hanmail_loop() {
  DsnInfo info = naver_bounce("6B4F9e4K017006", k150940);
  info.arrival = k150939;
  DsnRecipient r;
  r.address = "someone@hanmail.net";
  r.status = "5.3.5";
  r.remote_status = "553 5.3.5 system config error";
  r.actual_recipient = "rfc822; someone@hanmail.net";
  r.last_attempt = k150940;
  info.recipients = {r};
  info.transcript = {
      "553 5.3.5 mail.hanmail.net. config error: mail loops back to me (MX problem?)",
      "554 5.3.5 Local configuration error"};
  info.original =
      "Received: from pc1.naver.com (localhost [127.0.0.1])\n"
      "\tby mail.naver.com (8.17.1.9/8.17.1.9/Debian-2+deb12u2) with ESMTP id 6B4F9b4K017004\n"
      "\tfor <someone@hanmail.net>; Fri, 4 Dec 2026 15:09:39 GMT\n"
      "Date: Fri, 4 Dec 2026 15:09:37 GMT\n"
      "Message-Id: <202612041509.6B4F9b4K017004@mail.naver.com>\n"
      "From: kim@naver.com\n"
      "To: someone@hanmail.net\n"
      "Subject: to hanmail.net (loops)\n"
      "\n"
      "loop body\n";
  return info;
}

DsnInfo kakao_loop() {
  DsnInfo info = naver_bounce("6B4F9odD017055", k150950);
  info.arrival = k150950;
  DsnRecipient r;
  r.address = "someone@kakao.com";
  r.status = "5.5.0";
  r.remote_mta = "kakao.com.";
  r.actual_recipient = "rfc822; someone@kakao.com";
  r.last_attempt = k150950;
  info.recipients = {r};
  info.transcript = {"554 5.0.0 MX list for kakao.com. points back to mail.naver.com",
                     "554 5.3.5 Local configuration error"};
  info.original =
      "Received: from pc1.naver.com (localhost [127.0.0.1])\n"
      "\tby mail.naver.com (8.17.1.9/8.17.1.9/Debian-2+deb12u2) with ESMTP id 6B4F9mdD017053\n"
      "\tfor <someone@kakao.com>; Fri, 4 Dec 2026 15:09:50 GMT\n"
      "Date: Fri, 4 Dec 2026 15:09:48 GMT\n"
      "Message-Id: <202612041509.6B4F9mdD017053@mail.naver.com>\n"
      "From: kim@naver.com\n"
      "To: someone@kakao.com\n"
      "Subject: to kakao.com (MX is me)\n"
      "\n"
      "mx body\n";
  return info;
}

// A message to someone@daum.net that stays queued because mail.daum.net refuses
// connections (stat=Deferred: Connection refused by mail.daum.net.).
DsnInfo daum_deferred(DsnKind kind, std::int64_t now) {
  DsnInfo info = naver_bounce(queue_id(now, 1234, 20001), now);
  info.kind = kind;
  info.arrival = 1796396031;  // 2026-12-04 14:53:51 UTC
  info.to = {"<lee@naver.com>"};
  info.original_sender = "lee@naver.com";
  info.headers_only = false;

  DsnRecipient r;
  r.address = "someone@daum.net";
  r.action = kind == DsnKind::DELAY ? DsnAction::DELAYED : DsnAction::FAILED;
  r.status = kind == DsnKind::DELAY ? "4.4.1" : "4.4.7";
  r.remote_mta = "mail.daum.net.";
  r.last_attempt = now;
  info.recipients = {r};

  info.transcript = {"<someone@daum.net>... Deferred: Connection refused by mail.daum.net."};
  std::vector<std::string> timeout_lines = kind == DsnKind::DELAY
                                               ? queue_warning_transcript(4 * kHour, 5 * kDay)
                                               : queue_return_transcript(5 * kDay);
  info.transcript.insert(info.transcript.end(), timeout_lines.begin(), timeout_lines.end());

  info.original =
      "Received: from pc1.naver.com (localhost [127.0.0.1])\n"
      "\tby mail.naver.com (8.17.1.9/8.17.1.9/Debian-2+deb12u2) with ESMTP id 6B4ErpAa019990\n"
      "\tfor <someone@daum.net>; Fri, 4 Dec 2026 14:53:51 GMT\n"
      "Date: Fri, 4 Dec 2026 14:53:50 GMT\n"
      "Message-Id: <202612041453.6B4ErpAa019990@mail.naver.com>\n"
      "From: lee@naver.com\n"
      "To: someone@daum.net\n"
      "Subject: to daum\n"
      "\n"
      "first line\n"
      "second line\n";
  return info;
}

struct DurationCase {
  std::int64_t seconds;
  const char* expected;
};

// Expected forms follow Sendmail's pintvl(): units from weeks down to seconds, zero units
// left out, ", " between units and a plural "s" for every count but 1.
TEST(FormatDurationWords, Table) {
  const DurationCase cases[] = {
      {0, "zero seconds"},
      {1, "1 second"},
      {59, "59 seconds"},
      {90, "1 minute, 30 seconds"},
      {kHour, "1 hour"},
      {4 * kHour, "4 hours"},
      {12 * kHour, "12 hours"},
      {kDay, "1 day"},
      {5 * kDay, "5 days"},
      {7 * kDay, "1 week"},
      {14 * kDay, "2 weeks"},
      {8 * kDay + 2 * kHour + 3 * 60 + 4, "1 week, 1 day, 2 hours, 3 minutes, 4 seconds"},
  };
  for (const DurationCase& c : cases) {
    EXPECT_EQ(format_duration_words(c.seconds), c.expected) << c.seconds;
  }
}

TEST(FormatDurationWords, NegativeThrows) {
  EXPECT_THROW(format_duration_words(-1), std::invalid_argument);
}

struct ExitStatusCase {
  const char* remote_status;
  const char* expected;
};

// Sysexits codes 64-78 map to libsm's texts. Anything that is not a bare number in that
// range is an SMTP reply and stays as it is.
TEST(ExitStatusText, Table) {
  const ExitStatusCase cases[] = {
      {"64", "Command line usage error"},
      {"67", "User unknown"},
      {"75", "Deferred"},
      {"78", "Local configuration error"},
      {"078", "Local configuration error"},
      {"63", "63"},
      {"79", "79"},
      {"255", "255"},
      {"99999999999999999999", "99999999999999999999"},
      {"7x", "7x"},
      {"", ""},
      {"553 5.3.5 system config error", "553 5.3.5 system config error"},
  };
  for (const ExitStatusCase& c : cases) {
    EXPECT_EQ(exit_status_text(c.remote_status), c.expected) << c.remote_status;
  }
}

TEST(DsnTranscript, QueueWarning) {
  std::vector<std::string> lines = queue_warning_transcript(4 * kHour, 5 * kDay);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "Warning: message still undelivered after 4 hours");
  EXPECT_EQ(lines[1], "Will keep trying until message is 5 days old");
}

TEST(DsnTranscript, QueueReturn) {
  std::vector<std::string> lines = queue_return_transcript(5 * kDay);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "Message could not be delivered for 5 days");
  EXPECT_EQ(lines[1], "Message will be deleted from queue");
}

TEST(DsnBoundary, QueueIdEpochHost) {
  EXPECT_EQ(dsn_boundary("6B4F9e4K017006", k150940, "mail.naver.com"),
            "6B4F9e4K017006.1796396980/mail.naver.com");
}

TEST(MakeDsn, RecordedHanmailLoop) {
  const char* expected =
      "Received: from localhost (localhost)\n"
      "\tby mail.naver.com (8.17.1.9/8.17.1.9/Debian-2+deb12u2) id 6B4F9e4K017006;\n"
      "\tFri, 4 Dec 2026 15:09:40 GMT\n"
      "Date: Fri, 4 Dec 2026 15:09:40 GMT\n"
      "From: Mail Delivery Subsystem <MAILER-DAEMON>\n"
      "Message-Id: <202612041509.6B4F9e4K017006@mail.naver.com>\n"
      "To: <kim@naver.com>\n"
      "To: postmaster\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/report; report-type=delivery-status;\n"
      "\tboundary=\"6B4F9e4K017006.1796396980/mail.naver.com\"\n"
      "Subject: Returned mail: see transcript for details\n"
      "Auto-Submitted: auto-generated (failure)\n"
      "\n"
      "This is a MIME-encapsulated message\n"
      "\n"
      "--6B4F9e4K017006.1796396980/mail.naver.com\n"
      "\n"
      "The original message was received at Fri, 4 Dec 2026 15:09:39 GMT\n"
      "from localhost [127.0.0.1]\n"
      "\n"
      "   ----- The following addresses had permanent fatal errors -----\n"
      "<someone@hanmail.net>\n"
      "    (reason: 553 5.3.5 system config error)\n"
      "\n"
      "   ----- Transcript of session follows -----\n"
      "553 5.3.5 mail.hanmail.net. config error: mail loops back to me (MX problem?)\n"
      "554 5.3.5 Local configuration error\n"
      "\n"
      "--6B4F9e4K017006.1796396980/mail.naver.com\n"
      "Content-Type: message/delivery-status\n"
      "\n"
      "Reporting-MTA: dns; mail.naver.com\n"
      "Received-From-MTA: DNS; localhost\n"
      "Arrival-Date: Fri, 4 Dec 2026 15:09:39 GMT\n"
      "\n"
      "Final-Recipient: RFC822; someone@hanmail.net\n"
      "X-Actual-Recipient: rfc822; someone@hanmail.net\n"
      "Action: failed\n"
      "Status: 5.3.5\n"
      "Diagnostic-Code: SMTP; 553 5.3.5 system config error\n"
      "Last-Attempt-Date: Fri, 4 Dec 2026 15:09:40 GMT\n"
      "\n"
      "--6B4F9e4K017006.1796396980/mail.naver.com\n"
      "Content-Type: text/rfc822-headers\n"
      "\n"
      "Return-Path: <kim@naver.com>\n"
      "Received: from pc1.naver.com (localhost [127.0.0.1])\n"
      "\tby mail.naver.com (8.17.1.9/8.17.1.9/Debian-2+deb12u2) with ESMTP id 6B4F9b4K017004\n"
      "\tfor <someone@hanmail.net>; Fri, 4 Dec 2026 15:09:39 GMT\n"
      "Date: Fri, 4 Dec 2026 15:09:37 GMT\n"
      "Message-Id: <202612041509.6B4F9b4K017004@mail.naver.com>\n"
      "From: kim@naver.com\n"
      "To: someone@hanmail.net\n"
      "Subject: to hanmail.net (loops)\n"
      "\n"
      "--6B4F9e4K017006.1796396980/mail.naver.com--\n";
  EXPECT_EQ(make_dsn(hanmail_loop()), expected);
}

TEST(MakeDsn, RecordedKakaoMxLoop) {
  const char* expected =
      "Received: from localhost (localhost)\n"
      "\tby mail.naver.com (8.17.1.9/8.17.1.9/Debian-2+deb12u2) id 6B4F9odD017055;\n"
      "\tFri, 4 Dec 2026 15:09:50 GMT\n"
      "Date: Fri, 4 Dec 2026 15:09:50 GMT\n"
      "From: Mail Delivery Subsystem <MAILER-DAEMON>\n"
      "Message-Id: <202612041509.6B4F9odD017055@mail.naver.com>\n"
      "To: <kim@naver.com>\n"
      "To: postmaster\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/report; report-type=delivery-status;\n"
      "\tboundary=\"6B4F9odD017055.1796396990/mail.naver.com\"\n"
      "Subject: Returned mail: see transcript for details\n"
      "Auto-Submitted: auto-generated (failure)\n"
      "\n"
      "This is a MIME-encapsulated message\n"
      "\n"
      "--6B4F9odD017055.1796396990/mail.naver.com\n"
      "\n"
      "The original message was received at Fri, 4 Dec 2026 15:09:50 GMT\n"
      "from localhost [127.0.0.1]\n"
      "\n"
      "   ----- The following addresses had permanent fatal errors -----\n"
      "<someone@kakao.com>\n"
      "\n"
      "   ----- Transcript of session follows -----\n"
      "554 5.0.0 MX list for kakao.com. points back to mail.naver.com\n"
      "554 5.3.5 Local configuration error\n"
      "\n"
      "--6B4F9odD017055.1796396990/mail.naver.com\n"
      "Content-Type: message/delivery-status\n"
      "\n"
      "Reporting-MTA: dns; mail.naver.com\n"
      "Received-From-MTA: DNS; localhost\n"
      "Arrival-Date: Fri, 4 Dec 2026 15:09:50 GMT\n"
      "\n"
      "Final-Recipient: RFC822; someone@kakao.com\n"
      "X-Actual-Recipient: rfc822; someone@kakao.com\n"
      "Action: failed\n"
      "Status: 5.5.0\n"
      "Remote-MTA: DNS; kakao.com\n"
      "Last-Attempt-Date: Fri, 4 Dec 2026 15:09:50 GMT\n"
      "\n"
      "--6B4F9odD017055.1796396990/mail.naver.com\n"
      "Content-Type: text/rfc822-headers\n"
      "\n"
      "Return-Path: <kim@naver.com>\n"
      "Received: from pc1.naver.com (localhost [127.0.0.1])\n"
      "\tby mail.naver.com (8.17.1.9/8.17.1.9/Debian-2+deb12u2) with ESMTP id 6B4F9mdD017053\n"
      "\tfor <someone@kakao.com>; Fri, 4 Dec 2026 15:09:50 GMT\n"
      "Date: Fri, 4 Dec 2026 15:09:48 GMT\n"
      "Message-Id: <202612041509.6B4F9mdD017053@mail.naver.com>\n"
      "From: kim@naver.com\n"
      "To: someone@kakao.com\n"
      "Subject: to kakao.com (MX is me)\n"
      "\n"
      "--6B4F9odD017055.1796396990/mail.naver.com--\n";
  EXPECT_EQ(make_dsn(kakao_loop()), expected);
}

// Wording from Sendmail's dropenvelope() and errbody(): the subject names Timeout.queuewarn,
// the banner replaces the address list, and the delayed recipient carries Will-Retry-Until
// (arrival + Timeout.queuereturn).
TEST(MakeDsn, QueueWarning) {
  const std::int64_t now = 1796396031 + 4 * kHour + 1200;  // 2026-12-04 19:13:51 UTC
  const char* expected =
      "Received: from localhost (localhost)\n"
      "\tby mail.naver.com (8.17.1.9/8.17.1.9/Debian-2+deb12u2) id 6B4JDpKY020001;\n"
      "\tFri, 4 Dec 2026 19:13:51 GMT\n"
      "Date: Fri, 4 Dec 2026 19:13:51 GMT\n"
      "From: Mail Delivery Subsystem <MAILER-DAEMON>\n"
      "Message-Id: <202612041913.6B4JDpKY020001@mail.naver.com>\n"
      "To: <lee@naver.com>\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/report; report-type=delivery-status;\n"
      "\tboundary=\"6B4JDpKY020001.1796411631/mail.naver.com\"\n"
      "Subject: Warning: could not send message for past 4 hours\n"
      "Auto-Submitted: auto-generated (warning-timeout)\n"
      "\n"
      "This is a MIME-encapsulated message\n"
      "\n"
      "--6B4JDpKY020001.1796411631/mail.naver.com\n"
      "\n"
      "    **********************************************\n"
      "    **      THIS IS A WARNING MESSAGE ONLY      **\n"
      "    **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n"
      "    **********************************************\n"
      "\n"
      "The original message was received at Fri, 4 Dec 2026 14:53:51 GMT\n"
      "from localhost [127.0.0.1]\n"
      "\n"
      "   ----- Transcript of session follows -----\n"
      "<someone@daum.net>... Deferred: Connection refused by mail.daum.net.\n"
      "Warning: message still undelivered after 4 hours\n"
      "Will keep trying until message is 5 days old\n"
      "\n"
      "--6B4JDpKY020001.1796411631/mail.naver.com\n"
      "Content-Type: message/delivery-status\n"
      "\n"
      "Reporting-MTA: dns; mail.naver.com\n"
      "Received-From-MTA: DNS; localhost\n"
      "Arrival-Date: Fri, 4 Dec 2026 14:53:51 GMT\n"
      "\n"
      "Final-Recipient: RFC822; someone@daum.net\n"
      "Action: delayed\n"
      "Status: 4.4.1\n"
      "Remote-MTA: DNS; mail.daum.net\n"
      "Last-Attempt-Date: Fri, 4 Dec 2026 19:13:51 GMT\n"
      "Will-Retry-Until: Wed, 9 Dec 2026 14:53:51 GMT\n"
      "\n"
      "--6B4JDpKY020001.1796411631/mail.naver.com\n"
      "Content-Type: message/rfc822\n"
      "\n"
      "Return-Path: <lee@naver.com>\n"
      "Received: from pc1.naver.com (localhost [127.0.0.1])\n"
      "\tby mail.naver.com (8.17.1.9/8.17.1.9/Debian-2+deb12u2) with ESMTP id 6B4ErpAa019990\n"
      "\tfor <someone@daum.net>; Fri, 4 Dec 2026 14:53:51 GMT\n"
      "Date: Fri, 4 Dec 2026 14:53:50 GMT\n"
      "Message-Id: <202612041453.6B4ErpAa019990@mail.naver.com>\n"
      "From: lee@naver.com\n"
      "To: someone@daum.net\n"
      "Subject: to daum\n"
      "\n"
      "first line\n"
      "second line\n"
      "\n"
      "--6B4JDpKY020001.1796411631/mail.naver.com--\n";
  EXPECT_EQ(make_dsn(daum_deferred(DsnKind::DELAY, now)), expected);
}

// After Timeout.queuereturn the still-queued recipient fails with 4.4.7 and is listed among
// the permanent fatal errors; the transcript ends with the two queue-return lines.
TEST(MakeDsn, QueueReturnFailure) {
  const std::int64_t now = 1796396031 + 5 * kDay + 600;  // 2026-12-09 15:03:51 UTC
  std::string dsn = make_dsn(daum_deferred(DsnKind::FAILURE, now));
  EXPECT_NE(dsn.find("Subject: Returned mail: see transcript for details\n"), std::string::npos);
  EXPECT_NE(dsn.find("Auto-Submitted: auto-generated (failure)\n"), std::string::npos);
  EXPECT_EQ(dsn.find("THIS IS A WARNING MESSAGE ONLY"), std::string::npos);
  EXPECT_NE(dsn.find("   ----- The following addresses had permanent fatal errors -----\n"
                     "<someone@daum.net>\n"
                     "\n"
                     "   ----- Transcript of session follows -----\n"
                     "<someone@daum.net>... Deferred: Connection refused by mail.daum.net.\n"
                     "Message could not be delivered for 5 days\n"
                     "Message will be deleted from queue\n"
                     "\n--"),
            std::string::npos);
  EXPECT_NE(dsn.find("Action: failed\nStatus: 4.4.7\nRemote-MTA: DNS; mail.daum.net\n"
                     "Last-Attempt-Date: Wed, 9 Dec 2026 15:03:51 GMT\n\n--"),
            std::string::npos);
  EXPECT_EQ(dsn.find("Will-Retry-Until:"), std::string::npos);
}

// With nobodyreturn off (the Red Hat default) the third part is the whole message.
TEST(MakeDsn, FullMessageReturned) {
  DsnInfo info = hanmail_loop();
  info.headers_only = false;
  std::string dsn = make_dsn(info);
  const std::string delimiter = "--6B4F9e4K017006.1796396980/mail.naver.com";
  EXPECT_NE(dsn.find(delimiter + "\nContent-Type: message/rfc822\n\nReturn-Path: <kim@naver.com>\n"
                                 "Received: from pc1.naver.com"),
            std::string::npos);
  EXPECT_NE(dsn.find("Subject: to hanmail.net (loops)\n\nloop body\n\n" + delimiter + "--\n"),
            std::string::npos);
  EXPECT_EQ(dsn.find("text/rfc822-headers"), std::string::npos);
}

TEST(MakeDsn, HeadersOnlyOmitsBody) {
  std::string dsn = make_dsn(hanmail_loop());
  EXPECT_NE(dsn.find("Content-Type: text/rfc822-headers\n"), std::string::npos);
  EXPECT_EQ(dsn.find("loop body"), std::string::npos);
  EXPECT_EQ(dsn.find("message/rfc822"), std::string::npos);
}

TEST(MakeDsn, BodyWithoutFinalNewline) {
  DsnInfo info = hanmail_loop();
  info.headers_only = false;
  info.original = "Subject: x\n\nno newline";
  std::string dsn = make_dsn(info);
  EXPECT_NE(dsn.find("Subject: x\n\nno newline\n\n--6B4F9e4K017006"), std::string::npos);
}

TEST(MakeDsn, NullSenderReturnPath) {
  DsnInfo info = hanmail_loop();
  info.original_sender = "";
  std::string dsn = make_dsn(info);
  EXPECT_NE(dsn.find("\n\nReturn-Path: <MAILER-DAEMON>\nReceived: from pc1"), std::string::npos);
}

TEST(MakeDsn, EightBitOriginal) {
  DsnInfo info = hanmail_loop();
  info.original += "caf\xc3\xa9\n";
  std::string dsn = make_dsn(info);
  EXPECT_NE(dsn.find("boundary=\"6B4F9e4K017006.1796396980/mail.naver.com\"\n"
                     "Content-Transfer-Encoding: 8bit\nSubject: "),
            std::string::npos);
  EXPECT_NE(dsn.find("Content-Type: text/rfc822-headers\nContent-Transfer-Encoding: 8bit\n\n"),
            std::string::npos);
}

TEST(MakeDsn, BinaryOriginal) {
  DsnInfo info = hanmail_loop();
  info.original = "Content-Transfer-Encoding: BINARY\nSubject: x\n\nbody\n";
  std::string dsn = make_dsn(info);
  EXPECT_NE(dsn.find("\nContent-Transfer-Encoding: BINARY\nSubject: Returned mail"),
            std::string::npos);
}

TEST(MakeDsn, SevenBitOriginalHasNoEncoding) {
  std::string dsn = make_dsn(kakao_loop());
  EXPECT_EQ(dsn.find("Content-Transfer-Encoding"), std::string::npos);
}

TEST(MakeDsn, DefaultStatusAndLastAttempt) {
  DsnInfo info = kakao_loop();
  info.recipients[0].status = "";
  info.recipients[0].last_attempt = 0;
  info.now = k150950 + 5;
  std::string dsn = make_dsn(info);
  EXPECT_NE(dsn.find("Status: 5.0.0\n"), std::string::npos);
  EXPECT_NE(dsn.find("Last-Attempt-Date: Fri, 4 Dec 2026 15:09:55 GMT\n"), std::string::npos);
}

TEST(MakeDsn, LocalMailerExitCode) {
  DsnInfo info = kakao_loop();
  DsnRecipient& r = info.recipients[0];
  r.address = "lee@naver.com";
  r.status = "5.1.1";
  r.remote_mta = "";
  r.remote_status = "67";
  r.diagnostic_type = "X-Unix";
  r.actual_recipient = "";
  std::string dsn = make_dsn(info);
  EXPECT_NE(dsn.find("<lee@naver.com>\n    (reason: User unknown)\n"), std::string::npos);
  EXPECT_NE(dsn.find("Diagnostic-Code: X-Unix; 67\n"), std::string::npos);
  EXPECT_EQ(dsn.find("Remote-MTA:"), std::string::npos);
  EXPECT_EQ(dsn.find("X-Actual-Recipient:"), std::string::npos);
}

TEST(MakeDsn, OptionalFieldsOmitted) {
  DsnInfo info = kakao_loop();
  info.received_from_mta = "";
  info.transcript.clear();
  std::string dsn = make_dsn(info);
  EXPECT_EQ(dsn.find("Received-From-MTA:"), std::string::npos);
  EXPECT_EQ(dsn.find("Transcript of session"), std::string::npos);
  // The empty line after the address list and the one before the next delimiter both stay.
  EXPECT_NE(dsn.find("<someone@kakao.com>\n\n\n--6B4F9odD017055"), std::string::npos);
}

TEST(MakeDsn, SeveralRecipients) {
  DsnInfo info = hanmail_loop();
  DsnRecipient second = kakao_loop().recipients[0];
  info.recipients.push_back(second);
  std::string dsn = make_dsn(info);
  EXPECT_NE(dsn.find("<someone@hanmail.net>\n    (reason: 553 5.3.5 system config error)\n"
                     "<someone@kakao.com>\n\n"),
            std::string::npos);
  EXPECT_NE(dsn.find("Last-Attempt-Date: Fri, 4 Dec 2026 15:09:40 GMT\n\n"
                     "Final-Recipient: RFC822; someone@kakao.com\n"),
            std::string::npos);
}

TEST(MakeDsn, InvalidInputsThrow) {
  DsnInfo delay_with_failure = hanmail_loop();
  delay_with_failure.kind = DsnKind::DELAY;
  EXPECT_THROW(make_dsn(delay_with_failure), std::invalid_argument);

  DsnInfo failure_without_failed = hanmail_loop();
  failure_without_failed.recipients[0].action = DsnAction::DELAYED;
  EXPECT_THROW(make_dsn(failure_without_failed), std::invalid_argument);

  DsnInfo no_recipients = hanmail_loop();
  no_recipients.recipients.clear();
  EXPECT_THROW(make_dsn(no_recipients), std::invalid_argument);

  DsnInfo no_to = hanmail_loop();
  no_to.to.clear();
  EXPECT_THROW(make_dsn(no_to), std::invalid_argument);

  DsnInfo no_queue_id = hanmail_loop();
  no_queue_id.queue_id.clear();
  EXPECT_THROW(make_dsn(no_queue_id), std::invalid_argument);
}

}  // namespace
}  // namespace mailsim::message
