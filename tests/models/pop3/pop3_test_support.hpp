// Shared helpers for the POP3 tests: recorded transcripts, mailboxes and a fake host.
#pragma once

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "models/mailbox/mailbox.hpp"
#include "models/pop3/server.hpp"

namespace mailsim::pop3::testing {

inline std::string read_file(const std::string& path) {
  std::ifstream in(std::string(MAILSIM_SOURCE_DIR) + "/tests/models/" + path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// One client command of a transcript and the server reply to it.
struct Exchange {
  std::string command;  // with CRLF
  std::string reply;    // with CRLF line ends
};

/// A `S:`/`C:` transcript: the greeting, then one exchange per client line.
struct Transcript {
  std::string greeting;
  std::vector<Exchange> exchanges;
};

inline Transcript load_transcript(const std::string& name) {
  std::istringstream in(read_file("pop3/data/" + name));
  Transcript transcript;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("C: ", 0) == 0) {
      transcript.exchanges.push_back(Exchange{line.substr(3) + "\r\n", ""});
    } else if (line.rfind("S: ", 0) == 0 || line == "S:") {
      std::string text = (line.size() > 3 ? line.substr(3) : "") + "\r\n";
      if (transcript.exchanges.empty()) {
        transcript.greeting += text;
      } else {
        transcript.exchanges.back().reply += text;
      }
    }
  }
  return transcript;
}

/// lee's mailbox as procmail left it before the recorded POP3 sessions.
inline mailbox::Mailbox lee_mailbox() {
  return mailbox::Mailbox::from_mbox(read_file("mailbox/data/lee.after-smtp-phase.mbox"), "lee");
}

/// The simulated host: users, their mailboxes and a clock.
class FakeHooks : public ServerHooks {
 public:
  std::map<std::string, std::string> passwords{{"lee", "1234"}, {"kim", "1234"}};
  std::map<std::string, mailbox::Mailbox> mailboxes;
  std::int64_t clock = 1796397139;  // lee's login in the recorded run, 15:12:19 UTC

  bool authenticate(const std::string& user, const std::string& password) override {
    auto it = passwords.find(user);
    return it != passwords.end() && it->second == password;
  }
  mailbox::Mailbox& open_maildrop(const std::string& user) override { return mailboxes[user]; }
  std::int64_t now() override { return clock; }
};

}  // namespace mailsim::pop3::testing
