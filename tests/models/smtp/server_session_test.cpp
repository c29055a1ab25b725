#include "models/smtp/server_session.hpp"

#include <gtest/gtest.h>

#include "recorded_sessions.hpp"
#include "server_fixture.hpp"

namespace mailsim::smtp::testing {
namespace {

const PeerInfo kLocalhost{"127.0.0.1", "localhost"};
const PeerInfo kNoPtr{"127.0.0.2", ""};
const PeerInfo kWithPtr{"127.0.0.4", "pc.daum.net"};

struct ReplayCase {
  const char* name;
  const char* transcript;
  std::int64_t start;  // capture time, shown in the banner
  PeerInfo peer;
  std::vector<std::string> queue_ids;
  bool relay_allowed = false;
  std::uint64_t max_message_size = 10000;
};

std::vector<ReplayCase> replay_cases() {
  return {
      {"a01", kA01, 1796396568, kLocalhost, {"6B4F2mUe015806"}},
      {"b01", kB01, 1796396594, kLocalhost, {}},
      {"c01", kC01, 1796396599, kLocalhost, {"6B4F3JM5016071"}},
      {"d01", kD01, 1796396611, kLocalhost, {}},
      {"e01", kE01, 1796396622, kNoPtr, {"6B4F3gRP016077"}},
      {"e03", kE03, 1796396628, kLocalhost, {"6B4F3mmL016081"}, true},
      {"f01", kF01, 1796396631, kLocalhost, {}},
      {"g01", kG01, 1796396645, kLocalhost, {}},
      {"j01", kJ01, 1796396578, kLocalhost, {"6B4F2wE1015885"}},
      {"x02", kX02, 1796396963, kLocalhost, {"6B4F9Nvw016904"}},
      {"x03", kX03, 1796396967, kLocalhost, {}},
      {"ph1b", kPH1B, 1796404090, {"127.0.111.200", ""}, {"6B4H8Age031315"}, false, 0},
  };
}

ServerConfig config_for(const ReplayCase& c) {
  ServerConfig config = debian_capture();
  config.max_message_size = c.max_message_size;
  return config;
}

// Each client write of a recorded session gets exactly the recorded answer.
TEST(ServerReplay, RecordedSessions) {
  for (const ReplayCase& c : replay_cases()) {
    Transcript t = parse_transcript(c.transcript);
    LabHooks hooks(c.start, c.queue_ids);
    hooks.relay_allowed = c.relay_allowed;
    ServerSession session(config_for(c), c.peer, hooks);
    EXPECT_EQ(session.greeting(), t.greeting) << c.name;
    ASSERT_EQ(t.client_writes.size(), t.server_replies.size()) << c.name;
    for (std::size_t i = 0; i < t.client_writes.size(); ++i) {
      EXPECT_EQ(session.feed(t.client_writes[i]), t.server_replies[i])
          << c.name << " write " << i << ": " << t.client_writes[i];
    }
    EXPECT_TRUE(session.closed()) << c.name;
  }
}

// Pipelined (all at once) and byte-by-byte feeding give the same bytes.
TEST(ServerReplay, SplitDoesNotMatter) {
  for (const ReplayCase& c : replay_cases()) {
    Transcript t = parse_transcript(c.transcript);
    std::string client = t.all_client_bytes();

    LabHooks whole_hooks(c.start, c.queue_ids);
    whole_hooks.relay_allowed = c.relay_allowed;
    ServerSession whole(config_for(c), c.peer, whole_hooks);
    whole.greeting();
    std::string at_once = whole.feed(client);

    LabHooks byte_hooks(c.start, c.queue_ids);
    byte_hooks.relay_allowed = c.relay_allowed;
    ServerSession bytewise(config_for(c), c.peer, byte_hooks);
    bytewise.greeting();
    std::string one_by_one;
    for (char ch : client) one_by_one += bytewise.feed(std::string_view(&ch, 1));

    EXPECT_EQ(at_once, t.all_server_bytes()) << c.name;
    EXPECT_EQ(one_by_one, t.all_server_bytes()) << c.name;
    EXPECT_EQ(whole_hooks.messages, byte_hooks.messages) << c.name;
  }
}

TEST(ServerReplay, AcceptedMessageIsUnstuffedLfText) {
  Transcript t = parse_transcript(kJ01);
  LabHooks hooks(1796396578, {"6B4F2wE1015885"});
  ServerSession session(debian_capture(), kLocalhost, hooks);
  session.greeting();
  session.feed(t.all_client_bytes());
  ASSERT_EQ(hooks.messages.size(), 1u);
  // The body as procmail stored it, before mbox From-quoting.
  EXPECT_EQ(hooks.messages[0],
            "From: kim@naver.com\n"
            "To: lee@naver.com\n"
            "Subject: test 2 dots and From lines\n"
            "\n"
            "line before a lone dot\n"
            ".\n"
            ".leading dot line (sent as ..leading)\n"
            "..two leading dots (sent as three)\n"
            "From the desk of kim: this body line starts with From-space\n"
            ">From an already quoted line\n"
            "from lowercase is not special\n"
            " From with a leading space\n"
            "last line\n");
  EXPECT_EQ(hooks.envelopes[0].mail_from, "kim@naver.com");
  EXPECT_EQ(hooks.envelopes[0].rcpt_to, std::vector<std::string>{"lee@naver.com"});
}

TEST(ServerReplay, SessionInfoForReceived) {
  Transcript t = parse_transcript(kC01);
  LabHooks hooks(1796396599, {"6B4F3JM5016071"});
  ServerSession session(debian_capture(), kLocalhost, hooks);
  session.greeting();
  session.feed(t.all_client_bytes());
  ASSERT_EQ(hooks.sessions.size(), 1u);
  const SessionInfo& info = hooks.sessions[0];
  EXPECT_EQ(info.helo_name, "pc1.naver.com");
  EXPECT_FALSE(info.esmtp);
  EXPECT_EQ(info.peer.ip, "127.0.0.1");
  EXPECT_EQ(info.envelope_start, 1796396599);
  EXPECT_EQ(info.mail_time, 1796396599);
  EXPECT_TRUE(info.authentication_warnings.empty());

  message::QueueingInfo q =
      queueing_info(debian_capture(), info, hooks.envelopes[0], "6B4F3JM5016071");
  EXPECT_EQ(message::received_header(q.received),
            "Received: from pc1.naver.com (localhost [127.0.0.1])\n"
            "\tby mail.naver.com (8.17.1.9/8.17.1.9/Debian-2+deb12u2) with SMTP id "
            "6B4F3JM5016071\n"
            "\tfor <kim@naver.com>; Fri, 4 Dec 2026 15:03:19 GMT\n");
}

// Runs `commands` (CRLF added to each) after the greeting and returns every reply line.
std::vector<std::string> run(ServerSession& session, const std::vector<std::string>& commands) {
  session.greeting();
  std::string input;
  for (const std::string& c : commands) input += c + "\r\n";
  std::string out = session.feed(input);
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < out.size()) {
    std::size_t end = out.find("\r\n", pos);
    lines.push_back(out.substr(pos, end - pos));
    pos = end + 2;
  }
  return lines;
}

TEST(ServerBanner, RedHatDefault) {
  LabHooks hooks(1796396568);
  ServerConfig config;
  config.hostname = "mail.naver.com";
  ServerSession session(config, kLocalhost, hooks);
  EXPECT_EQ(
      session.greeting(),
      "220 mail.naver.com ESMTP Sendmail 8.17.1.9/8.17.1.9; Fri, 4 Dec 2026 15:02:48 GMT\r\n");
  EXPECT_EQ(session.state(), ServerState::READY);
}

TEST(ServerBanner, DebianSuffixWithPtr) {
  LabHooks hooks(1796396568);
  ServerSession session(debian_capture(), kWithPtr, hooks);
  std::string banner = session.greeting();
  EXPECT_NE(banner.find("; (No UCE/UBE) logging access from: pc.daum.net(OK)-pc.daum.net "
                        "[127.0.0.4]\r\n"),
            std::string::npos)
      << banner;
}

TEST(ServerBanner, PreGreetingTrafficMakesNullServer) {
  LabHooks hooks(1796396568);
  ServerSession session(debian_capture(), kLocalhost, hooks);
  EXPECT_EQ(session.greeting(true), "554 mail.naver.com ESMTP not accepting messages\r\n");
  std::string out =
      session.feed("EHLO pc1.naver.com\r\nMAIL FROM:<kim@naver.com>\r\nNOOP\r\nQUIT\r\n");
  EXPECT_EQ(out,
            "250-mail.naver.com Hello localhost [127.0.0.1], pleased to meet you\r\n"
            "250 ENHANCEDSTATUSCODES\r\n"
            "550 5.0.0 Command rejected\r\n"
            "250 2.0.0 OK\r\n"
            "221 2.0.0 mail.naver.com closing connection\r\n");
}

TEST(ServerEhlo, RedHatPrivacyHidesExpnAndVerb) {
  LabHooks hooks(1796396568);
  ServerConfig config;
  config.hostname = "mail.naver.com";
  ServerSession session(config, kNoPtr, hooks);
  auto lines = run(session, {"EHLO client.daum.net", "VRFY lee", "EXPN staff", "VERB"});
  std::vector<std::string> expected = {
      "250-mail.naver.com Hello [127.0.0.2], pleased to meet you",
      "250-ENHANCEDSTATUSCODES",
      "250-PIPELINING",
      "250-8BITMIME",
      "250-SIZE",
      "250-DSN",
      "250-ETRN",
      "250-AUTH DIGEST-MD5 CRAM-MD5",
      "250-DELIVERBY",
      "250 HELP",
      "252 2.5.2 Cannot VRFY user; try RCPT to attempt delivery (or try finger)",
      "502 5.7.0 Sorry, we do not allow this operation",
      "502 5.7.0 Verbose unavailable",
  };
  EXPECT_EQ(lines, expected);
}

struct CommandCase {
  const char* name;
  std::vector<std::string> commands;
  std::vector<std::string> expected;  // replies after the greeting
};

void check_cases(const std::vector<CommandCase>& cases, const ServerConfig& config,
                 const PeerInfo& peer = kLocalhost) {
  for (const CommandCase& c : cases) {
    LabHooks hooks(1796396568);
    ServerSession session(config, peer, hooks);
    EXPECT_EQ(run(session, c.commands), c.expected) << c.name;
  }
}

const char kHello[] = "250 mail.naver.com Hello localhost [127.0.0.1], pleased to meet you";

TEST(ServerCommands, SequenceErrors) {
  check_cases(
      {
          {"MAIL before HELO",
           {"MAIL FROM:<kim@naver.com>"},
           {"503 5.0.0 Polite people say HELO first"}},
          {"VRFY before HELO",
           {"VRFY lee"},
           {"503 5.0.0 I demand that you introduce yourself first"}},
          {"EXPN before HELO",
           {"EXPN staff"},
           {"503 5.0.0 I demand that you introduce yourself first"}},
          {"second MAIL",
           {"HELO a", "MAIL FROM:<a@naver.com>", "MAIL FROM:<b@naver.com>"},
           {kHello, "250 2.1.0 <a@naver.com>... Sender ok", "503 5.5.0 Sender already specified"}},
          {"DATA first", {"HELO a", "DATA"}, {kHello, "503 5.0.0 Need MAIL command"}},
          {"DATA without RCPT",
           {"HELO a", "MAIL FROM:<a@naver.com>", "DATA"},
           {kHello, "250 2.1.0 <a@naver.com>... Sender ok", "503 5.0.0 Need RCPT (recipient)"}},
          {"RCPT first",
           {"HELO a", "RCPT TO:<lee@naver.com>"},
           {kHello, "503 5.0.0 Need MAIL before RCPT"}},
          {"RSET clears MAIL",
           {"HELO a", "MAIL FROM:<a@naver.com>", "RSET", "DATA"},
           {kHello, "250 2.1.0 <a@naver.com>... Sender ok", "250 2.0.0 Reset state",
            "503 5.0.0 Need MAIL command"}},
      },
      debian_capture());
}

TEST(ServerCommands, MailSyntax) {
  check_cases(
      {
          {"bare MAIL",
           {"HELO a", "MAIL"},
           {kHello, "501 5.5.2 Syntax error in parameters scanning \"\""}},
          {"MAIL TO:",
           {"HELO a", "MAIL TO:<a@naver.com>"},
           {kHello, "501 5.5.2 Syntax error in parameters scanning \"TO\""}},
          {"no colon",
           {"HELO a", "MAIL FROM <a@naver.com>"},
           {kHello, "501 5.5.2 Syntax error in parameters scanning \"FROM\""}},
          {"empty path",
           {"HELO a", "MAIL FROM:"},
           {kHello, "501 5.5.2 Syntax error in parameters scanning \"FROM\""}},
          {"any case, space after colon",
           {"HELO a", "mail from: <Kim@Naver.com>"},
           {kHello, "250 2.1.0 <Kim@Naver.com>... Sender ok"}},
          {"no brackets",
           {"HELO a", "MAIL From:kim@naver.com"},
           {kHello, "250 2.1.0 kim@naver.com... Sender ok"}},
          {"null sender", {"HELO a", "MAIL FROM:<>"}, {kHello, "250 2.1.0 <>... Sender ok"}},
          {"unbalanced <",
           {"HELO a", "MAIL FROM:<kim@naver.com"},
           {kHello, "553 5.0.0 <kim@naver.com... Unbalanced '<'"}},
          {"unknown parameter",
           {"HELO a", "MAIL FROM:<a@naver.com> FOO=1"},
           {kHello, "555 5.5.4 FOO parameter unrecognized"}},
          {"bad BODY",
           {"HELO a", "MAIL FROM:<a@naver.com> BODY=9BIT"},
           {kHello, "501 5.5.4 Unknown BODY type 9BIT"}},
          {"BODY=8BITMIME",
           {"HELO a", "MAIL FROM:<a@naver.com> BODY=8BITMIME"},
           {kHello, "250 2.1.0 <a@naver.com>... Sender ok"}},
      },
      debian_capture());
}

TEST(ServerCommands, TokenTooLong) {
  std::string long_user(256, 'a');
  std::string ok_user(255, 'a');
  check_cases(
      {
          {"256-character local part",
           {"HELO a", "MAIL FROM:<" + long_user + "@naver.com>"},
           {kHello, "553 5.1.0 <" + long_user + "@naver.com>... prescan: token too long"}},
          {"255-character local part",
           {"HELO a", "MAIL FROM:<" + ok_user + "@naver.com>"},
           {kHello, "250 2.1.0 <" + ok_user + "@naver.com>... Sender ok"}},
          {"in RCPT",
           {"HELO a", "MAIL FROM:<>", "RCPT TO:<" + long_user + "@naver.com>"},
           {kHello, "250 2.1.0 <>... Sender ok",
            "553 5.1.0 <" + long_user + "@naver.com>... prescan: token too long"}},
      },
      debian_capture());
}

TEST(ServerCommands, SizeParameter) {
  const std::string ok = "250 2.1.0 <kim@naver.com>... Sender ok";
  const std::string too_big = "552 5.2.3 Message size exceeds fixed maximum message size (10000)";
  struct SizeCase {
    const char* parameter;
    std::string expected;
  };
  const SizeCase cases[] = {
      {" SIZE=20000", too_big},
      {" SIZE=10001", too_big},
      {" SIZE=10000", ok},
      {" SIZE=abc", ok},
      {" SIZE=", ok},
      {" size=1", ok},
      {" SIZE", "501 5.5.2 SIZE requires a value"},
      {" SIZE=-5", "552 5.2.3 Message size invalid"},
      {" SIZE=99999999999999999999", "552 5.2.3 Message size exceeds maximum value"},
  };
  for (const SizeCase& c : cases) {
    LabHooks hooks(1796396568);
    ServerSession session(debian_capture(), kLocalhost, hooks);
    auto lines = run(session, {"EHLO a", std::string("MAIL FROM:<kim@naver.com>") + c.parameter});
    EXPECT_EQ(lines.back(), c.expected) << c.parameter;
  }
}

TEST(ServerCommands, RecipientVerdicts) {
  LabHooks hooks(1796396568);
  ServerSession session(debian_capture(), kWithPtr, hooks);
  auto lines = run(session, {"HELO pc.daum.net", "MAIL FROM:<someone@daum.net>",
                             "RCPT TO:<other@daum.net>", "RCPT TO:<Lee@naver.com>",
                             "RCPT TO:<lee@naver.com>", "RCPT TO:<nobody9@naver.com>"});
  std::vector<std::string> expected = {
      "250 mail.naver.com Hello pc.daum.net [127.0.0.4], pleased to meet you",
      "250 2.1.0 <someone@daum.net>... Sender ok",
      "550 5.7.1 <other@daum.net>... Relaying denied",
      "250 2.1.5 <Lee@naver.com>... Recipient ok",
      // A duplicate recipient is echoed with the first spelling.
      "250 2.1.5 <Lee@naver.com>... Recipient ok",
      "550 5.1.1 <nobody9@naver.com>... User unknown",
  };
  EXPECT_EQ(lines, expected);
  auto events = session.take_events();
  int rejected = 0;
  for (const ServerEvent& e : events) rejected += e.kind == ServerEventKind::RECIPIENT_REJECTED;
  EXPECT_EQ(rejected, 2);
}

// Without recorded events the replies are the same and take_events() has nothing.
TEST(ServerCommands, EventsOffKeepsReplies) {
  const std::vector<std::string> commands = {"HELO pc.daum.net", "MAIL FROM:<someone@daum.net>",
                                             "RCPT TO:<other@daum.net>", "RCPT TO:<lee@naver.com>"};
  LabHooks hooks(1796396568);
  ServerSession recorded(debian_capture(), kWithPtr, hooks);
  ServerConfig quiet_config = debian_capture();
  quiet_config.record_events = false;
  ServerSession quiet(quiet_config, kWithPtr, hooks);
  EXPECT_EQ(run(quiet, commands), run(recorded, commands));
  EXPECT_FALSE(recorded.take_events().empty());
  EXPECT_TRUE(quiet.take_events().empty());
  EXPECT_EQ(quiet.state(), recorded.state());
}

TEST(ServerCommands, RelayDeniedTextWithoutPtr) {
  LabHooks hooks(1796396568);
  ServerSession session(debian_capture(), kNoPtr, hooks);
  auto lines = run(session, {"HELO x", "MAIL FROM:<a@daum.net>", "RCPT TO:<someone@daum.net>"});
  EXPECT_EQ(lines.back(),
            "550 5.7.1 <someone@daum.net>... Relaying denied. IP name lookup failed [127.0.0.2]");
}

TEST(ServerCommands, HeloArgument) {
  check_cases(
      {
          {"EHLO without argument", {"EHLO"}, {"501 5.0.0 EHLO requires domain address"}},
          {"command echoed as typed", {"helo"}, {"501 5.0.0 helo requires domain address"}},
          {"slash", {"HELO bad/name"}, {"501 5.0.0 Invalid domain name"}},
          {"two words", {"HELO a b"}, {"501 5.0.0 Invalid domain name"}},
          {"too long", {"HELO " + std::string(257, 'a')}, {"501 5.0.0 Invalid domain name"}},
          {"trailing blanks", {"HELO pc1.naver.com   "}, {kHello}},
          {"address literal", {"HELO [127.0.0.1]"}, {kHello}},
      },
      debian_capture());
}

TEST(ServerCommands, VrfyAndExpnWithDebianFlags) {
  check_cases(
      {
          {"local user", {"HELO a", "VRFY lee"}, {kHello, "250 2.1.5 <lee@mail.naver.com>"}},
          {"remote", {"HELO a", "VRFY someone@daum.net"}, {kHello, "252 2.1.5 <someone@daum.net>"}},
          {"unknown", {"HELO a", "VRFY nobody99"}, {kHello, "550 5.1.1 nobody99... User unknown"}},
          {"no argument", {"HELO a", "VRFY"}, {kHello, "501 5.5.2 Argument required"}},
          {"alias",
           {"HELO a", "EXPN staff"},
           {kHello, "250-2.1.5 <kim@mail.naver.com>", "250 2.1.5 <lee@mail.naver.com>"}},
          {"full name",
           {"HELO a", "EXPN postmaster"},
           {kHello, "250 2.1.5 root <root@mail.naver.com>"}},
      },
      debian_capture());
}

TEST(ServerCommands, MiscCommands) {
  ServerConfig config = debian_capture();
  check_cases(
      {
          {"NOOP", {"NOOP"}, {"250 2.0.0 OK"}},
          {"ETRN without argument", {"ETRN"}, {"500 5.5.2 Parameter required"}},
          {"ETRN unknown queue group", {"ETRN #other"}, {"459 4.5.4 Queue other unknown"}},
          {"ETRN default queue group",
           {"ETRN #mqueue"},
           {"250 2.0.0 Queuing for queue group mqueue started"}},
          {"STARTTLS with argument",
           {"STARTTLS now"},
           {"501 5.5.2 Syntax error (no parameters allowed)"}},
          {"AUTH without mechanism", {"AUTH"}, {"501 5.5.2 AUTH mechanism must be specified"}},
          {"VERB", {"VERB"}, {"250 2.0.0 Verbose mode"}},
          {"HELP unknown topic", {"HELP Flowers"}, {"504 5.3.0 HELP topic \"flowers\" unknown"}},
          {"TURN", {"  TURN"}, {"502 5.5.1 Command not implemented: \"  TURN\""}},
      },
      config);
}

TEST(ServerCommands, HelpListsTopics) {
  LabHooks hooks(1796396568);
  ServerSession session(debian_capture(), kLocalhost, hooks);
  auto lines = run(session, {"HELP"});
  ASSERT_EQ(lines.size(), 11u);
  EXPECT_EQ(lines.front(), "214-2.0.0 This is sendmail version 8.17.1.9");
  EXPECT_EQ(lines[2], "214-2.0.0 \tHELO\tEHLO\tMAIL\tRCPT\tDATA");
  EXPECT_EQ(lines.back(), "214 2.0.0 End of HELP info");
}

TEST(ServerCommands, UnmodelledPathsThrow) {
  LabHooks hooks(1796396568);
  ServerSession session(debian_capture(), kLocalhost, hooks);
  session.greeting();
  EXPECT_THROW(session.feed("AUTH CRAM-MD5\r\n"), NotModelledError);
  ServerSession help(debian_capture(), kLocalhost, hooks);
  help.greeting();
  EXPECT_THROW(help.feed("HELP mail\r\n"), NotModelledError);
}

TEST(ServerCommands, NoAuthWhenNoMechanisms) {
  ServerConfig config = debian_capture();
  config.auth_mechanisms = "";
  check_cases({{"AUTH", {"AUTH PLAIN"}, {"503 5.3.3 AUTH not available"}}}, config);
}

TEST(ServerCommands, OpenProxyProbe) {
  LabHooks hooks(1796396568);
  ServerSession session(debian_capture(), kLocalhost, hooks);
  auto lines = run(session, {"GET / HTTP/1.0", "QUIT"});
  EXPECT_EQ(lines, std::vector<std::string>{
                       "421 4.7.0 mail.naver.com Rejecting open proxy localhost [127.0.0.1]"});
  EXPECT_TRUE(session.closed());
}

TEST(ServerCommands, MailWithoutHeloOnRedHat) {
  LabHooks hooks(1796396568);
  ServerConfig config;
  config.hostname = "mail.naver.com";
  ServerSession session(config, kLocalhost, hooks);
  auto lines = run(session, {"MAIL FROM:<kim@naver.com>", "RCPT TO:<lee@naver.com>", "DATA",
                             "Subject: x", "", "body", ".", "QUIT"});
  EXPECT_EQ(lines[0], "250 2.1.0 <kim@naver.com>... Sender ok");
  ASSERT_EQ(hooks.sessions.size(), 1u);
  EXPECT_EQ(hooks.sessions[0].helo_name, "localhost");
  EXPECT_FALSE(hooks.sessions[0].esmtp);
  EXPECT_EQ(
      hooks.sessions[0].authentication_warnings,
      std::vector<std::string>{"mail.naver.com: localhost [127.0.0.1] didn't use HELO protocol"});
}

// Sends one message whose body is `body` (raw wire bytes up to and
// including the terminator) and returns the server's output after DATA's 354.
std::string send_body(ServerSession& session, const std::string& body) {
  session.greeting();
  session.feed("EHLO a\r\nMAIL FROM:<kim@naver.com>\r\nRCPT TO:<lee@naver.com>\r\nDATA\r\n");
  return session.feed(body);
}

TEST(ServerData, BareLineEndsCloseTheSession) {
  struct BareCase {
    const char* name;
    std::string body;
    std::string reply;
  };
  const std::string lf = "421 4.5.0 Bare linefeed (LF) not allowed\r\n";
  const std::string cr = "421 4.5.0 Bare carriage return (CR) not allowed\r\n";
  const BareCase cases[] = {
      {"LF.LF", "Subject: x\r\n\r\nhi\n.\nMAIL FROM:<evil@daum.net>\r\n", lf},
      {"LF.CRLF", "Subject: x\r\n\r\nhi\n.\r\nRSET\r\n", lf},
      {"CRLF.LF", "Subject: x\r\n\r\nhi\r\n.\nQUIT\r\n.\r\n", lf},
      {"inside a line", "Subject: x\r\n\r\nab\ncd\r\n.\r\n", lf},
      {"bare CR", "Subject: x\r\n\r\nab\rcd\r\n.\r\n", cr},
      {"CR after dot", "Subject: x\r\n\r\n.\rx\r\n.\r\n", cr},
  };
  for (const BareCase& c : cases) {
    LabHooks hooks(1796396568);
    ServerSession session(debian_capture(), kLocalhost, hooks);
    EXPECT_EQ(send_body(session, c.body), c.reply) << c.name;
    EXPECT_TRUE(session.closed()) << c.name;
    EXPECT_TRUE(hooks.messages.empty()) << c.name;
    EXPECT_EQ(session.feed("QUIT\r\n"), "") << c.name;
  }
}

TEST(ServerData, LaxModeEndsDataAtBareLf) {
  // Without the smuggling fix, "<LF>.<LF>" ends the message and the rest is
  // read as commands.
  ServerConfig config = debian_capture();
  config.reject_bare_line_ends = false;
  LabHooks hooks(1796396568, {"6B4F2mUe015806"});
  ServerSession session(config, kLocalhost, hooks);
  std::string out = send_body(session, "Subject: x\r\n\r\nhi\n.\nRSET\r\n");
  EXPECT_EQ(out,
            "250 2.0.0 6B4F2mUe015806 Message accepted for delivery\r\n"
            "250 2.0.0 Reset state\r\n");
  ASSERT_EQ(hooks.messages.size(), 1u);
  EXPECT_EQ(hooks.messages[0], "Subject: x\n\nhi\n");
}

TEST(ServerData, SameMessageWhereverTheWritesSplit) {
  // TCP may split the DATA stream anywhere: across a CRLF, a stuffed dot or
  // the final ".CRLF". Every split in two writes must store the same message.
  const std::string wire = "Subject: x\r\n\r\n..dot\r\nline two\r\n\r\n.\r\n";
  const std::string stored = "Subject: x\n\n.dot\nline two\n\n";
  for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
    LabHooks hooks(1796396568);
    ServerSession session(debian_capture(), kLocalhost, hooks);
    std::string out = send_body(session, wire.substr(0, cut));
    out += session.feed(wire.substr(cut));
    EXPECT_NE(out.find("Message accepted for delivery"), std::string::npos) << "cut at " << cut;
    ASSERT_EQ(hooks.messages.size(), 1u) << "cut at " << cut;
    EXPECT_EQ(hooks.messages[0], stored) << "cut at " << cut;
  }
}

