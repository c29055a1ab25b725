#include "models/pop3/server.hpp"

#include <gtest/gtest.h>

#include "pop3_test_support.hpp"

namespace mailsim::pop3 {
namespace {

using testing::FakeHooks;
using testing::load_transcript;
using testing::read_file;

// Replays a recorded session and checks every reply.
void replay(const std::string& name, FakeHooks& hooks, ServerSession& session) {
  testing::Transcript transcript = load_transcript(name);
  ASSERT_FALSE(transcript.exchanges.empty()) << name;
  EXPECT_EQ(session.greeting(), transcript.greeting);
  for (const testing::Exchange& exchange : transcript.exchanges) {
    std::string reply = session.feed(exchange.command);
    if (session.state() == ServerState::AUTH_FAILED_DELAY) reply += session.release_delayed_reply();
    EXPECT_EQ(reply, exchange.reply) << name << ": " << exchange.command;
  }
  EXPECT_TRUE(session.closed()) << name;
  (void)hooks;
}

LogoutCounters logout_counters(ServerSession& session) {
  for (const ServerEvent& event : session.take_events()) {
    if (event.type == ServerEventType::LOGOUT) return event.counters;
  }
  ADD_FAILURE() << "no LOGOUT event";
  return {};
}

TEST(Pop3Server, ReplaysCapaBeforeLogin) {
  FakeHooks hooks;
  ServerSession session(ServerConfig{}, hooks);
  replay("p01-greeting-capa-quit.txt", hooks, session);
  std::vector<ServerEvent> events = session.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, ServerEventType::LOGIN_DISCONNECTED);
  EXPECT_EQ(events[0].reason, "Aborted login by logging out");
  EXPECT_EQ(events[0].auth_attempts, 0u);
}

TEST(Pop3Server, ReplaysFullTransaction) {
  FakeHooks hooks;
  hooks.mailboxes["lee"] = testing::lee_mailbox();
  ServerSession session(ServerConfig{}, hooks);
  replay("p05-full-transaction-lee.txt", hooks, session);
  // Dovecot logged `top=2/873, retr=2/1135, del=1/4, size=1911` for this session.
  EXPECT_EQ(format_counters(logout_counters(session)),
            "top=2/873, retr=2/1135, del=1/4, size=1911");
  EXPECT_EQ(hooks.mailboxes["lee"].render(), read_file("mailbox/data/lee.after-pop3-dele.mbox"));
}

TEST(Pop3Server, ReplaysSessionWithoutDeletions) {
  FakeHooks hooks;
  hooks.mailboxes["lee"] =
      mailbox::Mailbox::from_mbox(read_file("mailbox/data/lee.after-pop3-dele.mbox"), "lee");
  hooks.clock = 1796397184;
  ServerSession session(ServerConfig{}, hooks);
  replay("p06-login-stat-quit-no-deletions.txt", hooks, session);
  EXPECT_EQ(format_counters(logout_counters(session)), "top=0/0, retr=0/0, del=0/3, size=1470");
  EXPECT_EQ(hooks.mailboxes["lee"].render(), read_file("mailbox/data/lee.after-pop3-dele.mbox"));
}

TEST(Pop3Server, ReplaysTwoDomainFetch) {
  FakeHooks hooks;
  hooks.passwords["lee"] = "lee";
  hooks.mailboxes["lee"] =
      mailbox::Mailbox::from_mbox(read_file("pop3/data/lee.ph1-after-relay.mbox"), "lee");
  ServerSession session(ServerConfig{}, hooks);
  replay("ph1c-lee-pc-pop3-mail.naver.com.txt", hooks, session);
  std::vector<ServerEvent> events = session.take_events();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].type, ServerEventType::LOGIN);
  EXPECT_EQ(events[1].type, ServerEventType::RETR);
  EXPECT_EQ(events[1].bytes, 682u);
  EXPECT_EQ(events[2].type, ServerEventType::DELE);
  EXPECT_EQ(events[2].message, 1u);
  EXPECT_EQ(events[3].type, ServerEventType::LOGOUT);
  EXPECT_EQ(events[3].reason, "Logged out");
  EXPECT_EQ(format_counters(events[3].counters), "top=0/0, retr=1/682, del=1/1, size=666");
  EXPECT_EQ(hooks.mailboxes["lee"].count(), 0u);
}

