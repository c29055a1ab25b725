// The DATA stream of RFC 5321 section 4.5.2: a message stored as LF text goes
// on the wire with CRLF line ends, a dot added in front of every line that
// starts with ".", and "." CRLF after the last line. The receiving side of
// the same rules lives in ServerSession, which must also police bare CR and
// LF bytes while it reads.
// Not modelled: BDAT/CHUNKING (RFC 3030), which the lab's Sendmail does not
// offer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mailsim::smtp {

/// Returns the bytes a client writes after the 354 reply: `message_lf` with
/// CRLF line ends, dot-stuffed, followed by the terminating ".\r\n". A final
/// line without LF gets its CRLF first. A CR already in the text is sent
/// unchanged, as Sendmail does.
std::string encode_data(std::string_view message_lf);

/// Returns the size of encode_data(message_lf), found by scanning `message_lf` instead of
/// building the encoding.
std::uint64_t encoded_data_size(std::string_view message_lf);

/// Returns whether any byte of `text` has the high bit set, which makes a
/// Sendmail client announce BODY=8BITMIME (RFC 6152).
bool has_8bit(std::string_view text);

}  // namespace mailsim::smtp