TEST(ServerData, NulByte) {
  LabHooks hooks(1796396568);
  ServerSession session(debian_capture(), kLocalhost, hooks);
  std::string body("Subject: x\r\n\r\na\0b\r\n.\r\n", 22);
  EXPECT_EQ(send_body(session, body), "554 5.6.1 NUL byte not allowed\r\n");
  EXPECT_FALSE(session.closed());
  EXPECT_TRUE(hooks.messages.empty());
  EXPECT_EQ(session.feed("QUIT\r\n"), "221 2.0.0 mail.naver.com closing connection\r\n");

  ServerConfig red_hat = debian_capture();
  red_hat.reject_nul = false;
  LabHooks accepting(1796396568);
  ServerSession lenient(red_hat, kLocalhost, accepting);
  send_body(lenient, body);
  ASSERT_EQ(accepting.messages.size(), 1u);
  EXPECT_EQ(accepting.messages[0], std::string("Subject: x\n\na\0b\n", 16));
}

// A message of exactly `size` bytes in its stored (LF) form.
std::string message_of_size(std::size_t size) {
  std::string header = "Subject: size\n\n";
  std::string text = header + std::string(size - header.size() - 1, 'x') + "\n";
  return text;
}

std::string to_wire(const std::string& lf_text) {
  std::string out;
  for (char c : lf_text) out += c == '\n' ? std::string("\r\n") : std::string(1, c);
  return out + ".\r\n";
}

