// The mbox file format of /var/mail/USER as procmail 3.22 writes it and Dovecot 2.3 rewrites it.
// The format is mboxo: a body line starting with `From ` is stored as `>From `, and a line
// already starting with `>From ` is stored unchanged, so the quoting cannot always be undone.
// Messages are LF text. Standards: RFC 4155 (the mbox media type). Not modelled: mboxrd and
// Content-Length based variants, MMDF, locking, CRLF mbox files.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "models/message/shared_message.hpp"

namespace mailsim::mailbox {

/// Message text shared between hops and mailboxes without copying: the header fields a hop
/// added (procmail's Return-Path:, Sendmail's Received:) in front of the text as submitted.
using Content = message::SharedMessage;

/// Header fields Dovecot keeps in an mbox and hides from POP3 and IMAP clients.
enum class DovecotHeader { X_IMAPBASE, X_UID, STATUS, X_STATUS, X_KEYWORDS, CONTENT_LENGTH };

/// Dovecot's per-message state as stored in the message's header.
struct DovecotFields {
  std::vector<DovecotHeader> order;  // the fields present, in file order
  std::uint32_t uid = 0;             // X-UID value, 0 when absent
  std::size_t uid_padding = 0;       // spaces after the X-UID value, reserved for later growth
  std::string status;                // Status value (`O`, `RO`)
  std::string x_status;              // raw X-Status value
  std::string x_keywords;            // raw X-Keywords value, padding included
  std::string content_length;        // raw Content-Length value

  bool has(DovecotHeader header) const;
};

/// One message of an mbox file.
struct MboxMessage {
  std::string envelope_sender;  // first word of the `From ` line (`MAILER-DAEMON` for <>)
  std::string date;             // rest of the `From ` line, an asctime() date
  std::shared_ptr<const std::string> content;  // as stored (quoted), without Dovecot fields
  DovecotFields dovecot;
};

/// A parsed mbox file.
struct MboxFile {
  std::vector<MboxMessage> messages;  // without the pseudo-message
  std::uint32_t uid_validity = 0;     // from X-IMAPbase or X-IMAP, 0 when absent
  std::uint32_t last_uid = 0;         // second number of X-IMAPbase or X-IMAP
  std::string pseudo_message;         // Dovecot's folder-internal-data message, "" when absent
};

/// Returns the separator line procmail writes: `From kim@naver.com  Fri Dec  4 15:02:51 2026\n`
/// (two spaces, asctime date in UTC). An empty sender is written as MAILER-DAEMON.
std::string from_line(std::string_view envelope_sender, std::int64_t delivery_time);

/// Quotes body lines starting with `From ` as procmail does. Returns a message sharing the same
/// text when no line needs quoting, so large messages are not copied. The head contains header
/// fields only, so only the shared text can need quoting.
Content quote_from_lines(const Content& content);

/// Removes one `>` from body lines starting with `>From `. Lossy: a line that was `>From ` before
/// quoting comes back as `From `.
std::string unquote_from_lines(std::string_view content);

/// Returns one message as procmail appends it: `From ` line, the content with body lines
/// quoted, a newline if the content lacks a final one, and one empty line.
std::string write_mbox_message(std::string_view envelope_sender, std::int64_t delivery_time,
                               const std::string& content);

/// Splits an mbox file into messages. Dovecot's fields move out of each header into
/// MboxMessage::dovecot, and its pseudo-message into MboxFile::pseudo_message. The content
/// keeps the quoted form, as Dovecot and Python's mailbox.mbox return it.
/// Throws mailsim::InputError when the file is not empty and does not start with `From `.
MboxFile parse_mbox(std::string_view text, const std::string& file_name);

/// Returns the offset of the empty line ending the header of `content`, or npos if none.
std::size_t header_end(std::string_view content);
/// The same for a shared message, as an offset into the whole text (head included).
std::size_t header_end(const Content& content);

}  // namespace mailsim::mailbox
