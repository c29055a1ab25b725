// POP3 server session replying as Dovecot 2.3.19 does (pop3-login before authentication, pop3
// after), sans-I/O: feed() takes client bytes and returns the reply bytes. Standards: RFC 1939
// (POP3), RFC 2449 (CAPA, RESP-CODES), RFC 3206 (AUTH-RESP-CODE), RFC 5034 and RFC 4616 (AUTH
// PLAIN). Reply texts and limits are Dovecot's. Not modelled: STLS and TLS, APOP (always
// refused, as Dovecot does without a timestamp), SASL mechanisms other than PLAIN, XCLIENT,
// Dovecot's input line length limit, idle timeouts.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/mailbox/mailbox.hpp"

namespace mailsim::pop3 {

struct ServerConfig {
  std::string greeting = "Dovecot (Debian) ready.";
  /// Dovecot's disable_plaintext_auth; it only applies when the connection is not `secured`.
  bool disable_plaintext_auth = false;
  /// Dovecot counts TLS and loopback connections as secured.
  bool secured = true;
  /// Host name Dovecot writes into its mbox pseudo-message.
  std::string hostname = "mail";
  /// Consecutive unknown commands before login that close the connection (pop3-login).
  unsigned max_bad_commands_before_login = 3;
  /// Consecutive failed commands allowed after login. pop3 closes the connection on the next one.
  unsigned max_bad_commands = 20;
};

/// Callbacks into the simulated host: authentication, mailboxes and the clock.
class ServerHooks {
 public:
  virtual ~ServerHooks() = default;
  /// Checks a user name and password (PAM in the lab).
  virtual bool authenticate(const std::string& user, const std::string& password) = 0;
  /// Returns the user's mailbox; it must stay valid for the session.
  virtual mailbox::Mailbox& open_maildrop(const std::string& user) = 0;
  /// Returns the current time in epoch seconds (for UIDVALIDITY and the pseudo-message).
  virtual std::int64_t now() = 0;
};

enum class ServerState {
  AUTHORIZATION,      // RFC 1939 §4
  AUTH_CONTINUATION,  // AUTH PLAIN sent `+ `, waiting for the response line
  AUTH_FAILED_DELAY,  // failure reply held back until release_delayed_reply()
  TRANSACTION,        // RFC 1939 §5
  UPDATE,             // RFC 1939 §6, during QUIT
  CLOSED,
};

enum class ServerEventType {
  LOGIN,               // user, method
  AUTH_FAILED,         // user, method; the reply waits for release_delayed_reply()
  LOGIN_DISCONNECTED,  // reason; connection closed before login
  TOP,                 // message, bytes
  RETR,                // message, bytes
  DELE,                // message
  LOGOUT,              // reason, counters
};

/// The counters Dovecot logs at logout: `top=2/873, retr=2/1135, del=1/4, size=1911`.
struct LogoutCounters {
  unsigned top_count = 0;
  std::uint64_t top_bytes = 0;
  unsigned retr_count = 0;
  std::uint64_t retr_bytes = 0;
  unsigned deleted = 0;
  unsigned messages = 0;
  std::uint64_t size = 0;
};

struct ServerEvent {
  ServerEventType type = ServerEventType::LOGIN;
  std::string user;
  std::string method;       // `PLAIN` for USER/PASS and AUTH PLAIN
  std::string reason;       // Dovecot's disconnect reason, e.g. `Logged out`
  unsigned message = 0;     // message number
  std::uint64_t bytes = 0;  // bytes Dovecot counts for TOP/RETR
  unsigned auth_attempts = 0;
  LogoutCounters counters;
};

/// One write of the server: `bytes`, then, when `message` is set, that message as multi-line
/// response data (encode_multiline(), RFC 1939 section 3), which the caller sends without
/// building it.
struct ServerWrite {
  std::string bytes;
  std::optional<message::SharedMessage> message;
};

/// Formats counters as in Dovecot's `Disconnected: Logged out ...` line.
std::string format_counters(const LogoutCounters& counters);

class ServerSession {
 public:
  ServerSession(ServerConfig config, ServerHooks& hooks);

  /// Returns the greeting line sent on connect.
  std::string greeting() const;

  /// Consumes client bytes and returns the reply bytes. Output does not depend on how the
  /// input is split. Input after QUIT or while a failure reply is delayed is buffered.
  std::string feed(std::string_view bytes);

  /// Same as feed(), but leaves each RETR response's message out of the bytes and points to
  /// it instead, so that a large message is not encoded into a copy. Concatenating the
  /// writes, each message encoded after its bytes, gives what feed() returns.
  std::vector<ServerWrite> feed_writes(std::string_view bytes);

  /// Returns the held-back authentication failure reply and the replies to any input
  /// buffered meanwhile.
  std::string release_delayed_reply();

  /// Handles the client closing the connection: pending deletions are dropped (RFC 1939 §6).
  void connection_lost();

  bool closed() const { return state_ == ServerState::CLOSED; }
  ServerState state() const { return state_; }
  std::vector<ServerEvent> take_events();

 private:
  struct Snapshot {  // one message as this session numbers it
    std::uint32_t uid;
    mailbox::Content content;
    std::uint64_t size;
    bool deleted = false;
    bool seen = false;
  };

  void set_state(ServerState state);
  std::vector<ServerWrite> process_input();
  std::string handle_line(std::string_view line);
  std::string handle_authorization(const std::string& command, std::string_view args);
  std::string handle_auth_response(std::string_view line);
  std::string handle_transaction(const std::string& command, std::string_view args, bool& ok);
  std::string try_login(const std::string& user, const std::string& password);
  std::string bad_command_before_login();
  bool parse_message_number(std::string_view& args, bool size_follows, std::string& error,
                            unsigned& number) const;
  std::string send_top(const Snapshot& message, std::uint64_t body_lines);
  std::string quit();

  ServerConfig config_;
  ServerHooks& hooks_;
  ServerState state_ = ServerState::AUTHORIZATION;
  std::string input_;
  std::vector<ServerEvent> events_;

  // AUTHORIZATION state
  bool have_user_ = false;
  std::string user_;
  std::string auth_user_;  // user of the last failed attempt, for the disconnect event
  unsigned auth_attempts_ = 0;
  unsigned bad_commands_ = 0;
  std::string delayed_reply_;

  // TRANSACTION state
  mailbox::Mailbox* mailbox_ = nullptr;
  std::vector<Snapshot> messages_;
  LogoutCounters counters_;
  /// Set by RETR: the message that follows the reply returned by handle_line().
  std::optional<message::SharedMessage> retrieved_;
};

/// Decodes base64 (RFC 4648 §4); returns false on characters outside the alphabet or bad
/// padding.
bool decode_base64(std::string_view text, std::string& out);

}  // namespace mailsim::pop3