TEST(ServerData, SizeLimitIsInclusive) {
  LabHooks hooks(1796396568, {"6B4F2mUe015806"});
  ServerSession session(debian_capture(), kLocalhost, hooks);
  EXPECT_EQ(send_body(session, to_wire(message_of_size(10000))),
            "250 2.0.0 6B4F2mUe015806 Message accepted for delivery\r\n");
  ASSERT_EQ(hooks.messages.size(), 1u);
  EXPECT_EQ(hooks.messages[0].size(), 10000u);
}

TEST(ServerData, OversizedBodyReadToEnd) {
  LabHooks hooks(1796396568);
  ServerSession session(debian_capture(), kLocalhost, hooks);
  std::string wire = to_wire(message_of_size(11856));
  // Nothing is answered before the terminating dot arrives.
  EXPECT_EQ(send_body(session, wire.substr(0, wire.size() - 3)), "");
  EXPECT_EQ(session.feed(wire.substr(wire.size() - 3) + "RSET\r\n"),
            "552 5.2.3 Message exceeds maximum fixed size (10000)\r\n"
            "250 2.0.0 Reset state\r\n");
  EXPECT_FALSE(session.closed());
  EXPECT_TRUE(hooks.messages.empty());
  bool logged = false;
  for (const ServerEvent& e : session.take_events()) {
    if (e.kind != ServerEventKind::MESSAGE_REJECTED) continue;
    logged = true;
    EXPECT_EQ(e.detail, "message size (11856) exceeds maximum (10000)");
    EXPECT_EQ(e.size, 11856u);
  }
  EXPECT_TRUE(logged);
}

