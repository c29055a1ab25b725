// Replay of a real Sendmail maillog: turns the from= and to= lines of a
// traditional-format syslog file into workload arrivals, so a bench run can
// offer an MTA the same mail a production server received.
//
// Input: RFC 3164 style lines, `Mmm dd hh:mm:ss host program[pid]: text`,
// as rsyslog writes them by default. Sendmail 8.17 logs one
// `QID: from=<sender>, size=N, class=C, nrcpts=N, ...` line per received
// message and one `QID: to=<rcpt>[,<rcpt>...], ..., stat=...` line per
// delivery attempt.
//
// Recipients are listed in the order of their first to= line.
//
// Not modelled: RFC 5424 or ISO timestamps, time zones (times are taken as
// UTC), Postfix or Exim logs.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "models/workload/generator.hpp"

namespace mailsim::workload {

struct MaillogOptions {
  std::string file = "maillog";  ///< name used in InputError positions
  int year = 1970;               ///< year of the first line; syslog stamps carry none
};

/// Arrivals read from a maillog, with what was left out.
struct MaillogReplay {
  /// One arrival per received message that has at least one to= line, sorted by time.
  /// `at` is seconds after the first timestamped line; `id` counts from 1 in that order;
  /// `seed` is a hash of the queue ID.
  std::vector<Arrival> arrivals;
  std::vector<std::string> queue_ids;  ///< queue_ids[i] is the Sendmail queue ID of arrivals[i]
  std::int64_t start_epoch = 0;        ///< UTC epoch seconds of the first line

  std::uint64_t lines = 0;    ///< lines read, blank ones included
  std::uint64_t skipped = 0;  ///< other programs' lines and other Sendmail lines
  std::uint64_t from_lines = 0;
  std::uint64_t to_lines = 0;
  std::uint64_t orphan_to_lines = 0;     ///< to= lines whose from= line is not in the log
  std::uint64_t dsn_messages = 0;        ///< bounces Sendmail created itself (not replayed)
  std::uint64_t without_recipients = 0;  ///< from= lines never followed by a to= line
};

/// Parses a maillog. Throws InputError (`file:line:column: ...`) for a line without a valid
/// syslog timestamp, for a line stamped earlier than the line before it, and for a from= or
/// to= line whose fields are malformed.
MaillogReplay parse_maillog(std::istream& input, const MaillogOptions& options);

/// Parses maillog text held in memory.
MaillogReplay parse_maillog(std::string_view text, const MaillogOptions& options);

}  // namespace mailsim::workload
