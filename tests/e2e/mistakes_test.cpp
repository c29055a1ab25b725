// Each classic lab mistake, run end to end: the outcome the real Sendmail,
// BIND and Dovecot produce (described at the top of each scenario file).
#include <gtest/gtest.h>

#include "models/mailbox/mbox.hpp"
#include "tests/e2e/run_helpers.hpp"

namespace mailsim::e2e {
namespace {

std::string mistake(const std::string& name) {
  return std::string(MAILSIM_SOURCE_DIR) + "/scenarios/mistakes/" + name + ".yaml";
}

std::string last_reply(const nlohmann::json& run, const std::string& id) {
  const auto* m = find_message(run, id);
  if (!m) return "<no message " + id + ">";
  return (*m)["recipients"][0]["last_reply"].get<std::string>();
}

std::string status(const nlohmann::json& run, const std::string& id) {
  const auto* m = find_message(run, id);
  return m ? (*m)["status"].get<std::string>() : "<no message " + id + ">";
}

void expect_balance(const nlohmann::json& run) {
  const auto& b = run["balance"];
  EXPECT_EQ(b["submitted"].get<int>(),
            b["delivered"].get<int>() + b["queued"].get<int>() + b["bounced"].get<int>() + b["rejected"].get<int>());
}

// The PC's Inbox text, for checking a bounce's wording.
std::string inbox(const std::string& dir, const std::string& pc, const std::string& user) {
  return read_file(dir + "/" + pc + "/home/" + user + "/Inbox");
}

TEST(Mistakes, BoundToLocalhostLeavesMailQueued) {
  Outcome r = run_mailsim({"run", mistake("bound-to-localhost")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(status(r.json, "kim-to-lee"), "queued");
  EXPECT_EQ(last_reply(r.json, "kim-to-lee"), "Deferred: Connection refused by mail.naver.com.");
  EXPECT_EQ(r.json["queues"]["mail.daum.net"]["samples"].back()[1], 1);
  EXPECT_EQ(status(r.json, "lee-reply"), "rejected");
  expect_balance(r.json);
}

// Timeout.queuereturn's default is 5 days: run 6 with both PCs polling POP3
// every 30 s (about 35,000 sessions), and the message comes back.
TEST(Mistakes, BoundToLocalhostReturnsAfterFiveDays) {
  Outcome r = run_mailsim({"run", mistake("bound-to-localhost"), "--until", "6d"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(status(r.json, "kim-to-lee"), "bounced");
  EXPECT_EQ(r.json["queues"]["mail.daum.net"]["samples"].back()[1], 0);
  expect_balance(r.json);
}

TEST(Mistakes, MissingLocalHostNamesBounces) {
  std::string dir = temp_dir();
  Outcome r = run_mailsim({"run", mistake("missing-local-host-names"), "--mailbox-dir", dir});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(status(r.json, "kim-to-lee"), "bounced");
  EXPECT_EQ(last_reply(r.json, "kim-to-lee"), "Local configuration error");
  const auto* dsn = find_message(r.json, "kim-to-lee.dsn");
  ASSERT_NE(dsn, nullptr);
  EXPECT_EQ((*dsn)["from"], "");
  EXPECT_EQ((*dsn)["to"], nlohmann::json({"kim@daum.net", "postmaster"}));
  EXPECT_EQ((*dsn)["status"], "delivered");
  std::string kim = inbox(dir, "kim-pc.daum.net", "kim");
  EXPECT_NE(kim.find("Subject: Returned mail: see transcript for details"), std::string::npos) << kim;
  EXPECT_NE(kim.find("554 5.0.0 MX list for naver.com. points back to mail.naver.com"), std::string::npos) << kim;
  // The postmaster's copy lands in root's mailbox on mail.naver.com.
  EXPECT_NE(read_file(dir + "/mail.naver.com/var/mail/root").find("From MAILER-DAEMON  "), std::string::npos);
  expect_balance(r.json);
}

TEST(Mistakes, NoRelayLineRefusesSubmission) {
  Outcome r = run_mailsim({"run", mistake("no-relay-line")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(status(r.json, "kim-to-lee"), "rejected");
  EXPECT_EQ(last_reply(r.json, "kim-to-lee").rfind("550 5.7.1 <lee@naver.com>... Relaying denied", 0), 0u)
      << last_reply(r.json, "kim-to-lee");
  EXPECT_EQ(status(r.json, "lee-reply"), "delivered");
  expect_balance(r.json);
}

TEST(Mistakes, MxAddressLoopsBack) {
  std::string dir = temp_dir();
  Outcome r = run_mailsim({"run", mistake("mx-address-loops-back"), "--mailbox-dir", dir});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(status(r.json, "kim-to-lee"), "delivered");
  EXPECT_EQ((*find_step(r.json, "kim-to-lee", 1))["to"], "mail.naver.com");
  EXPECT_EQ(status(r.json, "lee-reply"), "bounced");
  EXPECT_EQ(last_reply(r.json, "lee-reply"), "Local configuration error");
  std::string lee = inbox(dir, "lee-pc.naver.com", "lee");
  EXPECT_NE(lee.find("553 5.3.5 mail.daum.net. config error: mail loops back to me (MX problem?)"),
            std::string::npos)
      << lee.substr(0, 3000);
  expect_balance(r.json);
}

TEST(Mistakes, MxWithoutTrailingDotBounces) {
  Outcome r = run_mailsim({"run", mistake("mx-without-trailing-dot")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(status(r.json, "kim-to-lee"), "bounced");
  EXPECT_EQ(last_reply(r.json, "kim-to-lee"),
            "Host unknown (Name server: mail.naver.com.naver.com.: host not found)");
  EXPECT_EQ(status(r.json, "kim-to-lee.dsn"), "delivered");
  EXPECT_EQ(status(r.json, "lee-reply"), "delivered");
  expect_balance(r.json);
}

TEST(Mistakes, NamedStoppedDefersUntilItReturns) {
  Outcome r = run_mailsim({"run", mistake("named-stopped")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(status(r.json, "kim-to-lee"), "delivered");
  const auto* m = find_message(r.json, "kim-to-lee");
  ASSERT_NE(m, nullptr);
  // named is back at 20 min; the -q5m queue run after that delivers.
  EXPECT_GE((*m)["delivered"].get<double>(), 20 * 60.0);
  EXPECT_LE((*m)["delivered"].get<double>(), 25 * 60.0 + 5);
  EXPECT_EQ(r.json["queues"]["mail.daum.net"]["max_depth"], 1);
  expect_balance(r.json);
}

TEST(Mistakes, WrongPasswordLeavesMailOnServer) {
  Outcome r = run_mailsim({"run", mistake("wrong-pop3-password"), "--until", "5m", "--transcript"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto* m = find_message(r.json, "kim-to-lee");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ((*m)["status"], "delivered");
  EXPECT_TRUE((*m)["retrieved"].is_null());
  EXPECT_NE(r.out.find("S: -ERR [AUTH] Authentication failed."), std::string::npos);
  expect_balance(r.json);
}

TEST(Mistakes, MailLocationShowsEmptyInbox) {
  Outcome r = run_mailsim({"run", mistake("dovecot-mail-location"), "--until", "5m", "--transcript"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto* m = find_message(r.json, "kim-to-lee");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ((*m)["status"], "delivered");
  EXPECT_TRUE((*m)["retrieved"].is_null());
  EXPECT_NE(r.out.find("mail.naver.com -> lee-pc.naver.com  S: +OK 0 0"), std::string::npos);
}

TEST(Mistakes, SendmailNotRunningRefuses) {
  Outcome r = run_mailsim({"run", mistake("sendmail-not-running"), "--until", "10m"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(status(r.json, "kim-to-lee"), "queued");
  EXPECT_EQ(last_reply(r.json, "kim-to-lee"), "Deferred: Connection refused by mail.naver.com.");
  EXPECT_EQ(status(r.json, "lee-reply"), "rejected");
  expect_balance(r.json);
}

TEST(Mistakes, HostSwitchedOffTimesOut) {
  Outcome r = run_mailsim({"run", mistake("host-switched-off"), "--until", "10m"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(status(r.json, "kim-to-lee"), "rejected");
  EXPECT_EQ(status(r.json, "lee-reply"), "queued");
  EXPECT_EQ(last_reply(r.json, "lee-reply"), "Deferred: Connection timed out with mail.daum.net.");
  // Sendmail waits for the kernel's connect timeout before deferring.
  const auto* step4 = find_step(r.json, "lee-reply", 4);
  ASSERT_NE(step4, nullptr);
  EXPECT_GE((*step4)["end"].get<double>() - (*step4)["start"].get<double>(), 127.0 - 1e-9);
  expect_balance(r.json);
}


// Timeout.queuewarn (4h by default): after the first queue run past four
// hours, kim gets a notice that the message is delayed. It stays queued.
TEST(QueueTimeouts, WarningAfterFourHours) {
  std::string dir = temp_dir();
  Outcome r = run_mailsim({"run", mistake("bound-to-localhost"), "--until", "6h", "--mailbox-dir", dir});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(status(r.json, "kim-to-lee"), "queued");
  const auto* warning = find_message(r.json, "kim-to-lee.warning");
  ASSERT_NE(warning, nullptr);
  EXPECT_EQ((*warning)["status"], "delivered");
  // Queue runs happen every hour (-q1h). Sendmail compares whole seconds, so
  // the run at 4 h already finds the message 4 h old.
  EXPECT_GE((*warning)["submitted"].get<double>(), 4 * 3600.0);
  EXPECT_LT((*warning)["submitted"].get<double>(), 4 * 3600.0 + 1);
  std::string kim = read_file(dir + "/kim-pc.daum.net/home/kim/Inbox");
  EXPECT_NE(kim.find("Subject: Warning: could not send message for past 4 hours"), std::string::npos)
      << kim.substr(0, 2000);
  expect_balance(r.json);
}

// Timeout.queuereturn: mail still deferred after it is returned to kim.
TEST(QueueTimeouts, ReturnAfterQueueReturn) {
  std::string path = write_variant(mistake("bound-to-localhost"),
                                  {{"        Cwdaum.net\n", "        Cwdaum.net\n        O Timeout.queuereturn=2h\n"}});
  ASSERT_FALSE(path.empty());
  std::string dir = temp_dir();
  Outcome r = run_mailsim({"run", path, "--until", "4h", "--mailbox-dir", dir});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(status(r.json, "kim-to-lee"), "bounced");
  const auto* dsn = find_message(r.json, "kim-to-lee.dsn");
  ASSERT_NE(dsn, nullptr);
  EXPECT_GE((*dsn)["submitted"].get<double>(), 2 * 3600.0);
  std::string kim = read_file(dir + "/kim-pc.daum.net/home/kim/Inbox");
  EXPECT_NE(kim.find("Message could not be delivered for 2 hours"), std::string::npos) << kim.substr(0, 3000);
  EXPECT_EQ(r.json["queues"]["mail.daum.net"]["samples"].back()[1], 0);
  expect_balance(r.json);
}

// RFC 5321 §5.1: when the preferred MX refuses the connection, the next
// one is tried in the same delivery attempt.
TEST(MxFallback, NextMxAfterRefusal) {
  std::string path = write_variant(lab(), {{"                IN      MX 10   mail.naver.com.\n",
                                           "                IN      MX 5    backup.naver.com.\n"
                                           "                IN      MX 10   mail.naver.com.\n"
                                           "        backup  IN      A       10.0.2.15\n"}});
  ASSERT_FALSE(path.empty());
  Outcome r = run_mailsim({"run", path});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(status(r.json, "kim-to-lee"), "delivered");
  std::vector<std::string> step4;
  for (const auto& s : find_message(r.json, "kim-to-lee")->at("steps"))
    if (s["step"] == 4) step4.push_back(s["to"].get<std::string>() + ":" + s["outcome"].get<std::string>());
  ASSERT_EQ(step4.size(), 2u);
  EXPECT_EQ(step4[0], "lee-pc.naver.com:refused");
  EXPECT_EQ(step4[1], "mail.naver.com:ok");
}


// /etc/aliases on mail.naver.com sends staff@naver.com to lee and to a
// remote address; the remote copy is forwarded, and a copy for an unknown
// remote user bounces back to the sender with Sendmail's stat= text.
TEST(Aliases, RemoteTargetIsForwarded) {
  std::string path = write_variant(
      lab(), {{"      to: [kim@daum.net]\n", "      to: [staff@naver.com, nobody@daum.net]\n"},
              {"      /etc/mail/local-host-names: |\n        # local-host-names",
               "      /etc/aliases: |\n        staff: lee, kim@daum.net\n"
               "      /etc/mail/local-host-names: |\n        # local-host-names"}});
  ASSERT_FALSE(path.empty());
  std::string dir = temp_dir();
  Outcome r = run_mailsim({"run", path, "--mailbox-dir", dir + "/mb", "--maillog", dir + "/log"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto* m = find_message(r.json, "lee-reply");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ((*m)["recipients"][0]["status"], "delivered");
  EXPECT_EQ((*m)["recipients"][1]["status"], "bounced");
  EXPECT_EQ((*m)["recipients"][1]["last_reply"], "User unknown");
  EXPECT_FALSE(r.json["stopped_by_duration"].get<bool>());
  // kim's copy came through the alias; lee's directly.
  EXPECT_NE(read_file(dir + "/mb/kim-pc.daum.net/home/kim/Inbox").find("Subject: Re: hello from daum.net"),
            std::string::npos);
  EXPECT_NE(read_file(dir + "/log").find("to=<nobody@daum.net>, ctladdr=<lee@naver.com> (1001/1001)"),
            std::string::npos);
  expect_balance(r.json);
}

TEST(Aliases, LoopBounces) {
  std::string path = write_variant(
      lab(), {{"      to: [lee@naver.com]\n", "      to: [loop1@naver.com]\n"},
              {"      /etc/mail/local-host-names: |\n        # local-host-names",
               "      /etc/aliases: |\n        loop1: loop2\n        loop2: loop1\n"
               "      /etc/mail/local-host-names: |\n        # local-host-names"}});
  ASSERT_FALSE(path.empty());
  Outcome r = run_mailsim({"run", path});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto* m = find_message(r.json, "kim-to-lee");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ((*m)["status"], "bounced");
  EXPECT_EQ((*m)["recipients"][0]["last_reply"], "aliasing/forwarding loop broken");
  EXPECT_NE(find_message(r.json, "kim-to-lee.dsn"), nullptr);
  expect_balance(r.json);
}


// /etc/mail/access beyond relaying: From: REJECT and ERROR refuse MAIL,
// To: REJECT refuses RCPT, DISCARD accepts and throws the copy away.
TEST(AccessMap, FromToAndDiscardActions) {
  // mail.daum.net's map is the one followed by its dovecot.conf and then lee's PC.
  std::string relay_line = "        10.0.2      RELAY\n";
  std::string daum_map_end = relay_line + "      /etc/dovecot/dovecot.conf: |\n"
                             "        protocols = imap pop3 lmtp\n        listen = *, ::\n"
                             "        mail_location = mbox:~/mail:INBOX=/var/mail/%u\n"
                             "        mail_access_groups = mail\n        lock_method = fcntl\n"
                             "        disable_plaintext_auth = no\n\n  lee-pc";
  std::string added = "        From:kim@daum.net   ERROR:5.7.1:550 Go away\n        To:kim@daum.net     DISCARD\n";
  std::string path = write_variant(
      lab(), {{daum_map_end, relay_line + added + daum_map_end.substr(relay_line.size())}});
  ASSERT_FALSE(path.empty());
  std::string dir = temp_dir();
  Outcome r = run_mailsim({"run", path, "--maillog", dir + "/log"});
  ASSERT_EQ(r.status, 0) << r.err;
  // kim's PC submits to mail.daum.net, whose map refuses kim's MAIL.
  const auto* kim = find_message(r.json, "kim-to-lee");
  ASSERT_NE(kim, nullptr);
  EXPECT_EQ((*kim)["status"], "rejected");
  EXPECT_EQ((*kim)["recipients"][0]["last_reply"], "550 5.7.1 Go away");
  // lee's reply reaches mail.daum.net, which accepts it and discards kim's copy.
  const auto* lee = find_message(r.json, "lee-reply");
  ASSERT_NE(lee, nullptr);
  EXPECT_EQ((*lee)["status"], "rejected");
  EXPECT_EQ((*lee)["recipients"][0]["last_reply"], "discarded by mail.daum.net's access map (DISCARD)");
  std::string log = read_file(dir + "/log");
  EXPECT_NE(log.find("ruleset=check_mail, relay=[10.0.2.25], reject=550 5.7.1 Go away"), std::string::npos) << log;
  EXPECT_NE(log.find("<kim@daum.net>... discarded by the access map"), std::string::npos) << log;
  EXPECT_FALSE(r.json["stopped_by_duration"].get<bool>());
  expect_balance(r.json);
}


// A bounce that cannot be delivered goes to the postmaster, as Sendmail's
// double bounce does; it is never returned to the null sender or lost.
TEST(Bounces, DoubleBounceGoesToPostmaster) {
  std::string path = write_variant(lab(), {{"      from: lee@naver.com\n      to: [kim@daum.net]\n",
                                            "      from: ghost@naver.com\n      to: [nobody@daum.net]\n"}});
  ASSERT_FALSE(path.empty());
  std::string dir = temp_dir();
  Outcome r = run_mailsim({"run", path, "--mailbox-dir", dir + "/mb"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(status(r.json, "lee-reply"), "bounced");
  EXPECT_EQ(status(r.json, "lee-reply.dsn"), "bounced");
  EXPECT_EQ(status(r.json, "lee-reply.dsn.double-bounce"), "delivered");
  EXPECT_NE(read_file(dir + "/mb/mail.naver.com/var/mail/root").find("To: postmaster"), std::string::npos);
  expect_balance(r.json);
}


// glibc's stub resolver with one unreachable name server waits RES_TIMEOUT
// (5 s) per try, two tries (RES_DFLRETRY): the MX lookup fails after 10 s
// and the mail is deferred, not bounced.
TEST(Resolver, DeadNameServerTakesTwoTries) {
  std::string daum_users = "    users:\n      kim: {password: kim, uid: 1001}\n    files:\n";
  std::string path = write_variant(
      lab(), {{daum_users, daum_users + "      /etc/resolv.conf: |\n        nameserver 10.0.2.99\n"}});
  ASSERT_FALSE(path.empty());
  Outcome r = run_mailsim({"run", path, "--until", "10m"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(status(r.json, "kim-to-lee"), "queued");
  const auto* step3 = find_step(r.json, "kim-to-lee", 3);
  ASSERT_NE(step3, nullptr);
  double took = (*step3)["end"].get<double>() - (*step3)["start"].get<double>();
  EXPECT_NEAR(took, 10.0, 0.01);
  EXPECT_EQ((*step3)["outcome"], "deferred");
}

}  // namespace
}  // namespace mailsim::e2e

namespace mailsim::e2e {
namespace {

// Aliases that send lee's mail to kim and kim's back to lee loop between
// the servers until MaxHopCount (25) bounces the message.
TEST(Aliases, CrossServerLoopStopsAtHopLimit) {
  std::string path = write_variant(
      lab(), {{"      /etc/mail/local-host-names: |\n        # local-host-names",
               "      /etc/aliases: |\n        lee: kim@daum.net\n      /etc/mail/local-host-names: |\n"
               "        # local-host-names"},
              {"      /etc/mail/local-host-names: |\n        daum.net\n",
               "      /etc/aliases: |\n        kim: lee@naver.com\n      /etc/mail/local-host-names: |\n        daum.net\n"}});
  ASSERT_FALSE(path.empty());
  Outcome r = run_mailsim({"run", path, "--until", "1h"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(status(r.json, "kim-to-lee"), "bounced");
  EXPECT_EQ(find_message(r.json, "kim-to-lee")->at("recipients")[0]["last_reply"], "Too many hops 26 (25 max)");
  expect_balance(r.json);
}

}  // namespace
}  // namespace mailsim::e2e
