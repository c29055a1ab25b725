// Line and word helpers shared by the configuration parsers, and the warning
// record they collect. Nothing here depends on a particular file format.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "models/common/error.hpp"

namespace mailsim::config {

/// A setting that parsed but that mailsim does not act on, reported as
/// `file:line:column: message` (for example `option AliasWait is not modelled`).
struct Warning {
  SourcePos pos;
  std::string message;

  std::string to_string() const;
};

namespace text {

/// One physical line of a file; `number` counts from 1 and `text` has no line end.
struct Line {
  int number = 0;
  std::string_view text;
};

/// Splits text at LF, dropping one CR before each LF. A final line without a
/// line end is kept; an empty final piece after the last LF is not.
std::vector<Line> split_lines(std::string_view text);

bool is_space(char c);
std::string_view trim(std::string_view s);
std::string_view trim_right(std::string_view s);
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

/// A word of a line and its 1-based column.
struct Word {
  std::string_view text;
  int column = 0;
};

/// Splits a line at runs of spaces and tabs.
std::vector<Word> split_words(std::string_view line);

/// Column (1-based) of `part` inside `line`; `part` must point into `line`.
int column_of(std::string_view line, std::string_view part);

/// True for an RFC 1123 host name (letters, digits, `-`, labels split by `.`),
/// without checking label lengths against RFC 1035 section 2.3.4.
bool is_host_name(std::string_view name);

/// True for a dotted-quad IPv4 address with each part 0-255.
bool is_ipv4(std::string_view text);

/// True for an IPv6 address in RFC 4291 section 2.2 text form (hex groups,
/// at most one `::`, optional trailing dotted quad).
bool is_ipv6(std::string_view text);

}  // namespace text
}  // namespace mailsim::config
