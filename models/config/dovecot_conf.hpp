// Dovecot 2.3 settings in dovecot.conf / conf.d syntax: `key = value`,
// sections `type [name] { ... }`, `!include` and `!include_try`, `#`
// comments, quoted values and `$key` references to a setting's earlier
// value (`protocols = $protocols imap`). The typed part covers what the lab
// sets: protocols, listen, mail_location (mbox with INBOX=), ssl,
// disable_plaintext_auth, mail_access_groups, mail_privileged_group,
// lock_method and auth_mechanisms, with Dovecot 2.3.19's defaults.
//
// Not modelled: other settings, which are kept as text with a warning. The
// contents of sections such as service, namespace, passdb and protocol
// overrides are parsed and kept, with one warning per top-level section.
// Also left out: `key = <file` values, mailbox drivers other than mbox, and
// %-variable modifiers such as %Lu.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/common/error.hpp"
#include "models/config/settings_table.hpp"
#include "models/config/text.hpp"

namespace mailsim::config {

/// A parsed mail_location such as `mbox:~/mail:INBOX=/var/mail/%u`.
struct MailLocation {
  std::string driver;  ///< `mbox`
  std::string root;    ///< mailbox directory template, `~/mail`
  std::string inbox;   ///< INBOX= template, `/var/mail/%u`; empty when not given
  std::map<std::string, std::string> parameters;  ///< every KEY=VALUE, INBOX included

  /// Parses the value. Throws InputError at `pos` for a driver other than
  /// mbox, an empty root or an unknown %-variable.
  static MailLocation parse(std::string_view value, const SourcePos& pos);

  /// The INBOX path for a user, for example /var/mail/lee.
  std::string inbox_path(std::string_view user, std::string_view home) const;
  /// The mailbox root for a user, for example /home/lee/mail.
  std::string root_path(std::string_view user, std::string_view home) const;
};

/// Expands Dovecot's mail variables: %u (user), %n (user without @domain),
/// %d (domain), %h (home), %% and their long forms %{user}, %{username},
/// %{domain}, %{home}; a leading `~/` becomes the home directory. Returns
/// nullopt for any other variable.
std::optional<std::string> expand_mail_variables(std::string_view pattern, std::string_view user,
                                                 std::string_view home);

enum class SslMode { NO, YES, REQUIRED };
enum class LockMethod { FCNTL, FLOCK, DOTLOCK };

/// A `type name { ... }` block; settings keep their raw text.
struct DovecotSection {
  std::string type;
  std::string name;  ///< empty for `passdb { ... }`
  std::vector<std::pair<std::string, std::string>> settings;
  std::vector<DovecotSection> sections;
  SourcePos pos;
};

struct DovecotConfig {
  std::vector<std::string> protocols{"imap", "pop3", "lmtp"};
  std::vector<std::string> listen{"*", "::"};
  std::optional<MailLocation> mail_location;  ///< unset: Dovecot autodetects
  bool disable_plaintext_auth = true;
  SslMode ssl = SslMode::YES;
  std::string mail_access_groups;
  std::string mail_privileged_group;
  LockMethod lock_method = LockMethod::FCNTL;
  std::vector<std::string> auth_mechanisms{"plain"};

  /// Every top-level setting as last assigned, after quote removal and $key expansion.
  std::map<std::string, std::string> settings;
  std::vector<DovecotSection> sections;
  std::vector<Warning> warnings;

  bool has_protocol(std::string_view protocol) const;
};

/// Returns the files an `!include` pattern names, as (path, text) pairs in
/// the order Dovecot reads them (sorted by name for a glob). Relative
/// patterns are already joined to the including file's directory.
using IncludeResolver =
    std::function<std::vector<std::pair<std::string, std::string>>(const std::string& pattern)>;

/// Parses dovecot.conf text. `!include` needs a resolver and a match
/// (InputError otherwise); `!include_try` without a resolver only warns.
/// Throws InputError for a line that is neither a setting, a section start or
/// end nor an include, an unbalanced `}`, and an invalid typed value.
DovecotConfig parse_dovecot_conf(std::string_view text, const std::string& file,
                                 const IncludeResolver& resolve_include = nullptr);

/// The modelled settings with their defaults, units and meaning.
const std::vector<SettingInfo>& dovecot_settings();

}  // namespace mailsim::config
