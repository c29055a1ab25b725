#include "models/imap/server.hpp"

#include <gtest/gtest.h>

#include "imap_test_support.hpp"

namespace mailsim::imap {
namespace {

using testing::FakeHooks;
using testing::read_file;

constexpr const char* kPostLoginCapability =
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES "
    "THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN "
    "NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES "
    "WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW "
    "STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE";

// Feeds `input` and releases a held-back authentication failure at once.
std::string exchange(ServerSession& session, const std::string& input) {
  std::string reply = session.feed(input);
  if (session.state() == ServerState::AUTH_FAILED_DELAY) reply += session.release_delayed_reply();
  return reply;
}

// A session logged in as kim with INBOX selected (7 messages).
struct SelectedSession {
  FakeHooks hooks;
  ServerSession session{ServerConfig{}, hooks};
  SelectedSession() {
    hooks.inboxes["kim"] = testing::kim_mailbox();
    session.greeting();
    session.feed("s1 LOGIN kim 1234\r\ns2 SELECT INBOX\r\n");
    session.take_events();
  }
};

TEST(ImapServer, ReplaysRecordedSession) {
  FakeHooks hooks;
  hooks.inboxes["kim"] = testing::kim_mailbox();
  ServerSession session(ServerConfig{}, hooks);
  testing::Transcript transcript = testing::load_transcript("m01-imap-session-kim.txt");
  ASSERT_EQ(transcript.exchanges.size(), 7u);
  EXPECT_EQ(session.greeting(), transcript.greeting);
  for (const testing::Exchange& step : transcript.exchanges) {
    EXPECT_EQ(exchange(session, step.command), step.reply) << step.command;
  }
  EXPECT_TRUE(session.closed());
  EXPECT_EQ(hooks.inboxes["kim"].count(), 6u);
}

TEST(ImapServer, ReplaysRecordedSessionByteByByte) {
  FakeHooks hooks;
  hooks.inboxes["kim"] = testing::kim_mailbox();
  ServerSession session(ServerConfig{}, hooks);
  testing::Transcript transcript = testing::load_transcript("m01-imap-session-kim.txt");
  std::string input;
  std::string expected;
  for (const testing::Exchange& step : transcript.exchanges) {
    input += step.command;
    expected += step.reply;
  }
  std::string output;
  for (char c : input) output += session.feed(std::string(1, c));
  EXPECT_EQ(output, expected);
}

TEST(ImapServer, RecordedSessionEvents) {
  FakeHooks hooks;
  hooks.inboxes["kim"] = testing::kim_mailbox();
  ServerSession session(ServerConfig{}, hooks);
  for (const auto& step : testing::load_transcript("m01-imap-session-kim.txt").exchanges) {
    session.feed(step.command);
  }
  std::vector<ServerEvent> events = session.take_events();
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].type, ServerEventType::LOGIN);
  EXPECT_EQ(events[0].user, "kim");
  EXPECT_EQ(events[1].type, ServerEventType::FETCH);
  EXPECT_EQ(events[1].bytes, 410u);
  EXPECT_TRUE(events[1].set_seen);
  EXPECT_EQ(events[2].type, ServerEventType::STORE);
  EXPECT_EQ(events[2].flags, "(\\Deleted \\Seen)");
  EXPECT_EQ(events[3].type, ServerEventType::EXPUNGE);
  EXPECT_EQ(events[3].uid, 1u);
  EXPECT_EQ(events[4].type, ServerEventType::LOGOUT);
  // Dovecot logged `deleted=1 expunged=1 ... body_count=1 body_bytes=410` for such a session.
  EXPECT_EQ(events[4].counters.deleted, 1u);
  EXPECT_EQ(events[4].counters.expunged, 1u);
  EXPECT_EQ(events[4].counters.body_count, 1u);
  EXPECT_EQ(events[4].counters.body_bytes, 410u);
}

