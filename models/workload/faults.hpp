// Fault timelines for benchmark runs: when links go down, hosts crash, the
// name servers stop replying or a destination domain replies with
// temporary failures. One fault per line:
//
//   at TIME link NAME down            at TIME link NAME up
//   at TIME host NAME crash           at TIME host NAME restart
//   at TIME dns outage for DURATION
//   at TIME domain NAME tempfail for DURATION
//
// TIME and DURATION are durations such as `90s`, `10m`, `1h5m` or `1.5h`
// (a bare number is seconds). `#` starts a comment; blank lines are ignored.
// Keywords are lower case. A link or host must be down before it comes up,
// and up before it goes down, in time order. Two DNS outages, or two
// tempfail periods of the same domain, must not overlap.
//
// Not modelled: partial failures (packet loss, reduced bandwidth), faults
// of one name server out of several, permanent (5xx) domain failures.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/common/error.hpp"

namespace mailsim::workload {

enum class FaultKind { LINK, HOST, DNS, DOMAIN };

enum class FaultAction {
  DOWN,      ///< link stops carrying traffic
  UP,        ///< link carries traffic again
  CRASH,     ///< host stops: its daemons end and open connections break
  RESTART,   ///< host boots again and starts its daemons
  OUTAGE,    ///< every name server stops answering for `duration`
  TEMPFAIL,  ///< the domain's MX replies 4xx to every transaction for `duration`
};

struct Fault {
  double at = 0;  ///< simulated seconds from the start
  FaultKind kind = FaultKind::LINK;
  std::string target;  ///< link, host or domain name; empty for DNS
  FaultAction action = FaultAction::DOWN;
  double duration = 0;  ///< seconds for OUTAGE and TEMPFAIL, 0 for the others
  SourcePos pos;        ///< the entry's first token (`at`)
  SourcePos time_pos;   ///< the TIME token
  SourcePos target_pos;    ///< the NAME token; the `dns` keyword for DNS
  SourcePos action_pos;    ///< the action keyword (`down`, `crash`, `outage`, `tempfail`, ...)
  SourcePos duration_pos;  ///< the DURATION token; unknown (line 0) without one
};

const char* to_string(FaultKind value);
const char* to_string(FaultAction value);

/// Parses a fault timeline and returns it sorted by time (lines with the same time keep their
/// order). Throws InputError with `file`, the line and the column of the bad token, saying what
/// was expected there. A timeline embedded in another file (a YAML block scalar) passes where
/// its text starts: line k of `text` is reported as line first_line + k - 1, and column c as
/// first_column + c - 1 on every line.
/// `check_target`, when given, is called for each fault before the order of the faults is checked,
/// so that a caller's error for an unknown target comes before "needs an earlier 'crash'".
std::vector<Fault> parse_faults(std::string_view text, const std::string& file, int first_line = 1,
                                int first_column = 1,
                                const std::function<void(const Fault&)>& check_target = {});

/// Parses a duration that may chain units largest first, as in `1h5m` or `2d12h`; each piece
/// is read by units::parse_duration. Returns nullopt for anything else.
std::optional<double> parse_compound_duration(std::string_view text);

}  // namespace mailsim::workload
