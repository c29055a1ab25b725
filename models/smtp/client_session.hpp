// The client side of one SMTP connection, written sans-I/O: server bytes in,
// the next bytes to write out. Two styles:
// - MTA: Sendmail 8.17's esmtp mailer as recorded on the lab's relay hop:
//   `EHLO $j` (HELO only after a 5xx), `MAIL From:<a> SIZE=n` alone, then with
//   PIPELINING (RFC 2920) every `RCPT To:` in reverse envelope order plus DATA
//   in one write, the message in one write, RSET between transactions on one
//   connection, QUIT at the end, and the "mail loops back to me" check on the
//   EHLO reply.
// - MUA: what Python's smtplib or Evolution send: `EHLO name`,
//   `MAIL FROM:<a>`, each `RCPT TO:<x>` waiting for its reply, DATA, message,
//   QUIT; RSET after a failed transaction.
// Follows RFC 5321 sections 3.3 (mail transaction), 4.1.1 (commands), 4.2
// (replies), 4.5.2 (transparency) and RFC 1870 (SIZE).
// Not modelled: AUTH, STARTTLS, DSN parameters, Sendmail's connection cache
// timeout and its per-command timeouts (the simulator owns time).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "models/message/envelope.hpp"
#include "models/message/shared_message.hpp"
#include "models/smtp/reply.hpp"

namespace mailsim::smtp {

enum class ClientStyle { MTA, MUA };

struct ClientConfig {
  std::string helo_name;  ///< EHLO/HELO argument; Sendmail uses `$j`
  ClientStyle style = ClientStyle::MTA;
  /// Keeps the connection open after the last transaction instead of
  /// sending QUIT, for Sendmail's connection cache (ConnectionCacheSize).
  bool keep_open = false;
  /// Keeps the state changes for take_events(); a caller that never takes them can save the work.
  bool record_events = true;
};

/// One message to send. `message_lf` is shared, never copied per hop.
struct Transaction {
  message::Envelope envelope;
  message::SharedMessage message_lf;
  /// SIZE= value for MAIL (RFC 1870); 0 means the length of `message_lf`.
  std::uint64_t size_param = 0;
};

/// The step of the dialogue a failure happened in.
enum class ClientStage { NONE, GREETING, HELLO, MAIL, RCPT, DATA, END_OF_DATA, CONNECTION };

const char* to_string(ClientStage stage);

struct RecipientResult {
  std::string address;
  Reply reply;  ///< code 0 if the RCPT was never answered
  bool accepted() const { return reply.code >= 200 && reply.code < 300; }
};

/// The outcome of one Transaction.
struct TransactionResult {
  std::vector<RecipientResult> recipients;  ///< in envelope order
  bool has_data_reply = false;
  Reply data_reply;  ///< reply to the final "." (for "stat=Sent (<text>)")
  ClientStage failed_stage = ClientStage::NONE;
  /// Reply that ended the transaction early. Code 0 means the connection
  /// closed or the server sent something that was not a reply; both count as
  /// temporary.
  Reply failure;
  bool loops_back = false;  ///< the EHLO reply named this host (Sendmail's "mail loops back to me")

  bool delivered() const {
    return has_data_reply && data_reply.code >= 200 && data_reply.code < 300;
  }
  bool temporary_failure() const;
  bool permanent_failure() const;
};

enum class ClientState {
  AWAIT_GREETING,
  AWAIT_HELLO,
  AWAIT_MAIL,
  AWAIT_RCPT,
  AWAIT_DATA,
  AWAIT_END_OF_DATA,
  AWAIT_RSET,
  AWAIT_QUIT,
  IDLE,  ///< every transaction done, the connection kept open (ClientConfig::keep_open)
  CLOSED,
};

const char* to_string(ClientState state);

/// One write of the client: `bytes`, then, when `message` is set, the DATA stream of that
/// message (encode_data() of its text), which the caller sends without building it.
struct ClientWrite {
  std::string bytes;
  const message::SharedMessage* message = nullptr;  ///< points into the session
};

struct ClientEvent {
  ClientState old_state;
  ClientState new_state;
};

class ClientSession {
 public:
  ClientSession(ClientConfig config, std::vector<Transaction> transactions);

  /// Consumes server bytes and returns what to write next ("" while waiting
  /// for more replies, or when done).
  std::string feed(std::string_view server_bytes);

  /// Same as feed(), but leaves the message's DATA stream out of the returned bytes and points
  /// to the message instead, so that a large message is not encoded into a copy.
  ClientWrite feed_write(std::string_view server_bytes);

  /// Records that the server closed the connection; unfinished transactions
  /// fail at stage CONNECTION unless a reply already failed them.
  void connection_closed();

  bool done() const { return state_ == ClientState::CLOSED; }
  /// True when a keep_open session has finished its transactions.
  bool idle() const { return state_ == ClientState::IDLE; }
  /// Starts one more transaction on an idle session and returns what to
  /// write: Sendmail resets a cached connection with RSET before reusing it.
  /// Its result is the last of results().
  std::string add_transaction(Transaction transaction);
  /// Ends an idle session: returns the QUIT to write.
  std::string quit();
  ClientState state() const { return state_; }
  const std::vector<TransactionResult>& results() const { return results_; }
  /// EHLO keywords the server offered, upper case ("PIPELINING", "SIZE", ...).
  const std::set<std::string>& extensions() const { return extensions_; }
  std::vector<ClientEvent> take_events();

 private:
  // What the next reply answers.
  enum class Expect { GREETING, EHLO, HELO, MAIL, RCPT, DATA, END_OF_DATA, RSET, QUIT };
  struct Pending {
    Expect expect;
    std::size_t recipient = 0;  // index into the envelope, for RCPT
  };

  void set_state(ClientState next);
  void send(std::string line, Expect expect, std::size_t recipient = 0);
  void on_reply(const Reply& reply);
  void on_hello_accepted(const Reply& reply);
  void start_transaction();
  void send_next_rcpt();
  void after_recipients();
  void fail_current(ClientStage stage, const Reply& reply);
  void fail_remaining(ClientStage stage, const Reply& reply);
  void finish_transaction(bool failed);
  void close();

  ClientConfig config_;
  std::vector<Transaction> transactions_;
  std::vector<TransactionResult> results_;
  std::size_t current_ = 0;
  ClientState state_ = ClientState::AWAIT_GREETING;
  ReplyReader reader_;
  std::deque<Pending> pending_;
  std::string out_;
  bool data_follows_ = false;  // out_ is followed by the current transaction's DATA stream
  std::set<std::string> extensions_;
  std::vector<ClientEvent> events_;

  std::vector<std::size_t> rcpt_order_;  // envelope indexes in sending order
  std::size_t next_rcpt_ = 0;
  bool pipelined_ = false;
  std::size_t accepted_ = 0;
  std::size_t answered_ = 0;
  bool empty_data_ = false;  // DATA got 354 after every RCPT failed
};

}  // namespace mailsim::smtp
