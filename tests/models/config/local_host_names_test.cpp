#include "models/config/local_host_names.hpp"

#include <gtest/gtest.h>

#include "expect_input_error.hpp"

namespace mailsim::config {
namespace {

const std::string kFile = "/etc/mail/local-host-names";

TEST(LocalHostNames, LabFile) {
  auto names = parse_local_host_names("localhost\nnaver.com\nmail.naver.com\n", kFile);
  EXPECT_EQ(names, (std::vector<std::string>{"localhost", "naver.com", "mail.naver.com"}));
}

TEST(LocalHostNames, CommentsBlankLinesAndCase) {
  struct Case {
    const char* text;
    std::vector<std::string> names;
  };
  const Case cases[] = {
      {"# accept mail for\n\nNaver.COM\n", {"naver.com"}},
      {"naver.com # the domain\n", {"naver.com"}},
      {"naver.com mail.naver.com\n", {"naver.com", "mail.naver.com"}},
      {"\t naver.com\r\n", {"naver.com"}},
      {"[10.0.2.100]\n", {"[10.0.2.100]"}},
      {"naver.com", {"naver.com"}},
      {"", {}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(parse_local_host_names(c.text, kFile), c.names) << c.text;
  }
}

TEST(LocalHostNames, RejectsInvalidNames) {
  struct Case {
    const char* text;
    int line;
    int column;
  };
  const Case cases[] = {
      {"naver.com\nmail_server.naver.com\n", 2, 1},
      {"naver..com\n", 1, 1},
      {"ok.com  -bad.com\n", 1, 9},
      {"[10.0.2]\n", 1, 1},
  };
  for (const Case& c : cases) {
    auto error = catch_input_error([&] { parse_local_host_names(c.text, kFile); });
    ASSERT_TRUE(error.has_value()) << c.text;
    EXPECT_EQ(error->pos().file, kFile);
    EXPECT_EQ(error->pos().line, c.line) << c.text;
    EXPECT_EQ(error->pos().column, c.column) << c.text;
  }
}

}  // namespace
}  // namespace mailsim::config
