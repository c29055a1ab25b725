// Sendmail's returned mail: a DSN (RFC 3464) queued on the host where the
// delivery failed, from the null sender, to the original envelope sender
// and, for local configuration errors, to the postmaster as well. It is
// traced as a message of its own and counted in the mail balance.
#include <fmt/format.h>
#include <simgrid/s4u.hpp>

#include "models/config/text.hpp"
#include "models/message/dsn.hpp"
#include "models/message/header.hpp"
#include "models/message/sendmail_ids.hpp"
#include "sim/maillog.hpp"
#include "sim/actors.hpp"
#include "sim/context.hpp"

namespace mailsim::sim {
namespace {

// Registers the DSN in the trace so the balance counts it.
std::string trace_dsn(World& w, const QueueEntry& original, const std::vector<std::string>& to,
                      std::uint64_t size, const char* suffix) {
  std::string base = (original.trace_id.empty() ? original.queue_id : original.trace_id) + suffix;
  std::string id = base;
  for (int n = 2; w.trace.message(id); ++n) id = fmt::format("{}{}", base, n);
  MessageRecord& m = w.trace.add_message(id);
  m.from = "";
  m.to = to;
  m.size = size;
  m.submitted = w.now();
  m.is_dsn = true;
  for (const auto& r : to) {
    RecipientRecord rr;
    rr.address = r;
    m.recipients.push_back(rr);
  }
  return id;
}

void queue_dsn(HostState& host, const QueueEntry& original, const std::vector<std::string>& envelope_to,
               const std::vector<std::string>& header_to, message::DsnInfo info, const char* suffix) {
  World& w = world();
  unsigned pid = host.new_pid();
  std::string qid = message::queue_id(w.wall_now(), host.queue_sequence++, pid);
  info.hostname = host.sendmail.hostname;
  info.version = host.sendmail.version;
  info.queue_id = qid;
  info.now = w.wall_now();
  info.to = header_to;
  info.arrival = w.wall(original.created);
  info.received_from = original.received_from;
  info.received_from_mta = original.received_from_mta;
  info.original = original.message.flatten();
  info.original_sender = original.sender;
  info.headers_only = host.sendmail.cf.privacy.nobodyreturn;
  std::string text = message::make_dsn(info);

  QueueEntry entry;
  entry.queue_id = qid;
  entry.sender = "";
  entry.size = text.size();
  entry.message = std::make_shared<const std::string>(std::move(text));
  entry.created = w.now();
  entry.received_from = "localhost";
  entry.received_from_mta = "localhost";
  entry.priority = static_cast<long>(entry.size) + 30000L * static_cast<long>(envelope_to.size());
  entry.trace_id = trace_dsn(w, original, envelope_to, entry.size, suffix);
  // NOTE: the DSN's own from= line is written as for a local submission;
  // no recorded log shows it.
  std::string program = fmt::format("sendmail[{}]", pid);
  std::string what = "DSN";
  std::string stat;
  for (const auto& r : original.recipients)
    if (!r.status.empty()) stat = r.status;
  mail_log(host.name, program, fmt::format("{}: {}: {}: {}", original.queue_id, qid, what, stat));
  mail_log(host.name, program,
           fmt::format("{}: from=<>, size={}, class=0, nrcpts={}, msgid={}, proto=, daemon=, relay=localhost", qid,
                       entry.size, envelope_to.size(),
                       message::find_header(entry.message, "Message-Id").value_or("")));
  for (const auto& r : envelope_to) {
      QueuedRecipient q;
      q.address = r;
      q.original = r;
      entry.recipients.push_back(q);
    }
  host.queue->add(std::move(entry));
  spawn_delivery(host, qid);
}

std::vector<std::string> header_recipients(const std::string& sender, bool postmaster) {
  std::vector<std::string> to{"<" + sender + ">"};
  if (postmaster) to.push_back("postmaster");
  return to;
}

}  // namespace

void bounce(HostState& host, QueueEntry& entry) {
  World& w = world();
  message::DsnInfo info;
  info.kind = message::DsnKind::FAILURE;
  info.queue_warn = static_cast<std::int64_t>(host.sendmail.queue_warn);
  info.queue_return = static_cast<std::int64_t>(host.sendmail.queue_return);
  bool postmaster = false;
  for (auto& r : entry.recipients) {
    if (r.state != RecipientState::FAILED || r.reported) continue;
    r.reported = true;
    message::DsnRecipient d;
    d.address = r.address;
    d.action = message::DsnAction::FAILED;
    d.status = r.dsn;
    d.remote_status = r.reason;
    d.remote_mta = r.remote_mta;
    // Sendmail 8.17 writes X-Actual-Recipient for local configuration errors.
    if (r.config_error) d.actual_recipient = "rfc822; " + r.address;
    d.last_attempt = w.wall(entry.last_attempt >= 0 ? entry.last_attempt : w.now());
    info.recipients.push_back(d);
    info.transcript.insert(info.transcript.end(), r.transcript.begin(), r.transcript.end());
    postmaster |= r.config_error;
  }
  if (info.recipients.empty()) return;
  // A bounce that fails is never returned to its null sender (RFC 5321
  // §6.1). Sendmail sends this "double bounce" to the postmaster instead
  // (DoubleBounceAddress); only when the postmaster's own copy fails does
  // it give up, logging the loss.
  if (entry.sender.empty()) {
    bool for_postmaster = false;
    for (const auto& r : info.recipients)
      for_postmaster |= config::text::iequals(r.address.substr(0, r.address.find('@')), "postmaster");
    if (for_postmaster) {
      w.warnings.push_back(fmt::format("{}: {}: double bounce to the postmaster failed too; the DSN is lost",
                                       host.name, entry.queue_id));
      mail_log(host.name, "sendmail", fmt::format("{}: SYSERR(root): savemail: cannot save rejected email anywhere",
                                                  entry.queue_id));
      return;
    }
    queue_dsn(host, entry, {"postmaster"}, {"postmaster"}, info, ".double-bounce");
    return;
  }
  std::vector<std::string> envelope{entry.sender};
  if (postmaster) envelope.push_back("postmaster");
  queue_dsn(host, entry, envelope, header_recipients(entry.sender, postmaster), info, ".dsn");
}

void warn_delayed(HostState& host, QueueEntry& entry) {
  World& w = world();
  if (entry.sender.empty() || entry.warned) return;
  entry.warned = true;
  message::DsnInfo info;
  info.kind = message::DsnKind::DELAY;
  info.queue_warn = static_cast<std::int64_t>(host.sendmail.queue_warn);
  info.queue_return = static_cast<std::int64_t>(host.sendmail.queue_return);
  for (auto& r : entry.recipients) {
    if (r.state != RecipientState::PENDING) continue;
    message::DsnRecipient d;
    d.address = r.address;
    d.action = message::DsnAction::DELAYED;
    d.status = r.dsn.empty() ? "4.0.0" : r.dsn;
    d.remote_mta = r.remote_mta;
    d.last_attempt = w.wall(entry.last_attempt >= 0 ? entry.last_attempt : w.now());
    info.recipients.push_back(d);
    info.transcript.push_back(fmt::format("<{}>... {}", r.address, r.status));
  }
  if (info.recipients.empty()) return;
  for (const auto& line : message::queue_warning_transcript(info.queue_warn, info.queue_return))
    info.transcript.push_back(line);
  queue_dsn(host, entry, {entry.sender}, header_recipients(entry.sender, false), info, ".warning");
}

}  // namespace mailsim::sim
