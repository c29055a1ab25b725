// IMAP server session replying as Dovecot 2.3.19 does (imap-login before authentication, imap
// after), sans-I/O: feed() takes client bytes and returns the reply bytes. Standards: RFC 3501
// (IMAP4rev1), RFC 7888 (LITERAL+), RFC 4959 (SASL-IR), RFC 4616 (PLAIN), RFC 2971 (ID),
// RFC 5161 (ENABLE), RFC 2177 (IDLE), RFC 3691 (UNSELECT), RFC 4315 (APPENDUID). Reply texts
// are Dovecot's, checked against Dovecot 2.3.19.1 (Debian 12) on loopback.
// Not modelled: STARTTLS, SASL mechanisms other than PLAIN, CONDSTORE/QRESYNC and the other
// post-login extensions Dovecot advertises (their commands get `BAD ... Unknown command`),
// mailboxes other than those the hooks return, subscriptions (LSUB lists nothing), keywords,
// the \Recent flag (RECENT is always 0), concurrent sessions on one mailbox, idle timeouts.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "models/imap/parser.hpp"
#include "models/mailbox/mailbox.hpp"

namespace mailsim::imap {

struct ServerConfig {
  /// Capabilities in the greeting and before login (Dovecot's imap-login).
  std::string pre_login_capability =
      "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN";
  /// Capabilities after login, as Dovecot 2.3.19 lists them with the lab's mailbox settings.
  std::string capability =
      "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES "
      "THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN "
      "NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES "
      "WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW "
      "STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE";
  std::string greeting = "Dovecot (Debian) ready.";
  /// Dovecot's disable_plaintext_auth; it only applies when the connection is not `secured`.
  bool disable_plaintext_auth = false;
  /// Dovecot counts TLS and loopback connections as secured.
  bool secured = true;
  /// Host name Dovecot writes into mbox pseudo-messages and appended `From ` lines.
  std::string hostname = "mail";
  /// Dovecot ends a tagged reply text that ends in `.` with its command timing; the
  /// simulator fixes the value. Empty leaves the suffix out.
  std::string timing = "0.001 + 0.000 secs";
  /// Invalid commands before login after which imap-login disconnects.
  unsigned max_bad_commands_before_login = 3;
};

/// Callbacks into the simulated host: authentication, mailboxes and the clock.
class ServerHooks {
 public:
  virtual ~ServerHooks() = default;
  /// Checks a user name and password (PAM in the lab).
  virtual bool authenticate(const std::string& user, const std::string& password) = 0;
  /// Returns the mailbox `name` of `user` (INBOX in any case is the inbox), or nullptr if it
  /// does not exist. It must stay valid for the session.
  virtual mailbox::Mailbox* open_mailbox(const std::string& user, const std::string& name) = 0;
  /// Returns the names of the user's mailboxes, INBOX first.
  virtual std::vector<std::string> list_mailboxes(const std::string& user) = 0;
  /// Returns the current time in epoch seconds (UIDVALIDITY, appended messages).
  virtual std::int64_t now() = 0;
};

enum class ServerState {
  NOT_AUTHENTICATED,  // RFC 3501 §3.1
  AUTH_CONTINUATION,  // AUTHENTICATE PLAIN sent `+ `, waiting for the response line
  AUTH_FAILED_DELAY,  // failure reply held back until release_delayed_reply()
  AUTHENTICATED,      // RFC 3501 §3.2
  SELECTED,           // RFC 3501 §3.3
  IDLING,             // IDLE sent `+ idling`, waiting for DONE
  LOGOUT,             // RFC 3501 §3.4; the connection is closed
};

enum class ServerEventType {
  LOGIN,               // user, method
  AUTH_FAILED,         // user, method; the reply waits for release_delayed_reply()
  LOGIN_DISCONNECTED,  // reason; connection closed before login
  FETCH,               // uid, bytes of message data sent, set_seen
  STORE,               // uid, flags after the change
  EXPUNGE,             // uid
  APPEND,              // uid, bytes
  LOGOUT,              // reason, counters
};

/// The counters Dovecot logs at logout: `in=134 out=1662 deleted=1 expunged=1 trashed=0
/// hdr_count=0 hdr_bytes=0 body_count=1 body_bytes=410`.
struct LogoutCounters {
  std::uint64_t in = 0;
  std::uint64_t out = 0;
  unsigned deleted = 0;  // messages given \Deleted by STORE
  unsigned expunged = 0;
  unsigned hdr_count = 0;  // header-only fetches
  std::uint64_t hdr_bytes = 0;
  unsigned body_count = 0;  // fetches of the body or the whole message
  std::uint64_t body_bytes = 0;
};

/// Formats counters as in Dovecot's `Disconnected: Logged out ...` line.
std::string format_counters(const LogoutCounters& counters);

struct ServerEvent {
  ServerEventType type = ServerEventType::LOGIN;
  std::string user;
  std::string method;  // `PLAIN` for LOGIN and AUTHENTICATE PLAIN, as Dovecot logs it
  std::string reason;
  std::uint32_t uid = 0;
  std::uint64_t bytes = 0;
  bool set_seen = false;  // the FETCH set \Seen
  std::string flags;      // STORE: the flag list after the change
  LogoutCounters counters;
};

class ServerSession {
 public:
  ServerSession(ServerConfig config, ServerHooks& hooks);

