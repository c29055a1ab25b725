// Static checks on small inline scenarios: a clean two-domain setup gives no finding, and each
// single mistake gives the finding that names it, at the line to fix.
#include "sim/check.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace mailsim::sim {
namespace {

// Two domains: ann@a.test on mail.a.test (which also runs BIND for both zones) and bob@b.test
// on mail.b.test, each with a PC that submits to its own server.
const char* const kTwoDomains = R"(name: two-domains
every_host:
  files:
    /etc/resolv.conf: |
      nameserver 10.0.0.1
hosts:
  mail.a.test:
    address: 10.0.0.1
    services:
      sendmail: {args: "-bd -q1h"}
      dovecot: {}
      named: {}
    users:
      ann: {password: secret}
    files:
      /etc/mail/sendmail.cf: |
        Cwa.test
        O DaemonPortOptions=Port=smtp, Name=MTA
      /etc/mail/access: |
        Connect:127.0.0.1 RELAY
        10.0.0 RELAY
      /etc/dovecot/dovecot.conf: |
        protocols = pop3
        mail_location = mbox:~/mail:INBOX=/var/mail/%u
        disable_plaintext_auth = no
      /etc/named.conf: |
        options { directory "/var/named"; recursion no; };
        zone "a.test" IN { type master; file "a.test.db"; };
        zone "b.test" IN { type master; file "b.test.db"; };
      /var/named/a.test.db: |
        $TTL 3H
        @ IN SOA @ root. ( 1 1D 1H 1W 1H )
        @ IN NS @
        @ IN A 10.0.0.1
        @ IN MX 10 mail.a.test.
        mail IN A 10.0.0.1
      /var/named/b.test.db: |
        $TTL 3H
        @ IN SOA @ root. ( 1 1D 1H 1W 1H )
        @ IN NS ns.a.test.
        @ IN MX 10 mail.b.test.
        mail IN A 10.0.0.2
  mail.b.test:
    address: 10.0.0.2
    services:
      sendmail: {args: "-bd -q1h"}
    users:
      bob: {password: bob}
    files:
      /etc/mail/sendmail.cf: |
        Cwb.test
        O DaemonPortOptions=Port=smtp, Name=MTA
      /etc/mail/access: |
        10.0.0 RELAY
  pc.a.test:
    address: 10.0.0.11
    users: {ann: {}}
  pc.b.test:
    address: 10.0.0.12
    users: {bob: {}}
workload:
  - name: to-bob
    pc: pc.a.test
    send: {server: mail.a.test, from: ann@a.test, to: [bob@b.test], subject: hi, body: "hi\n"}
  - name: to-ann
    pc: pc.b.test
    send: {server: mail.b.test, from: bob@b.test, to: [ann@a.test], subject: hi, body: "hi\n"}
  - name: ann-fetches
    pc: pc.a.test
    fetch: {server: mail.a.test, user: ann, password: secret, every: 1m}
)";

// Replaces the one occurrence of `from`; a missing or repeated `from` fails the test.
std::string edit(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "not in the scenario: " << from;
  if (at == std::string::npos) return text;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos)
      << "more than once in the scenario: " << from;
  return text.replace(at, from.size(), to);
}

// `scenario.yaml:LINE:COLUMN` of the first occurrence of `needle` in the scenario text.
std::string scenario_pos(const std::string& text, const std::string& needle) {
  auto at = text.find(needle);
  if (at == std::string::npos) return "(not found: " + needle + ")";
  auto line_start = text.rfind('\n', at);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  int line =
      1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
  return "scenario.yaml:" + std::to_string(line) + ":" + std::to_string(at - line_start + 1);
}

std::vector<Finding> check_text(const std::string& text) {
  return check_scenario(parse_scenario(text, "scenario.yaml"));
}

std::string dump(const std::vector<Finding>& findings) {
  std::string out;
  for (const auto& f : findings) out += format_finding(f) + "\n";
  return out.empty() ? "(no findings)\n" : out;
}

