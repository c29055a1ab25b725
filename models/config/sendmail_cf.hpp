// Sendmail 8.17 sendmail.cf, the parts mailsim acts on: `O Option=Value`
// lines (typed below with Sendmail's defaults and units), class lines
// (`Cwlocalhost`, `C{Accept}OK RELAY`), file classes
// (`Fw/etc/mail/local-host-names %[^\#]`) and macros (`Dj...`, `D{name}...`).
// Lines are read as Sendmail's readcf() reads them. A line starting with `#`
// is a comment, and a `#` after text starts a comment unless written `\#` or
// `$#`. A line starting with white space continues the previous line.
//
// Rulesets, rules, mailers, headers, precedences, maps, trusted users,
// queue groups and the version line are accepted and ignored. Options outside
// the table produce a warning. Also parses the daemon command line
// (`sendmail -bd -q1h`).
//
// Not modelled: one-letter option forms (`OQ/var/spool/mqueue`), abbreviated
// option names, macro expansion inside values, and host names in Addr=.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "models/common/error.hpp"
#include "models/config/settings_table.hpp"
#include "models/config/text.hpp"

namespace mailsim::config {

enum class AddressFamily { INET, INET6 };

/// One `O DaemonPortOptions=` line: a listening socket of the daemon.
struct DaemonPortOptions {
  std::string name;         ///< Name=; Sendmail names unnamed daemons Daemon0, Daemon1, ...
  std::uint16_t port = 25;  ///< Port=; `smtp` is 25, `submission` 587, `smtps` 465
  std::string addr;         ///< Addr=; empty means every address (INADDR_ANY / in6addr_any)
  AddressFamily family = AddressFamily::INET;  ///< Family=inet or inet6
  std::string modifiers;                       ///< M= flags such as `Ea`, kept as written
  SourcePos pos;
};

/// DeliveryMode: i(nteractive), b(ackground), q(ueue only), d(eferred).
enum class DeliveryMode { INTERACTIVE, BACKGROUND, QUEUE_ONLY, DEFERRED };

/// QueueSortOrder; Sendmail reads only the first letter of the value.
enum class QueueSortOrder { PRIORITY, HOST, FILENAME, TIME, RANDOM, MODIFICATION, NONE };

/// PrivacyOptions flags. Several PrivacyOptions lines add up, as in Sendmail.
struct PrivacyOptions {
  bool needmailhelo = false;
  bool needexpnhelo = false;
  bool needvrfyhelo = false;
  bool noexpn = false;
  bool novrfy = false;
  bool noverb = false;
  bool noetrn = false;
  bool authwarnings = false;
  bool restrictmailq = false;
  bool restrictqrun = false;
  bool restrictexpand = false;
  bool noreceipts = false;
  bool nobodyreturn = false;
  bool noactualrecipient = false;
};

/// Message priority classes for the queuewarn and queuereturn timeouts.
enum class PriorityClass { NORMAL = 0, URGENT = 1, NON_URGENT = 2, DSN = 3 };

/// Timeout.* values in seconds, defaulting to Sendmail 8.17's built-in values.
struct SendmailTimeouts {
  std::int64_t initial = 5 * 60;
  std::int64_t connect = 0;  ///< 0: the operating system's connect timeout
  std::int64_t aconnect = 0;
  std::int64_t iconnect = 0;
  std::int64_t helo = 5 * 60;
  std::int64_t mail = 10 * 60;
  std::int64_t rcpt = 60 * 60;
  std::int64_t datainit = 5 * 60;
  std::int64_t datablock = 60 * 60;
  std::int64_t datafinal = 60 * 60;
  std::int64_t rset = 5 * 60;
  std::int64_t quit = 2 * 60;
  std::int64_t misc = 2 * 60;
  std::int64_t command = 60 * 60;
  std::int64_t ident = 5;
  std::int64_t fileopen = 60;
  std::int64_t control = 2 * 60;
  std::int64_t lhlo = 2 * 60;
  std::int64_t auth = 10 * 60;
  std::int64_t starttls = 60 * 60;
  std::int64_t hoststatus = 30 * 60;
  /// Indexed by PriorityClass. Sendmail's built-in default is 5d for all.
  std::array<std::int64_t, 4> queuereturn{5 * 86400, 5 * 86400, 5 * 86400, 5 * 86400};
  /// Indexed by PriorityClass. NOTE: Sendmail's built-in default is 0 (no
  /// warning); 4h is the value every cf.m4-generated sendmail.cf sets.
  std::array<std::int64_t, 4> queuewarn{4 * 3600, 4 * 3600, 4 * 3600, 4 * 3600};

