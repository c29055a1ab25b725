// Every recorded session of the real Debian 12 Sendmail and Dovecot,
// replayed against scenarios/reference-capture.yaml through `mailsim serve
// --stdio`: the client's lines go in, and the replies must equal the
// recorded ones once dates, queue ids, message ids, UIDs and Dovecot's
// timing suffixes are masked.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <sstream>

#include "tests/e2e/run_helpers.hpp"

namespace mailsim::e2e {
namespace {

struct Transcript {
  std::string name;
  std::string peer;      // client address
  std::string protocol;  // smtp, pop3, imap
  std::string input;     // the C: lines, LF-terminated
  std::vector<std::string> replies;  // the S: lines
};

Transcript parse(const std::filesystem::path& path) {
  Transcript t;
  t.name = path.stem().string();
  std::istringstream in(read_file(path.string()));
  std::smatch m;
  const std::regex client(R"(^# client (\d+\.\d+\.\d+\.\d+):\d+ -> server [\d.]+:(\d+))");
  for (std::string line; std::getline(in, line);) {
    if (std::regex_search(line, m, client)) {
      t.peer = m[1];
      t.protocol = m[2] == "25" ? "smtp" : m[2] == "110" ? "pop3" : "imap";
    } else if (line.rfind("C: ", 0) == 0 || line == "C:") {
      t.input += (line.size() > 3 ? line.substr(3) : std::string()) + "\n";
    } else if (line.rfind("S: ", 0) == 0 || line == "S:") {
      t.replies.push_back(line.size() > 3 ? line.substr(3) : std::string());
    }
  }
  return t;
}

// Hides what differs from run to run of the real daemons too.
std::string mask(std::string line) {
  static const std::vector<std::pair<std::regex, std::string>> rules = {
      {std::regex(R"(\w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d GMT)"), "<DATE>"},
      {std::regex(R"(\b\d{12}\.)"), "<STAMP>."},
      {std::regex(R"(\b[0-9A-Za-x]{8}\d{6}\b)"), "<QID>"},
      {std::regex(R"(\(\d+\.\d{3} \+ \d+\.\d{3}(\+\d+\.\d{3})? secs\))"), "(<TIME>)"},
      {std::regex(R"(UIDVALIDITY \d+)"), "UIDVALIDITY <N>"},
      {std::regex(R"(\b[0-9a-f]{16}\b)"), "<UIDL>"},
  };
  for (const auto& [re, with] : rules) line = std::regex_replace(line, re, with);
  return line;
}

// Sessions recorded after another one changed the mailbox start from the
// state that session left (p06 was recorded after p05 deleted a message).
const std::map<std::string, std::string> kRecordedAfter = {
    {"p06-login-stat-quit-no-deletions", "p05-full-transaction-lee"},
};

std::string serve_command(const Transcript& t, const std::string& dir, const std::string& input_file,
                          const std::string& output_file) {
  std::string scenario = std::string(MAILSIM_SOURCE_DIR) + "/scenarios/reference-capture.yaml";
  return quote(MAILSIM_BINARY) + " serve " + quote(scenario) + " --host mail.naver.com --protocol " + t.protocol +
         " --stdio --peer " + t.peer + " --state " + quote(dir + "/state") + " <" + quote(input_file) + " >" +
         quote(output_file) + " 2>/dev/null";
}

class ReferenceReplay : public testing::TestWithParam<std::string> {};

TEST_P(ReferenceReplay, RepliesMatchRecording) {
  Transcript t = parse(GetParam());
  ASSERT_FALSE(t.peer.empty()) << GetParam();
  std::string dir = temp_dir();
  auto before = kRecordedAfter.find(t.name);
  if (before != kRecordedAfter.end()) {
    auto path = std::filesystem::path(GetParam()).parent_path() / (before->second + ".txt");
    Transcript earlier = parse(path);
    std::ofstream(dir + "/before") << earlier.input;
    ASSERT_EQ(std::system(serve_command(earlier, dir, dir + "/before", dir + "/before.out").c_str()), 0);
  }
  std::ofstream(dir + "/in") << t.input;
  ASSERT_EQ(std::system(serve_command(t, dir, dir + "/in", dir + "/out").c_str()), 0);
  std::string out = read_file(dir + "/out");
  std::vector<std::string> got;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find("\r\n", start);
    if (end == std::string::npos) {
      got.push_back(out.substr(start) + "<no CRLF>");
      break;
    }
    got.push_back(out.substr(start, end - start));
    start = end + 2;
  }
  ASSERT_EQ(got.size(), t.replies.size()) << t.name << "\n" << out;
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(mask(got[i]), mask(t.replies[i])) << t.name << " reply line " << i + 1;
}

std::vector<std::string> transcripts() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(std::string(MAILSIM_SOURCE_DIR) + "/tests/e2e/data/reference"))
    out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

INSTANTIATE_TEST_SUITE_P(Recorded, ReferenceReplay, testing::ValuesIn(transcripts()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string name = std::filesystem::path(info.param).stem().string();
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

}  // namespace
}  // namespace mailsim::e2e
