// Test helpers shared by the SMTP test files: a ServerHooks double that acts
// like the lab's mail.naver.com, and a replayer for `S:`/`C:` transcripts.
#pragma once

#include <cstdint>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "models/smtp/server_session.hpp"

namespace mailsim::smtp::testing {

/// mail.naver.com's decisions: local users of naver.com, relaying only for
/// 127.0.0.1 (the Red Hat default access map), queue ids handed out in order.
class LabHooks : public ServerHooks {
 public:
  explicit LabHooks(std::int64_t now, std::vector<std::string> queue_ids = {"6B4F2mUe015806"})
      : now_(now), queue_ids_(std::move(queue_ids)) {}

  std::int64_t now() override { return now_; }

  RcptVerdict check_rcpt(const std::string& address) override {
    std::string user = address.substr(0, address.find('@'));
    std::string domain =
        address.find('@') == std::string::npos ? "" : address.substr(address.find('@') + 1);
    for (char& c : user) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool local_domain = domain.empty() || domain == "naver.com" || domain == "mail.naver.com";
    if (local_domain) return users.count(user) ? RcptVerdict::ACCEPT : RcptVerdict::USER_UNKNOWN;
    return relay_allowed ? RcptVerdict::ACCEPT : RcptVerdict::RELAY_DENIED;
  }

  std::string accept_message(const message::Envelope& envelope, std::string message_lf,
                             const SessionInfo& session) override {
    envelopes.push_back(envelope);
    messages.push_back(std::move(message_lf));
    sessions.push_back(session);
    std::string qid = next_ < queue_ids_.size() ? queue_ids_[next_] : "6B4F0000000000";
    ++next_;
    return qid;
  }

  std::optional<std::vector<VerifiedAddress>> verify(const std::string& address,
                                                     bool expand) override {
    if (address == "lee") return std::vector<VerifiedAddress>{{"", "lee", true}};
    if (address == "someone@daum.net") {
      return std::vector<VerifiedAddress>{{"", "someone@daum.net", false}};
    }
    if (expand && address == "staff") {
      return std::vector<VerifiedAddress>{{"", "kim", true}, {"", "lee", true}};
    }
    if (expand && address == "postmaster") {
      return std::vector<VerifiedAddress>{{"root", "root", true}};
    }
    return std::nullopt;
  }

  std::int64_t now_;
  std::vector<std::string> queue_ids_;
  std::size_t next_ = 0;
  std::set<std::string> users = {"lee", "kim", "root", "postmaster"};
  bool relay_allowed = false;
  std::vector<message::Envelope> envelopes;
  std::vector<std::string> messages;
  std::vector<SessionInfo> sessions;
};

/// A recorded session split into the greeting, the client's writes and the
/// server's answer to each write (lines joined with CRLF).
struct Transcript {
  std::string greeting;
  std::vector<std::string> client_writes;
  std::vector<std::string> server_replies;
  std::string all_client_bytes() const;
  std::string all_server_bytes() const;
};

/// Parses `S: ` / `C: ` lines; `#` lines are skipped. Consecutive lines of one
/// side form one write.
inline Transcript parse_transcript(const std::string& text);

/// The Debian 12 capture's settings (MaxMessageSize=10000).
inline ServerConfig debian_capture();

inline std::string Transcript::all_client_bytes() const {
  std::string out;
  for (const std::string& w : client_writes) out += w;
  return out;
}

inline std::string Transcript::all_server_bytes() const {
  std::string out;
  for (const std::string& r : server_replies) out += r;
  return out;
}

inline Transcript parse_transcript(const std::string& text) {
  Transcript t;
  std::istringstream in(text);
  std::string line;
  char last = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    char side = line[0];
    std::string body = line.size() > 3 ? line.substr(3) : "";
    body += "\r\n";
    if (side == 'S' && t.client_writes.empty()) {
      t.greeting += body;
    } else if (side == 'C') {
      if (last != 'C') t.client_writes.emplace_back();
      t.client_writes.back() += body;
    } else {
      if (last != 'S') t.server_replies.emplace_back();
      t.server_replies.back() += body;
    }
    last = side;
  }
  return t;
}

inline ServerConfig debian_capture() {
  ServerConfig config = ServerConfig::debian("mail.naver.com");
  config.max_message_size = 10000;
  return config;
}

}  // namespace mailsim::smtp::testing
