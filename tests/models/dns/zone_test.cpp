#include "models/dns/zone.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mailsim::dns {
namespace {

// The lab's naver.com zone file, as BIND 9.18 loaded it.
const char* kNaverZone =
    "$TTL\t3H\n"
    "@\tIN\tSOA\t@\troot.\t( 2\t1D\t1H\t1W\t1H )\n"
    "\tIN\tNS\t@\n"
    "\tIN\tA\t127.0.0.1\n"
    "\tIN\tMX\t10\tmail.naver.com.\n"
    "\n"
    "mail\tIN\tA\t127.0.0.1\n";

const char* kReverseZone =
    "$TTL\t3H\n"
    "@\tIN\tSOA\tlocalhost.\troot.localhost.\t( 2\t1D\t1H\t1W\t1H )\n"
    "\tIN\tNS\tlocalhost.\n"
    "1.0.0\tIN\tPTR\tlocalhost.\n"
    "4.0.0\tIN\tPTR\tpc.daum.net.\n";

TEST(ParseTtl, AcceptsBindForms) {
  struct Case {
    const char* text;
    std::uint32_t seconds;
  };
  const Case cases[] = {
      {"10800", 10800},       {"3H", 10800}, {"1D", 86400},
      {"1W", 604800},         {"30M", 1800}, {"1h30m", 5400},
      {"1w2d3h4m5s", 788645}, {"0", 0},      {"4294967295", 4294967295u},
  };
  for (const auto& c : cases) {
    auto got = parse_ttl(c.text);
    ASSERT_TRUE(got.has_value()) << c.text;
    EXPECT_EQ(*got, c.seconds) << c.text;
  }
}

TEST(ParseTtl, RejectsBadForms) {
  for (const char* text : {"", "3X", "H", "1h30", "-1", "4294967296", "1.5H", "3 H"}) {
    EXPECT_FALSE(parse_ttl(text).has_value()) << text;
  }
}

TEST(ParseZone, LabNaverZone) {
  Zone z = parse_zone(kNaverZone, "naver.com", "naver.com.db");
  EXPECT_EQ(z.origin, "naver.com.");
  ASSERT_EQ(z.records.size(), 5u);
  const auto& soa_rr = z.records[0].record;
  EXPECT_EQ(soa_rr.name, "naver.com.");
  EXPECT_EQ(soa_rr.type, RecordType::SOA);
  EXPECT_EQ(soa_rr.ttl, 10800u);
  const auto& soa = std::get<SoaData>(soa_rr.rdata);
  EXPECT_EQ(soa.mname, "naver.com.");
  EXPECT_EQ(soa.rname, "root.");
  EXPECT_EQ(soa.serial, 2u);
  EXPECT_EQ(soa.refresh, 86400u);
  EXPECT_EQ(soa.retry, 3600u);
  EXPECT_EQ(soa.expire, 604800u);
  EXPECT_EQ(soa.minimum, 3600u);
  // Blank owner repeats the previous owner (naver.com.).
  EXPECT_EQ(z.records[1].record.name, "naver.com.");
  EXPECT_EQ(std::get<NameData>(z.records[1].record.rdata).name, "naver.com.");
  EXPECT_EQ(z.records[2].record.name, "naver.com.");
  EXPECT_EQ(std::get<AData>(z.records[2].record.rdata).address, "127.0.0.1");
  const auto& mx = std::get<MxData>(z.records[3].record.rdata);
  EXPECT_EQ(mx.preference, 10);
  EXPECT_EQ(mx.exchange, "mail.naver.com.");
  EXPECT_EQ(z.records[4].record.name, "mail.naver.com.");
  EXPECT_EQ(z.records[4].pos.line, 7);
  EXPECT_EQ(z.records[4].pos.column, 1);
  EXPECT_TRUE(z.load_warnings.empty());
  EXPECT_TRUE(check_zone(z).empty());
}

TEST(ParseZone, LabReverseZone) {
  Zone z = parse_zone(kReverseZone, "127.in-addr.arpa", "127.rev");
  ASSERT_EQ(z.records.size(), 4u);
  EXPECT_EQ(z.records[2].record.name, "1.0.0.127.in-addr.arpa.");
  EXPECT_EQ(std::get<NameData>(z.records[3].record.rdata).name, "pc.daum.net.");
  EXPECT_TRUE(check_zone(z).empty());
}

TEST(ParseZone, DirectivesAndFieldOrder) {
  const char* text =
      "$ORIGIN example.test.\n"
      "$TTL 1h\n"
      "@ 60 IN SOA ns hostmaster 7 3600 900 1209600 300\n"
      "  IN 120 NS ns.example.test.\n"
      "ns A 10.0.0.1 ; trailing comment\n"
      "; whole-line comment\n"
      "www CNAME ns\n"
      "$ORIGIN sub\n"
      "host AAAA 2001:DB8:0:0:0:0:0:1\n"
      "txt TXT \"hello world\" plain \"semi;colon\" \"q\\\"uote\" \"\\065\"\n";
  Zone z = parse_zone(text, "example.test", "example.db");
  ASSERT_EQ(z.records.size(), 6u) << (z.load_warnings.empty() ? "" : z.load_warnings[0].text);
  EXPECT_EQ(z.records[0].record.ttl, 60u);
  EXPECT_EQ(std::get<SoaData>(z.records[0].record.rdata).mname, "ns.example.test.");
  EXPECT_EQ(z.records[1].record.ttl, 120u);   // class before TTL
  EXPECT_EQ(z.records[2].record.ttl, 3600u);  // $TTL 1h
  EXPECT_EQ(std::get<NameData>(z.records[3].record.rdata).name, "ns.example.test.");
  EXPECT_EQ(z.records[4].record.name, "host.sub.example.test.");
  EXPECT_EQ(std::get<AaaaData>(z.records[4].record.rdata).address, "2001:db8::1");
  const auto& txt = std::get<TxtData>(z.records[5].record.rdata).strings;
  ASSERT_EQ(txt.size(), 5u);
  EXPECT_EQ(txt[0], "hello world");
  EXPECT_EQ(txt[1], "plain");
  EXPECT_EQ(txt[2], "semi;colon");
  EXPECT_EQ(txt[3], "q\"uote");
  EXPECT_EQ(txt[4], "A");
}

TEST(ParseZone, TtlWithoutDollarTtl) {
  // RFC 1035 §5.1: a missing TTL repeats the last one; BIND takes the SOA minimum for a
  // leading SOA without one, with a warning.
  Zone z = parse_zone("@ SOA ns root 1 2 3 4 300\n@ NS ns\nns 77 A 10.0.0.1\nx A 10.0.0.2\n", "t.",
                      "t.db");
  ASSERT_EQ(z.records.size(), 4u);
  EXPECT_EQ(z.records[0].record.ttl, 300u);
  EXPECT_EQ(z.records[1].record.ttl, 300u);
  EXPECT_EQ(z.records[3].record.ttl, 77u);
  ASSERT_EQ(z.load_warnings.size(), 1u);
  EXPECT_EQ(z.load_warnings[0].text, "no TTL specified; using SOA MINTTL instead");
}

TEST(ParseZone, OutOfZoneDataIgnored) {
  Zone z = parse_zone("$TTL 1\nwww.other.org. A 10.0.0.1\nin A 10.0.0.2\n", "naver.com", "f");
  ASSERT_EQ(z.records.size(), 1u);
  ASSERT_EQ(z.load_warnings.size(), 1u);
  EXPECT_EQ(z.load_warnings[0].text, "ignoring out-of-zone data (www.other.org)");
  EXPECT_EQ(z.load_warnings[0].pos.line, 2);
}

TEST(ParseZone, TtlAboveMaxBecomesZero) {
  Zone z = parse_zone("$TTL 2147483648\na A 10.0.0.1\n", "t.", "f");
  ASSERT_EQ(z.records.size(), 1u);
  EXPECT_EQ(z.records[0].record.ttl, 0u);
  ASSERT_EQ(z.load_warnings.size(), 1u);
}

struct ZoneErrorCase {
  const char* text;
  int line;
  int column;
  const char* message;
};

TEST(ParseZone, RejectsSyntaxErrors) {
  const ZoneErrorCase cases[] = {
      {"$TTL 3X\n", 1, 6, "bad ttl '3X'"},
      {"$TTL\n", 1, 5, "unexpected end of input: missing TTL value"},
      {"$TTL 1\n a A 10.0.0.1\n", 2, 1, "no current owner name"},
      {"a A 10.0.0.1\n", 1, 1, "no TTL specified"},
      {"$TTL 1\na A 10.0.0.256\n", 2, 5, "bad dotted quad '10.0.0.256'"},
      {"$TTL 1\na AAAA 10.0.0.1\n", 2, 8, "bad IPv6 address '10.0.0.1'"},
      {"$TTL 1\na MX 70000 b\n", 2, 6, "bad preference '70000': exceeds 65535"},
      {"$TTL 1\na MX x b\n", 2, 6, "bad preference 'x': expected a number"},
      {"$TTL 1\na MX 10\n", 2, 8, "unexpected end of input: missing MX exchange"},
      {"$TTL 1\na A 10.0.0.1 extra\n", 2, 14, "extra input text"},
      {"$TTL 1\na IN\n", 2, 5, "unexpected end of input: missing record type"},
      {"$TTL 1\na SRV 0 0 25 b\n", 2, 3, "record type 'SRV' is not modelled"},
      {"$TTL 1\na FOO b\n", 2, 3, "unknown RR type 'FOO'"},
      {"$TTL 1\na CH A 10.0.0.1\n", 2, 3, "class 'CH' != zone class 'IN'"},
      {"$TTL 1\n@ SOA a b ( 1 2 3 4 5\n", 2, 11, "unbalanced parentheses"},
      {"$TTL 1\na A 10.0.0.1 )\n", 2, 14, "unbalanced parentheses"},
      {"$TTL 1\na TXT \"open\n", 2, 7, "unbalanced quotes"},
      {"$INCLUDE other.db\n", 1, 1, "$INCLUDE is not modelled"},
      {"$FOO x\n", 1, 1, "unknown $ directive '$FOO'"},
      {"$TTL 1\na..b A 10.0.0.1\n", 2, 1, "bad name 'a..b': empty label"},
      {"$TTL 1\n@ SOA a b 1 2 3 4X 5\n", 2, 17, "bad SOA expire '4X'"},
  };
  for (const auto& c : cases) {
    try {
      parse_zone(c.text, "t.", "t.db");
      ADD_FAILURE() << c.text << ": no exception";
    } catch (const InputError& e) {
      EXPECT_EQ(e.message(), c.message) << c.text;
      EXPECT_EQ(e.pos().file, "t.db") << c.text;
      EXPECT_EQ(e.pos().line, c.line) << c.text;
      EXPECT_EQ(e.pos().column, c.column) << c.text;
    }
  }
}

TEST(ParseZone, LabelOver63Rejected) {
  std::string text = "$TTL 1\n" + std::string(64, 'a') + " A 10.0.0.1\n";
  EXPECT_THROW(parse_zone(text, "t.", "t.db"), InputError);
}

// Each case is the lab's naver.com zone with one change, and the finding named-checkzone
// 9.18 reports for it.
struct CheckCase {
  const char* what;
  const char* text;
  Severity severity;
  const char* message;
  int line;
};

TEST(CheckZone, NamedCheckzoneVerdicts) {
  const char* head = "$TTL 3H\n@ IN SOA @ root. ( 2 1D 1H 1W 1H )\n";
  const CheckCase cases[] = {
      {"MX target without trailing dot",
       "\tIN NS @\n\tIN A 127.0.0.1\n\tIN MX 10 mail.naver.com\nmail IN A 127.0.0.1\n",
       Severity::WARNING,
       "zone naver.com/IN: naver.com/MX 'mail.naver.com.naver.com' has no address records (A or "
       "AAAA)",
       5},
      {"MX to CNAME", "\tIN NS @\n\tIN A 127.0.0.1\n\tIN MX 10 mail\nmail IN CNAME @\n",
       Severity::WARNING, "zone naver.com/IN: naver.com/MX 'mail.naver.com' is a CNAME (illegal)",
       5},
      {"CNAME and other data",
       "\tIN NS @\n\tIN A 127.0.0.1\nmail IN A 127.0.0.1\nmail IN CNAME @\n", Severity::ERROR,
       "mail.naver.com: CNAME and other data", 6},
      {"NS without address", "\tIN NS ns\n\tIN A 127.0.0.1\n", Severity::ERROR,
       "zone naver.com/IN: NS 'ns.naver.com' has no address records (A or AAAA)", 3},
      {"NS to CNAME", "\tIN NS ns\nns IN CNAME @\n@ IN A 127.0.0.1\n", Severity::ERROR,
       "zone naver.com/IN: NS 'ns.naver.com' is a CNAME (illegal)", 3},
      {"no NS", "\tIN A 127.0.0.1\n", Severity::ERROR, "zone naver.com/IN: has no NS records", 0},
      {"SOA below apex", "\tIN NS @\n\tIN A 127.0.0.1\nx IN SOA @ root. 1 1 1 1 1\n",
       Severity::ERROR, "SOA record not at top of zone (x.naver.com)", 5},
  };
  for (const auto& c : cases) {
    Zone z = parse_zone(std::string(head) + c.text, "naver.com", "naver.com.db");
    auto found = check_zone(z);
    ASSERT_EQ(found.size(), 1u) << c.what;
    EXPECT_EQ(found[0].severity, c.severity) << c.what;
    EXPECT_EQ(found[0].text, c.message) << c.what;
    EXPECT_EQ(found[0].pos.line, c.line) << c.what;
  }
}

TEST(CheckZone, MissingSoaIsError) {
  Zone z = parse_zone("$TTL 3H\n@ IN NS @\n@ IN A 127.0.0.1\n", "naver.com", "naver.com.db");
  auto found = check_zone(z);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::ERROR);
  EXPECT_EQ(found[0].text, "zone naver.com/IN: has 0 SOA records");
  EXPECT_TRUE(has_errors(found));
}

TEST(CheckZone, OutOfZoneMxTargetNotChecked) {
  // kakao.com's MX points at mail.naver.com., outside the zone.
  Zone z = parse_zone(
      "$TTL 3H\n@ IN SOA @ root. ( 2 1D 1H 1W 1H )\n\tIN NS @\n\tIN A 127.0.0.1\n"
      "\tIN MX 10 mail.naver.com.\n",
      "kakao.com", "kakao.com.db");
  auto found = check_zone(z);
  EXPECT_TRUE(found.empty());
  EXPECT_FALSE(has_errors(found));
}

TEST(CheckZone, FormatDiagnostic) {
  Diagnostic d{SourcePos{"naver.com.db", 5, 1}, Severity::WARNING, "text"};
  EXPECT_EQ(format_diagnostic(d), "naver.com.db:5:1: warning: text");
  Diagnostic whole{SourcePos{"", 0, 0}, Severity::ERROR, "bad"};
  EXPECT_EQ(format_diagnostic(whole), "error: bad");
}

}  // namespace
}  // namespace mailsim::dns