// The expected file is what Dovecot 2.3.19.1 left after SELECT, FETCH 1 BODY[], STORE 1
// +FLAGS (\Deleted), EXPUNGE, FETCH 2 BODY[] and LOGOUT on the first five messages of kim's
// mailbox.
TEST(ImapServer, ExpungeRewritesMboxAsDovecot) {
  FakeHooks hooks;
  hooks.clock = 1796408141;  // UIDVALIDITY in that run
  hooks.inboxes["kim"] =
      mailbox::Mailbox::from_mbox(read_file("imap/data/kim-first5.mbox"), "kim-first5");
  ServerSession session(ServerConfig{}, hooks);
  session.feed(
      "a002 LOGIN kim 1234\r\na003 SELECT INBOX\r\na004 FETCH 1 (FLAGS RFC822.SIZE BODY[])\r\n"
      "a005 STORE 1 +FLAGS (\\Deleted)\r\na006 EXPUNGE\r\na007 FETCH 2 BODY[]\r\n"
      "a008 LOGOUT\r\n");
  EXPECT_TRUE(session.closed());
  EXPECT_EQ(hooks.inboxes["kim"].render(),
            read_file("imap/data/kim-first5.after-imap-expunge.mbox"));
}

struct ReplyCase {
  const char* name;
  const char* input;
  const char* reply;
};

// Replies before login, as Dovecot 2.3.19.1's imap-login sent them on loopback.
TEST(ImapServer, RepliesBeforeLogin) {
  const ReplyCase cases[] = {
      {"noop", "a1 NOOP\r\n", "a1 OK NOOP completed.\r\n"},
      {"select", "a1 SELECT INBOX\r\n", "a1 BAD Error in IMAP command received by server.\r\n"},
      {"unknown", "a1 FOO\r\n", "a1 BAD Error in IMAP command received by server.\r\n"},
      {"login without password", "a1 LOGIN kim\r\n",
       "a1 BAD Error in IMAP command received by server.\r\n"},
      {"bad password", "a1 LOGIN kim wrong\r\n",
       "a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"},
      {"quoted escape", "a1 LOGIN \"kim\" \"12\\\"34\"\r\n",
       "a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"},
      {"id", "a0 ID NIL\r\n", "* ID (\"name\" \"Dovecot\")\r\na0 OK ID completed.\r\n"},
      {"unsupported mechanism", "a1 AUTHENTICATE CRAM-MD5\r\n",
       "a1 NO [ALERT] Unsupported authentication mechanism.\r\n"},
      {"empty initial response", "a2 AUTHENTICATE PLAIN =\r\n",
       "a2 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"},
      {"abort", "a2 AUTHENTICATE PLAIN\r\n*\r\n",
       "+ \r\na2 BAD Authentication aborted by client.\r\n"},
      {"logout", "a5 LOGOUT\r\n", "* BYE Logging out\r\na5 OK Logout completed.\r\n"},
  };
  for (const ReplyCase& c : cases) {
    FakeHooks hooks;
    ServerSession session(ServerConfig{}, hooks);
    EXPECT_EQ(exchange(session, c.input), c.reply) << c.name;
  }
}

TEST(ImapServer, ThirdBadCommandDisconnects) {
  FakeHooks hooks;
  ServerSession session(ServerConfig{}, hooks);
  EXPECT_EQ(session.feed("a1 FOO\r\na2 BAR\r\na3 BAZ\r\na4 NOOP\r\n"),
            "a1 BAD Error in IMAP command received by server.\r\n"
            "a2 BAD Error in IMAP command received by server.\r\n"
            "* BYE Too many invalid IMAP commands.\r\n");
  EXPECT_TRUE(session.closed());
}

TEST(ImapServer, FailedLoginHeldBack) {
  FakeHooks hooks;
  ServerSession session(ServerConfig{}, hooks);
  EXPECT_EQ(session.feed("a1 LOGIN kim wrong\r\na2 NOOP\r\n"), "");
  EXPECT_EQ(session.state(), ServerState::AUTH_FAILED_DELAY);
  std::vector<ServerEvent> events = session.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, ServerEventType::AUTH_FAILED);
  EXPECT_EQ(session.release_delayed_reply(),
            "a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\na2 OK NOOP completed.\r\n");
}

