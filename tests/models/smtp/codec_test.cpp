#include <gtest/gtest.h>

#include "models/smtp/data_codec.hpp"
#include "models/smtp/reply.hpp"

namespace mailsim::smtp {
namespace {

struct EncodeCase {
  const char* name;
  std::string message_lf;
  std::string wire;
};

TEST(EncodeData, DotStuffingAndLineEnds) {
  const EncodeCase cases[] = {
      {"plain", "a\nb\n", "a\r\nb\r\n.\r\n"},
      {"lone dot", "x\n.\ny\n", "x\r\n..\r\ny\r\n.\r\n"},
      {"leading dots", ".a\n..b\n", "..a\r\n...b\r\n.\r\n"},
      {"dot inside a line", "a.b\n", "a.b\r\n.\r\n"},
      {"dot on the first line", ".\n", "..\r\n.\r\n"},
      {"no final LF", "a\nlast", "a\r\nlast\r\n.\r\n"},
      {"empty message", "", ".\r\n"},
      {"empty lines", "\n\n", "\r\n\r\n.\r\n"},
      {"CR kept", "a\rb\n", "a\rb\r\n.\r\n"},
  };
  for (const EncodeCase& c : cases) EXPECT_EQ(encode_data(c.message_lf), c.wire) << c.name;
}

TEST(Has8bit, HighBit) {
  EXPECT_FALSE(has_8bit("plain ASCII\n"));
  EXPECT_TRUE(has_8bit("caf\xc3\xa9\n"));
  EXPECT_FALSE(has_8bit(""));
  EXPECT_FALSE(has_8bit("\x7f"));
}

TEST(Has8bit, EveryLengthAndPosition) {
  // One byte of 0x80 at each position of texts of 0 to 24 bytes, so the byte
  // falls inside, at the edges of and after each 8-byte word.
  for (std::size_t length = 0; length <= 24; ++length) {
    std::string text(length, 'a');
    EXPECT_FALSE(has_8bit(text)) << "length " << length;
    for (std::size_t at = 0; at < length; ++at) {
      std::string marked = text;
      marked[at] = '\x80';
      EXPECT_TRUE(has_8bit(marked)) << "length " << length << ", position " << at;
    }
  }
}

TEST(ReplyReader, MultiLineAndEnhancedCodes) {
  ReplyReader reader;
  auto replies = reader.feed(
      "250-mail.naver.com Hello [127.0.0.2], pleased to meet you\r\n250-PIPELINING\r\n"
      "250 HELP\r\n550 5.7.1 <a@b>... Relaying denied\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[0].code, 250);
  EXPECT_EQ(replies[0].lines.size(), 3u);
  EXPECT_EQ(replies[0].lines[1], "PIPELINING");
  EXPECT_EQ(replies[0].enhanced, "");
  EXPECT_EQ(replies[1].code, 550);
  EXPECT_EQ(replies[1].enhanced, "5.7.1");
  EXPECT_EQ(replies[1].text, "<a@b>... Relaying denied");
  EXPECT_TRUE(replies[1].permanent());
  EXPECT_EQ(replies[2].code, 354);
  EXPECT_TRUE(replies[2].positive());
}

TEST(ReplyReader, SplitAnywhere) {
  const std::string bytes = "250-a\r\n250 b\r\n421 4.7.0 bye\r\n";
  for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
    ReplyReader reader;
    auto first = reader.feed(bytes.substr(0, cut));
    auto second = reader.feed(bytes.substr(cut));
    first.insert(first.end(), second.begin(), second.end());
    ASSERT_EQ(first.size(), 2u) << cut;
    EXPECT_EQ(first[0].lines, (std::vector<std::string>{"a", "b"})) << cut;
    EXPECT_EQ(first[1].code, 421) << cut;
    EXPECT_TRUE(first[1].transient()) << cut;
  }
}

TEST(ReplyReader, InvalidLines) {
  ReplyReader reader;
  for (const char* line : {"hello\r\n", "25 short\r\n", "2500 long\r\n", "abc def\r\n"}) {
    auto replies = reader.feed(line);
    ASSERT_EQ(replies.size(), 1u) << line;
    EXPECT_EQ(replies[0].code, 0) << line;
  }
  auto bare = reader.feed("220\n");
  ASSERT_EQ(bare.size(), 1u);
  EXPECT_EQ(bare[0].code, 220);
}

TEST(LeadingEnhancedCode, ClassMustMatch) {
  EXPECT_EQ(leading_enhanced_code(250, "2.1.5 ok"), "2.1.5");
  EXPECT_EQ(leading_enhanced_code(550, "2.1.5 ok"), "");
  EXPECT_EQ(leading_enhanced_code(421, "4.7.0"), "4.7.0");
  EXPECT_EQ(leading_enhanced_code(250, "2.1 ok"), "");
  EXPECT_EQ(leading_enhanced_code(250, "2.1.5x ok"), "");
  EXPECT_EQ(leading_enhanced_code(250, "mail.naver.com Hello"), "");
}

}  // namespace
}  // namespace mailsim::smtp