  std::int64_t queuereturn_for(PriorityClass c) const { return queuereturn[static_cast<int>(c)]; }
  std::int64_t queuewarn_for(PriorityClass c) const { return queuewarn[static_cast<int>(c)]; }
};

/// A class filled from a file (`F` line); the caller reads the file.
struct FileClass {
  std::string class_name;  ///< `w`, or a long name without braces
  std::string path;
  bool optional = false;  ///< `-o`: a missing file is not an error
  std::string format;     ///< scanf format, empty for the default `%s`
  SourcePos pos;
};

struct SendmailConfig {
  std::vector<DaemonPortOptions> daemons;  ///< as listed; see effective_daemons()
  std::uint64_t max_message_size = 0;      ///< bytes; 0 means no limit
  std::string queue_directory = "/var/spool/mqueue";
  SendmailTimeouts timeouts;
  std::int64_t min_queue_age = 0;  ///< seconds between attempts on one message
  QueueSortOrder queue_sort_order = QueueSortOrder::PRIORITY;
  /// NOTE: Sendmail multiplies the QueueLA and RefuseLA defaults by the number
  /// of online processors; these defaults assume one.
  int queue_la = 8;
  int refuse_la = 12;
  int max_daemon_children = 0;  ///< 0 means no limit
  DeliveryMode delivery_mode = DeliveryMode::BACKGROUND;
  PrivacyOptions privacy;
  std::string smtp_greeting_message = "$j Sendmail $v/$Z; $b";  ///< unexpanded macros
  int log_level = 9;

  /// Word classes by name (`w`, `Accept`, ...), lower-cased words.
  std::map<std::string, std::set<std::string>> classes;
  std::vector<FileClass> file_classes;
  /// Macros by name (`j`, `Z`, `{name}` without braces), values unexpanded.
  std::map<std::string, std::string> macros;
  std::vector<Warning> warnings;

  /// The daemons Sendmail listens with: `daemons`, or when none is configured
  /// the default Daemon0 on port 25 of every IPv4 address.
  std::vector<DaemonPortOptions> effective_daemons() const;

  /// Class w: the names this host accepts mail for.
  const std::set<std::string>& class_w() const;

  /// Adds names (for example from local-host-names) to a class, lower-cased.
  void add_to_class(const std::string& class_name, const std::vector<std::string>& words);

  /// True when `word` is in the class, compared without regard to case.
  bool in_class(const std::string& class_name, std::string_view word) const;
};

/// Parses sendmail.cf text. Throws InputError for an unknown line type, a
/// malformed class, file class or macro line, and an invalid value of a
/// modelled option.
SendmailConfig parse_sendmail_cf(std::string_view text, const std::string& file);

/// Parses one DaemonPortOptions value such as `Port=smtp, Addr=127.0.0.1, Name=MTA`.
/// `index` numbers an unnamed daemon (Daemon0, Daemon1, ...).
DaemonPortOptions parse_daemon_port_options(std::string_view value, const SourcePos& pos, int index,
                                            std::vector<Warning>& warnings);

/// Sendmail's convtime(): numbers each followed by a unit s, m, h, d or w
/// (`1h30m`); a number without a unit uses `default_unit`. Returns seconds,
/// or nullopt for any other text.
std::optional<std::int64_t> parse_sendmail_time(std::string_view text, char default_unit);

/// The modelled options with their defaults, units and meaning.
const std::vector<SettingInfo>& sendmail_settings();

/// Daemon mode and queue interval from a command line such as `/usr/sbin/sendmail -bd -q1h`.
struct SendmailCommandLine {
  bool daemon = false;  ///< -bd (or -bD): listen for SMTP connections
  /// -q<time>: seconds between queue runs; unset without -q<time>.
  std::optional<std::int64_t> queue_interval;
  bool queue_run_once = false;  ///< a bare -q: process the queue once
  std::vector<Warning> warnings;
};

/// Parses a command line split at white space. `source` names where it came
/// from (for example /etc/sysconfig/sendmail) for errors and warnings; the
/// column is the argument's position in the line. Throws InputError for an
/// invalid -q interval or a flag that needs an argument and has none.
SendmailCommandLine parse_sendmail_command_line(std::string_view command_line,
                                                const std::string& source);

}  // namespace mailsim::config