// Login forms: LOGIN with literals, AUTHENTICATE PLAIN with SASL-IR and with a continuation.
TEST(ImapServer, LoginForms) {
  const std::string ok = std::string("OK [CAPABILITY ") + kPostLoginCapability + "] Logged in\r\n";
  const ReplyCase cases[] = {
      {"synchronizing literals", "a4 LOGIN {3}\r\nkim {4}\r\n1234\r\n", ""},
      {"literal plus", "a4 LOGIN {3+}\r\nkim {4+}\r\n1234\r\n", ""},
      {"sasl-ir", "a4 AUTHENTICATE PLAIN AGtpbQAxMjM0\r\n", ""},
      {"continuation", "a4 AUTHENTICATE PLAIN\r\nAGtpbQAxMjM0\r\n", ""},
  };
  const char* prefixes[] = {"+ OK\r\n+ OK\r\n", "", "", "+ \r\n"};
  for (std::size_t i = 0; i < std::size(cases); ++i) {
    FakeHooks hooks;
    ServerSession session(ServerConfig{}, hooks);
    EXPECT_EQ(session.feed(cases[i].input), prefixes[i] + std::string("a4 ") + ok)
        << cases[i].name;
    EXPECT_EQ(session.state(), ServerState::AUTHENTICATED) << cases[i].name;
  }
}

TEST(ImapServer, LiteralContinuationOnlyOnce) {
  FakeHooks hooks;
  ServerSession session(ServerConfig{}, hooks);
  EXPECT_EQ(session.feed("a4 LOGIN {3}\r\n"), "+ OK\r\n");
  EXPECT_EQ(session.feed("ki"), "");
  EXPECT_EQ(session.feed("m {4}\r\n"), "+ OK\r\n");
  EXPECT_EQ(session.feed("12"), "");
  EXPECT_EQ(session.feed("34\r\n").substr(0, 8), "a4 OK [C");
}

