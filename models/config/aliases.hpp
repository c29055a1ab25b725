// /etc/aliases as Sendmail 8.17's newaliases reads it (aliases(5)). Each
// alias is `name: target, target, ...`. A line that starts with a space or tab
// continues the previous one, as does the line after a trailing backslash.
// Lines starting with `#` are comments. Targets are
// addresses (`lee`, `kim@daum.net`, `\lee` to bypass aliasing), files
// (`/var/log/mail.copy`), programs (`|/usr/bin/procmail`) and include files
// (`:include:/etc/mail/staff.list`). Local parts follow RFC 5322 section 3.4.1.
//
// Not modelled: ~/.forward files, the `owner-` list convention, the aliases
// database (.db) and map-backed alias files (AliasFile=ldap:...).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "models/common/error.hpp"

namespace mailsim::config {

enum class AliasTargetKind {
  ADDRESS,  ///< a local user or a remote address
  FILE,     ///< an absolute path the message is appended to
  PROGRAM,  ///< a command the message is piped to (without the leading `|`)
  INCLUDE,  ///< a file with more targets (the path after `:include:`)
};

struct AliasTarget {
  AliasTargetKind kind = AliasTargetKind::ADDRESS;
  std::string value;
  /// `\user`: deliver to the mailbox without looking the name up again.
  bool no_alias = false;
  SourcePos pos;

  bool operator==(const AliasTarget& other) const {
    return kind == other.kind && value == other.value && no_alias == other.no_alias;
  }
};

struct AliasEntry {
  std::string name;  ///< lower case, as Sendmail stores alias names
  std::vector<AliasTarget> targets;
  SourcePos pos;
};

/// Result of expanding one recipient through the alias table.
struct AliasExpansion {
  /// Final targets in first-seen order without duplicates: local users (no
  /// `@`), remote addresses, files, programs, and INCLUDE targets that could
  /// not be read because no loader was given.
  std::vector<AliasTarget> targets;
  /// Set when expansion stopped: an alias loop, a chain deeper than the
  /// limit, or an include file the loader could not find.
  std::optional<std::string> error;
  /// For a loop: the alias names from the recipient to the repeated name.
  std::vector<std::string> loop;
};

/// Returns the text of an include file, or nullopt when it does not exist.
using IncludeLoader = std::function<std::optional<std::string>(const std::string& path)>;

class Aliases {
 public:
  /// Sendmail's default MaxAliasRecursion.
  static constexpr int kMaxAliasRecursion = 10;

  /// Parses aliases(5) text. Throws InputError for a line without a colon,
  /// an alias without targets, a duplicate name, a continuation line before
  /// the first alias or an invalid target.
  static Aliases parse(std::string_view text, const std::string& file);

  /// Parses an include file: targets separated by commas or line ends.
  static std::vector<AliasTarget> parse_target_list(std::string_view text, const std::string& file);

  /// The entry for `name` (any case), or nullptr.
  const AliasEntry* find(std::string_view name) const;

  /// Expands `recipient` recursively. An address whose domain is in
  /// `local_domains` is treated as the bare local part. An alias that lists
  /// itself delivers to its own mailbox (the usual `lee: lee, backup` form).
  /// A name that reappears further down its own chain is a loop, and a chain
  /// more than `max_depth` aliases deep is an error, as Sendmail's
  /// "aliasing/forwarding loop broken" check.
  AliasExpansion expand(std::string_view recipient, const std::set<std::string>& local_domains = {},
                        const IncludeLoader& load_include = nullptr,
                        int max_depth = kMaxAliasRecursion) const;

  const std::map<std::string, AliasEntry>& entries() const { return entries_; }

 private:
  std::map<std::string, AliasEntry> entries_;
};

}  // namespace mailsim::config
