// Header access on a message stored as text with LF line ends, the form in
// which Sendmail keeps it in its df file and an mbox keeps it on disk.
// Follows RFC 5322 section 2.2 (field = name ":" value, folding by a line
// that starts with SP or HTAB) and Sendmail 8.17's collect(): the header
// section ends at the first empty line, or at the first line that is neither a
// field nor a continuation (that line then starts the body).
// Not modelled: RFC 2047 encoded words, obsolete syntax such as a space
// between the field name and the colon.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailsim::message {

/// One header field: its name as written and its unfolded value, with the
/// whitespace after the colon and at the end removed.
struct HeaderField {
  std::string name;
  std::string value;
};

/// A message cut into its header section and its body. `headers` contains
/// every header line with its LF; `separator` is true when an empty line
/// divided the two, and that line belongs to neither part.
struct MessageParts {
  std::string_view headers;
  std::string_view body;
  bool separator = false;
};

/// Splits LF text into header section and body (see the file comment for
/// where the header section ends).
MessageParts split_message(std::string_view message_lf);

/// Returns the header fields in order, each unfolded (RFC 5322 section 2.2.3).
std::vector<HeaderField> parse_headers(std::string_view message_lf);

/// Returns the unfolded value of the first field called `name`, compared
/// without regard to case (RFC 5322 section 1.2.2), or nullopt.
std::optional<std::string> find_header(std::string_view message_lf, std::string_view name);

/// Returns whether a field called `name` (any case) is present.
bool has_header(std::string_view message_lf, std::string_view name);

/// Returns whether `line` (without its LF) starts a header field: a name of
/// printable US-ASCII characters other than ":" followed by ":" (RFC 5322
/// section 2.2).
bool is_field_line(std::string_view line);

}  // namespace mailsim::message
