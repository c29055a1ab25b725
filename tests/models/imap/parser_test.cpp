#include "models/imap/parser.hpp"

#include <gtest/gtest.h>

namespace mailsim::imap {
namespace {

TEST(SequenceSet, ParsesValidSets) {
  struct Case {
    const char* text;
    std::uint32_t number;
    std::uint32_t largest;
    bool contained;
  };
  const Case cases[] = {
      {"1:*", 7, 7, true},  {"2,4:5", 3, 7, false}, {"2,4:5", 5, 7, true},
      {"5:4", 4, 7, true},  {"*", 7, 7, true},      {"*", 6, 7, false},
      {"*:3", 5, 7, true},  {"1", 2, 7, false},
  };
  for (const Case& c : cases) {
    ArgumentReader reader(c.text);
    std::optional<SequenceSet> set = reader.sequence_set();
    ASSERT_TRUE(set) << c.text;
    EXPECT_EQ(set->contains(c.number, c.largest), c.contained) << c.text << " " << c.number;
    EXPECT_TRUE(reader.at_end()) << c.text;
  }
}

TEST(SequenceSet, RejectsInvalidSets) {
  for (const char* text : {"0", "x", "1:", ":2", "1,,2", "01", "1x", "4294967296"}) {
    ArgumentReader reader(text);
    EXPECT_FALSE(reader.sequence_set()) << text;
  }
}

TEST(ArgumentReader, ReadsStrings) {
  ArgumentReader reader("kim \"12\\\"34\" {3}\r\nabc {2+}\r\nxy");
  EXPECT_EQ(reader.astring(), "kim");
  EXPECT_TRUE(reader.space());
  EXPECT_EQ(reader.astring(), "12\"34");
  EXPECT_TRUE(reader.space());
  EXPECT_EQ(reader.astring(), "abc");
  EXPECT_TRUE(reader.space());
  EXPECT_EQ(reader.astring(), "xy");
  EXPECT_TRUE(reader.at_end());
}

TEST(ArgumentReader, RejectsBadStrings) {
  for (const char* text : {"\"open", "\"bad\\escape\"", "{5}\r\nabc", "(x"}) {
    ArgumentReader reader(text);
    EXPECT_FALSE(reader.astring()) << text;
  }
}

TEST(CommandFramer, WaitsForLiteralData) {
  CommandFramer framer;
  std::string continuations;
  framer.append("a1 LOGIN {3}\r\nki");
  EXPECT_FALSE(framer.next_command(continuations));
  EXPECT_EQ(continuations, "+ OK\r\n");
  framer.append("m x\r\n");
  EXPECT_EQ(framer.next_command(continuations), "a1 LOGIN {3}\r\nkim x");
  EXPECT_EQ(continuations, "+ OK\r\n");
  EXPECT_TRUE(framer.empty());
}

TEST(QuoteString, QuotesOrUsesLiteral) {
  EXPECT_EQ(quote_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(quote_string("two\r\nlines"), "{10}\r\ntwo\r\nlines");
}

}  // namespace
}  // namespace mailsim::imap