  /// Returns the greeting line sent on connect.
  std::string greeting();

  /// Consumes client bytes and returns the reply bytes. Output does not depend on how the
  /// input is split. Input after LOGOUT or while a failure reply is delayed is buffered.
  std::string feed(std::string_view bytes);

  /// Returns the held-back authentication failure reply and the replies to input buffered
  /// meanwhile.
  std::string release_delayed_reply();

  /// Handles the client closing the connection: flag changes are written to the mailbox,
  /// \Deleted messages stay (RFC 3501 expunges only on EXPUNGE and CLOSE).
  void connection_lost();

  bool closed() const { return state_ == ServerState::LOGOUT; }
  ServerState state() const { return state_; }
  std::vector<ServerEvent> take_events();

  /// System flags (RFC 3501 §2.3.2), in the order Dovecot lists them.
  enum Flag : unsigned { ANSWERED = 1, FLAGGED = 2, DELETED = 4, SEEN = 8, DRAFT = 16 };

  /// Returns the Flag for a system flag name such as `\seen` (any case), 0 if unknown.
  static unsigned flag_bit(const std::string& name);

 private:
  struct SessionMessage {  // one message as this session numbers it
    std::uint32_t uid = 0;
    mailbox::Content content;
    /// Returns the whole text as one string, copied once per session when the message has a
    /// head, because ENVELOPE, BODYSTRUCTURE, sections and SEARCH parse it as one text.
    /// NOTE: so an IMAP session still keeps a copy of each message with a head that it reads.
    const std::string& text() const;
    mutable std::shared_ptr<const std::string> flat;  // text()'s copy, null until needed
    std::uint64_t size = 0;
    std::string internal_date;
    unsigned flags = 0;
    unsigned stored_flags = 0;  // flags as the mailbox file has them
  };
  struct Command {
    std::string tag;
    std::string name;  // upper case
    bool uid = false;  // `UID` prefix
  };

  void set_state(ServerState state);
  std::string process_input();
  std::string handle_command(const std::string& line);
  std::string handle_before_login(const Command& command, ArgumentReader& args);
  std::string handle_auth_response(const std::string& line);
  std::string handle_after_login(const Command& command, ArgumentReader& args);
  std::string try_login(const std::string& tag, const std::string& user,
                        const std::string& password);
  std::string bad_command_before_login(const std::string& tag);
  std::string tagged(const std::string& tag, const std::string& text) const;
  std::string bad_arguments(const Command& command, const std::string& reason) const;

  std::string select(const Command& command, ArgumentReader& args, bool read_only);
  std::string list(const Command& command, ArgumentReader& args);
  std::string status(const Command& command, ArgumentReader& args);
  std::string append(const Command& command, ArgumentReader& args);
  std::string fetch(const Command& command, ArgumentReader& args);
  std::string store(const Command& command, ArgumentReader& args);
  std::string search(const Command& command, ArgumentReader& args);
  std::string expunge(bool send_responses);
  void close_mailbox(bool expunge_deleted);
  void commit_flags();
  std::string logout(const std::string& tag);
  std::vector<std::size_t> resolve(const SequenceSet& set, bool uid) const;
  std::string flag_list(unsigned flags) const;

  ServerConfig config_;
  ServerHooks& hooks_;
  ServerState state_ = ServerState::NOT_AUTHENTICATED;
  CommandFramer framer_;
  std::vector<ServerEvent> events_;
  LogoutCounters counters_;

  // NOT_AUTHENTICATED
  bool capability_requested_ = false;
  unsigned bad_commands_ = 0;
  std::string auth_tag_;
  std::string delayed_reply_;

  // AUTHENTICATED and SELECTED
  std::string user_;
  mailbox::Mailbox* mailbox_ = nullptr;
  bool read_only_ = false;
  std::vector<SessionMessage> messages_;
  std::string idle_tag_;
  ServerState idle_return_state_ = ServerState::AUTHENTICATED;
};

/// Decodes base64 (RFC 4648 §4); returns false on characters outside the alphabet or bad
/// padding.
bool decode_base64(std::string_view text, std::string& out);

/// Encodes base64 (RFC 4648 §4).
std::string encode_base64(std::string_view data);

}  // namespace mailsim::imap
