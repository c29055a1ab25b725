// Message text shared across hops at the end of a whole run: a message the PC fetched over
// POP3 and the copy the server kept are the same text object, not two equal strings.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "sim/scenario.hpp"
#include "sim/world.hpp"

namespace mailsim::sim {
namespace {

const MailboxFile* find_mailbox(const RunResult& run, const std::string& host,
                                const std::string& path) {
  for (const MailboxFile& file : run.mailboxes)
    if (file.host == host && file.path == path) return &file;
  return nullptr;
}

// Returns 0 when the first message of `user`'s mbox on `host` and of the Inbox on `pc` share
// their text. Otherwise prints the broken condition and returns its non-zero code.
int check_shared(const RunResult& run, const std::string& host, const std::string& pc,
                 const std::string& user) {
  const MailboxFile* spool = find_mailbox(run, host, "/var/mail/" + user);
  const MailboxFile* inbox = find_mailbox(run, pc, "/home/" + user + "/Inbox");
  if (!spool || !inbox) {
    std::fprintf(stderr, "%s: mbox or Inbox missing\n", user.c_str());
    return 1;
  }
  if (spool->box.count() != 1 || inbox->box.count() != 1) {
    std::fprintf(stderr, "%s: %zu messages in the mbox, %zu in the Inbox, expected 1 and 1\n",
                 user.c_str(), spool->box.count(), inbox->box.count());
    return 2;
  }
  const mailbox::Content& stored = spool->box.message(0).content;
  const mailbox::Content& fetched = inbox->box.message(0).content;
  if (stored.shared.get() != fetched.shared.get()) {
    std::fprintf(stderr, "%s: the Inbox stores a copy of the mbox message's text\n", user.c_str());
    return 3;
  }
  if (stored.head != fetched.head || stored.head.rfind("Return-Path: ", 0) != 0) {
    std::fprintf(stderr, "%s: heads differ or lack Return-Path:\n%s---\n%s", user.c_str(),
                 stored.head.c_str(), fetched.head.c_str());
    return 4;
  }
  return 0;
}

// Both PCs keep their mail on the server, so each message ends the run in an mbox and in an
// Inbox. SimGrid allows one engine per process, so the run happens in a child process.
void run_webmail_and_check(const std::string& user) {
  Scenario scenario =
      load_scenario(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/naver-daum-webmail.yaml",
                    {"hosts.mail.naver.com.services.roundcube.upload_max_filesize=20M",
                     "workload.2.fetch.keep=true", "workload.3.fetch.keep=true"});
  RunResult run = run_scenario(scenario, RunOptions{});
  int status = user == "lee" ? check_shared(run, "mail.naver.com", "lee-pc.naver.com", "lee")
                             : check_shared(run, "mail.daum.net", "kim-pc.daum.net", "kim");
  std::exit(status);
}

TEST(SharedBodies, SmtpMessageInboxSharesMboxText) {
  EXPECT_EXIT(run_webmail_and_check("lee"), ::testing::ExitedWithCode(0), "");
}

TEST(SharedBodies, WebmailMessageInboxSharesMboxText) {
  EXPECT_EXIT(run_webmail_and_check("kim"), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace mailsim::sim
