// A user's /var/mail mailbox in memory: procmail 3.22 appends messages, Dovecot 2.3.19 assigns
// IMAP UIDs (RFC 3501 §2.3.1.1), keeps per-message flags and rewrites the file. render() gives
// the file bytes as they stand. The rewrite rules below were checked against Dovecot 2.3.19.1
// (Debian 12) with mbox_lazy_writes=yes, its default:
// - at login Dovecot writes `X-UID: n` plus 50 spaces of padding into every message without
//   one, `X-IMAPbase: <uidvalidity> <last uid>` into the first message, and no Status field;
// - at a POP3 QUIT that deletes or marks messages seen, it rewrites the first message, every
//   message marked seen and every message after the first deleted one, adding `Status: O`
//   (`RO` when seen) from the padding, and removes the deleted messages;
// - when no message is left it writes its `DON'T DELETE THIS MESSAGE` pseudo-message.
// Not modelled: IMAP keywords, X-Status flags, recent-flag bookkeeping across sessions, and
// concurrent sessions on one mailbox.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "models/mailbox/mbox.hpp"

namespace mailsim::mailbox {

/// One message of a Mailbox.
struct Message {
  std::string envelope_sender;  // as on the `From ` line
  std::string date;             // asctime() date of the `From ` line
  Content content;              // LF text as stored (body `From ` lines quoted), shared
  std::uint64_t size = 0;       // octets with CRLF line ends, as POP3 counts them (RFC 1939 §5)
  DovecotFields dovecot;
  bool deleted = false;  // pending deletion, applied by commit()
  bool seen = false;     // pending \Seen flag, applied by commit()
};

/// The mbox of one user.
class Mailbox {
 public:
  /// Padding Dovecot leaves after a new X-UID value (MBOX_HEADER_PADDING in Dovecot 2.3).
  static constexpr std::size_t kHeaderPadding = 50;

  Mailbox() = default;

  /// Loads an mbox file (see parse_mbox for the errors).
  static Mailbox from_mbox(std::string_view text, const std::string& file_name);

  /// Appends a message as procmail does. An empty sender is the null reverse-path. The
  /// message keeps sharing the text of `content` unless a body line needs `>From ` quoting or
  /// the last line lacks its LF.
  void deliver(std::string_view envelope_sender, std::int64_t delivery_time, Content content);

  std::size_t count() const { return messages_.size(); }
  const Message& message(std::size_t index) const { return messages_.at(index); }
  std::uint32_t uid_validity() const { return uid_validity_; }
  std::uint32_t last_uid() const { return last_uid_; }

  /// Opens the mailbox for a Dovecot session: assigns UIDs and writes the X-UID fields.
  /// `uid_validity` is used only if the file has none yet (Dovecot uses the current time).
  void open(std::uint32_t uid_validity);

  /// Returns the index of the message with `uid`. Throws std::out_of_range if there is none.
  std::size_t index_of(std::uint32_t uid) const;

  void set_deleted(std::uint32_t uid, bool deleted);
  void set_seen(std::uint32_t uid, bool seen);

  /// Applies the pending deletions and seen flags and rewrites the file as Dovecot does at
  /// the end of a POP3 session. `now` and `hostname` are only used for the pseudo-message.
  /// Returns the number of messages removed.
  std::size_t commit(std::int64_t now, std::string_view hostname);

  /// Drops the pending deletions and seen flags.
  void rollback();

  /// Returns the mbox file bytes: a copy of every message.
  std::string render() const;

  /// Passes the mbox file bytes to `sink` piece by piece, in order, so that a caller can write
  /// the file without building it in memory. The pieces of a message's text point into the
  /// shared text and are valid only during the call.
  void write(const std::function<void(std::string_view)>& sink) const;

 private:
  void rewrite_fields(Message& message, const DovecotFields& updated, bool moved);

  std::vector<Message> messages_;
  std::uint32_t uid_validity_ = 0;
  std::uint32_t last_uid_ = 0;
  std::string pseudo_message_;  // rendered with its X-IMAP value replaced
};

/// Returns Dovecot's pseudo-message (`From MAILER_DAEMON  Fri Dec 04 ...`), with a zero-padded
/// day in the `From ` line and an RFC 5322 Date in +0000.
std::string pseudo_message(std::int64_t now, std::string_view hostname, std::uint32_t uid_validity,
                           std::uint32_t last_uid);

/// Returns the size of `content` with every LF counted as CRLF.
std::uint64_t crlf_size(std::string_view content);
std::uint64_t crlf_size(const Content& content);

}  // namespace mailsim::mailbox