// Replies after SELECT INBOX of kim's 7 messages, as Dovecot 2.3.19.1 sent them (its \Recent
// flags left out, because this model reports none).
TEST(ImapServer, RepliesWhenSelected) {
  const ReplyCase cases[] = {
      {"fetch set", "b1 FETCH 2,4:5 (UID FLAGS)\r\n",
       "* 2 FETCH (UID 2 FLAGS ())\r\n* 4 FETCH (UID 4 FLAGS ())\r\n* 5 FETCH (UID 5 FLAGS ())\r\n"
       "b1 OK Fetch completed (0.001 + 0.000 secs).\r\n"},
      {"fetch beyond", "c1 FETCH 8 FLAGS\r\n",
       "c1 BAD Error in IMAP command FETCH: Invalid messageset (0.001 + 0.000 secs).\r\n"},
      {"fetch zero", "c2 FETCH 0 FLAGS\r\n",
       "c2 BAD Error in IMAP command FETCH: Invalid messageset (0.001 + 0.000 secs).\r\n"},
      {"fetch unknown item", "c4 FETCH 1 (FOO)\r\n",
       "c4 BAD Error in IMAP command FETCH: Unknown parameter: FOO (0.001 + 0.000 secs).\r\n"},
      {"fetch no items", "c5 FETCH 1\r\n",
       "c5 BAD Error in IMAP command FETCH: Invalid arguments (0.001 + 0.000 secs).\r\n"},
      {"fetch open list", "b7 FETCH 1 (FLAGS\r\n",
       "b7 BAD Error in IMAP command FETCH: Missing ')' (0.001 + 0.000 secs).\r\n"},
      {"uid fetch range", "c6 UID FETCH 7:9 (FLAGS)\r\n",
       "* 7 FETCH (UID 7 FLAGS ())\r\nc6 OK Fetch completed (0.001 + 0.000 secs).\r\n"},
      {"uid fetch none", "c7 UID FETCH 100 FLAGS\r\n",
       "c7 OK Fetch completed (0.001 + 0.000 secs).\r\n"},
      {"fast", "b3 FETCH 1:2 FAST\r\n",
       "* 1 FETCH (FLAGS () INTERNALDATE \"04-Dec-2026 15:03:21 +0000\" RFC822.SIZE 410)\r\n"
       "* 2 FETCH (FLAGS () INTERNALDATE \"04-Dec-2026 15:03:45 +0000\" RFC822.SIZE 436)\r\n"
       "b3 OK Fetch completed (0.001 + 0.000 secs).\r\n"},
      {"all", "b8 FETCH 5 ALL\r\n",
       "* 5 FETCH (FLAGS () INTERNALDATE \"04-Dec-2026 15:09:27 +0000\" RFC822.SIZE 374 ENVELOPE "
       "(\"Fri, 4 Dec 2026 15:09:23 GMT\" \"pipelined\" ((NIL NIL \"lee\" \"naver.com\")) ((NIL "
       "NIL \"lee\" \"naver.com\")) ((NIL NIL \"lee\" \"naver.com\")) ((NIL NIL \"kim\" "
       "\"naver.com\")) NIL NIL NIL \"<202612041509.6B4F9Nvw016904@mail.naver.com>\"))\r\n"
       "b8 OK Fetch completed (0.001 + 0.000 secs).\r\n"},
      {"header fields", "b1 FETCH 1 (BODY.PEEK[HEADER.FIELDS (From Subject)])\r\n",
       "* 1 FETCH (BODY[HEADER.FIELDS (FROM SUBJECT)] {49}\r\nFrom: lee@naver.com\r\n"
       "Subject: sent after HELO\r\n\r\n)\r\nb1 OK Fetch completed (0.001 + 0.000 secs).\r\n"},
      {"text sets seen", "b4 FETCH 3 (BODY[TEXT])\r\n",
       "* 3 FETCH (FLAGS (\\Seen) BODY[TEXT] {19}\r\nnull reverse path\r\n)\r\n"
       "b4 OK Fetch completed (0.001 + 0.000 secs).\r\n"},
      {"partial", "b2 FETCH 2 (BODY[]<0.10>)\r\n",
       "* 2 FETCH (FLAGS (\\Seen) BODY[]<0> {10}\r\nReturn-Pat)\r\n"
       "b2 OK Fetch completed (0.001 + 0.000 secs).\r\n"},
      {"bodystructure", "b6 FETCH 4 BODYSTRUCTURE\r\n",
       "* 4 FETCH (BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" "
       "17 1 NIL NIL NIL NIL))\r\nb6 OK Fetch completed (0.001 + 0.000 secs).\r\n"},
      {"multipart body", "b7 FETCH 6 (BODY BODYSTRUCTURE)\r\n",
       "* 6 FETCH (BODY ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 396 10)"
       "(\"message\" \"delivery-status\" NIL NIL NIL \"7bit\" 346)(\"text\" \"rfc822-headers\" "
       "(\"charset\" \"us-ascii\") NIL NIL \"7bit\" 401 9) \"report\") BODYSTRUCTURE "
       "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 396 10 NIL NIL NIL NIL)"
       "(\"message\" \"delivery-status\" NIL NIL NIL \"7bit\" 346 NIL NIL NIL NIL)(\"text\" "
       "\"rfc822-headers\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 401 9 NIL NIL NIL NIL) "
       "\"report\" (\"report-type\" \"delivery-status\" \"boundary\" "
       "\"6B4F9e4K017006.1796396980/mail.naver.com\") NIL NIL NIL))\r\n"
       "b7 OK Fetch completed (0.001 + 0.000 secs).\r\n"},
      {"search all", "a2 SEARCH ALL\r\n",
       "* SEARCH 1 2 3 4 5 6 7\r\na2 OK Search completed (0.001 + 0.000 secs).\r\n"},
      {"search seen", "a4 SEARCH SEEN\r\n",
       "* SEARCH\r\na4 OK Search completed (0.001 + 0.000 secs).\r\n"},
      {"search from", "a5 SEARCH FROM lee\r\n",
       "* SEARCH 1 5\r\na5 OK Search completed (0.001 + 0.000 secs).\r\n"},
      {"search subject and to", "a6 SEARCH SUBJECT \"to both\" TO kim\r\n",
       "* SEARCH 4\r\na6 OK Search completed (0.001 + 0.000 secs).\r\n"},
      {"search set and from", "a6 SEARCH 2:3 FROM someone\r\n",
       "* SEARCH 2\r\na6 OK Search completed (0.001 + 0.000 secs).\r\n"},
      {"uid search", "a7 UID SEARCH UID 2:4\r\n",
       "* SEARCH 2 3 4\r\na7 OK Search completed (0.001 + 0.000 secs).\r\n"},
      {"search unknown", "a9 SEARCH BOGUS\r\n",
       "a9 BAD Error in IMAP command SEARCH: Unknown argument BOGUS (0.001 + 0.000 secs).\r\n"},
      {"store flags", "a2 STORE 1:2 FLAGS (\\Flagged \\Seen)\r\n",
       "* 1 FETCH (FLAGS (\\Flagged \\Seen))\r\n* 2 FETCH (FLAGS (\\Flagged \\Seen))\r\n"
       "a2 OK Store completed (0.001 + 0.000 secs).\r\n"},
      {"store silent", "a3 STORE 2 -FLAGS.SILENT (\\Flagged)\r\n",
       "a3 OK Store completed (0.001 + 0.000 secs).\r\n"},
      {"uid store", "a4 UID STORE 3 +FLAGS (\\Answered)\r\n",
       "* 3 FETCH (UID 3 FLAGS (\\Answered))\r\na4 OK Store completed (0.001 + 0.000 secs).\r\n"},
      {"store bad flag", "a5 STORE 1 +FLAGS (\\Bogus)\r\n",
       "a5 BAD Error in IMAP command STORE: Invalid system flag \\BOGUS (0.001 + 0.000 secs).\r\n"},
      {"store bad operation", "a6 STORE 1 BADOP (\\Seen)\r\n",
       "a6 BAD Error in IMAP command STORE: Invalid arguments (0.001 + 0.000 secs).\r\n"},
      {"unknown command", "a5 FOO\r\n",
       "a5 BAD Error in IMAP command FOO: Unknown command (0.001 + 0.000 secs).\r\n"},
      {"select missing", "a6 SELECT nothere\r\n",
       "* OK [CLOSED] Previous mailbox closed.\r\n"
       "a6 NO Mailbox doesn't exist: nothere (0.001 + 0.000 secs).\r\n"},
      {"check", "b7 CHECK\r\n", "b7 OK Check completed (0.001 + 0.000 secs).\r\n"},
      {"unselect", "a4 UNSELECT\r\n", "a4 OK Unselect completed (0.001 + 0.000 secs).\r\n"},
      {"idle", "c8 IDLE\r\nDONE\r\n",
       "+ idling\r\nc8 OK Idle completed (0.001 + 0.000 secs).\r\n"},
  };
  for (const ReplyCase& c : cases) {
    SelectedSession s;
    EXPECT_EQ(s.session.feed(c.input), c.reply) << c.name;
  }
}

