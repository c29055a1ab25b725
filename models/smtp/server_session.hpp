// The daemon side of one SMTP connection as Sendmail 8.17 runs it, written
// sans-I/O: bytes in, reply bytes out, plus events for the trace. Follows
// RFC 5321 (commands, replies, section 4.5.2 transparency), RFC 1869/5321 EHLO,
// RFC 1870 SIZE, RFC 2920 PIPELINING, RFC 2034/3463 enhanced status codes,
// and Sendmail 8.17's srvrsmtp.c/collect.c reply texts and limits, with the
// bare-line-end rejection that Debian's 8.17.1.9-2+deb12u1 and upstream 8.18
// added against SMTP smuggling.
//
// States: CONNECTED -> READY (220 sent) -> HELLO_RECEIVED -> MAIL_RECEIVED ->
// RCPT_RECEIVED -> RECEIVING_DATA -> (HELLO_RECEIVED or READY) ... -> CLOSED.
//
// Settings (ServerConfig) use Sendmail's option names; defaults are the lab's
// Red Hat build. Time-dependent behaviour (greet_pause, the anti-harvest
// sleeps) is reported as events for the simulator to apply, never waited on.
//
// Not modelled: SASL AUTH exchanges and STARTTLS (both fail loudly or answer
// "not available"), milters, the check_mail/check_relay rulesets beyond the
// check_rcpt verdict from ServerHooks, address rewriting, VERB's verbose
// delivery transcript, 8-bit data checks, and the HELP text of single topics.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "models/message/envelope.hpp"
#include "models/message/shared_message.hpp"
#include "models/message/trace.hpp"

namespace mailsim::smtp {

/// A path a simulated peer took that this model does not implement.
class NotModelledError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

/// Sendmail daemon settings that shape what the SMTP server sends. Defaults
/// are Sendmail 8.17.1.9 as Red Hat ships it.
/// NOTE: the Red Hat values (PrivacyOptions, MaxDaemonChildren=20, no
/// BadRcptThrottle, no RejectNUL) follow Red Hat's stock sendmail.mc and were
/// not captured; debian() holds the captured values.
struct ServerConfig {
  std::string hostname;                       ///< `$j`, e.g. "mail.naver.com"
  std::string version = "8.17.1.9/8.17.1.9";  ///< `$v/$Z`, shown in banner and Received
  bool debian_banner = false;          ///< Debian's "(No UCE/UBE) logging access from: ..." suffix
  std::uint64_t max_message_size = 0;  ///< MaxMessageSize in bytes; 0 = unlimited
  /// Keeps events for take_events(); a caller that never takes them can save the work.
  bool record_events = true;

  // PrivacyOptions flags. Red Hat: authwarnings,novrfy,noexpn,restrictqrun.
  bool privacy_novrfy = true;
  bool privacy_noexpn = true;
  bool privacy_noverb = false;
  bool privacy_noetrn = false;
  bool privacy_noreceipts = false;  ///< hides DSN from EHLO
  bool privacy_needmailhelo = false;
  bool privacy_needvrfyhelo = false;
  bool privacy_needexpnhelo = false;
  bool privacy_authwarnings = true;  ///< X-Authentication-Warning when HELO was skipped

  /// SASL mechanisms offered in EHLO ("" = no AUTH keyword); the value the
  /// recorded Sendmail 8.17.1.9 with Cyrus SASL offered.
  std::string auth_mechanisms = "DIGEST-MD5 CRAM-MD5";
  bool allow_bogus_helo = false;  ///< AllowBogusHELO
  bool reject_nul = false;        ///< RejectNUL (Debian's sendmail.cf sets it true)
  /// Reject bare CR or LF in DATA with 421 (the SMTP smuggling fix).
  bool reject_bare_line_ends = true;

  int max_bad_commands = 25;   ///< MAXBADCOMMANDS: the next unknown command gets 421
  int max_helo_commands = 3;   ///< MAXHELOCOMMANDS: HELO/EHLO before slowing down
  int max_vrfy_commands = 6;   ///< MAXVRFYCOMMANDS: VRFY/EXPN before slowing down
  int max_etrn_commands = 8;   ///< MAXETRNCOMMANDS
  int max_noop_commands = 20;  ///< MaxNOOPCommands (NOOP and VERB)
  /// MaxDaemonChildren; when > 0 a command repeated 2x its limit ends the
  /// session. Red Hat's sendmail.mc sets confMAX_DAEMON_CHILDREN to 20.
  int max_daemon_children = 20;
  int bad_rcpt_throttle = 0;             ///< BadRcptThrottle; 0 = off (Debian sets 3)
  double bad_rcpt_throttle_delay = 1.0;  ///< seconds slept per RCPT once throttled

  std::size_t max_command_line = 2048;  ///< MAXLINE: longer lines (with CRLF) get 421
  /// MAXINPLINE: read buffer for one command line. NOTE: Sendmail's
  /// compile-time value is assumed, not measured.
  std::size_t max_input_line = 12288;

