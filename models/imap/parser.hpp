// IMAP4rev1 command syntax (RFC 3501 §9) as a server reads it, sans-I/O. CommandFramer cuts
// buffered client bytes into complete commands, including the literals inside them, and reports
// when a synchronizing literal needs its `+ OK` continuation request (RFC 3501 §7.5).
// ArgumentReader then reads the arguments of one command. LITERAL+ non-synchronizing literals
// (`{n+}`, RFC 7888) are accepted. Not modelled: BINARY literals (`~{n}`), UTF-8 mailbox names,
// Dovecot's line length limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailsim::imap {

/// Splits the client byte stream into commands. The result does not depend on how the bytes
/// were split into feed() calls.
class CommandFramer {
 public:
  void append(std::string_view bytes) { buffer_.append(bytes); }

  /// Returns the next complete command without its final CRLF (literal headers and data kept
  /// inline), or nullopt if more bytes are needed. Appends one `+ OK` continuation request to
  /// `continuations` for every synchronizing literal announced since the last call.
  std::optional<std::string> next_command(std::string& continuations);

  /// Returns the next line without its CRLF (SASL responses, IDLE's DONE), or nullopt.
  std::optional<std::string> next_line();

  bool empty() const { return buffer_.empty(); }

 private:
  std::string buffer_;
  std::size_t continued_literals_ = 0;  // synchronizing literals of the pending command acked
};

/// One SEARCH/FETCH sequence set number range; 0 stands for `*`.
struct SequenceRange {
  std::uint32_t first = 0;
  std::uint32_t last = 0;
};

/// A parsed sequence-set (RFC 3501 §9, `sequence-set`).
struct SequenceSet {
  std::vector<SequenceRange> ranges;

  /// Returns whether `number` is in the set, where `*` stands for `largest`.
  bool contains(std::uint32_t number, std::uint32_t largest) const;
};

/// Reads the arguments of one command. Each read returns nullopt (or false) and leaves the
/// position unchanged when the next token is not of the requested kind.
class ArgumentReader {
 public:
  explicit ArgumentReader(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  /// Consumes `c` if it is next.
  bool consume(char c);
  /// Consumes one SP (RFC 3501 requires exactly one between arguments).
  bool space() { return consume(' '); }
  /// Reads an atom (RFC 3501 `atom`); with `allow_bracket` also `]` (as in `astring`).
  std::optional<std::string> atom(bool allow_bracket = false);
  /// Reads a quoted string or a literal.
  std::optional<std::string> string();
  /// Reads an atom or a string (RFC 3501 `astring`).
  std::optional<std::string> astring();
  /// Reads a LIST pattern: an atom that may contain `%`, `*` and `]`, or a string.
  std::optional<std::string> list_pattern();
  /// Reads a flag such as `\Seen` or a keyword (returned with its backslash).
  std::optional<std::string> flag();
  /// Reads a sequence-set such as `1:*` or `2,4:5`.
  std::optional<SequenceSet> sequence_set();
  /// Reads the bytes up to the next SP, `(` or `)` at bracket depth 0, used for FETCH items.
  std::string fetch_item();
  std::string_view rest() const { return text_.substr(pos_); }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

/// Returns `text` in upper case (ASCII only).
std::string to_upper(std::string_view text);

/// Returns `text` as an IMAP quoted string, or as a literal when it contains CR, LF or 8-bit
/// bytes (RFC 3501 §4.3).
std::string quote_string(std::string_view text);

}  // namespace mailsim::imap
