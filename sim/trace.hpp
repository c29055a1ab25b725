// The record of one run: every byte that crossed a link, every step (1)-(9)
// of every message, queue depths over time, and each message's fate. Actors
// write to it; viz/ and the reports read it after the run. It observes the
// simulation and never feeds back into it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mailsim::sim {

/// How many bytes of each write the trace keeps; `size` has the full count.
constexpr std::size_t kTranscriptKeep = 64 * 1024;

/// One write on a connection or one datagram.
struct TranscriptEntry {
  double start = 0;  ///< simulated seconds when the write began
  double end = 0;    ///< when it had arrived
  int connection = 0;
  std::string protocol;     ///< smtp, pop3, dns
  std::string client_host;  ///< the side that connected (or asked)
  std::string server_host;
  std::string client_ip, server_ip;
  char direction = 'C';  ///< 'C' client to server, 'S' server to client
  std::string bytes;     ///< the bytes, up to kTranscriptKeep of them (dns: a decoded summary)
  std::uint64_t size = 0;  ///< bytes on the wire
};

/// Steps (1)-(9) of the delivery path.
struct StepRecord {
  int step = 0;
  double start = 0, end = 0;
  std::string from, to;  ///< host names (or host:role)
  std::string protocol;  ///< smtp, dns, local, pop3, queue
  std::string detail;    ///< a short human description
  std::string recipient;
  /// How the step ended: ok, deferred (4xx or a temporary failure), rejected
  /// (5xx), refused (connection refused), timeout.
  std::string outcome = "ok";
};

enum class MessageStatus { QUEUED, DELIVERED, BOUNCED, REJECTED };
const char* to_string(MessageStatus status);

struct RecipientRecord {
  std::string address;
  MessageStatus status = MessageStatus::QUEUED;
  std::optional<double> delivered;  ///< appended to the mailbox
  std::optional<double> retrieved;  ///< fetched by the user's client
  std::string mailbox;              ///< host:/var/mail/user once delivered
  std::string last_reply;           ///< last status text (deferral, bounce reason)
  bool polled = false;              ///< a client checks this mailbox
};

struct MessageRecord {
  std::string id;  ///< workload item name, or a DSN's own id
  std::string from;
  std::vector<std::string> to;
  std::uint64_t size = 0;  ///< bytes of the submitted message (LF line ends)
  double submitted = 0;    ///< when the client connected for step (1)
  std::vector<RecipientRecord> recipients;
  std::vector<StepRecord> steps;
  bool is_dsn = false;

  MessageStatus status() const;
  RecipientRecord* recipient(const std::string& address);
};

struct QueueSample {
  double time;
  int depth;
};

/// A syslog line, before formatting with the wall clock.
struct LogLine {
  double time;
  std::string host;
  std::string program;  ///< sendmail[pid], dovecot
  std::string text;
};

class Trace {
 public:
  std::vector<TranscriptEntry> transcript;
  std::map<std::string, std::vector<QueueSample>> queues;  ///< by MTA host
  std::vector<LogLine> log;
  std::vector<std::string> notes;  ///< client-side failures worth a line in the report

  MessageRecord& add_message(const std::string& id);
  MessageRecord* message(const std::string& id);
  const std::vector<std::string>& message_order() const { return order_; }
  const std::map<std::string, MessageRecord>& messages() const { return messages_; }

  void add_step(const std::string& id, StepRecord step);
  void set_queue_depth(const std::string& host, double time, int depth);

 private:
  std::map<std::string, MessageRecord> messages_;
  std::vector<std::string> order_;
};

}  // namespace mailsim::sim
