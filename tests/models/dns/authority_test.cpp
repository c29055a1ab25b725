#include "models/dns/authority.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mailsim::dns {
namespace {

// The lab's zone files as BIND 9.18 served them.
const char* kNaver =
    "$TTL\t3H\n@\tIN\tSOA\t@\troot.\t( 2\t1D\t1H\t1W\t1H )\n\tIN\tNS\t@\n\tIN\tA\t127.0.0.1\n"
    "\tIN\tMX\t10\tmail.naver.com.\n\nmail\tIN\tA\t127.0.0.1\n";
const char* kDaum =
    "$TTL\t3H\n@\tIN\tSOA\t@\troot.\t( 2\t1D\t1H\t1W\t1H )\n\tIN\tNS\t@\n\tIN\tA\t127.0.0.3\n"
    "\tIN\tMX\t10\tmail.daum.net.\n\nmail\tIN\tA\t127.0.0.3\npc\tIN\tA\t127.0.0.4\n";
const char* kReverse =
    "$TTL\t3H\n@\tIN\tSOA\tlocalhost.\troot.localhost.\t( 2\t1D\t1H\t1W\t1H )\n"
    "\tIN\tNS\tlocalhost.\n1.0.0\tIN\tPTR\tlocalhost.\n4.0.0\tIN\tPTR\tpc.daum.net.\n";
// A zone for the cases the lab does not exercise.
const std::string kTest =
    "$TTL 300\n@ SOA ns root 1 2 3 4 60\n@ NS ns\nns A 10.0.0.53\nns AAAA 2001:db8::53\n"
    "alias CNAME alias2\nalias2 CNAME mail.naver.com.\nout CNAME www.example.org.\n"
    "loop CNAME loop\n*.wild A 10.0.0.9\na.b.c A 10.0.0.10\nsub NS ns.sub\nns.sub A 10.0.0.11\n"
    "big TXT \"" +
    std::string(200, 'x') + "\"\nbig TXT \"" + std::string(200, 'y') + "\"\nbig TXT \"" +
    std::string(200, 'z') + "\"\n";

std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

class AuthorityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.add_zone(parse_zone(kNaver, "naver.com", "naver.com.db"));
    server_.add_zone(parse_zone(kDaum, "daum.net", "daum.net.db"));
    server_.add_zone(parse_zone(kReverse, "127.in-addr.arpa", "127.rev"));
    server_.add_zone(parse_zone(kTest, "test", "test.db"));
  }
  Message ask(const std::string& name, RecordType type, bool rd = true) const {
    return server_.answer(make_query(7, name, type, rd));
  }
  Authority server_;
};

TEST_F(AuthorityTest, MxWithAdditionalAddress) {
  Message r = ask("naver.com", RecordType::MX);
  EXPECT_EQ(r.id, 7);
  EXPECT_TRUE(r.qr);
  EXPECT_TRUE(r.aa);
  EXPECT_TRUE(r.rd);
  EXPECT_FALSE(r.ra);
  EXPECT_EQ(r.rcode, Rcode::NOERROR);
  ASSERT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(r.answers[0].ttl, 10800u);
  EXPECT_EQ(std::get<MxData>(r.answers[0].rdata).exchange, "mail.naver.com.");
  EXPECT_TRUE(r.authority.empty());  // minimal-responses no-auth-recursive with RD=1
  ASSERT_EQ(r.additional.size(), 1u);
  EXPECT_EQ(r.additional[0].name, "mail.naver.com.");
  EXPECT_EQ(std::get<AData>(r.additional[0].rdata).address, "127.0.0.1");
  // 64 octets, as in the capture (106-octet frames without EDNS).
  EXPECT_EQ(encode(r).size(), 64u);
}

TEST_F(AuthorityTest, RealDigQueryGetsRealAnswer) {
  // dig's query with EDNS and a client cookie, and BIND's answer; BIND's OPT also carries a
  // server cookie, which this model leaves out.
  std::string query = from_hex(
      "ae0801200001000000000001056e6176657203636f6d00000f000100002904d000000000000c000a0008cc6e"
      "3535a470be99");
  std::string real = from_hex(
      "ae0885000001000100000002056e6176657203636f6d00000f0001c00c000f000100002a300009000a046d61"
      "696cc00cc0290001000100002a3000047f00000100002904d000000000001c000a0018cc6e3535a470be9901"
      "0000006b12d55d03e303e381defc02");
  auto got = server_.answer_packet(query, Transport::UDP);
  ASSERT_TRUE(got.has_value());
  std::size_t before_opt_rdlength = 64 + 9;
  EXPECT_EQ(got->substr(0, before_opt_rdlength), real.substr(0, before_opt_rdlength));
  EXPECT_EQ(got->size(), 64u + 11u);
}

