#include "models/dns/resolver.hpp"

#include <gtest/gtest.h>

namespace mailsim::dns {
namespace {

ResourceRecord mx(const std::string& owner, std::uint16_t preference, const std::string& host) {
  return {owner, RecordType::MX, RecordClass::IN, 10800, MxData{preference, host}};
}
ResourceRecord a(const std::string& owner, const std::string& address) {
  return {owner, RecordType::A, RecordClass::IN, 10800, AData{address}};
}
ResourceRecord cname(const std::string& owner, const std::string& target) {
  return {owner, RecordType::CNAME, RecordClass::IN, 10800, NameData{target}};
}
ResourceRecord soa(const std::string& owner) {
  return {owner, RecordType::SOA, RecordClass::IN, 3600,
          SoaData{owner, "root.", 2, 86400, 3600, 604800, 3600}};
}

Message response(const std::string& name, RecordType type, Rcode rcode = Rcode::NOERROR) {
  Message m = make_query(1, name, type);
  m.qr = true;
  m.aa = true;
  m.rcode = rcode;
  return m;
}

TEST(Classify, Kinds) {
  struct Case {
    const char* what;
    Message message;
    ResponseKind kind;
  };
  Message answer = response("naver.com", RecordType::MX);
  answer.answers.push_back(mx("naver.com.", 10, "mail.naver.com."));
  Message nodata = response("mail.naver.com", RecordType::AAAA);
  nodata.authority.push_back(soa("naver.com."));
  Message nxdomain = response("nouser.naver.com", RecordType::A, Rcode::NXDOMAIN);
  nxdomain.authority.push_back(soa("naver.com."));
  Message alias = response("www.test", RecordType::A);
  alias.answers.push_back(cname("www.test.", "www.example.org."));
  Message chained = response("www.test", RecordType::A);
  chained.answers.push_back(cname("www.test.", "host.test."));
  chained.answers.push_back(a("host.test.", "10.0.0.1"));
  Message referral = response("x.sub.test", RecordType::A);
  referral.aa = false;
  referral.authority.push_back(
      {"sub.test.", RecordType::NS, RecordClass::IN, 1, NameData{"ns.sub.test."}});
  Message truncated = response("big.test", RecordType::TXT);
  truncated.tc = true;
  Message other = response("x.test", RecordType::A, static_cast<Rcode>(9));
  const Case cases[] = {
      {"answer", answer, ResponseKind::ANSWER},
      {"nodata", nodata, ResponseKind::NODATA},
      {"nxdomain", nxdomain, ResponseKind::NXDOMAIN},
      {"refused", response("example.org", RecordType::A, Rcode::REFUSED), ResponseKind::REFUSED},
      {"servfail", response("x.test", RecordType::A, Rcode::SERVFAIL), ResponseKind::SERVFAIL},
      {"formerr", response("x.test", RecordType::A, Rcode::FORMERR), ResponseKind::FORMERR},
      {"notimp", response("x.test", RecordType::A, Rcode::NOTIMP), ResponseKind::NOTIMP},
      {"alias only", alias, ResponseKind::ALIAS},
      {"chain", chained, ResponseKind::ANSWER},
      {"referral", referral, ResponseKind::REFERRAL},
      {"truncated", truncated, ResponseKind::TRUNCATED},
      {"rcode 9", other, ResponseKind::OTHER_ERROR},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(kind_name(classify(c.message)), kind_name(c.kind)) << c.what;
  }
}

TEST(MxHosts, SortedStableByPreference) {
  Message m = response("naver.com", RecordType::MX);
  m.answers = {mx("naver.com.", 20, "b.naver.com."), mx("naver.com.", 10, "c.naver.com."),
               mx("naver.com.", 20, "a.naver.com."), mx("naver.com.", 5, "d.naver.com")};
  MxList list = mx_hosts(m, "naver.com");
  EXPECT_EQ(list.kind, ResponseKind::ANSWER);
  EXPECT_FALSE(list.implicit);
  ASSERT_EQ(list.hosts.size(), 4u);
  EXPECT_EQ(list.hosts[0].host, "d.naver.com.");
  EXPECT_EQ(list.hosts[0].preference, 5);
  EXPECT_EQ(list.hosts[1].host, "c.naver.com.");
  EXPECT_EQ(list.hosts[2].host, "b.naver.com.");  // tie: answer order kept
  EXPECT_EQ(list.hosts[3].host, "a.naver.com.");
}

TEST(MxHosts, ImplicitMxWhenNoData) {
  Message m = response("pc.daum.net", RecordType::MX);
  m.authority.push_back(soa("daum.net."));
  MxList list = mx_hosts(m, "pc.daum.net");
  EXPECT_EQ(list.kind, ResponseKind::NODATA);
  EXPECT_TRUE(list.implicit);
  ASSERT_EQ(list.hosts.size(), 1u);
  EXPECT_EQ(list.hosts[0].preference, 0);
  EXPECT_EQ(list.hosts[0].host, "pc.daum.net.");
}

TEST(MxHosts, NxdomainHasNoHosts) {
  Message m = response("nowhere.test", RecordType::MX, Rcode::NXDOMAIN);
  MxList list = mx_hosts(m, "nowhere.test");
  EXPECT_EQ(list.kind, ResponseKind::NXDOMAIN);
  EXPECT_FALSE(list.implicit);
  EXPECT_TRUE(list.hosts.empty());
}

TEST(MxHosts, NullMx) {
  Message m = response("nomail.test", RecordType::MX);
  m.answers.push_back(mx("nomail.test.", 0, "."));
  MxList list = mx_hosts(m, "nomail.test");
  EXPECT_TRUE(list.null_mx);
  EXPECT_TRUE(list.hosts.empty());
}

TEST(MxHosts, FollowsCname) {
  Message m = response("alias.test", RecordType::MX);
  m.answers = {cname("alias.test.", "real.test."), mx("real.test.", 10, "mx.real.test.")};
  MxList list = mx_hosts(m, "ALIAS.test.");
  ASSERT_EQ(list.hosts.size(), 1u);
  EXPECT_EQ(list.hosts[0].host, "mx.real.test.");
}

TEST(MxHosts, WrongQuestionRejected) {
  Message m = response("naver.com", RecordType::A);
  EXPECT_THROW(mx_hosts(m, "naver.com"), std::invalid_argument);
  Message other = response("daum.net", RecordType::MX);
  EXPECT_THROW(mx_hosts(other, "naver.com"), std::invalid_argument);
}

TEST(Addresses, FollowsCnames) {
  Message m = response("www.test", RecordType::A);
  m.answers = {cname("www.test.", "host.test."), a("host.test.", "10.0.0.1"),
               a("host.test.", "10.0.0.2"), a("other.test.", "10.0.0.3")};
  EXPECT_EQ(addresses(m, "www.test"), (std::vector<std::string>{"10.0.0.1", "10.0.0.2"}));
  EXPECT_TRUE(addresses(m, "www.test", RecordType::AAAA).empty());
  EXPECT_THROW(addresses(m, "www.test", RecordType::MX), std::invalid_argument);
}

TEST(Addresses, IgnoresAdditionalSection) {
  Message m = response("naver.com", RecordType::MX);
  m.answers.push_back(mx("naver.com.", 10, "mail.naver.com."));
  m.additional.push_back(a("mail.naver.com.", "127.0.0.1"));
  EXPECT_TRUE(addresses(m, "mail.naver.com").empty());
}

TEST(ReverseName, Ipv4AndIpv6) {
  EXPECT_EQ(reverse_name("127.0.0.4"), "4.0.0.127.in-addr.arpa.");
  EXPECT_EQ(reverse_name("10.0.2.200"), "200.2.0.10.in-addr.arpa.");
  EXPECT_EQ(reverse_name("2001:db8::1"),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.");
  EXPECT_THROW(reverse_name("10.0.2"), std::invalid_argument);
  EXPECT_THROW(reverse_name("mail.naver.com"), std::invalid_argument);
}

TEST(SearchNames, GlibcOrder) {
  ResolvConf none;  // no search line: the host name's domain is used
  // mail.daum.net resolving "mail.naver.com" tries it as given, then with daum.net appended.
  EXPECT_EQ(search_names("mail.naver.com", none, "mail.daum.net"),
            (std::vector<std::string>{"mail.naver.com", "mail.naver.com.daum.net"}));
  EXPECT_EQ(search_names("mail", none, "mail.daum.net"),
            (std::vector<std::string>{"mail.daum.net", "mail"}));
  EXPECT_EQ(search_names("mail.naver.com.", none, "mail.daum.net"),
            (std::vector<std::string>{"mail.naver.com."}));
  EXPECT_EQ(search_names("host", none, "localhost"), (std::vector<std::string>{"host"}));
  ResolvConf conf;
  conf.search = {"a.test", "b.test."};
  conf.ndots = 2;
  EXPECT_EQ(search_names("x.y", conf, "h.c.test"),
            (std::vector<std::string>{"x.y.a.test", "x.y.b.test", "x.y"}));
}

}  // namespace
}  // namespace mailsim::dns
