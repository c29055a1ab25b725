#include "models/dns/named_conf.hpp"

#include <gtest/gtest.h>

namespace mailsim::dns {
namespace {

// The BIND 9.18 configuration used to record the lab's DNS answers on loopback.
const char* kCaptureConf =
    R"(// Oracle-capture BIND config: loopback only, authoritative only (recursion off),
// so that no query is ever forwarded or sent off this machine.
options {
	directory "/var/cache/bind";
	listen-on port 53 { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	allow-query { 127.0.0.0/8; };
	allow-transfer { none; };
	dnssec-validation no;
	notify no;
};
controls { };
zone "localhost" IN { type master; file "/etc/bind/db.local"; };
zone "127.in-addr.arpa" IN { type master; file "/etc/bind/lab/127.rev"; };
zone "naver.com" IN { type master; file "/etc/bind/lab/naver.com.db"; };
zone "daum.net" IN { type master; file "/etc/bind/lab/daum.net.db"; };
zone "hanmail.net" IN { type master; file "/etc/bind/lab/hanmail.net.db"; };
zone "kakao.com" IN { type master; file "/etc/bind/lab/kakao.com.db"; };
)";

// The Red Hat style configuration of the course lab.
const char* kLabConf = R"(options {
	listen-on port 53 { any; };   # every address
	directory "/var/named";
	allow-query { any; };
	/* recursion is left at BIND's default */
	dump-file "/var/named/data/cache_dump.db";
};
zone "naver.com" IN {
	type master;
	file "naver.com.db";
	allow-update { none; };
};
)";

TEST(NamedConf, CaptureConfig) {
  NamedConf conf = parse_named_conf(kCaptureConf, "named.conf");
  const ServerOptions& o = conf.options;
  EXPECT_EQ(o.directory, "/var/cache/bind");
  ASSERT_EQ(o.listen_on.size(), 1u);
  EXPECT_EQ(o.listen_on[0].port, 53);
  EXPECT_EQ(o.listen_on[0].addresses, std::vector<std::string>{"127.0.0.1"});
  ASSERT_EQ(o.listen_on_v6.size(), 1u);
  EXPECT_EQ(o.listen_on_v6[0].addresses, std::vector<std::string>{"none"});
  EXPECT_FALSE(o.recursion);
  EXPECT_EQ(o.allow_query, std::vector<std::string>{"127.0.0.0/8"});
  ASSERT_TRUE(o.allow_transfer.has_value());
  EXPECT_EQ(*o.allow_transfer, std::vector<std::string>{"none"});
  EXPECT_EQ(o.dnssec_validation, "no");
  EXPECT_EQ(o.notify, false);
  ASSERT_EQ(conf.zones.size(), 6u);
  EXPECT_EQ(conf.zones[2].name, "naver.com");
  EXPECT_EQ(conf.zones[2].type, ZoneType::PRIMARY);
  EXPECT_EQ(conf.zones[2].file, "/etc/bind/lab/naver.com.db");
  EXPECT_EQ(conf.zones[2].pos.line, 16);
  EXPECT_EQ(zone_file_path(conf, conf.zones[1]), "/etc/bind/lab/127.rev");
  // `controls { };` is a BIND statement this model does not interpret.
  ASSERT_EQ(conf.warnings.size(), 1u);
  EXPECT_EQ(conf.warnings[0].text, "statement 'controls' is not modelled; ignored");
  EXPECT_EQ(conf.warnings[0].pos.line, 13);
  ASSERT_EQ(conf.ignored.size(), 1u);
  EXPECT_EQ(conf.ignored[0].words[0], "controls");
}

