#include "models/mailbox/mailbox.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace mailsim::mailbox {
namespace {

std::string read_data(const std::string& name) {
  std::ifstream in(std::string(MAILSIM_SOURCE_DIR) + "/tests/models/mailbox/data/" + name,
                   std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// UIDVALIDITY Dovecot chose when lee first logged in during the recorded run (15:12:19 UTC).
constexpr std::uint32_t kUidValidity = 1796397139;

// lee's mailbox as procmail left it: four deliveries with their recorded `From ` line times.
Mailbox delivered_mailbox() {
  MboxFile file = parse_mbox(read_data("lee.after-smtp-phase.mbox"), "lee");
  const std::int64_t times[] = {1796396571, 1796396581, 1796396584, 1796396963};
  Mailbox mailbox;
  for (std::size_t i = 0; i < file.messages.size(); ++i) {
    mailbox.deliver(file.messages[i].envelope_sender, times[i], file.messages[i].content);
  }
  return mailbox;
}

// The same deliveries with each message's first header line (procmail's Return-Path:) in the
// head and the rest shared, as the local mailer hands them over.
Mailbox split_mailbox() {
  MboxFile file = parse_mbox(read_data("lee.after-smtp-phase.mbox"), "lee");
  const std::int64_t times[] = {1796396571, 1796396581, 1796396584, 1796396963};
  Mailbox mailbox;
  for (std::size_t i = 0; i < file.messages.size(); ++i) {
    const std::string& text = *file.messages[i].content;
    std::size_t first_line = text.find('\n') + 1;
    Content content(text.substr(0, first_line),
                    std::make_shared<const std::string>(text.substr(first_line)));
    mailbox.deliver(file.messages[i].envelope_sender, times[i], content);
  }
  return mailbox;
}

std::size_t count_lines(const std::string& text, const std::string& line) {
  std::size_t count = 0;
  for (std::size_t pos = text.find("\n" + line + "\n"); pos != std::string::npos;
       pos = text.find("\n" + line + "\n", pos + 1)) {
    ++count;
  }
  return count;
}

TEST(Mailbox, DeliveriesRenderAsProcmailWrote) {
  EXPECT_EQ(delivered_mailbox().render(), read_data("lee.after-smtp-phase.mbox"));
}

TEST(Mailbox, SizesCountCrlf) {
  // Dovecot's LIST of this mailbox in the recorded session.
  Mailbox mailbox = delivered_mailbox();
  const std::uint64_t sizes[] = {441, 659, 421, 390};
  ASSERT_EQ(mailbox.count(), 4u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(mailbox.message(i).size, sizes[i]) << i;
}

TEST(Mailbox, DeliverySharesContent) {
  Mailbox mailbox;
  auto content = std::make_shared<const std::string>("Subject: big\n\nno From line\n");
  mailbox.deliver("kim@naver.com", 0, content);
  EXPECT_EQ(mailbox.message(0).content.shared.get(), content.get());
}

TEST(Mailbox, DeliveryQuotesAndTerminates) {
  Mailbox mailbox;
  mailbox.deliver("", 0, std::make_shared<const std::string>("Subject: x\n\nFrom y"));
  EXPECT_EQ(mailbox.message(0).content.flatten(), "Subject: x\n\n>From y\n");
  EXPECT_EQ(mailbox.message(0).envelope_sender, "MAILER-DAEMON");
}

TEST(Mailbox, OpenWritesUidsWithPadding) {
  Mailbox mailbox = delivered_mailbox();
  mailbox.open(kUidValidity);
  std::string text = mailbox.render();
  // Dovecot 2.3.19.1 grew this file from 2043 to 2313 bytes at login: X-IMAPbase (34 bytes)
  // plus four `X-UID: n` lines with 50 spaces each.
  EXPECT_EQ(text.size(), 2313u);
  EXPECT_EQ(count_lines(text, "X-IMAPbase: 1796397139 0000000004"), 1u);
  EXPECT_EQ(count_lines(text, "X-UID: 3" + std::string(50, ' ')), 1u);
  EXPECT_EQ(text.find("Status:"), std::string::npos);
  EXPECT_EQ(mailbox.message(3).dovecot.uid, 4u);
  EXPECT_EQ(mailbox.message(3).size, 390u);
}

TEST(Mailbox, DeleteFirstMatchesDovecot) {
  Mailbox mailbox = delivered_mailbox();
  mailbox.open(kUidValidity);
  mailbox.set_deleted(1, true);
  EXPECT_EQ(mailbox.commit(1796397147, "mail"), 1u);
  EXPECT_EQ(mailbox.render(), read_data("lee.after-pop3-dele.mbox"));
}

// A head in front of the shared text renders the bytes Dovecot wrote for the whole text.
TEST(Mailbox, SplitContentMatchesRecordings) {
  Mailbox delivered = split_mailbox();
  EXPECT_EQ(delivered.render(), read_data("lee.after-smtp-phase.mbox"));
  Mailbox opened = split_mailbox();
  opened.open(kUidValidity);
  opened.set_deleted(1, true);
  EXPECT_EQ(opened.commit(1796397147, "mail"), 1u);
  EXPECT_EQ(opened.render(), read_data("lee.after-pop3-dele.mbox"));
  for (std::size_t i = 0; i < opened.count(); ++i) {
    EXPECT_FALSE(opened.message(i).content.head.empty()) << i;
  }
}

// Each case splits one message into head and shared text; Dovecot's fields must land where
// they land in the undivided text.
TEST(Mailbox, SplitContentTable) {
  struct Case {
    const char* head;
    const char* shared;
  };
  const Case cases[] = {
      {"", "Subject: a\n\nbody\n"},
      {"Return-Path: <kim@daum.net>\n", "Subject: a\n\nbody\n"},
      {"Return-Path: <kim@daum.net>\n", "\nbody only\n"},
      {"Return-Path: <kim@daum.net>\n", ""},
      {"Return-Path: <kim@daum.net>\n", "Subject: no body\n"},
      {"Return-Path: <kim@daum.net>\n", "Subject: a\n\nFrom quoted\n"},
      {"", "\nno header\n"},
  };
  for (const Case& c : cases) {
    std::string whole = std::string(c.head) + c.shared;
    Mailbox split;
    split.deliver("kim@daum.net", 0,
                  Content(c.head, std::make_shared<const std::string>(c.shared)));
    Mailbox flat;
    flat.deliver("kim@daum.net", 0, std::make_shared<const std::string>(whole));
    EXPECT_EQ(split.message(0).size, flat.message(0).size) << whole;
    split.open(kUidValidity);
    flat.open(kUidValidity);
    EXPECT_EQ(split.render(), flat.render()) << whole;
    std::string pieces;
    split.write([&pieces](std::string_view piece) { pieces += piece; });
    EXPECT_EQ(pieces, flat.render()) << whole;
  }
}

// Two recipients' mailboxes get one queued message: each stores its own Return-Path: in front
// of the same text object.
TEST(Mailbox, DeliveriesShareQueuedText) {
  auto queued = std::make_shared<const std::string>("Subject: big\n\nno From line\n");
  Content message("Received: from mail.daum.net\n", queued);
  Mailbox lee;
  Mailbox kim;
  lee.deliver("kim@daum.net", 0, message.with_head("Return-Path: <kim@daum.net>\n"));
  kim.deliver("kim@daum.net", 0, message.with_head("Return-Path: <kim@daum.net>\n"));
  EXPECT_EQ(lee.message(0).content.shared.get(), queued.get());
  EXPECT_EQ(kim.message(0).content.shared.get(), queued.get());
  EXPECT_EQ(lee.message(0).content.head,
            "Return-Path: <kim@daum.net>\nReceived: from mail.daum.net\n");
}

TEST(Mailbox, DeleteAllLeavesPseudoMessage) {
  // Expected bytes written by Dovecot 2.3.19.1 on host "vm" at 1796405031.
  Mailbox mailbox = delivered_mailbox();
  mailbox.open(1796405031);
  for (std::uint32_t uid = 1; uid <= 4; ++uid) mailbox.set_deleted(uid, true);
  EXPECT_EQ(mailbox.commit(1796405031, "vm"), 4u);
  EXPECT_EQ(mailbox.count(), 0u);
  EXPECT_EQ(mailbox.render(), read_data("lee.after-pop3-dele-all.mbox"));
}

TEST(Mailbox, PseudoMessageTracksLastUid) {
  Mailbox mailbox = Mailbox::from_mbox(read_data("lee.after-pop3-dele-all.mbox"), "lee");
  mailbox.deliver("kim@naver.com", 1796397000, std::make_shared<const std::string>("S: a\n\nb\n"));
  mailbox.open(1);
  std::string text = mailbox.render();
  EXPECT_EQ(mailbox.uid_validity(), 1796405031u);
  EXPECT_EQ(count_lines(text, "X-IMAP: 1796405031 0000000005"), 1u);
  EXPECT_EQ(count_lines(text, "X-UID: 5" + std::string(50, ' ')), 1u);
  EXPECT_EQ(text.find("X-IMAPbase"), std::string::npos);
}

TEST(Mailbox, SeenOnlyRewritesThatMessage) {
  Mailbox mailbox = delivered_mailbox();
  mailbox.open(kUidValidity);
  mailbox.set_seen(1, true);
  EXPECT_EQ(mailbox.commit(0, "mail"), 0u);
  // Dovecot takes `Status: RO` (11 bytes) from the 50 spaces and leaves the others alone.
  EXPECT_EQ(mailbox.message(0).dovecot.uid_padding, 39u);
  EXPECT_EQ(mailbox.message(0).dovecot.status, "RO");
  EXPECT_EQ(mailbox.message(1).dovecot.uid_padding, 50u);
  EXPECT_EQ(mailbox.message(1).dovecot.status, "");
  EXPECT_EQ(mailbox.render().size(), 2313u);
}

TEST(Mailbox, DeleteLastKeepsMiddleUntouched) {
  Mailbox mailbox = delivered_mailbox();
  mailbox.open(kUidValidity);
  mailbox.set_deleted(4, true);
  mailbox.commit(0, "mail");
  ASSERT_EQ(mailbox.count(), 3u);
  EXPECT_EQ(mailbox.message(0).dovecot.status, "O");
  EXPECT_EQ(mailbox.message(0).dovecot.uid_padding, 40u);
  EXPECT_EQ(mailbox.message(2).dovecot.status, "");
  EXPECT_EQ(mailbox.render().size(), 1828u);  // the size Dovecot 2.3.19.1 left
}

TEST(Mailbox, DeleteMiddleRewritesFollowing) {
  Mailbox mailbox = delivered_mailbox();
  mailbox.open(kUidValidity);
  mailbox.set_deleted(2, true);
  mailbox.commit(0, "mail");
  ASSERT_EQ(mailbox.count(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(mailbox.message(i).dovecot.status, "O") << i;
    EXPECT_EQ(mailbox.message(i).dovecot.uid_padding, 40u) << i;
  }
  EXPECT_EQ(mailbox.render().size(), 1568u);  // the size Dovecot 2.3.19.1 left
}

TEST(Mailbox, NewFirstMessageMovesUidAfterImapBase) {
  // After the recorded deletion a fifth message arrives; lee then deletes UID 2. Dovecot
  // 2.3.19.1 wrote `Status: O`, `X-IMAPbase`, `X-UID: 3` + 6 spaces into the new first message.
  // The fifth message is a copy of the first, delivered at 15:20:00.
  Mailbox mailbox = Mailbox::from_mbox(read_data("lee.after-pop3-dele.mbox"), "lee");
  MboxFile original = parse_mbox(read_data("lee.after-smtp-phase.mbox"), "lee");
  mailbox.deliver("kim@naver.com", 1796397600, original.messages[0].content);
  mailbox.open(1);
  EXPECT_EQ(mailbox.message(3).dovecot.uid, 5u);
  mailbox.set_deleted(2, true);
  mailbox.commit(0, "mail");
  const DovecotFields& first = mailbox.message(0).dovecot;
  std::vector<DovecotHeader> order{DovecotHeader::STATUS, DovecotHeader::X_IMAPBASE,
                                   DovecotHeader::X_UID};
  EXPECT_EQ(first.order, order);
  EXPECT_EQ(first.uid_padding, 6u);
  EXPECT_EQ(mailbox.message(2).dovecot.uid_padding, 40u);
  EXPECT_EQ(mailbox.render().size(), 1534u);  // the size Dovecot 2.3.19.1 left
}

TEST(Mailbox, CommitWithoutChangesKeepsFile) {
  Mailbox mailbox = delivered_mailbox();
  mailbox.open(kUidValidity);
  std::string before = mailbox.render();
  mailbox.set_deleted(2, true);
  mailbox.rollback();
  EXPECT_EQ(mailbox.commit(0, "mail"), 0u);
  EXPECT_EQ(mailbox.render(), before);
}

TEST(Mailbox, RenderOfLoadedFileIsIdentical) {
  for (const char* name : {"lee.after-smtp-phase.mbox", "lee.after-pop3-dele.mbox",
                           "kim.after-smtp-phase.mbox", "lee.after-pop3-dele-all.mbox"}) {
    EXPECT_EQ(Mailbox::from_mbox(read_data(name), name).render(), read_data(name)) << name;
  }
}

TEST(Mailbox, UnknownUidThrows) {
  Mailbox mailbox = delivered_mailbox();
  mailbox.open(kUidValidity);
  EXPECT_THROW(mailbox.set_deleted(9, true), std::out_of_range);
}

}  // namespace
}  // namespace mailsim::mailbox