TEST(Pop3Server, ByteAtATimeEqualsAllAtOnce) {
  testing::Transcript transcript = load_transcript("p05-full-transaction-lee.txt");
  std::string input;
  std::string expected;
  for (const testing::Exchange& exchange : transcript.exchanges) {
    input += exchange.command;
    expected += exchange.reply;
  }
  FakeHooks whole_hooks;
  whole_hooks.mailboxes["lee"] = testing::lee_mailbox();
  ServerSession whole(ServerConfig{}, whole_hooks);
  EXPECT_EQ(whole.feed(input), expected);

  FakeHooks byte_hooks;
  byte_hooks.mailboxes["lee"] = testing::lee_mailbox();
  ServerSession bytewise(ServerConfig{}, byte_hooks);
  std::string output;
  for (char c : input) output += bytewise.feed(std::string_view(&c, 1));
  EXPECT_EQ(output, expected);
  EXPECT_EQ(byte_hooks.mailboxes["lee"].render(), whole_hooks.mailboxes["lee"].render());
}

struct DialogCase {
  const char* name;
  std::vector<std::pair<const char*, const char*>> steps;  // command, expected reply
  bool closed;
};

void run_dialog(const DialogCase& c) {
  FakeHooks hooks;
  hooks.mailboxes["lee"] = testing::lee_mailbox();
  ServerSession session(ServerConfig{}, hooks);
  for (const auto& [command, expected] : c.steps) {
    std::string reply = session.feed(command);
    if (session.state() == ServerState::AUTH_FAILED_DELAY) reply += session.release_delayed_reply();
    EXPECT_EQ(reply, expected) << c.name << ": " << command;
  }
  EXPECT_EQ(session.closed(), c.closed) << c.name;
}

// Replies recorded from Dovecot 2.3.19.1 (Debian 12) on loopback.
TEST(Pop3Server, AuthorizationStateTable) {
  const char* capa =
      "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\nUSER\r\n"
      "SASL PLAIN\r\n.\r\n";
  const DialogCase cases[] = {
      {"third unknown closes",
       {{"FOO\r\n", "-ERR Unknown command.\r\n"},
        {"STAT\r\n", "-ERR Unknown command.\r\n"},
        {"LIST\r\n", "-ERR Unknown command.\r\n-ERR Too many invalid bad commands.\r\n"}},
       true},
      {"known command resets count",
       {{"FOO\r\n", "-ERR Unknown command.\r\n"},
        {"FOO\r\n", "-ERR Unknown command.\r\n"},
        {"APOP lee abc\r\n", "-ERR APOP not enabled.\r\n"},
        {"FOO\r\n", "-ERR Unknown command.\r\n"},
        {"CAPA\r\n", capa},
        {"\r\n", "-ERR Unknown command.\r\n"}},
       false},
      {"user then bad password",
       {{"USER\r\n", "+OK\r\n"},
        {"PASS x\r\n", "-ERR [AUTH] Authentication failed.\r\n"},
        {"USER lee\r\n", "+OK\r\n"},
        {"PASS 1234\r\n", "+OK Logged in.\r\n"}},
       false},
      {"last USER wins",
       {{"USER lee\r\n", "+OK\r\n"},
        {"USER kim\r\n", "+OK\r\n"},
        {"PASS 1234\r\n", "+OK Logged in.\r\n"}},
       false},
      {"pass without user",
       {{"PASS 1234\r\n", "-ERR No username given.\r\n"},
        {"AUTH\r\n", "+OK\r\nPLAIN\r\n.\r\n"},
        {"AUTH FOO\r\n", "-ERR [AUTH] Unsupported authentication mechanism.\r\n"},
        {"QUIT\r\n", "+OK Logging out\r\n"}},
       true},
      {"auth plain initial response",
       {{"AUTH PLAIN AGxlZQAxMjM0\r\n", "+OK Logged in.\r\n"}},
       false},
      {"auth plain continuation",
       {{"AUTH PLAIN\r\n", "+ \r\n"}, {"AGxlZQAxMjM0\r\n", "+OK Logged in.\r\n"}},
       false},
      {"auth plain failures",
       {{"AUTH PLAIN\r\n", "+ \r\n"},
        {"*\r\n", "-ERR Authentication aborted by client.\r\n"},
        {"AUTH PLAIN\r\n", "+ \r\n"},
        {"!!!\r\n", "-ERR [AUTH] Invalid base64 in response\r\n"},
        {"AUTH PLAIN AGxlZQB4\r\n", "-ERR [AUTH] Authentication failed.\r\n"},
        {"AUTH PLAIN =\r\n", "-ERR [AUTH] Authentication failed.\r\n"},
        {"USER lee\r\n", "+OK\r\n"},
        {"QUIT\r\n", "+OK Logging out\r\n"}},
       true},
      {"lowercase commands",
       {{"user lee\r\n", "+OK\r\n"}, {"pass 1234\r\n", "+OK Logged in.\r\n"}},
       false},
  };
  for (const DialogCase& c : cases) run_dialog(c);
}

