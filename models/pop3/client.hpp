// POP3 client session as the lab's mail clients (Evolution, Thunderbird) fetch mail, sans-I/O:
// feed() takes server bytes and returns the next bytes to send. Sequence: greeting, USER,
// PASS, STAT, LIST (and UIDL when mail is kept on the server), then RETR (and DELE unless mail
// is kept on the server) for every message not fetched before,
// QUIT. Standards: RFC 1939. Not modelled: APOP, AUTH, STLS, TOP previews.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "models/message/shared_message.hpp"

namespace mailsim::pop3 {

struct ClientConfig {
  std::string user;
  std::string password;
  bool keep_on_server = false;  // when true no DELE is sent
  /// With keep_on_server: UIDs (RFC 1939 §7, UIDL) fetched in earlier
  /// sessions, which are not retrieved again, as mail clients that leave
  /// mail on the server do.
  std::set<std::string> known_uids;
};

enum class ClientState {
  GREETING,  // waiting for +OK greeting
  USER,      // USER sent
  PASS,      // PASS sent
  STAT,      // STAT sent
  LIST,      // LIST sent, reading the listing
  UIDL,      // UIDL sent (keep_on_server only), reading the unique ids
  RETR,      // RETR n sent, reading the message
  DELE,      // DELE n sent
  QUIT,      // QUIT sent
  DONE,      // QUIT acknowledged or session ended
};

/// One message fetched with RETR.
struct RetrievedMessage {
  unsigned number = 0;
  std::uint64_t size = 0;  // octets from the LIST listing (CRLF counted)
  message::SharedMessage content;  // LF text, byte-stuffing undone; shared with the server
                                   // when it arrived through feed_message()
  std::string uid;         // UIDL value; set only with keep_on_server
};

class ClientSession {
 public:
  explicit ClientSession(ClientConfig config);

  /// Consumes server bytes; returns what the client sends next (possibly empty).
  /// Throws std::runtime_error on a reply that is not `+OK`/`-ERR` where one is expected.
  std::string feed(std::string_view bytes);

  /// Consumes the multi-line response data that encode_multiline() makes of `message` (a
  /// server's ServerWrite::message), with the same result as feed(encode_multiline(message)),
  /// but keeps the message by reference instead of decoding a copy. Falls back to that copy
  /// when the decoding would not give the same text back: a last line without LF, unread
  /// input, or no RETR response being read.
  std::string feed_message(const message::SharedMessage& message);

  bool done() const { return state_ == ClientState::DONE; }
  ClientState state() const { return state_; }
  const std::vector<RetrievedMessage>& messages() const { return retrieved_; }
  /// STAT's message count and size, once received.
  unsigned stat_count() const { return stat_count_; }
  std::uint64_t stat_size() const { return stat_size_; }
  /// The `-ERR` line that ended the session (greeting, USER or PASS), empty if none.
  const std::string& failure() const { return failure_; }

 private:
  void set_state(ClientState state);
  std::string handle_line(const std::string& line);
  std::string next_message_command();
  /// Stores the message a RETR response carried; returns the next command.
  std::string finish_retr(message::SharedMessage content);

  ClientConfig config_;
  ClientState state_ = ClientState::GREETING;
  std::string input_;
  bool in_multiline_ = false;
  std::string current_;  // message being received
  std::vector<std::pair<unsigned, std::uint64_t>> listing_;
  std::map<unsigned, std::string> uids_;  // message number -> UIDL value
  std::size_t next_ = 0;  // index in listing_ of the message being fetched
  std::vector<RetrievedMessage> retrieved_;
  unsigned stat_count_ = 0;
  std::uint64_t stat_size_ = 0;
  std::string failure_;
};

}  // namespace mailsim::pop3