// A NOOP line padded to `length` bytes including CRLF.
std::string noop_line(std::size_t length) {
  return "NOOP " + std::string(length - 7, 'x') + "\r\n";
}

TEST(ServerLimits, CommandLineLength) {
  struct LengthCase {
    std::size_t length;
    bool accepted;
  };
  const LengthCase cases[] = {{2047, true}, {2048, true}, {2049, false}, {2107, false}};
  for (const LengthCase& c : cases) {
    LabHooks hooks(1796396568);
    ServerSession session(debian_capture(), kLocalhost, hooks);
    session.greeting();
    std::string out = session.feed(noop_line(c.length) + "NOOP\r\n");
    if (c.accepted) {
      EXPECT_EQ(out, "250 2.0.0 OK\r\n250 2.0.0 OK\r\n") << c.length;
      EXPECT_FALSE(session.closed()) << c.length;
    } else {
      EXPECT_EQ(out,
                "421 4.7.0 mail.naver.com Command too long, possible attack localhost "
                "[127.0.0.1]\r\n")
          << c.length;
      EXPECT_TRUE(session.closed()) << c.length;
      auto events = session.take_events();
      bool logged = false;
      for (const ServerEvent& e : events) {
        logged |= e.detail == "localhost [127.0.0.1]: SMTP violation, input too long: " +
                                  std::to_string(c.length);
      }
      EXPECT_TRUE(logged) << c.length;
    }
  }
}