TEST(Pop3Server, TransactionStateTable) {
  const char* login_user = "USER lee\r\n";
  const char* login_pass = "PASS 1234\r\n";
  const DialogCase cases[] = {
      {"argument errors",
       {{login_user, "+OK\r\n"},
        {login_pass, "+OK Logged in.\r\n"},
        {"RETR\r\n", "-ERR Invalid message number: \r\n"},
        {"RETR 1 2\r\n", "-ERR Noise after message number:  2\r\n"},
        {"RETR 1abc\r\n", "-ERR Noise after message number: abc\r\n"},
        {"DELE 0\r\n", "-ERR There's no message 0.\r\n"},
        {"TOP 1 abc\r\n", "-ERR Invalid size: abc\r\n"},
        {"TOP 1 -1\r\n", "-ERR Invalid size: -1\r\n"},
        {"TOP 1 1 1\r\n", "-ERR Noise after size:  1\r\n"},
        {"TOP 1 0x\r\n", "-ERR Noise after size: x\r\n"},
        {"TOP 1 99999999999999999999999\r\n", "-ERR Size too large: 99999999999999999999999\r\n"},
        {"LIST 4294967296\r\n", "-ERR Message number too large: \r\n"},
        {"LIST 99999999999999999999\r\n",
         "-ERR Message number too large: 99999999999999999999\r\n"},
        {"LIST +1\r\n", "-ERR Invalid message number: +1\r\n"},
        {"LIST 01\r\n", "+OK 1 441\r\n"},
        {"list  1\r\n", "+OK 1 441\r\n"},
        {"UIDL 1 2\r\n", "-ERR Noise after message number:  2\r\n"},
        {"STAT x\r\n", "+OK 4 1911\r\n"},
        {"NOOP x\r\n", "+OK\r\n"},
        {"foo\r\n", "-ERR Unknown command: FOO\r\n"},
        {"USER lee\r\n", "-ERR Unknown command: USER\r\n"},
        {"AUTH PLAIN\r\n", "-ERR Unknown command: AUTH\r\n"},
        {"CAPA\r\n",
         "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\n.\r\n"},
        {"QUIT x\r\n", "+OK Logging out.\r\n"}},
       true},
      {"deleted message",
       {{login_user, "+OK\r\n"},
        {login_pass, "+OK Logged in.\r\n"},
        {"DELE 4\r\n", "+OK Marked to be deleted.\r\n"},
        {"UIDL 4\r\n", "-ERR Message is deleted.\r\n"},
        {"TOP 4 0\r\n", "-ERR Message is deleted.\r\n"},
        {"UIDL\r\n",
         "+OK\r\n1 000000016b12d853\r\n2 000000026b12d853\r\n3 000000036b12d853\r\n.\r\n"},
        {"RSET\r\n", "+OK\r\n"},
        {"QUIT\r\n", "+OK Logging out.\r\n"}},
       true},
  };
  for (const DialogCase& c : cases) run_dialog(c);
}

