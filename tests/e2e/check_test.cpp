// `mailsim check` as a user runs it: every scenario of scenarios/mistakes is caught with a
// finding that names its mistake, the lab scenario is clean, and the output and exit status
// follow the documented format.
#include <dirent.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/run_helpers.hpp"

namespace mailsim::e2e {
namespace {

std::string mistakes_dir() {
  return std::string(MAILSIM_SOURCE_DIR) + "/scenarios/mistakes";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

struct Expected {
  std::string finding;  // part of one finding line
  int status;           // 1 when the mistake is an error, 0 when only a warning
};

// What each mistake's header comment says goes wrong, as the finding states it.
const std::map<std::string, Expected>& expected_findings() {
  static const std::map<std::string, Expected> table = {
      {"bound-to-localhost.yaml",
       {"mail.naver.com:/etc/mail/sendmail.cf:5:21: error: mail for naver.com from mail.daum.net "
        "cannot reach "
        "MX host mail.naver.com (10.0.2.100): Sendmail on mail.naver.com listens only on 127.0.0.1 "
        "(DaemonPortOptions Addr=127.0.0.1)",
        1}},
      {"dovecot-mail-location.yaml",
       {"mail.naver.com:/etc/dovecot/dovecot.conf:3:1: warning: Dovecot on mail.naver.com reads "
        "lee's INBOX "
        "from /home/lee/mbox, but the local mailer delivers to /var/mail/lee",
        0}},
      {"host-switched-off.yaml",
       {"error: mail for daum.net from mail.naver.com cannot reach MX host "
        "mail.daum.net (10.0.2.200): mail.daum.net is switched off (up: false)",
        1}},
      {"missing-local-host-names.yaml",
       {"error: MX list for naver.com. points back to mail.naver.com", 1}},
      {"mx-address-loops-back.yaml",
       {"mail.naver.com:/var/named/daum.net.db:7:1: error: MX host mail.daum.net of daum.net "
        "resolves to "
        "10.0.2.100, the address of mail.naver.com itself",
        1}},
      {"mx-without-trailing-dot.yaml",
       {"mail.naver.com:/var/named/naver.com.db:5:9: error: MX host mail.naver.com.naver.com. of "
        "naver.com has "
        "no address on name server mail.naver.com (the MX record lacks its trailing dot",
        1}},
      {"named-stopped.yaml", {"warning: named on mail.naver.com is stopped from 0s to 20m", 0}},
      {"no-relay-line.yaml",
       {"error: kim-to-lee: mail.daum.net denies relaying <lee@naver.com> for kim-pc.daum.net "
        "[10.0.2.25]",
        1}},
      {"sendmail-not-running.yaml",
       {"error: mail for naver.com from mail.daum.net cannot reach MX host mail.naver.com "
        "(10.0.2.100): "
        "Sendmail on mail.naver.com is not running (stopped: always)",
        1}},
      {"wrong-pop3-password.yaml",
       {"warning: lee-checks-mail: the password does not match lee's password on mail.naver.com",
        0}},
  };
  return table;
}

// Every line but the last is `file:line[:column]: error|warning: text`, and the last one
// counts them.
void expect_finding_format(const std::string& out, const std::string& label) {
  static const std::regex finding(
      R"(^[^ ]+:[0-9]+(:[0-9]+)?: (error|warning): .+$|^[^ ]+: (error|warning): .+$)");
  std::vector<std::string> lines = lines_of(out);
  ASSERT_FALSE(lines.empty()) << label;
  int errors = 0, warnings = 0;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    EXPECT_TRUE(std::regex_match(lines[i], finding)) << label << ": " << lines[i];
    if (lines[i].find(": error: ") != std::string::npos)
      ++errors;
    else
      ++warnings;
  }
  std::string summary = std::to_string(errors) + (errors == 1 ? " error, " : " errors, ") +
                        std::to_string(warnings) + (warnings == 1 ? " warning" : " warnings");
  EXPECT_EQ(lines.back(), summary) << label;
}

TEST(CheckCommand, LabIsClean) {
  Outcome r = run_mailsim({"check", lab()}, false);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "0 errors, 0 warnings\n");
  EXPECT_EQ(r.err, "");
}

TEST(CheckCommand, EveryMistakeIsNamed) {
  DIR* dir = opendir(mistakes_dir().c_str());
  ASSERT_NE(dir, nullptr) << mistakes_dir();
  std::vector<std::string> files;
  while (dirent* e = readdir(dir)) {
    std::string name = e->d_name;
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".yaml") == 0) files.push_back(name);
  }
  closedir(dir);
  EXPECT_EQ(files.size(), expected_findings().size());
  for (const auto& file : files) {
    auto it = expected_findings().find(file);
    if (it == expected_findings().end()) {
      ADD_FAILURE() << file << " has no expected finding in this test";
      continue;
    }
    Outcome r = run_mailsim({"check", mistakes_dir() + "/" + file}, false);
    EXPECT_EQ(r.status, it->second.status) << file << "\n" << r.out << r.err;
    EXPECT_NE(r.out.find(it->second.finding), std::string::npos)
        << file << ": expected\n  " << it->second.finding << "\nin\n"
        << r.out;
    EXPECT_EQ(r.err, "") << file;
    expect_finding_format(r.out, file);
  }
}

TEST(CheckCommand, FindingsUseScenarioLines) {
  Outcome r = run_mailsim({"check", mistakes_dir() + "/sendmail-not-running.yaml"}, false);
  // The sendmail service with `stopped: always` is on line 34, column 7 of that file.
  EXPECT_NE(r.out.find("scenarios/mistakes/sendmail-not-running.yaml:34:7: error: "),
            std::string::npos)
      << r.out;
  std::ifstream in(mistakes_dir() + "/sendmail-not-running.yaml");
  std::string line;
  for (int i = 0; i < 34 && std::getline(in, line);) ++i;
  EXPECT_EQ(line.substr(6, 8), "sendmail") << line;
}

TEST(CheckCommand, SetOverridesValue) {
  Outcome r = run_mailsim({"check", lab(), "--set", "hosts.mail.daum.net.up=false"}, false);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.out.find("mail.daum.net is switched off (up: false)"), std::string::npos) << r.out;
  expect_finding_format(r.out, "--set up=false");
}

TEST(CheckCommand, UnloadableScenarioExitsTwo) {
  std::string dir = temp_dir();
  std::string path = dir + "/broken.yaml";
  std::ofstream(path) << "name: broken\nhosts:\n  mail.naver.com:\n    adress: 10.0.2.100\n";
  Outcome r = run_mailsim({"check", path}, false);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind(path + ":4:5: ", 0), 0u) << r.err;
}

TEST(CheckCommand, BrokenConfigFileExitsTwo) {
  Outcome r =
      run_mailsim({"check", lab(), "--set",
                   "hosts.mail.naver.com.files./etc/mail/sendmail.cf=O MaxMessageSize=lots"},
                  false);
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_EQ(r.err.rfind("mail.naver.com:/etc/mail/sendmail.cf:1:", 0), 0u) << r.err;
}

}  // namespace
}  // namespace mailsim::e2e