TEST(ServerLimits, UnterminatedHugeLineCloses) {
  LabHooks hooks(1796396568);
  ServerSession session(debian_capture(), kLocalhost, hooks);
  session.greeting();
  EXPECT_EQ(session.feed(std::string(12286, 'x')), "");
  EXPECT_FALSE(session.closed());
  EXPECT_NE(session.feed("x").find("Command too long"), std::string::npos);
  EXPECT_TRUE(session.closed());
}

TEST(ServerLimits, TwentySixthBadCommand) {
  LabHooks hooks(1796396568);
  ServerSession session(debian_capture(), kLocalhost, hooks);
  session.greeting();
  for (int i = 1; i <= 25; ++i) {
    EXPECT_EQ(session.feed("FOO\r\n"), "500 5.5.1 Command unrecognized: \"FOO\"\r\n") << i;
  }
  EXPECT_EQ(session.feed("FOO\r\nQUIT\r\n"),
            "421 4.7.0 mail.naver.com Too many bad commands; closing connection\r\n");
  EXPECT_TRUE(session.closed());
  EXPECT_EQ(session.counters().bad_commands, 26u);
}

TEST(ServerLimits, UnimplementedCommandsAreNotBad) {
  LabHooks hooks(1796396568);
  ServerSession session(debian_capture(), kLocalhost, hooks);
  session.greeting();
  for (int i = 0; i < 30; ++i) session.feed("TURN\r\n");
  EXPECT_EQ(session.counters().bad_commands, 0u);
  EXPECT_FALSE(session.closed());
}

