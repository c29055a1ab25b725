#include "models/dns/host_files.hpp"

#include <gtest/gtest.h>

namespace mailsim::dns {
namespace {

TEST(ResolvConf, Defaults) {
  ResolvConf conf = parse_resolv_conf("", "resolv.conf");
  EXPECT_EQ(conf.nameservers, std::vector<std::string>{"127.0.0.1"});
  EXPECT_TRUE(conf.search.empty());
  EXPECT_EQ(conf.ndots, 1);
  EXPECT_EQ(conf.timeout, 5);
  EXPECT_EQ(conf.attempts, 2);
  EXPECT_FALSE(conf.rotate);
}

TEST(ResolvConf, LabFile) {
  ResolvConf conf = parse_resolv_conf(
      "# written by the lab\n"
      "; another comment\n"
      "search naver.com daum.net\n"
      "nameserver 10.0.2.100\n"
      "nameserver ::1\n"
      "options timeout:1 attempts:3 rotate ndots:2 edns0 single-request no-aaaa\n",
      "resolv.conf");
  EXPECT_EQ(conf.nameservers, (std::vector<std::string>{"10.0.2.100", "::1"}));
  EXPECT_EQ(conf.search, (std::vector<std::string>{"naver.com", "daum.net"}));
  EXPECT_EQ(conf.timeout, 1);
  EXPECT_EQ(conf.attempts, 3);
  EXPECT_EQ(conf.ndots, 2);
  EXPECT_TRUE(conf.rotate);
  EXPECT_TRUE(conf.edns0);
  EXPECT_TRUE(conf.single_request);
  EXPECT_TRUE(conf.no_aaaa);
  EXPECT_TRUE(conf.warnings.empty());
}

TEST(ResolvConf, GlibcLimits) {
  ResolvConf conf = parse_resolv_conf(
      "nameserver 10.0.0.1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nnameserver 10.0.0.4\n"
      "options timeout:99 attempts:9 ndots:40 debug\n"
      "search a.test\ndomain b.test\n"
      "sortlist 10.0.0.0/8\n",
      "r");
  EXPECT_EQ(conf.nameservers.size(), 3u);
  EXPECT_EQ(conf.timeout, 30);
  EXPECT_EQ(conf.attempts, 5);
  EXPECT_EQ(conf.ndots, 15);
  EXPECT_EQ(conf.search, std::vector<std::string>{"b.test"});  // the last of search/domain wins
  ASSERT_EQ(conf.warnings.size(), 3u);
  EXPECT_EQ(conf.warnings[0].text, "nameserver 10.0.0.4 ignored: glibc uses at most 3");
  EXPECT_EQ(conf.warnings[0].pos.line, 4);
  EXPECT_EQ(conf.warnings[1].text, "option 'debug' ignored");
  EXPECT_EQ(conf.warnings[2].text, "keyword 'sortlist' ignored");
}

struct ErrorCase {
  const char* text;
  int line;
  int column;
  const char* message;
};

TEST(ResolvConf, RejectsInvalidValues) {
  const ErrorCase cases[] = {
      {"nameserver\n", 1, 11, "missing value after 'nameserver'"},
      {"\nnameserver 10.0.0\n", 2, 12, "invalid nameserver address '10.0.0'"},
      {"options timeout:abc\n", 1, 9, "invalid value in option 'timeout:abc': expected a number"},
      {"options attempts:\n", 1, 9, "invalid value in option 'attempts:': expected a number"},
      {"search a..b\n", 1, 8, "invalid domain 'a..b': empty label"},
  };
  for (const auto& c : cases) {
    try {
      parse_resolv_conf(c.text, "resolv.conf");
      ADD_FAILURE() << c.text << ": no exception";
    } catch (const InputError& e) {
      EXPECT_EQ(e.message(), c.message) << c.text;
      EXPECT_EQ(e.pos().line, c.line) << c.text;
      EXPECT_EQ(e.pos().column, c.column) << c.text;
    }
  }
}

TEST(Hosts, ParsesEntriesAndLooksUp) {
  auto entries = parse_hosts(
      "127.0.0.1\tlocalhost\n"
      "::1     localhost ip6-localhost   # loopback\n"
      "# comment line\n"
      "\n"
      "10.0.2.100 mail.naver.com mail naver-mail\n",
      "hosts");
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[1].address, "::1");
  EXPECT_EQ(entries[1].aliases, std::vector<std::string>{"ip6-localhost"});
  EXPECT_EQ(entries[2].canonical, "mail.naver.com");
  EXPECT_EQ(entries[2].pos.line, 5);
  EXPECT_EQ(hosts_addresses(entries, "LOCALHOST"), (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(hosts_addresses(entries, "naver-mail"), std::vector<std::string>{"10.0.2.100"});
  EXPECT_EQ(hosts_addresses(entries, "mail.naver.com."), std::vector<std::string>{"10.0.2.100"});
  EXPECT_TRUE(hosts_addresses(entries, "daum.net").empty());
}

TEST(Hosts, RejectsInvalidLines) {
  const ErrorCase cases[] = {
      {"localhost 127.0.0.1\n", 1, 1, "invalid address 'localhost'"},
      {"127.0.0.1\n", 1, 10, "missing host name after '127.0.0.1'"},
      {"127.0.0.1 good bad_name\n", 1, 16, "invalid host name 'bad_name'"},
      {"127.0.0.1 -dash\n", 1, 11, "invalid host name '-dash'"},
  };
  for (const auto& c : cases) {
    try {
      parse_hosts(c.text, "hosts");
      ADD_FAILURE() << c.text << ": no exception";
    } catch (const InputError& e) {
      EXPECT_EQ(e.message(), c.message) << c.text;
      EXPECT_EQ(e.pos().line, c.line) << c.text;
      EXPECT_EQ(e.pos().column, c.column) << c.text;
    }
  }
}

TEST(Hostname, Parses) {
  EXPECT_EQ(parse_hostname("mail.naver.com\n", "hostname"), "mail.naver.com");
  EXPECT_EQ(parse_hostname("# set by the lab\n  mail \n", "hostname"), "mail");
}

TEST(Hostname, RejectsInvalid) {
  const ErrorCase cases[] = {
      {"", 0, 0, "no host name in the file"},
      {"# only a comment\n", 0, 0, "no host name in the file"},
      {"a b\n", 1, 3, "more than one host name: 'b'"},
      {"a\nb\n", 2, 1, "more than one host name: 'b'"},
      {"mail_server\n", 1, 1, "invalid host name 'mail_server'"},
  };
  for (const auto& c : cases) {
    try {
      parse_hostname(c.text, "hostname");
      ADD_FAILURE() << c.text << ": no exception";
    } catch (const InputError& e) {
      EXPECT_EQ(e.message(), c.message) << c.text;
      EXPECT_EQ(e.pos().line, c.line) << c.text;
      EXPECT_EQ(e.pos().column, c.column) << c.text;
    }
  }
  std::string long_name(65, 'a');
  EXPECT_THROW(parse_hostname(long_name, "hostname"), InputError);
}

}  // namespace
}  // namespace mailsim::dns
