#include "models/config/aliases.hpp"

#include <gtest/gtest.h>

#include "expect_input_error.hpp"

namespace mailsim::config {
namespace {

const std::string kFile = "/etc/aliases";

// The lab's /etc/aliases.
const char* kLabAliases =
    "# /etc/aliases\n"
    "mailer-daemon: postmaster\n"
    "postmaster: root\n"
    "nobody: root\n"
    "abuse: root\n"
    "staff: lee, kim\n";

std::vector<std::string> values(const AliasExpansion& expansion) {
  std::vector<std::string> out;
  for (const AliasTarget& target : expansion.targets) out.push_back(target.value);
  return out;
}

TEST(Aliases, ParsesLabFile) {
  Aliases aliases = Aliases::parse(kLabAliases, kFile);
  EXPECT_EQ(aliases.entries().size(), 5u);
  const AliasEntry* staff = aliases.find("STAFF");
  ASSERT_NE(staff, nullptr);
  ASSERT_EQ(staff->targets.size(), 2u);
  EXPECT_EQ(staff->targets[0].value, "lee");
  EXPECT_EQ(staff->targets[1].value, "kim");
  EXPECT_EQ(staff->targets[1].pos.line, 6);
  EXPECT_EQ(staff->targets[1].pos.column, 13);
  EXPECT_EQ(staff->pos.line, 6);
}

TEST(Aliases, TargetKinds) {
  Aliases aliases = Aliases::parse(
      "all: \\lee, kim@daum.net, /var/log/mail.copy, \"|/usr/bin/vacation lee\",\n"
      "\t:include:/etc/mail/staff.list, <root>, |/bin/cat\n",
      kFile);
  const AliasEntry* all = aliases.find("all");
  ASSERT_NE(all, nullptr);
  struct Expected {
    AliasTargetKind kind;
    const char* value;
    bool no_alias;
  };
  const Expected expected[] = {
      {AliasTargetKind::ADDRESS, "lee", true},
      {AliasTargetKind::ADDRESS, "kim@daum.net", false},
      {AliasTargetKind::FILE, "/var/log/mail.copy", false},
      {AliasTargetKind::PROGRAM, "/usr/bin/vacation lee", false},
      {AliasTargetKind::INCLUDE, "/etc/mail/staff.list", false},
      {AliasTargetKind::ADDRESS, "root", false},
      {AliasTargetKind::PROGRAM, "/bin/cat", false},
  };
  ASSERT_EQ(all->targets.size(), std::size(expected));
  for (size_t i = 0; i < std::size(expected); ++i) {
    EXPECT_EQ(all->targets[i].kind, expected[i].kind) << i;
    EXPECT_EQ(all->targets[i].value, expected[i].value) << i;
    EXPECT_EQ(all->targets[i].no_alias, expected[i].no_alias) << i;
  }
  EXPECT_EQ(all->targets[4].pos.line, 2);
}

TEST(Aliases, ContinuationForms) {
  Aliases aliases = Aliases::parse(
      "team: lee,\n"
      "  kim\n"
      "# a comment ends nothing\n"
      "ops: root, \\\n"
      "lee\n",
      kFile);
  ASSERT_NE(aliases.find("team"), nullptr);
  EXPECT_EQ(aliases.find("team")->targets.size(), 2u);
  ASSERT_NE(aliases.find("ops"), nullptr);
  EXPECT_EQ(aliases.find("ops")->targets.size(), 2u);
  EXPECT_EQ(aliases.find("ops")->targets[1].value, "lee");
}

TEST(Aliases, ParseErrors) {
  struct Case {
    const char* text;
    int line;
    int column;
  };
  const Case cases[] = {
      {"postmaster root\n", 1, 1},            // no colon
      {"postmaster:\n", 1, 11},               // no targets
      {"root: a\nROOT: b\n", 2, 1},           // duplicate, names fold case
      {"  lee\nroot: a\n", 1, 1},             // continuation first
      {"root: lee, :include:\n", 1, 12},      // include without a file
      {"root: lee, kim@daum..net\n", 1, 12},  // bad domain
      {"root: \"|\"\n", 1, 7},                // program missing
      {"kim@daum.net: lee\n", 1, 1},          // alias names are local
  };
  for (const Case& c : cases) {
    auto error = catch_input_error([&] { Aliases::parse(c.text, kFile); });
    ASSERT_TRUE(error.has_value()) << c.text;
    EXPECT_EQ(error->pos().file, kFile) << c.text;
    EXPECT_EQ(error->pos().line, c.line) << c.text;
    EXPECT_EQ(error->pos().column, c.column) << c.text;
  }
}

TEST(AliasExpansion, FollowsChains) {
  Aliases aliases = Aliases::parse(kLabAliases, kFile);
  EXPECT_EQ(values(aliases.expand("mailer-daemon")), std::vector<std::string>{"root"});
  EXPECT_EQ(values(aliases.expand("Staff")), (std::vector<std::string>{"lee", "kim"}));
  EXPECT_EQ(values(aliases.expand("lee")), std::vector<std::string>{"lee"});
  EXPECT_FALSE(aliases.expand("staff").error.has_value());
}

TEST(AliasExpansion, LocalDomainsAndRemoteAddresses) {
  Aliases aliases = Aliases::parse(
      "staff: lee@naver.com, kim@daum.net, postmaster\n"
      "postmaster: root\n",
      kFile);
  AliasExpansion expansion = aliases.expand("staff@Naver.com", {"naver.com"});
  EXPECT_EQ(values(expansion), (std::vector<std::string>{"lee", "kim@daum.net", "root"}));
  // Without naver.com as a local domain the address is remote and not aliased.
  EXPECT_EQ(values(aliases.expand("staff@naver.com")), std::vector<std::string>{"staff@naver.com"});
}

TEST(AliasExpansion, SelfReferenceDeliversToMailbox) {
  Aliases aliases = Aliases::parse("lee: lee, /var/backup/lee\n", kFile);
  AliasExpansion expansion = aliases.expand("lee");
  ASSERT_EQ(expansion.targets.size(), 2u);
  EXPECT_EQ(expansion.targets[0].value, "lee");
  EXPECT_TRUE(expansion.targets[0].no_alias);
  EXPECT_EQ(expansion.targets[1].kind, AliasTargetKind::FILE);
  EXPECT_FALSE(expansion.error.has_value());
}

TEST(AliasExpansion, SuppressesDuplicates) {
  Aliases aliases = Aliases::parse("all: staff, lee, LEE\nstaff: lee, kim\n", kFile);
  EXPECT_EQ(values(aliases.expand("all")), (std::vector<std::string>{"lee", "kim"}));
}

TEST(AliasExpansion, DetectsLoops) {
  Aliases aliases = Aliases::parse("a: b\nb: c, lee\nc: a\n", kFile);
  AliasExpansion expansion = aliases.expand("a");
  ASSERT_TRUE(expansion.error.has_value());
  EXPECT_EQ(expansion.loop, (std::vector<std::string>{"a", "b", "c", "a"}));
}

TEST(AliasExpansion, DepthLimit) {
  std::string text;
  for (int i = 0; i < 12; ++i) {
    text += "a" + std::to_string(i) + ": a" + std::to_string(i + 1) + "\n";
  }
  Aliases aliases = Aliases::parse(text, kFile);
  // a0 -> ... -> a9 is 10 aliases deep and allowed; a10 would be the 11th.
  AliasExpansion deep = aliases.expand("a0");
  ASSERT_TRUE(deep.error.has_value());
  EXPECT_EQ(*deep.error, "aliasing/forwarding loop broken (11 aliases deep; 10 max)");
  EXPECT_TRUE(deep.loop.empty());
  AliasExpansion shallow = aliases.expand("a2");
  EXPECT_FALSE(shallow.error.has_value());
  EXPECT_EQ(values(shallow), std::vector<std::string>{"a12"});
}

TEST(AliasExpansion, IncludeFiles) {
  Aliases aliases = Aliases::parse("staff: :include:/etc/mail/staff.list\n", kFile);
  IncludeLoader loader = [](const std::string& path) -> std::optional<std::string> {
    if (path == "/etc/mail/staff.list") return std::string("# staff\nlee, kim\nroot\n");
    return std::nullopt;
  };
  EXPECT_EQ(values(aliases.expand("staff", {}, loader)),
            (std::vector<std::string>{"lee", "kim", "root"}));
  // Without a loader the include target is handed back unread.
  AliasExpansion unread = aliases.expand("staff");
  ASSERT_EQ(unread.targets.size(), 1u);
  EXPECT_EQ(unread.targets[0].kind, AliasTargetKind::INCLUDE);
  // A missing include file stops expansion with an error.
  Aliases missing = Aliases::parse("x: :include:/nope\n", kFile);
  AliasExpansion failed = missing.expand("x", {}, loader);
  ASSERT_TRUE(failed.error.has_value());
  EXPECT_EQ(*failed.error, "include file /nope not found");
}

}  // namespace
}  // namespace mailsim::config