TEST(ServerLimits, LongCommandShortenedInReply) {
  LabHooks hooks(1796396568);
  ServerSession session(debian_capture(), kLocalhost, hooks);
  session.greeting();
  std::string line = "X" + std::string(300, 'a') + "Z";
  std::string expected = "500 5.5.1 Command unrecognized: \"" + line.substr(0, 100) + "..." +
                         line.substr(line.size() - 100) + "\"\r\n";
  EXPECT_EQ(session.feed(line + "\r\n"), expected);
}

std::vector<double> delays(ServerSession& session) {
  std::vector<double> out;
  for (const ServerEvent& e : session.take_events()) {
    if (e.kind == ServerEventKind::REPLY_DELAYED) out.push_back(e.delay_seconds);
  }
  return out;
}

TEST(ServerThrottle, HeloDoublesFromTheThird) {
  LabHooks hooks(1796396568);
  ServerSession session(debian_capture(), kLocalhost, hooks);
  session.greeting();
  for (int i = 0; i < 6; ++i) session.feed("HELO a\r\n");
  EXPECT_EQ(delays(session), (std::vector<double>{1, 2, 4, 8}));
  EXPECT_FALSE(session.closed());
}

TEST(ServerThrottle, RedHatStopsAtTwiceTheLimit) {
  LabHooks hooks(1796396568);
  ServerConfig config;
  config.hostname = "mail.naver.com";
  ServerSession session(config, kLocalhost, hooks);
  session.greeting();
  std::string out;
  for (int i = 0; i < 6; ++i) out = session.feed("HELO a\r\n");
  EXPECT_EQ(out, "421 4.7.0 mail.naver.com Too many bad commands; closing connection\r\n");
  EXPECT_TRUE(session.closed());
}