TEST(Pop3Server, TwentyFirstBadCommandCloses) {
  FakeHooks hooks;
  hooks.mailboxes["lee"] = testing::lee_mailbox();
  ServerSession session(ServerConfig{}, hooks);
  session.feed("USER lee\r\nPASS 1234\r\nDELE 1\r\n");
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(session.feed("RETR\r\n"), "-ERR Invalid message number: \r\n") << i;
  }
  EXPECT_FALSE(session.closed());
  EXPECT_EQ(session.feed("FOO\r\n"),
            "-ERR Unknown command: FOO\r\n-ERR Too many bad commands.\r\n");
  EXPECT_TRUE(session.closed());
  EXPECT_EQ(hooks.mailboxes["lee"].count(), 4u);  // no UPDATE state without QUIT
}

TEST(Pop3Server, SuccessResetsBadCommandCount) {
  FakeHooks hooks;
  hooks.mailboxes["lee"] = testing::lee_mailbox();
  ServerSession session(ServerConfig{}, hooks);
  session.feed("USER lee\r\nPASS 1234\r\n");
  for (int i = 0; i < 20; ++i) session.feed("FOO\r\n");
  EXPECT_EQ(session.feed("NOOP\r\n"), "+OK\r\n");
  EXPECT_EQ(session.feed("FOO\r\n"), "-ERR Unknown command: FOO\r\n");
  EXPECT_FALSE(session.closed());
}

TEST(Pop3Server, FailureReplyWaitsForRelease) {
  FakeHooks hooks;
  hooks.mailboxes["lee"] = testing::lee_mailbox();
  ServerSession session(ServerConfig{}, hooks);
  EXPECT_EQ(session.feed("USER nosuchuser\r\nPASS x\r\nUSER lee\r\n"), "+OK\r\n");
  EXPECT_EQ(session.state(), ServerState::AUTH_FAILED_DELAY);
  std::vector<ServerEvent> events = session.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, ServerEventType::AUTH_FAILED);
  EXPECT_EQ(events[0].user, "nosuchuser");
  EXPECT_EQ(events[0].method, "PLAIN");
  EXPECT_EQ(session.feed("PASS 1234\r\n"), "");
  EXPECT_EQ(session.release_delayed_reply(),
            "-ERR [AUTH] Authentication failed.\r\n+OK\r\n+OK Logged in.\r\n");
  EXPECT_EQ(session.state(), ServerState::TRANSACTION);
}

TEST(Pop3Server, LoginEventAndUidValidity) {
  FakeHooks hooks;
  hooks.mailboxes["lee"] = testing::lee_mailbox();
  hooks.clock = 1796405031;
  ServerSession session(ServerConfig{}, hooks);
  session.feed("USER lee\r\nPASS 1234\r\n");
  std::vector<ServerEvent> events = session.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, ServerEventType::LOGIN);
  EXPECT_EQ(events[0].user, "lee");
  EXPECT_EQ(events[0].method, "PLAIN");
  EXPECT_EQ(session.feed("UIDL 2\r\n"), "+OK 2 000000026b12f727\r\n");
}

