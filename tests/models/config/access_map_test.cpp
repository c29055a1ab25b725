#include "models/config/access_map.hpp"

#include <gtest/gtest.h>

#include "expect_input_error.hpp"

namespace mailsim::config {
namespace {

const std::string kFile = "/etc/mail/access";

// The Red Hat default the lab keeps: only the local host may relay.
const char* kRedHatAccess =
    "# By default we allow relaying from localhost...\n"
    "Connect:localhost.localdomain\t\tRELAY\n"
    "Connect:localhost\t\t\tRELAY\n"
    "Connect:127.0.0.1\t\t\tRELAY\n";

// What the lab adds so that its two domains and its LAN may relay.
const char* kLabAccess =
    "naver.com\tRELAY\n"
    "daum.net\tRELAY\n"
    "10.0.2\t\tRELAY\n";

std::optional<ActionKind> kind_of(const std::optional<Action>& action) {
  if (!action) return std::nullopt;
  return action->kind;
}

TEST(AccessAction, ParsesEveryForm) {
  struct Case {
    const char* rhs;
    ActionKind kind;
    int code;
    const char* status;
    const char* text;
  };
  const Case cases[] = {
      {"OK", ActionKind::OK, 0, "", ""},
      {"relay", ActionKind::RELAY, 0, "", ""},
      {"REJECT", ActionKind::REJECT, 550, "5.7.1", "Access denied"},
      {"DISCARD", ActionKind::DISCARD, 0, "", ""},
      {"SKIP", ActionKind::SKIP, 0, "", ""},
      {"ERROR:5.7.1:550 Go away", ActionKind::ERROR, 550, "5.7.1", "Go away"},
      {"ERROR:4.7.1:451 Try again later", ActionKind::ERROR, 451, "4.7.1", "Try again later"},
      {"ERROR:\"550 Mailbox disabled\"", ActionKind::ERROR, 550, "", "Mailbox disabled"},
      {"ERROR:550 Mailbox disabled", ActionKind::ERROR, 550, "", "Mailbox disabled"},
      {"550 Spam not accepted", ActionKind::ERROR, 550, "", "Spam not accepted"},
      {"554", ActionKind::ERROR, 554, "", ""},
  };
  for (const Case& c : cases) {
    Action action = Action::parse(c.rhs, SourcePos{kFile, 1, 10});
    EXPECT_EQ(action.kind, c.kind) << c.rhs;
    EXPECT_EQ(action.reply_code, c.code) << c.rhs;
    EXPECT_EQ(action.enhanced_status, c.status) << c.rhs;
    EXPECT_EQ(action.text, c.text) << c.rhs;
  }
}

TEST(AccessAction, RejectsInvalidForms) {
  const char* cases[] = {
      "ACCEPT",               // not an action
      "RELAY # trusted",      // makemap keeps the comment in the value
      "ERROR:5.7.1:Go away",  // no reply code
      "ERROR:9.7.1:550 Go",   // enhanced status class must be 2, 4 or 5
      "250 Fine",             // a success code cannot reject
      "QUARANTINE:held",      // not modelled
      "55 Short",
  };
  for (const char* rhs : cases) {
    auto error = catch_input_error([&] { Action::parse(rhs, SourcePos{kFile, 3, 12}); });
    ASSERT_TRUE(error.has_value()) << rhs;
    EXPECT_EQ(error->pos().line, 3) << rhs;
    EXPECT_EQ(error->pos().column, 12) << rhs;
  }
}

TEST(AccessMap, ParsesRedHatDefault) {
  AccessMap map = AccessMap::parse(kRedHatAccess, kFile);
  EXPECT_EQ(map.size(), 3u);
  EXPECT_TRUE(map.warnings().empty());
  const AccessEntry* entry = map.find("Connect", "LOCALHOST");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->tag, "connect");
  EXPECT_EQ(entry->key, "localhost");
  EXPECT_EQ(entry->value, "RELAY");
  EXPECT_EQ(entry->pos.line, 3);
  EXPECT_EQ(map.find("", "localhost"), nullptr);
}

TEST(AccessMap, ParseErrorsCarryPositions) {
  struct Case {
    const char* text;
    int line;
    int column;
  };
  const Case cases[] = {
      {"naver.com\n", 1, 10},                     // no value
      {"naver.com RELAY\nNAVER.COM OK\n", 2, 1},  // duplicate after case folding
      {"# ok\n  naver.com RELAY\n", 2, 1},        // leading white space
      {"Connect:kim@daum.net RELAY\n", 1, 1},     // Connect: takes no address
      {"kim@daum..net REJECT\n", 1, 1},           // bad domain
      {"kim@ SKIP\n", 1, 6},                      // SKIP on a user key
      {"daum.net\tACCEPT\n", 1, 10},              // unknown action
      {"10.0.256 RELAY\n", 1, 1},                 // octet out of range
  };
  for (const Case& c : cases) {
    auto error = catch_input_error([&] { AccessMap::parse(c.text, kFile); });
    ASSERT_TRUE(error.has_value()) << c.text;
    EXPECT_EQ(error->pos().file, kFile) << c.text;
    EXPECT_EQ(error->pos().line, c.line) << c.text;
    EXPECT_EQ(error->pos().column, c.column) << c.text;
  }
}

TEST(AccessMap, UnmodelledTagsWarn) {
  AccessMap map =
      AccessMap::parse("GreetPause:127\t0\nConnect:127 RELAY\nSpam:abuse@ FRIEND\n", kFile);
  ASSERT_EQ(map.warnings().size(), 2u);
  EXPECT_EQ(map.warnings()[0].to_string(),
            "/etc/mail/access:1:1: access map tag GreetPause: is not modelled");
  EXPECT_EQ(map.warnings()[1].pos.line, 3);
  const AccessEntry* spam = map.find("spam", "abuse@");
  ASSERT_NE(spam, nullptr);
  EXPECT_FALSE(spam->action.has_value());
  EXPECT_EQ(spam->value, "FRIEND");
}

TEST(AccessMap, AtDomainKeyWarnsAndNeverMatches) {
  AccessMap map = AccessMap::parse("@daum.net REJECT\n", kFile);
  ASSERT_EQ(map.warnings().size(), 1u);
  EXPECT_EQ(map.warnings()[0].pos.line, 1);
  EXPECT_FALSE(map.lookup_from("kim@daum.net").has_value());
  EXPECT_FALSE(map.lookup_to("kim@daum.net").has_value());
}

TEST(AccessMap, DomainMatchesSubdomainsNotSuffixes) {
  AccessMap map = AccessMap::parse("naver.com REJECT\nmail.naver.com OK\n", kFile);
  EXPECT_EQ(kind_of(map.lookup_domain("connect", "naver.com")), ActionKind::REJECT);
  EXPECT_EQ(kind_of(map.lookup_domain("connect", "www.naver.com")), ActionKind::REJECT);
  EXPECT_EQ(kind_of(map.lookup_domain("connect", "a.b.naver.com.")), ActionKind::REJECT);
  EXPECT_EQ(kind_of(map.lookup_domain("connect", "MAIL.Naver.com")), ActionKind::OK);
  EXPECT_EQ(kind_of(map.lookup_domain("connect", "x.mail.naver.com")), ActionKind::OK);
  EXPECT_FALSE(map.lookup_domain("connect", "notnaver.com").has_value());
  EXPECT_FALSE(map.lookup_domain("connect", "com").has_value());
}

TEST(AccessMap, TaggedKeyBeatsBareKey) {
  AccessMap map = AccessMap::parse("To:daum.net OK\ndaum.net RELAY\n", kFile);
  EXPECT_EQ(kind_of(map.lookup_domain("to", "daum.net")), ActionKind::OK);
  EXPECT_EQ(kind_of(map.lookup_domain("connect", "daum.net")), ActionKind::RELAY);
  // A tagged key for the subdomain's parent does not beat a bare key for the subdomain.
  AccessMap nested = AccessMap::parse("To:daum.net OK\nmail.daum.net RELAY\n", kFile);
  EXPECT_EQ(kind_of(nested.lookup_domain("to", "mail.daum.net")), ActionKind::RELAY);
}

TEST(AccessMap, LongestIpPrefixWins) {
  AccessMap map = AccessMap::parse("10 REJECT\nConnect:10.0.2 RELAY\n10.0.2.66 DISCARD\n", kFile);
  EXPECT_EQ(kind_of(map.lookup_address("connect", "10.0.2.9")), ActionKind::RELAY);
  EXPECT_EQ(kind_of(map.lookup_address("connect", "10.0.2.66")), ActionKind::DISCARD);
  EXPECT_EQ(kind_of(map.lookup_address("connect", "10.1.1.1")), ActionKind::REJECT);
  EXPECT_FALSE(map.lookup_address("connect", "192.168.0.1").has_value());
  // 10.0.2 covers octet boundaries only, so 10.0.20.1 falls back to 10.
  EXPECT_EQ(kind_of(map.lookup_address("connect", "10.0.20.1")), ActionKind::REJECT);
}

TEST(AccessMap, Ipv6Keys) {
  AccessMap map = AccessMap::parse("Connect:IPv6:::1 RELAY\nIPv6:2001:db8 REJECT\n", kFile);
  EXPECT_EQ(kind_of(map.lookup_address("connect", "::1")), ActionKind::RELAY);
  EXPECT_EQ(kind_of(map.lookup_address("connect", "IPv6:::1")), ActionKind::RELAY);
  EXPECT_EQ(kind_of(map.lookup_address("connect", "2001:db8::25")), ActionKind::REJECT);
  EXPECT_EQ(kind_of(map.lookup_address("connect", "2001:db8:1:2::25")), ActionKind::REJECT);
  EXPECT_FALSE(map.lookup_address("connect", "2001:db9::25").has_value());
}

TEST(AccessMap, SkipEndsOneSearch) {
  AccessMap map = AccessMap::parse(
      "Connect:daum.net SKIP\nConnect:127 RELAY\ndaum.net REJECT\n10.0.2 SKIP\n10 REJECT\n", kFile);
  // SKIP stops the host name search before the bare daum.net; the IP search still runs.
  EXPECT_FALSE(map.lookup_domain("connect", "pc.daum.net").has_value());
  EXPECT_EQ(kind_of(map.lookup_connect("127.0.0.4", "pc.daum.net")), ActionKind::RELAY);
  EXPECT_FALSE(map.lookup_address("connect", "10.0.2.7").has_value());
  EXPECT_EQ(kind_of(map.lookup_address("connect", "10.0.3.7")), ActionKind::REJECT);
}

TEST(AccessMap, ConnectTriesHostNameBeforeAddress) {
  AccessMap map = AccessMap::parse("Connect:pc.daum.net REJECT\nConnect:127.0.0.4 OK\n", kFile);
  EXPECT_EQ(kind_of(map.lookup_connect("127.0.0.4", "pc.daum.net")), ActionKind::REJECT);
  EXPECT_EQ(kind_of(map.lookup_connect("127.0.0.4", "")), ActionKind::OK);
  EXPECT_FALSE(map.lookup_connect("127.0.0.5", "other.example").has_value());
}

TEST(AccessMap, FromSearchOrder) {
  AccessMap map = AccessMap::parse(
      "From:kim@daum.net OK\n"
      "kim@ REJECT\n"
      "daum.net DISCARD\n"
      "kim+*@naver.com ERROR:5.7.1:550 No lists\n"
      "lee@naver.com RELAY\n",
      kFile);
  EXPECT_EQ(kind_of(map.lookup_from("<kim@daum.net>")), ActionKind::OK);
  EXPECT_EQ(kind_of(map.lookup_from("kim@naver.com")), ActionKind::REJECT);
  EXPECT_EQ(kind_of(map.lookup_from("kim")), ActionKind::REJECT);
  EXPECT_EQ(kind_of(map.lookup_from("lee@mail.daum.net")), ActionKind::DISCARD);
  EXPECT_EQ(kind_of(map.lookup_from("kim+news@naver.com")), ActionKind::ERROR);
  EXPECT_EQ(kind_of(map.lookup_from("lee+x@naver.com")), ActionKind::RELAY);
  EXPECT_FALSE(map.lookup_from("<>").has_value());
  EXPECT_FALSE(map.lookup_from("lee@example.org").has_value());
  // From: entries do not apply to recipients; bare ones do.
  EXPECT_EQ(kind_of(map.lookup_to("kim@daum.net")), ActionKind::REJECT);
}

TEST(AccessMap, DebianDefaultEntries) {
  AccessMap map = AccessMap::parse(
      "Connect:127\t\t\t\tRELAY\n"
      "Connect:IPv6:::1\t\tRELAY\n"
      "reject@\t\t\tREJECT\n"
      "Connect:169.254 REJECT\n",
      kFile);
  EXPECT_EQ(kind_of(map.lookup_connect("127.0.0.2", "")), ActionKind::RELAY);
  std::optional<Action> link_local = map.lookup_connect("169.254.7.7", "");
  ASSERT_TRUE(link_local.has_value());
  EXPECT_EQ(link_local->reply_code, 550);
  EXPECT_EQ(link_local->enhanced_status, "5.7.1");
  EXPECT_EQ(link_local->text, "Access denied");
  EXPECT_EQ(kind_of(map.lookup_to("reject@naver.com")), ActionKind::REJECT);
}

TEST(RelayDecision, RedHatDefaultMatchesCapturedReplies) {
  AccessMap map = AccessMap::parse(kRedHatAccess, kFile);
  const std::set<std::string> class_w{"localhost", "naver.com", "mail.naver.com"};
  // 127.0.0.1 relays; 127.0.0.2 has no PTR record; 127.0.0.4 is pc.daum.net.
  EXPECT_EQ(decide_relay(map, class_w, "127.0.0.1", "localhost", "daum.net"),
            RelayVerdict::RELAY_CLIENT);
  EXPECT_EQ(decide_relay(map, class_w, "127.0.0.2", "", "daum.net"),
            RelayVerdict::DENIED_NAME_LOOKUP_FAILED);
  EXPECT_EQ(decide_relay(map, class_w, "127.0.0.4", "pc.daum.net", "daum.net"),
            RelayVerdict::DENIED);
  // Local recipients are accepted from any client.
  EXPECT_EQ(decide_relay(map, class_w, "127.0.0.2", "", "naver.com"),
            RelayVerdict::RELAY_RECIPIENT);
  EXPECT_EQ(decide_relay(map, class_w, "127.0.0.4", "pc.daum.net", "Mail.Naver.Com."),
            RelayVerdict::RELAY_RECIPIENT);
  EXPECT_EQ(decide_relay(map, class_w, "127.0.0.4", "pc.daum.net", ""),
            RelayVerdict::RELAY_RECIPIENT);
}

TEST(RelayDecision, LocalhostAlwaysTrusted) {
  AccessMap empty = AccessMap::parse("", kFile);
  for (const char* ip : {"127.0.0.1", "::1", "IPv6:::1", "", "0"}) {
    EXPECT_TRUE(relay_allowed(empty, ip, "", "daum.net")) << ip;
  }
  EXPECT_FALSE(relay_allowed(empty, "127.0.0.2", "localhost", "daum.net"));
}

TEST(RelayDecision, LabAccessMap) {
  AccessMap map = AccessMap::parse(kLabAccess, kFile);
  struct Case {
    const char* ip;
    const char* ptr;
    const char* rcpt_domain;
    bool allowed;
  };
  const Case cases[] = {
      {"10.0.2.15", "", "example.org", true},               // LAN prefix, even without PTR
      {"192.168.1.5", "pc.example.org", "daum.net", true},  // recipient domain RELAY
      {"192.168.1.5", "pc.example.org", "mail.daum.net", true},
      {"192.168.1.5", "pc.naver.com", "example.org", true},  // client host name RELAY
      {"192.168.1.5", "pc.example.org", "example.org", false},
      {"192.168.1.5", "", "example.org", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(relay_allowed(map, c.ip, c.ptr, c.rcpt_domain), c.allowed)
        << c.ip << " " << c.ptr << " " << c.rcpt_domain;
  }
}

TEST(RelayDecision, OnlyRelayActionPermits) {
  AccessMap map = AccessMap::parse("To:daum.net OK\ndaum.net RELAY\nConnect:10.0.3 OK\n", kFile);
  // Rcpt_ok finds To:daum.net OK first, which does not permit relaying.
  EXPECT_FALSE(relay_allowed(map, "192.168.1.5", "pc.example.org", "daum.net"));
  EXPECT_FALSE(relay_allowed(map, "10.0.3.3", "pc.example.org", "example.org"));
  // A client in class w ([ip] or its host name) relays.
  EXPECT_EQ(decide_relay(map, {"[10.0.3.3]"}, "10.0.3.3", "", "example.org"),
            RelayVerdict::RELAY_CLIENT);
  EXPECT_EQ(decide_relay(map, {"mail.naver.com"}, "10.0.9.9", "mail.naver.com", "example.org"),
            RelayVerdict::RELAY_CLIENT);
}

}  // namespace
}  // namespace mailsim::config
