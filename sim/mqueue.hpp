// Sendmail's mail queue (/var/spool/mqueue): one entry per accepted message
// (its qf and df files), with the recipients still to be delivered.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "models/message/shared_message.hpp"

namespace mailsim::sim {

enum class RecipientState { PENDING, SENT, FAILED };

struct QueuedRecipient {
  std::string address;   ///< as given in RCPT TO
  std::string original;  ///< the address the trace follows (before alias expansion)
  RecipientState state = RecipientState::PENDING;
  std::string status;    ///< last `stat=` text (Deferred: ..., Sent (...), ...)
  std::string dsn;       ///< last enhanced status code, e.g. 4.4.1
  // What a bounce says about this recipient once it has failed:
  std::string reason;                   ///< the remote reply for "(reason: ...)" and Diagnostic-Code, "" for none
  std::string remote_mta;               ///< host for Remote-MTA:, "" for none
  std::vector<std::string> transcript;  ///< lines of the session transcript
  bool config_error = false;            ///< a local configuration error: the postmaster gets a copy
  bool reported = false;                ///< a bounce has been queued for it
};

struct QueueEntry {
  std::string queue_id;
  std::string sender;                        ///< envelope sender ("" = null sender)
  std::vector<QueuedRecipient> recipients;
  message::SharedMessage message;            ///< df contents: headers and body, LF line ends
  std::uint64_t size = 0;                    ///< as logged in from= (the received size)
  double created = 0;                        ///< simulated time it was queued
  double last_attempt = -1;
  int attempts = 0;
  long priority = 0;                         ///< Sendmail's pri=, raised by each deferral
  std::string trace_id;                      ///< the message the report follows
  bool locked = false;                       ///< a delivery process is working on it
  bool warned = false;                       ///< the Timeout.queuewarn notice has been sent
  std::string received_from;                 ///< relay= of the from= line: "name [ip]" or "[ip]"
  std::string received_from_mta;             ///< the client's name for DSNs: PTR name or "[ip]"
};

class MailQueue {
 public:
  /// `on_change(depth)` is called whenever the number of entries changes.
  explicit MailQueue(std::function<void(int)> on_change) : on_change_(std::move(on_change)) {}

  QueueEntry& add(QueueEntry entry);
  QueueEntry* find(const std::string& queue_id);
  void remove(const std::string& queue_id);
  /// Queue ids in the order a queue run takes them (Sendmail's default
  /// QueueSortOrder=priority: lowest pri= first, then oldest).
  std::vector<std::string> run_order() const;
  int depth() const { return static_cast<int>(entries_.size()); }
  const std::vector<std::unique_ptr<QueueEntry>>& entries() const { return entries_; }

 private:
  std::vector<std::unique_ptr<QueueEntry>> entries_;
  std::function<void(int)> on_change_;
};

}  // namespace mailsim::sim
