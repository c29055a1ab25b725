#include "models/mailbox/mbox.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "models/common/error.hpp"

namespace mailsim::mailbox {
namespace {

std::string read_data(const std::string& name) {
  std::ifstream in(std::string(MAILSIM_SOURCE_DIR) + "/tests/models/mailbox/data/" + name,
                   std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Content make(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

// 2026-12-04 15:02:51 UTC, when procmail appended lee's first message in the recorded run.
constexpr std::int64_t kFirstDelivery = 1796396571;

TEST(FromLine, TwoSpacesAndAsctime) {
  EXPECT_EQ(from_line("kim@naver.com", kFirstDelivery),
            "From kim@naver.com  Fri Dec  4 15:02:51 2026\n");
}

TEST(FromLine, NullSenderIsMailerDaemon) {
  EXPECT_EQ(from_line("", kFirstDelivery), "From MAILER-DAEMON  Fri Dec  4 15:02:51 2026\n");
}

TEST(QuoteFromLines, Table) {
  struct Case {
    const char* content;
    const char* quoted;
  };
  const Case cases[] = {
      {"Subject: a\n\nFrom the desk\n", "Subject: a\n\n>From the desk\n"},
      {"Subject: a\n\n>From already quoted\n", "Subject: a\n\n>From already quoted\n"},
      {"Subject: a\n\n From with a leading space\n", "Subject: a\n\n From with a leading space\n"},
      {"Subject: a\n\nfrom lowercase\n", "Subject: a\n\nfrom lowercase\n"},
      {"Subject: a\n\nFromage\n", "Subject: a\n\nFromage\n"},
      {"From: kim@naver.com\n\nbody\n", "From: kim@naver.com\n\nbody\n"},
      {"Subject: a\n\nx\nFrom a\nFrom b", "Subject: a\n\nx\n>From a\n>From b"},
      {"Subject: no body\n", "Subject: no body\n"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(quote_from_lines(make(c.content)).flatten(), c.quoted) << c.content;
  }
}

TEST(QuoteFromLines, SharesUnchangedContent) {
  Content content = make("Subject: a\n\nnothing to quote\n");
  EXPECT_EQ(quote_from_lines(content).shared.get(), content.shared.get());
}

TEST(UnquoteFromLines, RemovesOneLevel) {
  EXPECT_EQ(unquote_from_lines("S: a\n\n>From x\n>>From y\n>From: z\n"),
            "S: a\n\nFrom x\n>>From y\n>From: z\n");
}

TEST(WriteMbox, QuotesBodyLikeProcmail) {
  // The body Sendmail handed to procmail for lee's second recorded message.
  std::string content =
      "Subject: test 2 dots and From lines\n\n"
      "From the desk of kim: this body line starts with From-space\n"
      ">From an already quoted line\n"
      "from lowercase is not special\n"
      " From with a leading space\n";
  EXPECT_EQ(write_mbox_message("kim@naver.com", kFirstDelivery + 10, content),
            "From kim@naver.com  Fri Dec  4 15:03:01 2026\n"
            "Subject: test 2 dots and From lines\n\n"
            ">From the desk of kim: this body line starts with From-space\n"
            ">From an already quoted line\n"
            "from lowercase is not special\n"
            " From with a leading space\n\n");
}

TEST(WriteMbox, AddsMissingFinalNewline) {
  EXPECT_EQ(write_mbox_message("a@b", kFirstDelivery, "Subject: x\n\nno newline"),
            "From a@b  Fri Dec  4 15:02:51 2026\nSubject: x\n\nno newline\n\n");
}

TEST(ParseMbox, RecordedProcmailFile) {
  MboxFile file = parse_mbox(read_data("lee.after-smtp-phase.mbox"), "lee");
  ASSERT_EQ(file.messages.size(), 4u);
  EXPECT_EQ(file.uid_validity, 0u);
  EXPECT_EQ(file.pseudo_message, "");
  EXPECT_EQ(file.messages[0].envelope_sender, "kim@naver.com");
  EXPECT_EQ(file.messages[0].date, "Fri Dec  4 15:02:51 2026");
  EXPECT_EQ(file.messages[3].envelope_sender, "root@naver.com");
  const std::string& first = *file.messages[0].content;
  EXPECT_EQ(first.substr(0, 29), "Return-Path: <kim@naver.com>\n");
  EXPECT_EQ(first.substr(first.size() - 40), "\nHello lee,\nthis is message number one.\n");
  // The last message runs from the line after its `From ` line to the separating empty line.
  std::string text = read_data("lee.after-smtp-phase.mbox");
  std::size_t start = text.find('\n', text.find("From root@naver.com")) + 1;
  EXPECT_EQ(*file.messages[3].content, text.substr(start, text.size() - start - 1));
}

TEST(ParseMbox, MovesDovecotFieldsOut) {
  MboxFile before = parse_mbox(read_data("lee.after-smtp-phase.mbox"), "before");
  MboxFile after = parse_mbox(read_data("lee.after-pop3-dele.mbox"), "after");
  ASSERT_EQ(after.messages.size(), 3u);
  EXPECT_EQ(after.uid_validity, 1796397139u);
  EXPECT_EQ(after.last_uid, 4u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(*after.messages[i].content, *before.messages[i + 1].content) << i;
    EXPECT_EQ(after.messages[i].dovecot.uid, i + 2) << i;
    EXPECT_EQ(after.messages[i].dovecot.status, "O") << i;
  }
  EXPECT_EQ(after.messages[0].dovecot.uid_padding, 6u);
  EXPECT_EQ(after.messages[1].dovecot.uid_padding, 40u);
  EXPECT_TRUE(after.messages[0].dovecot.has(DovecotHeader::X_IMAPBASE));
  EXPECT_FALSE(after.messages[1].dovecot.has(DovecotHeader::X_IMAPBASE));
}

TEST(ParseMbox, HidesPseudoMessage) {
  MboxFile file = parse_mbox(read_data("lee.after-pop3-dele-all.mbox"), "lee");
  EXPECT_EQ(file.messages.size(), 0u);
  EXPECT_EQ(file.uid_validity, 1796405031u);
  EXPECT_EQ(file.last_uid, 4u);
  EXPECT_EQ(file.pseudo_message, read_data("lee.after-pop3-dele-all.mbox"));
}

TEST(ParseMbox, EmptyFileHasNoMessages) {
  EXPECT_EQ(parse_mbox("", "x").messages.size(), 0u);
}

TEST(ParseMbox, RejectsFileWithoutFromLine) {
  for (const char* text :
       {"Subject: x\n\nbody\n", "\nFrom a  Fri Dec  4 15:02:51 2026\n", ">From x"}) {
    try {
      parse_mbox(text, "/var/mail/lee");
      ADD_FAILURE() << "accepted: " << text;
    } catch (const InputError& error) {
      EXPECT_EQ(error.pos().line, 1) << text;
      EXPECT_EQ(std::string(error.what()),
                "/var/mail/lee:1:1: not an mbox file: the first line must start with \"From \"");
    }
  }
}

TEST(ParseMbox, ReadsWhatWriterWrites) {
  // Bodies without a `>From ` line come back unchanged after unquoting.
  const char* contents[] = {
      "Subject: a\n\nFrom the start\nmiddle\nFrom again\n",
      "Subject: b\n\n.\n..\n.leading dot\n",
      "Subject: c\n\n\n\nblank lines around\n\n",
      "Subject: d\n\n from and from\n",
      "Subject: e\n",
  };
  std::string file;
  for (const char* content : contents) file += write_mbox_message("x@y", kFirstDelivery, content);
  MboxFile parsed = parse_mbox(file, "round-trip");
  ASSERT_EQ(parsed.messages.size(), std::size(contents));
  for (std::size_t i = 0; i < std::size(contents); ++i) {
    EXPECT_EQ(unquote_from_lines(*parsed.messages[i].content), contents[i]) << i;
    EXPECT_EQ(parsed.messages[i].envelope_sender, "x@y") << i;
  }
}

TEST(ParseMbox, QuotedFormSurvivesRoundTrip) {
  // mboxo cannot tell `From ` from `>From ` after quoting, so the quoted form is what stays.
  std::string content = "Subject: a\n\n>From quoted\nFrom plain\n";
  MboxFile parsed = parse_mbox(write_mbox_message("x@y", 0, content), "x");
  ASSERT_EQ(parsed.messages.size(), 1u);
  EXPECT_EQ(*parsed.messages[0].content, "Subject: a\n\n>From quoted\n>From plain\n");
}

TEST(ParseMbox, MissingFinalNewlineGainsOne) {
  MboxFile parsed = parse_mbox(write_mbox_message("x@y", 0, "Subject: a\n\nlast"), "x");
  ASSERT_EQ(parsed.messages.size(), 1u);
  EXPECT_EQ(*parsed.messages[0].content, "Subject: a\n\nlast\n");
}

TEST(ParseMbox, PythonMailboxReadsWriterOutput) {
  std::string path = ::testing::TempDir() + "mailsim_writer.mbox";
  {
    std::ofstream out(path, std::ios::binary);
    out << write_mbox_message("kim@naver.com", kFirstDelivery, "Subject: one\n\nFrom here\n.\n");
    out << write_mbox_message("", kFirstDelivery + 1, "Subject: two\n\nbody\n");
  }
  std::string command =
      "python3 -c \"import mailbox,sys; m=mailbox.mbox(sys.argv[1]); "
      "print(len(m), m[0].get_from(), m[1].get_from(), repr(m[0].get_payload()))\" " +
      path + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buffer[512] = {};
  std::string output;
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  int status = pclose(pipe);
  std::remove(path.c_str());
  if (status != 0 && output.empty()) GTEST_SKIP() << "python3 is not available";
  EXPECT_EQ(output,
            "2 kim@naver.com  Fri Dec  4 15:02:51 2026 MAILER-DAEMON  Fri Dec  4 15:02:52 2026 "
            "'>From here\\n.\\n'\n");
}

}  // namespace
}  // namespace mailsim::mailbox
