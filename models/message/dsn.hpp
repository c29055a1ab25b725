// The delivery status notification (DSN) Sendmail 8.17 sends back to a sender. It is a
// multipart/report message (RFC 6522, formerly RFC 3462) with three parts: a human-readable
// notice with the session transcript, a message/delivery-status part (RFC 3464) with
// RFC 3463 status codes, and the returned message or only its header section.
// Text has LF line ends and follows returntosender() and errbody() in Sendmail's savemail.c:
// field order, the `    (reason: ...)` line, the warning banner and the boundary
// `<queue id>.<epoch>/<$j>`.
// Not modelled: postmaster notifications ("Postmaster notify: see transcript for details" with
// its `with id` line), return receipts and "delivered"/"relayed"/"expanded" actions,
// Deliver-By (RFC 2852), ENVID and ORCPT (Original-Envelope-Id, Original-Recipient), the
// ErrorHeader file, `(expanded from: ...)` lines for alias expansions, and non-MIME bounces
// (SendMimeErrors=False).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mailsim::message {

/// Kind of notice: FAILURE when at least one recipient failed for good (Timeout.queuereturn
/// expiry included), DELAY for the warning sent once Timeout.queuewarn has passed.
enum class DsnKind { FAILURE, DELAY };

/// The RFC 3464 section 2.3.3 Action of one recipient.
enum class DsnAction { FAILED, DELAYED };

/// One recipient of the original message that the notice reports on.
struct DsnRecipient {
  std::string address;  ///< as given with RCPT, without angle brackets
  DsnAction action = DsnAction::FAILED;
  std::string status;  ///< RFC 3463 code, e.g. "5.3.5"; "" gives Sendmail's 5.0.0 or 4.0.0
  /// Sendmail's q_rstatus: the reply that explains the failure ("553 5.3.5 system config
  /// error"), or a local mailer's sysexits code ("67"); "" when there is none. It gives the
  /// `(reason: ...)` line and Diagnostic-Code.
  std::string remote_status;
  std::string diagnostic_type = "SMTP";  ///< third part of the mailer's T= (X-Unix for local)
  std::string remote_mta;                ///< host for Remote-MTA (q_statmta); "" omits the field
  /// Full X-Actual-Recipient value, e.g. `rfc822; someone@hanmail.net`; "" omits the field.
  // NOTE: Sendmail 8.17 writes it when its `type; user` form differs from Final-Recipient.
  // The caller decides when that is, because it is confirmed only for loop bounces.
  std::string actual_recipient;
  std::int64_t last_attempt = 0;  ///< Last-Attempt-Date; 0 means `now`, as Sendmail does
};

/// Inputs Sendmail uses when it generates the notice.
struct DsnInfo {
  DsnKind kind = DsnKind::FAILURE;
  std::string hostname;           ///< `$j` of the reporting MTA
  std::string version;            ///< `$v/$Z` for the Received field
  std::string queue_id;           ///< the notice's own queue id
  std::int64_t now = 0;           ///< Date, Received date, Message-Id stamp and boundary epoch
  std::vector<std::string> to;    ///< To values in order, e.g. "<kim@naver.com>", "postmaster"
  std::int64_t arrival = 0;       ///< when the original message was queued (e_ctime)
  std::string received_from;      ///< `$_` of the original, e.g. "localhost [127.0.0.1]"
  std::string received_from_mta;  ///< host for Received-From-MTA; "" omits the field
  std::vector<DsnRecipient> recipients;
  std::vector<std::string> transcript;  ///< lines of the session transcript, without LF
  std::string original;                 ///< original message as queued (LF), Received first
  std::string original_sender;          ///< envelope sender, "" for `<>`
  /// Return only the header section (text/rfc822-headers): PrivacyOptions=nobodyreturn or
  /// RET=HDRS. Otherwise the whole message is returned as message/rfc822.
  bool headers_only = false;
  std::int64_t queue_warn = 4 * 3600;         ///< Timeout.queuewarn in seconds
  std::int64_t queue_return = 5 * 24 * 3600;  ///< Timeout.queuereturn in seconds
};

/// Formats a duration as Sendmail's pintvl(seconds, false) does: "4 hours", "5 days",
/// "1 week, 2 days, 3 minutes", "zero seconds". Throws std::invalid_argument when negative.
std::string format_duration_words(std::int64_t seconds);

/// Converts a q_rstatus as Sendmail's exitstat() does: a sysexits number from 64 to 78
/// becomes its text ("75" -> "Deferred", "78" -> "Local configuration error"), anything else
/// is returned unchanged.
std::string exit_status_text(const std::string& remote_status);

/// Returns the transcript lines Sendmail adds when a message has been queued longer than
/// Timeout.queuewarn: "Warning: message still undelivered after 4 hours" and
/// "Will keep trying until message is 5 days old".
std::vector<std::string> queue_warning_transcript(std::int64_t queue_warn,
                                                  std::int64_t queue_return);

/// Returns the transcript lines Sendmail adds when Timeout.queuereturn expires:
/// "Message could not be delivered for 5 days" and "Message will be deleted from queue".
/// The recipients still queued then fail with status 4.4.7.
std::vector<std::string> queue_return_transcript(std::int64_t queue_return);

/// Returns the MIME boundary Sendmail uses: `<queue id>.<epoch>/<hostname>`.
std::string dsn_boundary(const std::string& queue_id, std::int64_t now,
                         const std::string& hostname);

/// Returns the notice as Sendmail queues it, starting with its Received field and ending
/// with the closing boundary line. Throws std::invalid_argument when the inputs cannot
/// describe a notice Sendmail sends (no recipient or To value, a DELAY notice with a failed
/// recipient, a FAILURE notice without one).
std::string make_dsn(const DsnInfo& info);

}  // namespace mailsim::message
