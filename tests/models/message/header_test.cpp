#include "models/message/header.hpp"

#include <gtest/gtest.h>

namespace mailsim::message {
namespace {

// Header section of a Sendmail DSN, with a folded Content-Type field.
const char kBounce[] =
    "Date: Fri, 4 Dec 2026 15:09:40 GMT\n"
    "From: Mail Delivery Subsystem <MAILER-DAEMON>\n"
    "Message-Id: <202612041509.6B4F9e4K017006@mail.naver.com>\n"
    "Content-Type: multipart/report; report-type=delivery-status;\n"
    "\tboundary=\"6B4F9e4K017006.1796396980/mail.naver.com\"\n"
    "Subject: Returned mail: see transcript for details\n"
    "\n"
    "This is a MIME-encapsulated message\n"
    "Date: not a header, this is body text\n";

struct FindCase {
  const char* name;
  const char* expected;
};

TEST(FindHeader, TableOfFields) {
  const FindCase cases[] = {
      {"Date", "Fri, 4 Dec 2026 15:09:40 GMT"},
      {"date", "Fri, 4 Dec 2026 15:09:40 GMT"},
      {"MESSAGE-ID", "<202612041509.6B4F9e4K017006@mail.naver.com>"},
      {"Content-Type",
       "multipart/report; report-type=delivery-status;\tboundary=\"6B4F9e4K017006.1796396980/"
       "mail.naver.com\""},
      {"subject", "Returned mail: see transcript for details"},
  };
  for (const FindCase& c : cases) {
    auto value = find_header(kBounce, c.name);
    ASSERT_TRUE(value.has_value()) << c.name;
    EXPECT_EQ(*value, c.expected) << c.name;
  }
}

TEST(FindHeader, AbsentFieldsAndBodyText) {
  EXPECT_FALSE(find_header(kBounce, "To").has_value());
  EXPECT_FALSE(find_header(kBounce, "Dat").has_value());
  EXPECT_FALSE(find_header(kBounce, "This is a MIME-encapsulated message").has_value());
  EXPECT_FALSE(has_header("", "Date"));
}

TEST(HasHeader, MessageIdAnyCase) {
  EXPECT_TRUE(has_header("Message-ID: <1@pc1>\n\nbody\n", "Message-Id"));
  EXPECT_TRUE(has_header("message-id: <1@pc1>\n\nbody\n", "Message-Id"));
  EXPECT_FALSE(has_header("Message-IDs: <1@pc1>\n\nbody\n", "Message-Id"));
}

TEST(ParseHeaders, OrderAndTrim) {
  auto fields = parse_headers("From:kim@naver.com\nTo:   lee@naver.com  \nX-Empty:\n\nbody\n");
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0].name, "From");
  EXPECT_EQ(fields[0].value, "kim@naver.com");
  EXPECT_EQ(fields[1].name, "To");
  EXPECT_EQ(fields[1].value, "lee@naver.com");
  EXPECT_EQ(fields[2].name, "X-Empty");
  EXPECT_EQ(fields[2].value, "");
}

struct SplitCase {
  const char* message;
  const char* headers;
  const char* body;
  bool separator;
};

TEST(SplitMessage, WhereTheHeaderSectionEnds) {
  const SplitCase cases[] = {
      {"Subject: a\n\nbody\n", "Subject: a\n", "body\n", true},
      {"Subject: a\n\tfolded\n\nbody\n", "Subject: a\n\tfolded\n", "body\n", true},
      // A line that is neither a field nor a continuation starts the body.
      {"Subject: a\nno colon here\n", "Subject: a\n", "no colon here\n", false},
      {"hello lee\n", "", "hello lee\n", false},
      // A continuation line needs a field before it.
      {" indented\n", "", " indented\n", false},
      {"\nbody only\n", "", "body only\n", true},
      {"Subject: a\n", "Subject: a\n", "", false},
      {"Subject: no final LF", "Subject: no final LF", "", false},
      {"", "", "", false},
  };
  for (const SplitCase& c : cases) {
    MessageParts parts = split_message(c.message);
    EXPECT_EQ(parts.headers, c.headers) << c.message;
    EXPECT_EQ(parts.body, c.body) << c.message;
    EXPECT_EQ(parts.separator, c.separator) << c.message;
  }
}

TEST(IsFieldLine, NameSyntax) {
  EXPECT_TRUE(is_field_line("X-Mailer: x"));
  EXPECT_TRUE(is_field_line("a:"));
  EXPECT_FALSE(is_field_line(": no name"));
  EXPECT_FALSE(is_field_line("Two words: x"));
  EXPECT_FALSE(is_field_line("no colon"));
  EXPECT_FALSE(is_field_line("Tab\tname: x"));
}

}  // namespace
}  // namespace mailsim::message