TEST_F(AuthorityTest, NxdomainCarriesSoa) {
  Message r = ask("nouser.naver.com", RecordType::A);
  EXPECT_EQ(r.rcode, Rcode::NXDOMAIN);
  EXPECT_TRUE(r.aa);
  EXPECT_TRUE(r.answers.empty());
  ASSERT_EQ(r.authority.size(), 1u);
  EXPECT_EQ(r.authority[0].name, "naver.com.");
  EXPECT_EQ(r.authority[0].type, RecordType::SOA);
  EXPECT_EQ(r.authority[0].ttl, 3600u);  // min($TTL 3H, MINIMUM 1H)
  EXPECT_EQ(std::get<SoaData>(r.authority[0].rdata).rname, "root.");
  // dig reported 113 octets with a 39-octet OPT (cookie included).
  EXPECT_EQ(encode(r).size(), 113u - 39u);
}

TEST_F(AuthorityTest, NodataCarriesSoa) {
  Message r = ask("mail.naver.com", RecordType::AAAA);
  EXPECT_EQ(r.rcode, Rcode::NOERROR);
  EXPECT_TRUE(r.aa);
  EXPECT_TRUE(r.answers.empty());
  ASSERT_EQ(r.authority.size(), 1u);
  EXPECT_EQ(r.authority[0].type, RecordType::SOA);
  EXPECT_EQ(encode(r).size(), 72u);  // 114-octet frames in the lab capture
}

TEST_F(AuthorityTest, RefusedOutsideZones) {
  Message r = ask("example.org", RecordType::A);
  EXPECT_EQ(r.rcode, Rcode::REFUSED);
  EXPECT_FALSE(r.aa);
  EXPECT_TRUE(r.rd);
  ASSERT_EQ(r.questions.size(), 1u);
  EXPECT_EQ(r.questions[0].name, "example.org.");
  EXPECT_TRUE(r.answers.empty());
  EXPECT_TRUE(r.authority.empty());
}

TEST_F(AuthorityTest, ReversePtr) {
  Message r = ask("4.0.0.127.in-addr.arpa", RecordType::PTR);
  ASSERT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(std::get<NameData>(r.answers[0].rdata).name, "pc.daum.net.");
  Message missing = ask("22.111.0.127.in-addr.arpa", RecordType::PTR);
  EXPECT_EQ(missing.rcode, Rcode::NXDOMAIN);
  ASSERT_EQ(missing.authority.size(), 1u);
  EXPECT_EQ(missing.authority[0].name, "127.in-addr.arpa.");
}

TEST_F(AuthorityTest, CnameChainAcrossZones) {
  Message r = ask("alias.test", RecordType::A);
  EXPECT_EQ(r.rcode, Rcode::NOERROR);
  ASSERT_EQ(r.answers.size(), 3u);
  EXPECT_EQ(r.answers[0].type, RecordType::CNAME);
  EXPECT_EQ(r.answers[0].name, "alias.test.");
  EXPECT_EQ(r.answers[1].name, "alias2.test.");
  EXPECT_EQ(r.answers[2].name, "mail.naver.com.");
  EXPECT_EQ(std::get<AData>(r.answers[2].rdata).address, "127.0.0.1");
}

TEST_F(AuthorityTest, CnameLeavingZonesStops) {
  Message r = ask("out.test", RecordType::A);
  EXPECT_EQ(r.rcode, Rcode::NOERROR);
  ASSERT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(r.answers[0].type, RecordType::CNAME);
  EXPECT_TRUE(r.authority.empty());
}

TEST_F(AuthorityTest, CnameLoopStops) {
  Message r = ask("loop.test", RecordType::A);
  EXPECT_EQ(r.rcode, Rcode::NOERROR);
  EXPECT_EQ(r.answers.size(), 1u);
}

TEST_F(AuthorityTest, CnameQueryNotFollowed) {
  Message r = ask("alias.test", RecordType::CNAME);
  ASSERT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(std::get<NameData>(r.answers[0].rdata).name, "alias2.test.");
}

TEST_F(AuthorityTest, WildcardAndEmptyNonTerminal) {
  Message wild = ask("anything.wild.test", RecordType::A);
  ASSERT_EQ(wild.answers.size(), 1u);
  EXPECT_EQ(wild.answers[0].name, "anything.wild.test.");
  // "b.c.test" owns nothing but has a descendant: NODATA, not NXDOMAIN (RFC 4592 §2.2.2).
  Message ent = ask("b.c.test", RecordType::A);
  EXPECT_EQ(ent.rcode, Rcode::NOERROR);
  EXPECT_TRUE(ent.answers.empty());
  ASSERT_EQ(ent.authority.size(), 1u);
  EXPECT_EQ(ent.authority[0].ttl, 60u);
}

