// The multi-line response data of RFC 1939 section 3 for a stored message: CRLF line ends, a
// dot added in front of every line that starts with one, then "." CRLF. The server writes a
// RETR or TOP response this way and the client undoes it.
// Not modelled: responses other than a message's text (LIST and UIDL build their lines
// themselves).
#pragma once

#include <cstdint>
#include <string>

#include "models/message/shared_message.hpp"

namespace mailsim::pop3 {

/// Appends the lines of `message` to `out` byte-stuffed with CRLF line ends, without the
/// terminating ".\r\n". When `whole` is false, stops after `body_lines` lines of the body
/// (TOP, RFC 1939 section 7). A last line without LF gets its CRLF too.
void append_stuffed(std::string& out, const message::SharedMessage& message, bool whole = true,
                    std::uint64_t body_lines = 0);

/// Returns the size append_stuffed() gives for the whole message, found by scanning the
/// message instead of building the response.
std::uint64_t stuffed_size(const message::SharedMessage& message);

/// Returns the whole response data: append_stuffed() followed by ".\r\n". A copy.
std::string encode_multiline(const message::SharedMessage& message);

}  // namespace mailsim::pop3