// Replies in the authenticated state, as Dovecot 2.3.19.1 sent them.
TEST(ImapServer, RepliesWhenAuthenticated) {
  const ReplyCase cases[] = {
      {"list delimiter", "a1 LIST \"\" \"\"\r\n",
       "* LIST (\\Noselect) \"/\" \"\"\r\na1 OK List completed (0.001 + 0.000 secs).\r\n"},
      {"list all", "a2 LIST \"\" \"*\"\r\n",
       "* LIST (\\HasNoChildren) \"/\" INBOX\r\na2 OK List completed (0.001 + 0.000 secs).\r\n"},
      {"list percent", "b3 LIST \"\" \"%\"\r\n",
       "* LIST (\\HasNoChildren) \"/\" INBOX\r\nb3 OK List completed (0.001 + 0.000 secs).\r\n"},
      {"list prefix", "b5 LIST \"\" \"IN*\"\r\n",
       "* LIST (\\HasNoChildren) \"/\" INBOX\r\nb5 OK List completed (0.001 + 0.000 secs).\r\n"},
      {"list no match", "b5 LIST \"\" \"Sent\"\r\n",
       "b5 OK List completed (0.001 + 0.000 secs).\r\n"},
      {"lsub", "a3 LSUB \"\" \"*\"\r\n", "a3 OK Lsub completed (0.001 + 0.000 secs).\r\n"},
      {"status", "a4 STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)\r\n",
       "* STATUS INBOX (MESSAGES 7 RECENT 0 UIDNEXT 8 UIDVALIDITY 1796397137 UNSEEN 7)\r\n"
       "a4 OK Status completed (0.001 + 0.000 secs).\r\n"},
      {"status missing", "a5 STATUS nothere (MESSAGES)\r\n",
       "a5 NO Mailbox doesn't exist: nothere (0.001 + 0.000 secs).\r\n"},
      {"fetch unselected", "a6 FETCH 1 FLAGS\r\n",
       "a6 BAD No mailbox selected (0.001 + 0.000 secs).\r\n"},
      {"close unselected", "b5 CLOSE\r\n", "b5 BAD No mailbox selected (0.001 + 0.000 secs).\r\n"},
      {"enable", "a8 ENABLE FOO\r\n", "a8 OK Enabled (0.001 + 0.000 secs).\r\n"},
      {"noop", "b6 NOOP\r\n", "b6 OK NOOP completed (0.001 + 0.000 secs).\r\n"},
      {"id", "b1 ID (\"name\" \"x\")\r\n",
       "* ID (\"name\" \"Dovecot\")\r\nb1 OK ID completed (0.001 + 0.000 secs).\r\n"},
      {"examine", "a9 EXAMINE INBOX\r\n",
       "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
       "* OK [PERMANENTFLAGS ()] Read-only mailbox.\r\n* 7 EXISTS\r\n* 0 RECENT\r\n"
       "* OK [UNSEEN 1] First unseen.\r\n* OK [UIDVALIDITY 1796397137] UIDs valid\r\n"
       "* OK [UIDNEXT 8] Predicted next UID\r\n"
       "a9 OK [READ-ONLY] Examine completed (0.001 + 0.000 secs).\r\n"},
      {"append missing", "a8 APPEND nothere {5+}\r\nhi\r\n\r\n",
       "a8 NO [TRYCREATE] Mailbox doesn't exist: nothere (0.001 + 0.000 secs).\r\n"},
      {"append", "b3 APPEND INBOX {3+}\r\nx\r\n\r\n",
       "b3 OK [APPENDUID 1796397137 8] Append completed (0.001 + 0.000 secs).\r\n"},
  };
  for (const ReplyCase& c : cases) {
    FakeHooks hooks;
    hooks.inboxes["kim"] = testing::kim_mailbox();
    ServerSession session(ServerConfig{}, hooks);
    session.feed("s1 LOGIN kim 1234\r\n");
    EXPECT_EQ(session.feed(c.input), c.reply) << c.name;
  }
}

