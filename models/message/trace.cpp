#include "models/message/trace.hpp"

#include <fmt/format.h>

#include "models/common/timefmt.hpp"
#include "models/message/header.hpp"
#include "models/message/sendmail_ids.hpp"

namespace mailsim::message {

std::string received_header(const ReceivedInfo& info) {
  std::string from;
  if (info.local_bounce) {
    from = "from localhost (localhost)";
  } else if (info.peer_name.empty()) {
    // `$_` is `[ip]` when the PTR lookup failed.
    from = fmt::format("from {} ([{}])", info.helo, info.peer_ip);
  } else {
    from = fmt::format("from {} ({} [{}])", info.helo, info.peer_name, info.peer_ip);
  }

  std::string with;
  if (!info.local_bounce) with = info.esmtp ? " with ESMTP" : " with SMTP";

  std::string out = fmt::format("Received: {}\n\tby {} ({}){} id {}", from, info.by_host,
                                info.version, with, info.queue_id);
  std::string date = timefmt::rfc5322(info.when);
  // Sendmail defines `$u` only when the envelope has exactly one recipient.
  if (info.recipients.size() == 1) {
    out += fmt::format("\n\tfor <{}>; {}\n", info.recipients.front(), date);
  } else {
    out += fmt::format(";\n\t{}\n", date);
  }
  return out;
}

namespace {

// Returns the fields Sendmail puts in front of the client's header section.
template <typename Message>
std::string queued_fields(const Message& message_lf, const QueueingInfo& info) {
  std::string out = received_header(info.received);
  if (!has_header(message_lf, "Date")) {
    out += fmt::format("Date: {}\n", timefmt::rfc5322(info.envelope_start));
  }
  if (!has_header(message_lf, "From")) {
    // NOTE: Sendmail writes `$g`, the sender after its header rewriting
    // rules; the envelope sender is used here unchanged.
    out += fmt::format("From: {}\n", info.mail_from.empty() ? "MAILER-DAEMON" : info.mail_from);
  }
  if (!has_header(message_lf, "Message-Id")) {
    const ReceivedInfo& r = info.received;
    out += fmt::format("Message-Id: {}\n", message_id(r.when, r.queue_id, r.by_host));
  }
  for (const std::string& warning : info.authentication_warnings) {
    out += fmt::format("X-Authentication-Warning: {}\n", warning);
  }
  return out;
}

}  // namespace

std::string prepare_queued_message(const std::string& message_lf, const QueueingInfo& info) {
  std::string out = queued_fields(message_lf, info);
  // Sendmail keeps header and body apart and always writes one empty line
  // between them, so a message that arrived without the separator gains it.
  MessageParts parts = split_message(message_lf);
  out += parts.headers;
  if (!parts.headers.empty() && parts.headers.back() != '\n') out += '\n';
  out += '\n';
  out += parts.body;
  return out;
}

SharedMessage prepare_queued_message(const SharedMessage& message, const QueueingInfo& info) {
  // The head holds whole field lines, so the shared text decides where the header section
  // ends, unless it is empty.
  bool separated = !message.shared->empty() && split_message(*message.shared).separator;
  if (!separated) {
    return SharedMessage(std::make_shared<const std::string>(
        prepare_queued_message(message.flatten(), info)));
  }
  return message.with_head(queued_fields(message, info));
}

}  // namespace mailsim::message
