#include "models/message/dsn.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "models/common/timefmt.hpp"
#include "models/message/header.hpp"
#include "models/message/sendmail_ids.hpp"
#include "models/message/trace.hpp"

namespace mailsim::message {

namespace {

void put_line(std::string& out, std::string_view line) {
  out += line;
  out += '\n';
}

std::string unit_words(std::int64_t count, const char* unit) {
  return fmt::format("{} {}{}", count, unit, count == 1 ? "" : "s");
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Sendmail adds Content-Transfer-Encoding to the notice and to its returned part only when
// the original was declared binary or contains 8-bit bytes (its EF_HAS8BIT flag).
std::string returned_transfer_encoding(const std::string& original) {
  std::optional<std::string> declared = find_header(original, "Content-Transfer-Encoding");
  if (declared && equals_ignore_case(*declared, "binary")) return *declared;
  for (char c : original) {
    if (static_cast<unsigned char>(c) >= 0x80) return "8bit";
  }
  return "";
}

void validate(const DsnInfo& info) {
  if (info.hostname.empty() || info.queue_id.empty()) {
    throw std::invalid_argument("invalid DSN input: hostname and queue_id are required");
  }
  if (info.to.empty()) throw std::invalid_argument("invalid DSN input: no To value");
  if (info.recipients.empty()) throw std::invalid_argument("invalid DSN input: no recipient");
  const DsnRecipient* failed = nullptr;
  for (const DsnRecipient& r : info.recipients) {
    if (r.action == DsnAction::FAILED && failed == nullptr) failed = &r;
  }
  // errbody() prints the warning banner only when no recipient failed, so a warning that
  // reports a failure is a state Sendmail never produces.
  if (info.kind == DsnKind::DELAY && failed != nullptr) {
    throw std::invalid_argument(fmt::format(
        "invalid DELAY DSN: recipient <{}> failed, so use DsnKind::FAILURE", failed->address));
  }
  if (info.kind == DsnKind::FAILURE && failed == nullptr) {
    throw std::invalid_argument("invalid FAILURE DSN: no recipient failed, so use DsnKind::DELAY");
  }
}

void write_header_section(std::string& out, const DsnInfo& info, const std::string& boundary,
                          const std::string& transfer_encoding) {
  ReceivedInfo received;
  received.local_bounce = true;
  received.by_host = info.hostname;
  received.version = info.version;
  received.queue_id = info.queue_id;
  received.when = info.now;
  // Sendmail leaves the `for` clause out of its own notices even with a single recipient, as
  // Sendmail 8.14 warnings to one sender show.
  out += received_header(received);
  put_line(out, "Date: " + timefmt::rfc5322(info.now));
  put_line(out, "From: Mail Delivery Subsystem <MAILER-DAEMON>");
  put_line(out, "Message-Id: " + message_id(info.now, info.queue_id, info.hostname));
  for (const std::string& to : info.to) put_line(out, "To: " + to);
  put_line(out, "MIME-Version: 1.0");
  // RFC 6522 section 3: multipart/report with report-type=delivery-status (RFC 3464).
  put_line(out, "Content-Type: multipart/report; report-type=delivery-status;");
  put_line(out, fmt::format("\tboundary=\"{}\"", boundary));
  if (!transfer_encoding.empty()) put_line(out, "Content-Transfer-Encoding: " + transfer_encoding);
  if (info.kind == DsnKind::DELAY) {
    put_line(out, "Subject: Warning: could not send message for past " +
                      format_duration_words(info.queue_warn));
    put_line(out, "Auto-Submitted: auto-generated (warning-timeout)");
  } else {
    put_line(out, "Subject: Returned mail: see transcript for details");
    put_line(out, "Auto-Submitted: auto-generated (failure)");
  }
  put_line(out, "");
}

// The first MIME part, the human-readable explanation of RFC 6522 section 3.
void write_notification_text(std::string& out, const DsnInfo& info) {
  if (info.kind == DsnKind::DELAY) {
    put_line(out, "    **********************************************");
    put_line(out, "    **      THIS IS A WARNING MESSAGE ONLY      **");
    put_line(out, "    **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **");
    put_line(out, "    **********************************************");
    put_line(out, "");
  }
  put_line(out, "The original message was received at " + timefmt::rfc5322(info.arrival));
  put_line(out, "from " + info.received_from);
  put_line(out, "");

  bool printed_heading = false;
  for (const DsnRecipient& r : info.recipients) {
    if (r.action != DsnAction::FAILED) continue;
    if (!printed_heading) {
      put_line(out, "   ----- The following addresses had permanent fatal errors -----");
      printed_heading = true;
    }
    put_line(out, "<" + r.address + ">");
    if (!r.remote_status.empty()) {
      put_line(out, "    (reason: " + exit_status_text(r.remote_status) + ")");
    }
  }
  if (printed_heading) put_line(out, "");
  // errbody() lists delayed recipients under "transient non-fatal errors" only for Deliver-By
  // (RFC 2852) notices, so a Timeout.queuewarn warning has no address list.

  // errbody() writes the heading only before the first transcript line.
  if (!info.transcript.empty()) {
    put_line(out, "   ----- Transcript of session follows -----");
    for (const std::string& line : info.transcript) put_line(out, line);
  }
}

void write_recipient_fields(std::string& out, const DsnInfo& info, const DsnRecipient& r) {
  bool failed = r.action == DsnAction::FAILED;
  put_line(out, "");
  put_line(out, "Final-Recipient: RFC822; " + r.address);
  if (!r.actual_recipient.empty()) put_line(out, "X-Actual-Recipient: " + r.actual_recipient);
  put_line(out, failed ? "Action: failed" : "Action: delayed");
  std::string status = r.status;
  if (status.empty()) status = failed ? "5.0.0" : "4.0.0";
  put_line(out, "Status: " + status);
  if (!r.remote_mta.empty()) {
    std::string mta = r.remote_mta;
    // errbody() strips one trailing dot from the Remote-MTA value.
    if (mta.back() == '.') mta.pop_back();
    put_line(out, "Remote-MTA: DNS; " + mta);
  }
  if (!r.remote_status.empty()) {
    put_line(out, fmt::format("Diagnostic-Code: {}; {}", r.diagnostic_type, r.remote_status));
  }
  std::int64_t last_attempt = r.last_attempt != 0 ? r.last_attempt : info.now;
  put_line(out, "Last-Attempt-Date: " + timefmt::rfc5322(last_attempt));
  if (!failed) {
    // RFC 3464 section 2.3.8: the time after which the reporting MTA gives up.
    put_line(out, "Will-Retry-Until: " + timefmt::rfc5322(info.arrival + info.queue_return));
  }
}

// The second MIME part (RFC 3464 section 2.1): per-message fields, then one block per
// recipient, each block preceded by an empty line.
void write_delivery_status(std::string& out, const DsnInfo& info) {
  put_line(out, "Content-Type: message/delivery-status");
  put_line(out, "");
  put_line(out, "Reporting-MTA: dns; " + info.hostname);
  if (!info.received_from_mta.empty()) {
    put_line(out, "Received-From-MTA: DNS; " + info.received_from_mta);
  }
  put_line(out, "Arrival-Date: " + timefmt::rfc5322(info.arrival));
  for (const DsnRecipient& r : info.recipients) write_recipient_fields(out, info, r);
}

// The third MIME part: the original header section preceded by the Return-Path that
// Sendmail keeps among the message's header fields, and for message/rfc822 also the body.
void write_returned_message(std::string& out, const DsnInfo& info,
                            const std::string& transfer_encoding) {
  put_line(out, info.headers_only ? "Content-Type: text/rfc822-headers"
                                  : "Content-Type: message/rfc822");
  if (!transfer_encoding.empty()) put_line(out, "Content-Transfer-Encoding: " + transfer_encoding);
  put_line(out, "");
  std::string sender = info.original_sender.empty() ? "MAILER-DAEMON" : info.original_sender;
  put_line(out, "Return-Path: <" + sender + ">");
  MessageParts parts = split_message(info.original);
  out += parts.headers;
  if (!parts.headers.empty() && parts.headers.back() != '\n') out += '\n';
  if (info.headers_only) return;
  // The returned message keeps the empty line between its header section and body.
  put_line(out, "");
  out += parts.body;
  if (!parts.body.empty() && parts.body.back() != '\n') out += '\n';
}

}  // namespace

std::string format_duration_words(std::int64_t seconds) {
  if (seconds < 0) {
    throw std::invalid_argument(fmt::format("negative duration: {} seconds", seconds));
  }
  if (seconds == 0) return "zero seconds";
  std::int64_t remaining = seconds;
  std::int64_t secs = remaining % 60;
  remaining /= 60;
  std::int64_t minutes = remaining % 60;
  remaining /= 60;
  std::int64_t hours = remaining % 24;
  remaining /= 24;
  std::int64_t days = remaining % 7;
  std::int64_t weeks = remaining / 7;

  std::vector<std::string> parts;
  if (weeks > 0) parts.push_back(unit_words(weeks, "week"));
  if (days > 0) parts.push_back(unit_words(days, "day"));
  if (hours > 0) parts.push_back(unit_words(hours, "hour"));
  if (minutes > 0) parts.push_back(unit_words(minutes, "minute"));
  if (secs > 0) parts.push_back(unit_words(secs, "second"));
  std::string text;
  for (const std::string& part : parts) {
    if (!text.empty()) text += ", ";
    text += part;
  }
  return text;
}

std::string exit_status_text(const std::string& remote_status) {
  // The text after the SMTP code and status code of libsm's sm_sysexmsg() table, indexed by
  // the sysexits.h value minus EX__BASE (64).
  static const char* const kTexts[] = {
      "Command line usage error",
      "Data format error",
      "Cannot open input",
      "User unknown",
      "Host unknown",
      "Service unavailable",
      "Internal error",
      "Operating system error",
      "System file missing",
      "Can't create output",
      "I/O error",
      "Deferred",
      "Remote protocol error",
      "Insufficient permission",
      "Local configuration error",
  };
  if (remote_status.empty()) return remote_status;
  long code = 0;
  for (char c : remote_status) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return remote_status;
    // Saturating keeps a long digit string from overflowing, because it matches no code.
    code = std::min(code * 10 + (c - '0'), 1000L);
  }
  if (code < 64 || code > 78) return remote_status;
  return kTexts[code - 64];
}

std::vector<std::string> queue_warning_transcript(std::int64_t queue_warn,
                                                  std::int64_t queue_return) {
  return {"Warning: message still undelivered after " + format_duration_words(queue_warn),
          "Will keep trying until message is " + format_duration_words(queue_return) + " old"};
}

std::vector<std::string> queue_return_transcript(std::int64_t queue_return) {
  return {"Message could not be delivered for " + format_duration_words(queue_return),
          "Message will be deleted from queue"};
}

std::string dsn_boundary(const std::string& queue_id, std::int64_t now,
                         const std::string& hostname) {
  return fmt::format("{}.{}/{}", queue_id, now, hostname);
}

std::string make_dsn(const DsnInfo& info) {
  validate(info);
  std::string boundary = dsn_boundary(info.queue_id, info.now, info.hostname);
  std::string delimiter = "--" + boundary;
  std::string transfer_encoding = returned_transfer_encoding(info.original);

  std::string out;
  out.reserve(2048 + info.original.size());
  write_header_section(out, info, boundary, transfer_encoding);
  // RFC 2046 section 5.1.1: a preamble, then each part after a delimiter line.
  put_line(out, "This is a MIME-encapsulated message");
  put_line(out, "");
  put_line(out, delimiter);
  put_line(out, "");
  write_notification_text(out, info);
  put_line(out, "");
  put_line(out, delimiter);
  write_delivery_status(out, info);
  put_line(out, "");
  put_line(out, delimiter);
  write_returned_message(out, info, transfer_encoding);
  put_line(out, "");
  put_line(out, delimiter + "--");
  // NOTE: Sendmail 8.17's errbody() writes one more empty line after the closing delimiter.
  // It is left out because the recorded mailbox keeps a single empty line before the next
  // `From ` line, and the mailbox writer adds that line to every message.
  return out;
}

}  // namespace mailsim::message