TEST(ImapServer, ExamineIgnoresStoreAndExpunge) {
  SelectedSession s;
  s.session.feed("x1 EXAMINE INBOX\r\n");
  EXPECT_EQ(s.session.feed("a3 STORE 1 +FLAGS (\\Deleted)\r\n"),
            "a3 OK Store ignored with read-only mailbox (0.001 + 0.000 secs).\r\n");
  EXPECT_EQ(s.session.feed("a2 EXPUNGE\r\n"), "a2 OK Expunge completed (0.001 + 0.000 secs).\r\n");
  EXPECT_EQ(s.hooks.inboxes["kim"].count(), 7u);
}

TEST(ImapServer, AppendWhileSelected) {
  SelectedSession s;
  EXPECT_EQ(s.session.feed("a9 APPEND INBOX (\\Seen) {12}\r\n"), "+ OK\r\n");
  EXPECT_EQ(s.session.feed("Subject: x\r\n\r\n"),
            "* 8 EXISTS\r\na9 OK [APPENDUID 1796397137 8] Append completed (0.001 + 0.000 "
            "secs).\r\n");
  EXPECT_EQ(s.session.feed("b1 FETCH 8 (UID FLAGS RFC822.SIZE)\r\n"),
            "* 8 FETCH (UID 8 FLAGS (\\Seen) RFC822.SIZE 12)\r\n"
            "b1 OK Fetch completed (0.001 + 0.000 secs).\r\n");
  EXPECT_EQ(s.hooks.inboxes["kim"].message(7).content.flatten(), "Subject: x\n");
}

TEST(ImapServer, CloseExpungesSilently) {
  SelectedSession s;
  EXPECT_EQ(s.session.feed("a1 STORE 2,3 +FLAGS.SILENT (\\Deleted)\r\na2 CLOSE\r\n"),
            "a1 OK Store completed (0.001 + 0.000 secs).\r\n"
            "a2 OK Close completed (0.001 + 0.000 secs).\r\n");
  EXPECT_EQ(s.session.state(), ServerState::AUTHENTICATED);
  EXPECT_EQ(s.hooks.inboxes["kim"].count(), 5u);
}

TEST(ImapServer, ExpungeRenumbers) {
  SelectedSession s;
  s.session.feed("a1 STORE 1:2 +FLAGS.SILENT (\\Deleted)\r\n");
  EXPECT_EQ(s.session.feed("a2 EXPUNGE\r\n"),
            "* 1 EXPUNGE\r\n* 1 EXPUNGE\r\na2 OK Expunge completed (0.001 + 0.000 secs).\r\n");
  EXPECT_EQ(s.session.feed("a3 FETCH 1 UID\r\n"),
            "* 1 FETCH (UID 3)\r\na3 OK Fetch completed (0.001 + 0.000 secs).\r\n");
}

TEST(ImapServer, UnmodelledCommandThrows) {
  SelectedSession s;
  EXPECT_THROW(s.session.feed("a1 COPY 1 Trash\r\n"), std::logic_error);
}

}  // namespace
}  // namespace mailsim::imap