TEST(Pop3Server, ConnectionLostKeepsMessages) {
  FakeHooks hooks;
  hooks.mailboxes["lee"] = testing::lee_mailbox();
  ServerSession session(ServerConfig{}, hooks);
  session.feed("USER lee\r\nPASS 1234\r\nRETR 1\r\nDELE 1\r\n");
  session.take_events();
  session.connection_lost();
  EXPECT_TRUE(session.closed());
  std::vector<ServerEvent> events = session.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, ServerEventType::LOGOUT);
  EXPECT_EQ(events[0].reason, "Connection closed");
  EXPECT_EQ(hooks.mailboxes["lee"].count(), 4u);
  EXPECT_EQ(hooks.mailboxes["lee"].message(0).dovecot.status, "");
}

TEST(Pop3Server, RetrStuffsDotsAndAddsFinalCrlf) {
  FakeHooks hooks;
  hooks.mailboxes["lee"].deliver("kim@naver.com", 0,
                                 std::make_shared<const std::string>("Subject: a\n\n.\n..x\nend"));
  ServerSession session(ServerConfig{}, hooks);
  session.feed("USER lee\r\nPASS 1234\r\n");
  // procmail terminated the last line, so the message is 27 octets with CRLF.
  EXPECT_EQ(session.feed("RETR 1\r\n"),
            "+OK 27 octets\r\nSubject: a\r\n\r\n..\r\n...x\r\nend\r\n.\r\n");
  EXPECT_EQ(session.feed("TOP 1 1\r\n"), "+OK\r\nSubject: a\r\n\r\n..\r\n.\r\n");
}

// RETR's message goes out by reference: the write points to the stored text.
TEST(Pop3Server, RetrWriteSharesStoredText) {
  FakeHooks hooks;
  auto text = std::make_shared<const std::string>("Subject: a\n\n.\nend\n");
  hooks.mailboxes["lee"].deliver("kim@naver.com", 0, message::SharedMessage("X-A: 1\n", text));
  ServerSession session(ServerConfig{}, hooks);
  session.feed("USER lee\r\nPASS 1234\r\n");
  std::vector<ServerWrite> writes = session.feed_writes("RETR 1\r\nNOOP\r\n");
  ASSERT_EQ(writes.size(), 2u);
  EXPECT_EQ(writes[0].bytes, "+OK 30 octets\r\n");
  ASSERT_TRUE(writes[0].message.has_value());
  EXPECT_EQ(writes[0].message->shared.get(), text.get());
  EXPECT_EQ(writes[0].message->head, "X-A: 1\n");
  EXPECT_EQ(writes[1].bytes, "+OK\r\n");  // NOOP's reply follows the message
  EXPECT_FALSE(writes[1].message.has_value());
  session.feed("QUIT\r\n");
  // The status line (15) and the stuffed message (8 + 12 + 2 + 4 + 5) count; "." does not.
  EXPECT_EQ(logout_counters(session).retr_bytes, 46u);
}

TEST(Pop3Server, PlaintextDisallowedWhenNotSecured) {
  FakeHooks hooks;
  ServerConfig config;
  config.disable_plaintext_auth = true;
  config.secured = false;
  ServerSession session(config, hooks);
  EXPECT_EQ(session.feed("USER lee\r\n"),
            "-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) "
            "connections.\r\n");
  EXPECT_EQ(session.state(), ServerState::AUTHORIZATION);
}

TEST(Base64, DecodeTable) {
  struct Case {
    const char* text;
    bool ok;
    std::string decoded;
  };
  const Case cases[] = {
      {"AGxlZQAxMjM0", true,
       std::string("\0lee\0"
                   "1234",
                   9)},
      {"Zm9vYg==", true, "foob"},
      {"Zm9vYmE=", true, "fooba"},
      {"", true, ""},
      {"!!!", false, ""},
      {"Zm9vY", false, ""},
      {"Zg=a", false, ""},
  };
  for (const Case& c : cases) {
    std::string out;
    EXPECT_EQ(decode_base64(c.text, out), c.ok) << c.text;
    if (c.ok) {
      EXPECT_EQ(out, c.decoded) << c.text;
    }
  }
}

}  // namespace
}  // namespace mailsim::pop3