  /// Returns the settings of the Debian 12 capture (mail.naver.com on
  /// loopback): Debian version string and banner, PrivacyOptions
  /// needmailhelo,needexpnhelo,needvrfyhelo,restrictqrun,restrictexpand,
  /// nobodyreturn,authwarnings, BadRcptThrottle=3, MaxDaemonChildren=0 and
  /// RejectNUL=true.
  static ServerConfig debian(std::string hostname);
};

/// The connecting client as the daemon sees it.
struct PeerInfo {
  std::string ip;
  std::string ptr_name;  ///< "" when the reverse lookup failed
};

/// Returns Sendmail's `$_` for a peer: "name [ip]", or "[ip]" without PTR.
std::string client_text(const PeerInfo& peer);

enum class RcptVerdict { ACCEPT, USER_UNKNOWN, RELAY_DENIED };

/// What the accept_message hook learns about the session besides the message.
struct SessionInfo {
  std::string helo_name;  ///< `$s`: HELO/EHLO argument, or the peer's name if none was given
  bool esmtp = false;     ///< the last greeting was EHLO
  PeerInfo peer;
  std::int64_t envelope_start = 0;  ///< session start or end of the previous transaction
  std::int64_t mail_time = 0;       ///< when MAIL was accepted (`$b` of Received)
  std::uint64_t size_param = 0;     ///< MAIL's SIZE= value, 0 if absent
  std::vector<std::string> authentication_warnings;  ///< full X-Authentication-Warning values
};

/// One address VRFY or EXPN resolved to.
struct VerifiedAddress {
  std::string full_name;  ///< "" if none (printed before the address)
  std::string address;    ///< "lee" (local user) or "someone@daum.net"
  bool local = true;      ///< delivered by the local mailer (VRFY then says 250, else 252)
};

/// Decisions and side effects the simulator supplies.
class ServerHooks {
 public:
  virtual ~ServerHooks() = default;
  /// Epoch seconds now (banner date, Received date, envelope times).
  virtual std::int64_t now() = 0;
  /// Sendmail's check_rcpt ruleset plus the local user lookup.
  virtual RcptVerdict check_rcpt(const std::string& address) = 0;
  /// Takes the accepted message (LF, dot-unstuffed, as received) and returns
  /// the queue id for "250 2.0.0 <qid> Message accepted for delivery".
  virtual std::string accept_message(const message::Envelope& envelope, std::string message_lf,
                                     const SessionInfo& session) = 0;
  /// The same for a message that arrived through ServerSession::feed_message(), still shared
  /// with the client. The default passes a copy to accept_message().
  virtual std::string accept_shared_message(const message::Envelope& envelope,
                                            const message::SharedMessage& message,
                                            const SessionInfo& session);
  /// Returns the key under which two RCPT addresses count as the same
  /// recipient. Sendmail compares mailer, host and user, and the local mailer
  /// folds the user to lower case; this default folds the whole address.
  virtual std::string recipient_key(const std::string& address);
  /// The access map's verdict on a sender (Sendmail's check_mail): a full
  /// reply line such as "550 5.7.1 <x>... Access denied" to refuse MAIL, or
  /// nullopt to go on. The default accepts every sender.
  virtual std::optional<std::string> check_mail(const std::string& address, const std::string& as_typed);
  /// The same for a recipient (check_rcpt's To: lookup), asked before
  /// check_rcpt(). The default accepts.
  virtual std::optional<std::string> rcpt_access(const std::string& address, const std::string& as_typed);
  /// Resolves a VRFY (`expand` false) or EXPN argument; nullopt = unknown
  /// user. Only called when PrivacyOptions allow VRFY/EXPN. The default
  /// throws NotModelledError.
  virtual std::optional<std::vector<VerifiedAddress>> verify(const std::string& address,
                                                             bool expand);
};

/// Returns what message::prepare_queued_message() needs for a message that a
/// session with `config` accepted under `queue_id`.
message::QueueingInfo queueing_info(const ServerConfig& config, const SessionInfo& session,
                                    const message::Envelope& envelope, const std::string& queue_id);

enum class ServerState {
  CONNECTED,
  READY,
  HELLO_RECEIVED,
  MAIL_RECEIVED,
  RCPT_RECEIVED,
  RECEIVING_DATA,
  CLOSED,
};

const char* to_string(ServerState state);

enum class ServerEventKind {
  STATE_CHANGED,
  REPLY_DELAYED,        ///< Sendmail sleeps `delay_seconds` before the reply at `reply_offset`
  ATTACK_SUSPECTED,     ///< "possible SMTP attack: command=..., count=N" (detail: command)
  RCPT_FLOOD,           ///< "Possible SMTP RCPT flood, throttling."
  RECIPIENT_REJECTED,   ///< detail: the rejecting reply
  SENDER_REJECTED,      ///< detail: the reply refusing MAIL (access map, check_mail)
  MESSAGE_ACCEPTED,     ///< detail: queue id; size: bytes received
  MESSAGE_REJECTED,     ///< detail: the rejecting reply; size: bytes received
  PROTOCOL_VIOLATION,   ///< detail: what Sendmail logs (input too long, bare LF, ...)
  QUEUE_RUN_REQUESTED,  ///< ETRN; detail: its argument
  NULL_CONNECTION,      ///< closed without MAIL/EXPN/VRFY/ETRN
};

/// Something the trace or the maillog needs to know.
struct ServerEvent {
  ServerEventKind kind;
  std::string detail;
  ServerState old_state = ServerState::CONNECTED;
  ServerState new_state = ServerState::CONNECTED;
  double delay_seconds = 0;
  /// Byte offset, in the string returned by the same greeting()/feed() call,
  /// of the reply this event belongs to.
  std::size_t reply_offset = 0;
  std::uint64_t size = 0;
};

/// Per-session counters behind Sendmail's slow-downs, exposed for the trace.
struct SessionCounters {
  unsigned bad_commands = 0;
  unsigned helo_commands = 0;
  unsigned vrfy_commands = 0;
  unsigned etrn_commands = 0;
  unsigned noop_commands = 0;
  unsigned auth_commands = 0;
  unsigned bad_rcpts = 0;
};

class ServerSession {
 public:
  ServerSession(ServerConfig config, PeerInfo peer, ServerHooks& hooks);

