// The message data items an IMAP server builds for FETCH (RFC 3501 §7.4.2) from a message
// stored as LF text: section texts, INTERNALDATE, ENVELOPE and BODYSTRUCTURE, in the forms
// Dovecot 2.3.19 sends them. Not modelled: RFC 2047 decoding, group syntax and route addresses
// in ENVELOPE, message/rfc822 parts inside BODYSTRUCTURE (sent as basic parts), MD5,
// Content-Disposition and Content-Language extension data (always NIL).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mailsim::imap {

/// Returns `text` with every LF turned into CRLF, as IMAP sends message data.
std::string to_crlf(std::string_view text);

/// Returns the header section of `message` including the empty line that ends it (LF text).
std::string header_section(std::string_view message);

/// Returns the body of `message` (RFC 3501 `BODY[TEXT]`), LF text.
std::string text_section(std::string_view message);

/// Returns the header lines whose field name is (or with `exclude`, is not) in `names`, folded
/// lines kept, followed by the empty line (RFC 3501 `HEADER.FIELDS`, `HEADER.FIELDS.NOT`).
std::string header_fields(std::string_view message, const std::vector<std::string>& names,
                          bool exclude);

/// Converts an mbox `From ` line date (`Fri Dec  4 15:03:21 2026`) to RFC 3501 date-time form
/// (`04-Dec-2026 15:03:21 +0000`).
std::string internal_date(std::string_view asctime_date);

/// Returns the ENVELOPE value (RFC 3501 §7.4.2), parenthesized.
std::string envelope(std::string_view message);

/// Returns the BODYSTRUCTURE value, or with `extensible` false the BODY value.
std::string body_structure(std::string_view message, bool extensible);

}  // namespace mailsim::imap