TEST(NamedConf, LabConfigAndDefaults) {
  NamedConf conf = parse_named_conf(kLabConf, "named.conf");
  EXPECT_EQ(conf.options.listen_on[0].addresses, std::vector<std::string>{"any"});
  EXPECT_TRUE(conf.options.recursion);  // BIND's default
  EXPECT_EQ(conf.options.listen_on_v6[0].addresses, std::vector<std::string>{"any"});
  EXPECT_FALSE(conf.options.allow_transfer.has_value());
  ASSERT_EQ(conf.zones.size(), 1u);
  EXPECT_EQ(conf.zones[0].allow_update, std::vector<std::string>{"none"});
  EXPECT_EQ(zone_file_path(conf, conf.zones[0]), "/var/named/naver.com.db");
  ASSERT_EQ(conf.warnings.size(), 1u);
  EXPECT_EQ(conf.warnings[0].text, "option 'dump-file' is not modelled; ignored");
  EXPECT_EQ(conf.warnings[0].pos.line, 6);
}

TEST(NamedConf, ZoneTypesAndOptions) {
  NamedConf conf = parse_named_conf(
      "zone \"b.test.\" { type slave; masters { 10.0.0.1; }; };\n"
      "zone \"c.test\" { type primary; file \"c\"; notify yes; };\n",
      "f");
  ASSERT_EQ(conf.zones.size(), 2u);
  EXPECT_EQ(conf.zones[0].name, "b.test");
  EXPECT_EQ(conf.zones[0].type, ZoneType::SECONDARY);
  EXPECT_EQ(conf.zones[0].primaries, std::vector<std::string>{"10.0.0.1"});
  EXPECT_EQ(conf.zones[1].type, ZoneType::PRIMARY);
  ASSERT_EQ(conf.warnings.size(), 1u);
  EXPECT_EQ(conf.warnings[0].text, "zone 'c.test': option 'notify' is not modelled; ignored");
}

struct ConfErrorCase {
  const char* text;
  int line;
  int column;
  const char* message;
};

TEST(NamedConf, RejectsErrors) {
  const ConfErrorCase cases[] = {
      {"options { recursion no }\n;", 1, 24, "missing ';' before '}'"},
      {"options { recursion no; };\nzone \"a\" { type master; file \"a\"; }\n", 3, 1,
       "missing ';' before end of file"},
      {"options { recursion no;\n", 2, 1, "unexpected end of input: missing '}'"},
      {"};\n", 1, 1, "unexpected '}'"},
      {"/* never closed\noptions { };", 1, 1, "unterminated comment"},
      {"zone \"a\" { type master; file \"a; };", 1, 30, "unterminated string"},
      {"options { recursion maybe; };", 1, 11, "boolean expected near 'maybe'"},
      {"options { listen-on port 99999 { any; }; };", 1, 11, "invalid port '99999'"},
      {"options { listen-on port x { any; }; };", 1, 11, "invalid port 'x'"},
      {"options { directory; };", 1, 11, "invalid 'directory' statement: expected 1 value"},
      {"zone \"a\" { file \"a\"; };", 1, 1, "zone 'a': type not present"},
      {"zone \"a\" { type master; };", 1, 1, "zone 'a': missing 'file' entry"},
      {"zone \"a\" { type redirect; };", 1, 12, "zone type 'redirect' is not modelled"},
      {"zone \"a\" CH { type master; file \"a\"; };", 1, 1, "zone 'a': class 'CH' is not modelled"},
      {"zone \"a\" { type master; file \"a\"; };\nzone \"A.\" { type master; file \"b\"; };", 2, 1,
       "zone 'A': already exists previous definition: f:1:1"},
      {"zone \"a..b\" { type master; file \"a\"; };", 1, 1,
       "invalid zone name 'a..b': empty label"},
      {"options { };\noptions { };", 2, 1, "'options' redefined"},
  };
  for (const auto& c : cases) {
    try {
      parse_named_conf(c.text, "f");
      ADD_FAILURE() << c.text << ": no exception";
    } catch (const InputError& e) {
      EXPECT_EQ(e.message(), c.message) << c.text;
      EXPECT_EQ(e.pos().line, c.line) << c.text;
      EXPECT_EQ(e.pos().column, c.column) << c.text;
    }
  }
}

}  // namespace
}  // namespace mailsim::dns