TEST(ServerThrottle, VrfySixthWaits) {
  LabHooks hooks(1796396568);
  ServerSession session(debian_capture(), kLocalhost, hooks);
  session.greeting();
  session.feed("HELO a\r\n");
  for (int i = 0; i < 7; ++i) session.feed("VRFY lee\r\n");
  EXPECT_EQ(delays(session), (std::vector<double>{1, 2}));
}

TEST(ServerThrottle, BadRecipientsAfterThree) {
  Transcript t = parse_transcript(kD01);
  LabHooks hooks(1796396611);
  ServerSession session(debian_capture(), kLocalhost, hooks);
  session.greeting();
  session.feed(t.all_client_bytes());
  int floods = 0;
  std::vector<double> waits;
  for (const ServerEvent& e : session.take_events()) {
    floods += e.kind == ServerEventKind::RCPT_FLOOD;
    if (e.kind == ServerEventKind::REPLY_DELAYED) waits.push_back(e.delay_seconds);
  }
  // nobody4 and lee (the 4th and 5th RCPT) each wait one second.
  EXPECT_EQ(floods, 1);
  EXPECT_EQ(waits, (std::vector<double>{1, 1}));
}

TEST(ServerEvents, StatesAndNullConnection) {
  Transcript t = parse_transcript(kX03);
  LabHooks hooks(1796396967);
  ServerSession session(debian_capture(), kLocalhost, hooks);
  session.greeting();
  session.feed(t.all_client_bytes());
  auto events = session.take_events();
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events[0].kind, ServerEventKind::STATE_CHANGED);
  EXPECT_EQ(events[0].new_state, ServerState::READY);
  EXPECT_EQ(events[1].kind, ServerEventKind::NULL_CONNECTION);
  EXPECT_EQ(events[1].detail, "localhost [127.0.0.1] did not issue MAIL/EXPN/VRFY/ETRN");
  EXPECT_EQ(events.back().new_state, ServerState::CLOSED);
}

TEST(ServerEvents, FeedBeforeGreetingIsAnError) {
  LabHooks hooks(1796396568);
  ServerSession session(debian_capture(), kLocalhost, hooks);
  EXPECT_THROW(session.feed("QUIT\r\n"), std::logic_error);
}

}  // namespace
}  // namespace mailsim::smtp::testing
