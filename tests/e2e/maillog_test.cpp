// The mail log and the queue listing, as the real Sendmail and Dovecot
// write them, checked against the run's own JSON.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "tests/e2e/run_helpers.hpp"

namespace mailsim::e2e {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(Maillog, SendmailAndDovecotLines) {
  std::string dir = temp_dir();
  Outcome r = run_mailsim({"run", lab(), "--maillog", dir + "/maillog"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto lines = lines_of(read_file(dir + "/maillog"));
  ASSERT_FALSE(lines.empty());

  // Traditional syslog stamp, full host name, program[pid].
  const std::regex stamp(R"(^Dec  4 \d\d:\d\d:\d\d (mail\.naver\.com|mail\.daum\.net) (sendmail\[\d+\]|dovecot): .+$)");
  for (const auto& l : lines) EXPECT_TRUE(std::regex_match(l, stamp)) << l;

  // The first hop logs the size the client sent (the JSON's message size).
  const auto* kim = find_message(r.json, "kim-to-lee");
  ASSERT_NE(kim, nullptr);
  std::string size = "size=" + std::to_string((*kim)["size"].get<long>()) + ", class=0, nrcpts=1, msgid=<";
  int from_lines = 0, esmtp_sent = 0, local_sent = 0, logins = 0, logouts = 0;
  for (const auto& l : lines) {
    if (l.find("mail.daum.net sendmail") != std::string::npos && l.find("from=<kim@daum.net>, " + size) != std::string::npos &&
        l.find("proto=ESMTP, daemon=MTA, relay=[10.0.2.25]") != std::string::npos)
      ++from_lines;
    if (l.find("to=<lee@naver.com>, ctladdr=<kim@daum.net> (1001/1001), delay=") != std::string::npos &&
        l.find("mailer=esmtp, pri=30165, relay=mail.naver.com. [10.0.2.100], dsn=2.0.0, stat=Sent (") != std::string::npos)
      ++esmtp_sent;
    if (l.find("mail.naver.com sendmail") != std::string::npos && l.find("to=<lee@naver.com>, delay=") != std::string::npos &&
        l.find("mailer=local") != std::string::npos && l.find("dsn=2.0.0, stat=Sent") != std::string::npos)
      ++local_sent;
    if (l.find("dovecot: pop3-login: Login: user=<lee>, method=PLAIN, rip=10.0.2.15, lip=10.0.2.100, mpid=") !=
        std::string::npos)
      ++logins;
    if (std::regex_search(l, std::regex(R"(dovecot: pop3\(lee\)<\d+><[A-Za-z0-9+/]{16}>: Disconnected: Logged out top=0/0, retr=1/\d+, del=1/1, size=\d+)")))
      ++logouts;
  }
  EXPECT_EQ(from_lines, 1);
  EXPECT_EQ(esmtp_sent, 1);
  EXPECT_EQ(local_sent, 1);
  EXPECT_GE(logins, 1);
  EXPECT_EQ(logouts, 1);
}

TEST(Maillog, RejectAndDeferralLines) {
  std::string dir = temp_dir();
  Outcome r = run_mailsim({"run", std::string(MAILSIM_SOURCE_DIR) + "/scenarios/mistakes/no-relay-line.yaml",
                           "--maillog", dir + "/maillog"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::string log = read_file(dir + "/maillog");
  EXPECT_TRUE(std::regex_search(
      log, std::regex(R"(mail\.daum\.net sendmail\[\d+\]: \w{14}: ruleset=check_rcpt, arg1=<lee@naver\.com>, relay=\[10\.0\.2\.25\], reject=550 5\.7\.1 <lee@naver\.com>\.\.\. Relaying denied)")))
      << log;

  Outcome q = run_mailsim({"run", std::string(MAILSIM_SOURCE_DIR) + "/scenarios/mistakes/bound-to-localhost.yaml",
                           "--until", "2h", "--maillog", dir + "/maillog2"});
  ASSERT_EQ(q.status, 0) << q.err;
  std::string log2 = read_file(dir + "/maillog2");
  // The first attempt and the hourly retries; pri grows by 90000 each time.
  EXPECT_NE(log2.find("mailer=esmtp, pri=30165, relay=mail.naver.com. [10.0.2.100], dsn=4.4.1, stat=Deferred: "
                      "Connection refused by mail.naver.com."),
            std::string::npos)
      << log2;
  EXPECT_NE(log2.find("pri=120165, relay=mail.naver.com. [10.0.2.100], dsn=4.4.1"), std::string::npos) << log2;
  EXPECT_NE(log2.find("delay=01:00:00"), std::string::npos) << log2;
}

TEST(Mailq, ListsDeferredMessage) {
  Outcome r = run_mailsim({"mailq", std::string(MAILSIM_SOURCE_DIR) + "/scenarios/mistakes/bound-to-localhost.yaml",
                           "--host", "mail.daum.net", "--at", "90m"},
                          false);
  ASSERT_EQ(r.status, 0) << r.err;
  auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 6u) << r.out;
  EXPECT_EQ(lines[0], "\t\t/var/spool/mqueue (1 request)");
  EXPECT_EQ(lines[1], "-----Q-ID----- --Size-- -----Q-Time----- ------------Sender/Recipient-----------");
  EXPECT_TRUE(std::regex_match(lines[2], std::regex(R"(\w{14}\s+\d+ Fri Dec  4 17:08 <kim@daum\.net>)"))) << lines[2];
  EXPECT_EQ(lines[3], "                 (Deferred: Connection refused by mail.naver.com.)");
  EXPECT_EQ(lines[4], "\t\t\t\t\t <lee@naver.com>");
  EXPECT_EQ(lines[5], "\t\tTotal requests: 1");
}

TEST(Mailq, EmptyAfterDelivery) {
  Outcome r = run_mailsim({"mailq", lab(), "--host", "mail.daum.net", "--at", "1m"}, false);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "\t\t/var/spool/mqueue is empty\n\t\tTotal requests: 0\n");
}

TEST(Mailq, UnknownHostIsAnError) {
  Outcome r = run_mailsim({"mailq", lab(), "--host", "lee-pc.naver.com", "--at", "1m"}, false);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "--host: lee-pc.naver.com runs no Sendmail, so it has no mail queue\n");
}

}  // namespace
}  // namespace mailsim::e2e
