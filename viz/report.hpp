// Text and JSON reports of a finished run, read from its trace.
#pragma once

#include <ostream>
#include <string>

#include "sim/scenario.hpp"
#include "sim/world.hpp"

namespace mailsim::viz {

/// Prints each message's steps (1)-(9), queue depths and the mail balance.
void write_report(std::ostream& out, const sim::Scenario& scenario, const sim::RunResult& run);

/// Prints every write on every connection as `C:`/`S:` lines with the
/// simulated time and the hosts. A write longer than `max_lines` lines is
/// cut there with a note of what was left out (0: print everything).
void write_transcript(std::ostream& out, const sim::RunResult& run, int max_lines);

/// The run as JSON (messages, queues, balance); see docs/json.md.
std::string to_json(const sim::Scenario& scenario, const sim::RunResult& run);

/// Writes every mailbox under `dir` as `dir/HOST/PATH`. Throws
/// std::runtime_error naming the path when a file cannot be written.
void write_mailboxes(const std::string& dir, const sim::RunResult& run);

/// Counts of the mail balance.
struct Balance {
  int submitted = 0, delivered = 0, queued = 0, bounced = 0, rejected = 0;
};
Balance balance_of(const sim::Trace& trace);

/// Time-weighted mean of a step function sampled at change points, over [0, end].
double time_weighted_mean(const std::vector<sim::QueueSample>& samples, double end);

}  // namespace mailsim::viz