TEST_F(AuthorityTest, ReferralBelowDelegation) {
  Message r = ask("host.sub.test", RecordType::A);
  EXPECT_EQ(r.rcode, Rcode::NOERROR);
  EXPECT_FALSE(r.aa);
  EXPECT_TRUE(r.answers.empty());
  ASSERT_EQ(r.authority.size(), 1u);
  EXPECT_EQ(r.authority[0].type, RecordType::NS);
  ASSERT_EQ(r.additional.size(), 1u);
  EXPECT_EQ(std::get<AData>(r.additional[0].rdata).address, "10.0.0.11");
}

TEST_F(AuthorityTest, NonRecursiveQueryGetsNs) {
  Message r = ask("test", RecordType::MX, /*rd=*/false);
  EXPECT_FALSE(r.rd);
  EXPECT_TRUE(r.answers.empty());  // NODATA: no MX at test.
  Message a = ask("a.b.c.test", RecordType::A, /*rd=*/false);
  ASSERT_EQ(a.authority.size(), 1u);
  EXPECT_EQ(a.authority[0].type, RecordType::NS);
  ASSERT_EQ(a.additional.size(), 2u);
  EXPECT_EQ(a.additional[0].type, RecordType::A);
  EXPECT_EQ(a.additional[1].type, RecordType::AAAA);
}

TEST_F(AuthorityTest, QuestionCaseKept) {
  Message r = ask("NAVER.com", RecordType::MX);
  EXPECT_EQ(r.questions[0].name, "NAVER.com.");
  ASSERT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(r.answers[0].name, "NAVER.com.");
}

TEST_F(AuthorityTest, AnyReturnsAllRrsets) {
  Message r = ask("naver.com", RecordType::ANY);
  EXPECT_EQ(r.answers.size(), 4u);  // SOA, NS, A, MX
}

TEST_F(AuthorityTest, ErrorsForBadQueries) {
  Message status = make_query(1, "naver.com", RecordType::A);
  status.opcode = Opcode::STATUS;
  EXPECT_EQ(server_.answer(status).rcode, Rcode::NOTIMP);
  Message none = make_query(1, "naver.com", RecordType::A);
  none.questions.clear();
  EXPECT_EQ(server_.answer(none).rcode, Rcode::FORMERR);
  Message two = make_query(1, "naver.com", RecordType::A);
  two.questions.push_back(two.questions[0]);
  EXPECT_EQ(server_.answer(two).rcode, Rcode::FORMERR);
  EXPECT_EQ(ask("naver.com", RecordType::AXFR).rcode, Rcode::NOTIMP);
  Message chaos = make_query(1, "version.bind", RecordType::TXT);
  chaos.questions[0].klass = RecordClass::CH;
  EXPECT_EQ(server_.answer(chaos).rcode, Rcode::REFUSED);
}

TEST_F(AuthorityTest, PacketErrorsAndDrops) {
  EXPECT_FALSE(server_.answer_packet(std::string(11, '\0'), Transport::UDP).has_value());
  std::string response = encode(ask("naver.com", RecordType::A));
  EXPECT_FALSE(server_.answer_packet(response, Transport::UDP).has_value());
  // A header that announces a question that is not there.
  std::string broken("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
  auto got = server_.answer_packet(broken, Transport::UDP);
  ASSERT_TRUE(got.has_value());
  Message r = decode(*got);
  EXPECT_EQ(r.id, 0x1234);
  EXPECT_TRUE(r.qr);
  EXPECT_EQ(r.rcode, Rcode::FORMERR);
}

TEST_F(AuthorityTest, UdpTruncationAndTcp) {
  std::string query = encode(make_query(9, "big.test", RecordType::TXT));
  Message udp = decode(*server_.answer_packet(query, Transport::UDP));
  EXPECT_TRUE(udp.tc);
  EXPECT_TRUE(udp.answers.empty());
  Message tcp = decode(*server_.answer_packet(query, Transport::TCP));
  EXPECT_FALSE(tcp.tc);
  EXPECT_EQ(tcp.answers.size(), 3u);
  // With EDNS and 1232 octets the 3 * ~215 octets fit over UDP.
  Message edns = make_query(9, "big.test", RecordType::TXT);
  edns.additional.push_back({".", RecordType::OPT, static_cast<RecordClass>(4096), 0, RawData{}});
  Message big = decode(*server_.answer_packet(encode(edns), Transport::UDP));
  EXPECT_FALSE(big.tc);
  EXPECT_EQ(big.answers.size(), 3u);
  ASSERT_FALSE(big.additional.empty());
  EXPECT_EQ(static_cast<unsigned>(big.additional.back().klass), 1232u);
}

TEST(Authority, DuplicateZoneRejected) {
  Authority server;
  server.add_zone(parse_zone(kNaver, "naver.com", "a"));
  EXPECT_THROW(server.add_zone(parse_zone(kNaver, "NAVER.com.", "b")), std::invalid_argument);
}

}  // namespace
}  // namespace mailsim::dns