const Finding* find_text(const std::vector<Finding>& findings, const std::string& needle) {
  for (const auto& f : findings)
    if (f.text.find(needle) != std::string::npos) return &f;
  return nullptr;
}

TEST(Check, CleanScenarioHasNoFindings) {
  auto findings = check_text(kTwoDomains);
  EXPECT_TRUE(findings.empty()) << dump(findings);
}

TEST(Check, LabHasNoFindings) {
  auto findings = check_scenario(
      load_scenario(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/naver-daum-lab.yaml"));
  EXPECT_TRUE(findings.empty()) << dump(findings);
}

struct MistakeCase {
  const char* name;
  std::vector<std::pair<std::string, std::string>> edits;  // applied to kTwoDomains in order
  FindingSeverity severity;
  std::string text;   // part of the finding's text
  std::string where;  // its position; a string of the scenario means that line of the scenario
};

std::string expected_pos(const std::string& scenario, const std::string& where) {
  if (where.rfind("@", 0) == 0) return scenario_pos(scenario, where.substr(1));
  return where;
}

TEST(Check, EachMistakeIsNamed) {
  const std::string mx_line = "@ IN MX 10 mail.b.test.";
  const std::vector<MistakeCase> cases = {
      {"mx-without-trailing-dot",
       {{mx_line, "@ IN MX 10 mail.b.test"}},
       FindingSeverity::ERROR,
       "MX record lacks its trailing dot",
       "mail.a.test:/var/named/b.test.db:4:1"},
      {"no-mx-no-a",
       {{"        " + mx_line + "\n", ""}},
       FindingSeverity::ERROR,
       "b.test has no MX record and no A record",
       "@name: to-bob"},
      {"mx-address-of-no-host",
       {{"mail IN A 10.0.0.2", "mail IN A 10.0.0.99"}},
       FindingSeverity::ERROR,
       "the address 10.0.0.99, which belongs to no host",
       "mail.a.test:/var/named/b.test.db:5:1"},
      {"mx-address-loops-back",
       {{"mail IN A 10.0.0.2", "mail IN A 10.0.0.1"}},
       FindingSeverity::ERROR,
       "mail loops back to me",
       "mail.a.test:/var/named/b.test.db:5:1"},
      {"sendmail-stopped",
       {{"sendmail: {args: \"-bd -q1h\"}\n    users:\n      bob",
         "sendmail: {args: \"-bd -q1h\", stopped: always}\n    users:\n      bob"}},
       FindingSeverity::ERROR,
       "Sendmail on mail.b.test is not running (stopped: always)",
       "@sendmail: {args: \"-bd -q1h\", stopped"},
      {"bound-to-localhost",
       {{"Cwb.test\n        O DaemonPortOptions=Port=smtp, Name=MTA",
         "Cwb.test\n        O DaemonPortOptions=Port=smtp, Addr=127.0.0.1, Name=MTA"}},
       FindingSeverity::ERROR,
       "listens only on 127.0.0.1 (DaemonPortOptions Addr=127.0.0.1)",
       "mail.b.test:/etc/mail/sendmail.cf:2:21"},
      {"host-switched-off",
       {{"address: 10.0.0.2", "address: 10.0.0.2\n    up: false"}},
       FindingSeverity::ERROR,
       "mail.b.test is switched off (up: false)",
       "@mail.b.test:\n"},
      {"points-back",
       {{"Cwa.test", "Cwlocalhost"}},
       FindingSeverity::ERROR,
       "MX list for a.test. points back to mail.a.test",
       "mail.a.test:/etc/mail/sendmail.cf:1:1"},
      {"open-relay",
       {{"10.0.0 RELAY\n  pc.a.test", "10.0.0 RELAY\n        com RELAY\n  pc.a.test"}},
       FindingSeverity::ERROR,
       "mail.b.test is an open relay",
       "mail.b.test:/etc/mail/access:2:1"},
      {"zero-key-is-no-catch-all",
       {{"10.0.0 RELAY\n  pc.a.test", "10.0.0 RELAY\n        0 RELAY\n  pc.a.test"}},
       FindingSeverity::WARNING,
       "matches only client addresses 0.x.x.x",
       "mail.b.test:/etc/mail/access:2:1"},
      {"no-relay-line",
       {{"        10.0.0 RELAY\n  pc.a.test", "        Connect:127.0.0.1 RELAY\n  pc.a.test"}},
       FindingSeverity::ERROR,
       "to-ann: mail.b.test denies relaying <ann@a.test> for pc.b.test [10.0.0.12]",
       "@name: to-ann"},
      {"named-stopped-window",
       {{"      named: {}", "      named: {stopped: \"0s-20m\"}"}},
       FindingSeverity::WARNING,
       "named on mail.a.test is stopped from 0s to 20m",
       "@named: {stopped"},
      {"named-stopped-always",
       {{"      named: {}", "      named: {stopped: always}"}},
       FindingSeverity::ERROR,
       "cannot look up the MX of b.test: named on mail.a.test is not running",
       "@named: {stopped"},
      {"dovecot-mail-location",
       {{"INBOX=/var/mail/%u", "INBOX=~/mbox"}},
       FindingSeverity::WARNING,
       "reads ann's INBOX from /home/ann/mbox, but the local mailer delivers to /var/mail/ann",
       "mail.a.test:/etc/dovecot/dovecot.conf:2:1"},
      {"wrong-pop3-password",
       {{"password: secret, every", "password: wrong, every"}},
       FindingSeverity::WARNING,
       "ann-fetches: the password does not match ann's password on mail.a.test",
       "@name: ann-fetches"},
      {"plaintext-auth-disabled",
       {{"disable_plaintext_auth = no", "disable_plaintext_auth = yes"}},
       FindingSeverity::ERROR,
       "Plaintext authentication disallowed",
       "@name: ann-fetches"},
      {"unknown-user",
       {{"to: [ann@a.test]", "to: [anne@a.test]"}},
       FindingSeverity::ERROR,
       "mail.a.test has no user anne",
       "@name: to-ann"},
      {"zone-without-ns",
       {{"        @ IN NS ns.a.test.\n", ""}},
       FindingSeverity::ERROR,
       "has no NS records",
       "mail.a.test:/var/named/b.test.db"},
      {"no-class-w-for-domain",
       {{"Cwb.test", "Cwlocalhost"}},
       FindingSeverity::ERROR,
       "no Sendmail host has b.test in class w",
       "@name: to-bob"},
      {"relay-denied-at-mx",
       {{"Cwb.test", "Cwlocalhost"},
        {"        10.0.0 RELAY\n  pc.a.test", "        Connect:127.0.0.1 RELAY\n  pc.a.test"}},
       FindingSeverity::ERROR,
       "MX host mail.b.test of b.test does not have b.test in class w and denies relaying",
       "@mail.b.test:\n"},
      {"no-route",
       {{"name: two-domains\n",
         "name: two-domains\nrouters: [lan]\nlinks:\n  - {between: [mail.a.test, lan]}\n"
         "  - {between: [pc.a.test, lan]}\n  - {between: [pc.b.test, lan]}\n"}},
       FindingSeverity::ERROR,
       "host mail.b.test cannot reach host mail.a.test: no path of links joins them",
       "@mail.b.test:\n"},
  };
  for (const auto& c : cases) {
    std::string scenario = kTwoDomains;
    for (const auto& [from, to] : c.edits) scenario = edit(scenario, from, to);
    std::vector<Finding> findings;
    try {
      findings = check_text(scenario);
    } catch (const InputError& e) {
      ADD_FAILURE() << c.name << ": " << e.what();
      continue;
    }
    const Finding* f = find_text(findings, c.text);
    if (!f) {
      ADD_FAILURE() << c.name << ": no finding with '" << c.text << "' in\n" << dump(findings);
      continue;
    }
    EXPECT_EQ(f->severity, c.severity) << c.name << ": " << format_finding(*f);
    EXPECT_EQ(format_pos(f->pos), expected_pos(scenario, c.where))
        << c.name << ": " << format_finding(*f);
  }
}

// Each of two relays resolves the domain's MX to the other one through its own name server.
TEST(Check, RelayCycleIsLoop) {
  std::string scenario = kTwoDomains;
  scenario = edit(scenario, "to: [bob@b.test]", "to: [carl@c.test]");
  // mail.a.test serves c.test with the MX mail.b.test. mail.b.test queries its own named first,
  // whose c.test zone names mail.a.test, and both let 10.0.0.x relay.
  scenario = edit(scenario, "        zone \"b.test\" IN { type master; file \"b.test.db\"; };\n",
                  "        zone \"b.test\" IN { type master; file \"b.test.db\"; };\n"
                  "        zone \"c.test\" IN { type master; file \"c.test.db\"; };\n");
  scenario = edit(scenario, "  mail.b.test:\n", R"(      /var/named/c.test.db: |
        $TTL 3H
        @ IN SOA @ root. ( 1 1D 1H 1W 1H )
        @ IN NS mail.a.test.
        @ IN MX 10 mail.b.test.
  mail.b.test:
)");
  scenario = edit(
      scenario,
      "      sendmail: {args: \"-bd -q1h\"}\n    users:\n      bob: {password: bob}\n    files:\n",
      R"(      sendmail: {args: "-bd -q1h"}
      named: {}
    users:
      bob: {password: bob}
    files:
      /etc/resolv.conf: |
        nameserver 10.0.0.2
        nameserver 10.0.0.1
      /etc/named.conf: |
        options { directory "/var/named"; recursion no; };
        zone "c.test" IN { type master; file "c.test.db"; };
      /var/named/c.test.db: |
        $TTL 3H
        @ IN SOA @ root. ( 1 1D 1H 1W 1H )
        @ IN NS mail.b.test.
        @ IN MX 10 mail.a.test.
)");
  auto findings = check_text(scenario);
  const Finding* loop = find_text(findings, "mail for c.test goes round in a loop");
  ASSERT_NE(loop, nullptr) << dump(findings);
  EXPECT_EQ(loop->severity, FindingSeverity::ERROR);
  EXPECT_NE(find_text(findings, "no Sendmail host has c.test in class w"), nullptr)
      << dump(findings);
}

// A backup MX whose address belongs to no host is a warning while the first MX host accepts
// the mail.
TEST(Check, DeadBackupMxIsWarning) {
  std::string scenario = edit(kTwoDomains, "@ IN MX 10 mail.b.test.\n",
                              "@ IN MX 10 mail.b.test.\n        @ IN MX 20 backup.b.test.\n"
                              "        backup IN A 10.0.0.77\n");
  auto findings = check_text(scenario);
  const Finding* f = find_text(findings, "backup.b.test of b.test has the address 10.0.0.77");
  ASSERT_NE(f, nullptr) << dump(findings);
  EXPECT_EQ(f->severity, FindingSeverity::WARNING);
}

TEST(Check, FormatFinding) {
  Finding f{SourcePos{"lab.yaml", 12, 5}, FindingSeverity::WARNING, "named is stopped"};
  EXPECT_EQ(format_finding(f), "lab.yaml:12:5: warning: named is stopped");
  f.severity = FindingSeverity::ERROR;
  f.pos = SourcePos{"mail.naver.com:/var/named/naver.com.db", 0, 0};
  EXPECT_EQ(format_finding(f), "mail.naver.com:/var/named/naver.com.db: error: named is stopped");
}

// A configuration file that does not parse stops the check as it stops a run.
TEST(Check, UnparsableConfigThrows) {
  std::string scenario =
      edit(kTwoDomains, "Cwa.test\n", "Cwa.test\n        O MaxMessageSize=lots\n");
  EXPECT_THROW(check_text(scenario), InputError);
}

}  // namespace
}  // namespace mailsim::sim