  /// Returns the greeting bytes. `pre_greeting_input` says the client wrote
  /// before the greet_pause ended (the simulator measures that); Sendmail then
  /// greets with 554 and rejects every command but QUIT, HELO, EHLO, NOOP and
  /// RSET with "550 5.0.0 Command rejected".
  std::string greeting(bool pre_greeting_input = false);

  /// Consumes client bytes and returns the replies to every complete command
  /// line (and to the end of DATA). The output does not depend on how the
  /// bytes are split across calls. After closed() the input is ignored.
  std::string feed(std::string_view bytes);

  /// Consumes the DATA stream that encode_data() makes of `message`, with the same replies
  /// and events as feed(encode_data(message.flatten())), but hands the message to
  /// ServerHooks::accept_shared_message() without copying it. Falls back to that copy when
  /// the stream would not decode back to the same text: a CR in the text (a bare CR on the
  /// wire), a last line without LF, or bytes of the session still unread.
  std::string feed_message(const message::SharedMessage& message);

  /// Records that the client closed the connection.
  void peer_closed();

  bool closed() const { return state_ == ServerState::CLOSED; }
  ServerState state() const { return state_; }
  const SessionCounters& counters() const { return counters_; }
  std::vector<ServerEvent> take_events();

 private:
  enum class DataState { BOL, DOT, DOT_CR, CR, NORMAL };

  void set_state(ServerState next);
  void reply(const std::string& line);
  void event(ServerEventKind kind, std::string detail, std::uint64_t size = 0);
  void close_session();
  void clear_transaction();
  /// Sendmail's checksmtpattack(): counts a repeated command and reports the
  /// sleep it causes. Returns false when the session must end.
  bool count_repeated(unsigned& counter, int limit, const char* command);

  void handle_line(std::string_view line, std::size_t raw_length);
  void dispatch(std::string_view line, std::string_view command, std::string_view argument);
  void cmd_hello(std::string_view command, std::string_view argument, bool extended);
  void cmd_mail(std::string_view argument);
  void cmd_rcpt(std::string_view argument);
  void cmd_data();
  void cmd_verify(std::string_view argument, bool expand);
  void cmd_etrn(std::string_view argument);
  void cmd_help(std::string_view argument);
  void cmd_auth(std::string_view argument);
  void cmd_unknown(std::string_view line);

  /// Consumes DATA bytes from `in_` starting at `pos`; returns the new position.
  std::size_t consume_data(std::size_t pos);
  void store_data_byte(char c);
  void store_data_run(std::size_t from, std::size_t to);
  /// Ends DATA. `shared` is the received message when it came through feed_message(),
  /// nullptr when it was read byte by byte into data_.
  void finish_data(const message::SharedMessage* shared = nullptr);
  void bare_line_end(bool linefeed);

  ServerConfig config_;
  PeerInfo peer_;
  ServerHooks& hooks_;
  ServerState state_ = ServerState::CONNECTED;
  SessionCounters counters_;

  std::string in_;
  std::string out_;
  std::vector<ServerEvent> events_;

  bool null_server_ = false;  // greeted with 554 after pre-greeting input
  bool first_line_ = true;
  bool got_hello_ = false;
  bool log_null_connection_ = true;
  std::string sending_host_;  // $s
  bool esmtp_ = false;

  // The current mail transaction.
  bool got_mail_ = false;
  message::Envelope envelope_;
  std::vector<std::string> recipient_spellings_;  // as typed, parallel to envelope_.rcpt_to
  std::vector<std::string> recipient_keys_;
  std::int64_t envelope_start_ = 0;
  std::int64_t mail_time_ = 0;
  std::uint64_t size_param_ = 0;
  std::vector<std::string> warnings_;

  // DATA reading.
  DataState data_state_ = DataState::BOL;
  std::string data_;
  std::uint64_t data_size_ = 0;
  bool data_too_big_ = false;
  bool data_has_nul_ = false;
};

}  // namespace mailsim::smtp
