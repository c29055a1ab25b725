#include "models/smtp/client_session.hpp"

#include <gtest/gtest.h>

#include "recorded_sessions.hpp"
#include "server_fixture.hpp"

namespace mailsim::smtp::testing {
namespace {

// The queued text mail.daum.net relayed to mail.naver.com.
const char kQueuedKimMessage[] =
    "Received: from kim-pc.daum.net ([127.0.111.22])\n"
    "\tby mail.daum.net (8.17.1.9/8.17.1.9/Debian-2+deb12u2) with ESMTP id 6B4H87qM031312\n"
    "\tfor <lee@naver.com>; Fri, 4 Dec 2026 17:08:09 GMT\n"
    "Date: Fri, 4 Dec 2026 17:08:07 GMT\n"
    "Message-Id: <202612041708.6B4H87qM031312@mail.daum.net>\n"
    "From: kim@daum.net\n"
    "To: lee@naver.com\n"
    "Subject: hello from daum.net\n"
    "\n"
    "Hi lee,\n"
    "this message went from kim's PC to mail.daum.net and from there to mail.naver.com.\n"
    "-- kim\n";

const char kKimMessage[] =
    "From: kim@daum.net\n"
    "To: lee@naver.com\n"
    "Subject: hello from daum.net\n"
    "\n"
    "Hi lee,\n"
    "this message went from kim's PC to mail.daum.net and from there to mail.naver.com.\n"
    "-- kim\n";

Transaction transaction(std::string from, std::vector<std::string> to, std::string text,
                        std::uint64_t size = 0) {
  return {
      {std::move(from), std::move(to)}, std::make_shared<const std::string>(std::move(text)), size};
}

// Plays the server side of a transcript against the client and checks every
// client write against the recording.
void replay(ClientSession& client, const Transcript& t, const char* name) {
  std::string written = client.feed(t.greeting);
  for (std::size_t i = 0; i < t.client_writes.size(); ++i) {
    // The recorded client wrote the message and its final dot together in
    // one write here, so consecutive C: groups are compared as one stream.
    EXPECT_EQ(written, t.client_writes[i]) << name << " write " << i;
    written = i < t.server_replies.size() ? client.feed(t.server_replies[i]) : "";
  }
  EXPECT_EQ(written, "") << name;
}

TEST(ClientReplay, SendmailRelayHop) {
  ClientSession client({"mail.daum.net", ClientStyle::MTA},
                       {transaction("kim@daum.net", {"lee@naver.com"}, kQueuedKimMessage, 165)});
  replay(client, parse_transcript(kPH1B), "ph1b");
  EXPECT_TRUE(client.done());
  ASSERT_EQ(client.results().size(), 1u);
  const TransactionResult& r = client.results()[0];
  EXPECT_TRUE(r.delivered());
  EXPECT_EQ(r.data_reply.text, "6B4H8Age031315 Message accepted for delivery");
  EXPECT_EQ(r.recipients[0].reply.code, 250);
  EXPECT_EQ(client.extensions().count("PIPELINING"), 1u);
}

TEST(ClientReplay, MuaSubmission) {
  ClientSession client({"kim-pc.daum.net", ClientStyle::MUA},
                       {transaction("kim@daum.net", {"lee@naver.com"}, kKimMessage)});
  replay(client, parse_transcript(kPH1A), "ph1a");
  EXPECT_TRUE(client.done());
  EXPECT_TRUE(client.results()[0].delivered());
}

const char kEhloReply[] =
    "250-mail.naver.com Hello [127.0.111.200], pleased to meet you\r\n"
    "250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE\r\n250 HELP\r\n";
const char kBanner[] = "220 mail.naver.com ESMTP Sendmail 8.17.1.9/8.17.1.9; x\r\n";

TEST(ClientMta, RecipientsReversedInOneWrite) {
  ClientSession client({"mail.daum.net", ClientStyle::MTA},
                       {transaction("kim@daum.net", {"lee@naver.com", "postmaster@naver.com"},
                                    "Subject: a\n\nb\n", 151)});
  client.feed(kBanner);
  EXPECT_EQ(client.feed(kEhloReply), "MAIL From:<kim@daum.net> SIZE=151\r\n");
  EXPECT_EQ(client.feed("250 2.1.0 <kim@daum.net>... Sender ok\r\n"),
            "RCPT To:<postmaster@naver.com>\r\nRCPT To:<lee@naver.com>\r\nDATA\r\n");
  EXPECT_EQ(client.feed("250 2.1.5 <postmaster@naver.com>... Recipient ok\r\n"
                        "550 5.1.1 <lee@naver.com>... User unknown\r\n"
                        "354 End data with <CR><LF>.<CR><LF>\r\n"),
            "Subject: a\r\n\r\nb\r\n.\r\n");
  EXPECT_EQ(client.feed("250 2.0.0 6B4H8Age031315 Message accepted for delivery\r\n"), "QUIT\r\n");
  const TransactionResult& r = client.results()[0];
  // Results stay in envelope order.
  EXPECT_EQ(r.recipients[0].address, "lee@naver.com");
  EXPECT_EQ(r.recipients[0].reply.code, 550);
  EXPECT_EQ(r.recipients[0].reply.enhanced, "5.1.1");
  EXPECT_TRUE(r.recipients[1].accepted());
  EXPECT_TRUE(r.delivered());
}

TEST(ClientMta, WithoutPipeliningWaitsPerCommand) {
  ClientSession client({"mail.daum.net", ClientStyle::MTA},
                       {transaction("", {"a@naver.com", "b@naver.com"}, "x\n")});
  client.feed(kBanner);
  EXPECT_EQ(client.feed("250-mail.naver.com Hello\r\n250 SIZE 10000\r\n"),
            "MAIL From:<> SIZE=2\r\n");
  EXPECT_EQ(client.feed("250 ok\r\n"), "RCPT To:<b@naver.com>\r\n");
  EXPECT_EQ(client.feed("250 ok\r\n"), "RCPT To:<a@naver.com>\r\n");
  EXPECT_EQ(client.feed("250 ok\r\n"), "DATA\r\n");
}

TEST(ClientMta, RsetBetweenTransactions) {
  ClientSession client({"mail.daum.net", ClientStyle::MTA},
                       {transaction("a@daum.net", {"x@naver.com"}, "1\n", 2),
                        transaction("b@daum.net", {"y@naver.com"}, "2\n", 2)});
  client.feed(kBanner);
  client.feed(kEhloReply);
  client.feed("250 ok\r\n");
  client.feed("250 ok\r\n354 go\r\n");
  EXPECT_EQ(client.feed("250 2.0.0 Q1 Message accepted for delivery\r\n"), "RSET\r\n");
  EXPECT_EQ(client.feed("250 2.0.0 Reset state\r\n"), "MAIL From:<b@daum.net> SIZE=2\r\n");
  client.feed("250 ok\r\n");
  client.feed("250 ok\r\n354 go\r\n");
  EXPECT_EQ(client.feed("250 2.0.0 Q2 Message accepted for delivery\r\n"), "QUIT\r\n");
  EXPECT_EQ(client.feed("221 2.0.0 bye\r\n"), "");
  EXPECT_TRUE(client.done());
  EXPECT_TRUE(client.results()[0].delivered());
  EXPECT_TRUE(client.results()[1].delivered());
}

// Sendmail's connection cache: the connection stays open after the
// transaction, and the next message on it starts with RSET.
TEST(ClientMta, KeptOpenForTheConnectionCache) {
  ClientSession client({"mail.daum.net", ClientStyle::MTA, true},
                       {transaction("a@daum.net", {"x@naver.com"}, "1\n", 2)});
  client.feed(kBanner);
  client.feed(kEhloReply);
  client.feed("250 ok\r\n");
  client.feed("250 ok\r\n354 go\r\n");
  EXPECT_EQ(client.feed("250 2.0.0 Q1 Message accepted for delivery\r\n"), "");
  EXPECT_TRUE(client.idle());
  EXPECT_FALSE(client.done());
  EXPECT_EQ(client.add_transaction(transaction("b@daum.net", {"y@naver.com"}, "2\n", 2)), "RSET\r\n");
  EXPECT_EQ(client.feed("250 2.0.0 Reset state\r\n"), "MAIL From:<b@daum.net> SIZE=2\r\n");
  client.feed("250 ok\r\n");
  client.feed("250 ok\r\n354 go\r\n");
  EXPECT_EQ(client.feed("250 2.0.0 Q2 Message accepted for delivery\r\n"), "");
  ASSERT_EQ(client.results().size(), 2u);
  EXPECT_TRUE(client.results()[1].delivered());
  EXPECT_EQ(client.quit(), "QUIT\r\n");
  EXPECT_EQ(client.feed("221 2.0.0 bye\r\n"), "");
  EXPECT_TRUE(client.done());
}

// A cached connection the server has given up on fails at RSET, and the
// client quits it.
TEST(ClientMta, CachedConnectionFailingRset) {
  ClientSession client({"mail.daum.net", ClientStyle::MTA, true},
                       {transaction("a@daum.net", {"x@naver.com"}, "1\n", 2)});
  client.feed(kBanner);
  client.feed(kEhloReply);
  client.feed("250 ok\r\n");
  client.feed("250 ok\r\n354 go\r\n");
  client.feed("250 2.0.0 Q1 Message accepted for delivery\r\n");
  client.add_transaction(transaction("b@daum.net", {"y@naver.com"}, "2\n", 2));
  // RFC 5321 section 3.8: after a 421 the server closes the connection.
  EXPECT_EQ(client.feed("421 4.4.2 mail.naver.com timeout waiting for input\r\n"), "");
  EXPECT_TRUE(client.done());
  EXPECT_EQ(client.results()[1].failed_stage, ClientStage::CONNECTION);
  EXPECT_TRUE(client.results()[1].temporary_failure());
}

TEST(ClientMta, CachedConnectionRsetRejected) {
  ClientSession client({"mail.daum.net", ClientStyle::MTA, true},
                       {transaction("a@daum.net", {"x@naver.com"}, "1\n", 2)});
  client.feed(kBanner);
  client.feed(kEhloReply);
  client.feed("250 ok\r\n");
  client.feed("250 ok\r\n354 go\r\n");
  client.feed("250 2.0.0 Q1 Message accepted for delivery\r\n");
  client.add_transaction(transaction("b@daum.net", {"y@naver.com"}, "2\n", 2));
  EXPECT_EQ(client.feed("500 5.5.1 Command unrecognized: \"RSET\"\r\n"), "QUIT\r\n");
  EXPECT_EQ(client.results()[1].failed_stage, ClientStage::CONNECTION);
}

TEST(ClientMta, AddTransactionNeedsAnIdleSession) {
  ClientSession client({"mail.daum.net", ClientStyle::MTA, true},
                       {transaction("a@daum.net", {"x@naver.com"}, "1\n", 2)});
  EXPECT_THROW(client.add_transaction(transaction("b@daum.net", {"y@naver.com"}, "2\n", 2)), std::logic_error);
  EXPECT_THROW(client.quit(), std::logic_error);
}

TEST(ClientMta, HeloFallbackAfterEhlo5xx) {
  ClientSession client({"mail.daum.net", ClientStyle::MTA},
                       {transaction("a@daum.net", {"x@naver.com"}, "1\n")});
  client.feed(kBanner);
  EXPECT_EQ(client.feed("500 5.5.1 Command unrecognized: \"EHLO mail.daum.net\"\r\n"),
            "HELO mail.daum.net\r\n");
  // No extensions after HELO: no SIZE, RCPT waits for MAIL's reply.
  EXPECT_EQ(client.feed("250 mail.naver.com Hello\r\n"), "MAIL From:<a@daum.net>\r\n");
  EXPECT_EQ(client.feed("250 ok\r\n"), "RCPT To:<x@naver.com>\r\n");
}

TEST(ClientMta, EightBitMessageAnnouncesBody) {
  ClientSession client({"mail.daum.net", ClientStyle::MTA},
                       {transaction("a@daum.net", {"x@naver.com"}, "caf\xc3\xa9\n", 6)});
  client.feed(kBanner);
  EXPECT_EQ(client.feed(kEhloReply), "MAIL From:<a@daum.net> SIZE=6 BODY=8BITMIME\r\n");
}

TEST(ClientMta, MailLoopsBackToMe) {
  ClientSession client({"mail.naver.com", ClientStyle::MTA},
                       {transaction("kim@naver.com", {"someone@hanmail.net"}, "x\n")});
  client.feed(kBanner);
  EXPECT_EQ(client.feed("250-mail.naver.com Hello localhost [127.0.0.1], pleased to meet you\r\n"
                        "250 HELP\r\n"),
            "QUIT\r\n");
  const TransactionResult& r = client.results()[0];
  EXPECT_TRUE(r.loops_back);
  EXPECT_EQ(r.failed_stage, ClientStage::HELLO);
  EXPECT_EQ(r.failure.code, 553);
  EXPECT_EQ(r.failure.enhanced, "5.3.5");
  EXPECT_EQ(r.failure.text, "system config error");
  EXPECT_TRUE(r.permanent_failure());
}

struct FailureCase {
  const char* name;
  std::vector<std::string> server;  // replies, one per client write
  std::string last_write;           // what the client writes after the last reply
  ClientStage stage;
  int code;
  bool temporary;
  bool closed;  // done without waiting for a QUIT reply
};

TEST(ClientMta, FailureAtEachStage) {
  const std::string ehlo = kEhloReply;
  const std::string mail_ok = "250 2.1.0 ok\r\n";
  const FailureCase cases[] = {
      {"greeting 554",
       {"554 mail.naver.com ESMTP not accepting messages\r\n"},
       "QUIT\r\n",
       ClientStage::GREETING,
       554,
       false,
       false},
      {"greeting 421", {"421 4.3.2 busy\r\n"}, "", ClientStage::GREETING, 421, true, true},
      {"EHLO 421", {kBanner, "421 4.7.0 closing\r\n"}, "", ClientStage::HELLO, 421, true, true},
      {"EHLO 451",
       {kBanner, "451 4.3.0 later\r\n"},
       "QUIT\r\n",
       ClientStage::HELLO,
       451,
       true,
       false},
      {"MAIL 451",
       {kBanner, ehlo, "451 4.3.0 later\r\n"},
       "QUIT\r\n",
       ClientStage::MAIL,
       451,
       true,
       false},
      {"MAIL 553",
       {kBanner, ehlo, "553 5.1.8 bad sender\r\n"},
       "QUIT\r\n",
       ClientStage::MAIL,
       553,
       false,
       false},
      {"all RCPT rejected",
       {kBanner, ehlo, mail_ok,
        "550 5.7.1 <x@daum.net>... Relaying denied\r\n503 5.0.0 Need RCPT (recipient)\r\n"},
       "QUIT\r\n",
       ClientStage::RCPT,
       550,
       false,
       false},
      {"RCPT 450 then DATA 503",
       {kBanner, ehlo, mail_ok, "450 4.2.0 try later\r\n503 5.0.0 Need RCPT (recipient)\r\n"},
       "QUIT\r\n",
       ClientStage::RCPT,
       450,
       true,
       false},
      {"DATA 451",
       {kBanner, ehlo, mail_ok, "250 2.1.5 ok\r\n451 4.3.0 later\r\n"},
       "QUIT\r\n",
       ClientStage::DATA,
       451,
       true,
       false},
      {"DATA 421",
       {kBanner, ehlo, mail_ok, "250 2.1.5 ok\r\n421 4.3.0 going down\r\n"},
       "",
       ClientStage::DATA,
       421,
       true,
       true},
      {"connection lost",
       {kBanner, ehlo, mail_ok, "garbage\r\n"},
       "",
       ClientStage::CONNECTION,
       0,
       true,
       true},
  };
  for (const FailureCase& c : cases) {
    ClientSession client({"mail.daum.net", ClientStyle::MTA},
                         {transaction("a@daum.net", {"x@daum.net"}, "m\n")});
    std::string written;
    for (const std::string& reply : c.server) written = client.feed(reply);
    EXPECT_EQ(written, c.last_write) << c.name;
    const TransactionResult& r = client.results()[0];
    EXPECT_EQ(r.failed_stage, c.stage) << c.name;
    EXPECT_EQ(r.failure.code, c.code) << c.name;
    EXPECT_EQ(r.temporary_failure(), c.temporary) << c.name;
    EXPECT_EQ(r.permanent_failure(), !c.temporary) << c.name;
    EXPECT_FALSE(r.delivered()) << c.name;
    EXPECT_EQ(client.done(), c.closed) << c.name;
  }
}

TEST(ClientMta, FinalReplyFailures) {
  struct FinalCase {
    const char* reply;
    bool temporary;
  };
  const FinalCase cases[] = {
      {"552 5.2.3 Message exceeds maximum fixed size (10000)\r\n", false},
      {"451 4.3.0 Please try again later\r\n", true},
  };
  for (const FinalCase& c : cases) {
    ClientSession client({"mail.daum.net", ClientStyle::MTA},
                         {transaction("a@daum.net", {"x@naver.com"}, "m\n")});
    client.feed(kBanner);
    client.feed(kEhloReply);
    client.feed("250 ok\r\n");
    client.feed("250 ok\r\n354 go\r\n");
    EXPECT_EQ(client.feed(c.reply), "QUIT\r\n") << c.reply;
    const TransactionResult& r = client.results()[0];
    EXPECT_TRUE(r.has_data_reply) << c.reply;
    EXPECT_EQ(r.failed_stage, ClientStage::NONE) << c.reply;
    EXPECT_EQ(r.temporary_failure(), c.temporary) << c.reply;
    EXPECT_EQ(r.permanent_failure(), !c.temporary) << c.reply;
  }
}

TEST(ClientMta, ServerClosesEarly) {
  ClientSession client({"mail.daum.net", ClientStyle::MTA},
                       {transaction("a@daum.net", {"x@naver.com"}, "m\n")});
  client.feed(kBanner);
  client.connection_closed();
  EXPECT_TRUE(client.done());
  EXPECT_EQ(client.results()[0].failed_stage, ClientStage::CONNECTION);
  EXPECT_TRUE(client.results()[0].temporary_failure());
}

TEST(ClientMua, RejectedRecipientDoesNotStopOthers) {
  ClientSession client(
      {"pc1.naver.com", ClientStyle::MUA},
      {transaction("kim@naver.com", {"nobody@naver.com", "lee@naver.com"}, "m\n")});
  client.feed(kBanner);
  EXPECT_EQ(client.feed(kEhloReply), "MAIL FROM:<kim@naver.com>\r\n");
  EXPECT_EQ(client.feed("250 ok\r\n"), "RCPT TO:<nobody@naver.com>\r\n");
  EXPECT_EQ(client.feed("550 5.1.1 <nobody@naver.com>... User unknown\r\n"),
            "RCPT TO:<lee@naver.com>\r\n");
  EXPECT_EQ(client.feed("250 2.1.5 ok\r\n"), "DATA\r\n");
}

TEST(ClientMua, AllRejectedSendsRsetThenQuit) {
  ClientSession client({"pc1.naver.com", ClientStyle::MUA},
                       {transaction("kim@naver.com", {"nobody@naver.com"}, "m\n")});
  client.feed(kBanner);
  client.feed(kEhloReply);
  client.feed("250 ok\r\n");
  EXPECT_EQ(client.feed("550 5.1.1 <nobody@naver.com>... User unknown\r\n"), "RSET\r\n");
  EXPECT_EQ(client.feed("250 2.0.0 Reset state\r\n"), "QUIT\r\n");
  EXPECT_EQ(client.results()[0].failed_stage, ClientStage::RCPT);
}

TEST(ClientSplit, ByteAtATimeSameWrites) {
  Transcript t = parse_transcript(kPH1B);
  auto make = [] {
    return ClientSession({"mail.daum.net", ClientStyle::MTA},
                         {transaction("kim@daum.net", {"lee@naver.com"}, kQueuedKimMessage, 165)});
  };
  std::string server = t.greeting + t.all_server_bytes();
  ClientSession whole = make();
  ClientSession bytewise = make();
  std::string a;
  // The whole-reply client still needs the replies in order, one feed each.
  a += whole.feed(t.greeting);
  for (const std::string& r : t.server_replies) a += whole.feed(r);
  std::string b;
  for (char c : server) b += bytewise.feed(std::string_view(&c, 1));
  EXPECT_EQ(a, t.all_client_bytes());
  EXPECT_EQ(b, t.all_client_bytes());
  EXPECT_TRUE(bytewise.done());
}

}  // namespace
}  // namespace mailsim::smtp::testing
