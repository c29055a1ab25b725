// Shared helpers for the IMAP tests: recorded transcripts, mailboxes and a fake host.
#pragma once

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "models/imap/server.hpp"
#include "models/mailbox/mailbox.hpp"

namespace mailsim::imap::testing {

inline std::string read_file(const std::string& path) {
  std::ifstream in(std::string(MAILSIM_SOURCE_DIR) + "/tests/models/" + path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// One client command of a transcript and the server reply to it, both with CRLF.
struct Exchange {
  std::string command;
  std::string reply;
};

/// A `S:`/`C:` transcript: the greeting, then one exchange per client line.
struct Transcript {
  std::string greeting;
  std::vector<Exchange> exchanges;
};

inline Transcript load_transcript(const std::string& name) {
  std::istringstream in(read_file("imap/data/" + name));
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

/// kim's mailbox as procmail left it before the recorded IMAP session.
inline mailbox::Mailbox kim_mailbox() {
  return mailbox::Mailbox::from_mbox(read_file("mailbox/data/kim.after-smtp-phase.mbox"), "kim");
}

/// The simulated host: users, their INBOXes and a clock.
class FakeHooks : public ServerHooks {
 public:
  std::map<std::string, std::string> passwords{{"lee", "1234"}, {"kim", "1234"}};
  std::map<std::string, mailbox::Mailbox> inboxes;
  // UIDVALIDITY of kim's mailbox in the recorded session: Dovecot first opened it at 15:12:17.
  std::int64_t clock = 1796397137;

  bool authenticate(const std::string& user, const std::string& password) override {
    auto it = passwords.find(user);
    return it != passwords.end() && it->second == password;
  }
  mailbox::Mailbox* open_mailbox(const std::string& user, const std::string& name) override {
    if (name != "INBOX") return nullptr;
    return &inboxes[user];
  }
  std::vector<std::string> list_mailboxes(const std::string&) override { return {"INBOX"}; }
  std::int64_t now() override { return clock; }
};

}  // namespace mailsim::imap::testing
