// Plots of a run, drawn with PLplot (C API, cairo drivers) as SVG and PNG: queue depth over
// time for each MTA, the distribution (CDF) of end-to-end latencies, and the per-step latency
// breakdown of each message.
#pragma once

#include <string>
#include <vector>

#include "viz/run_data.hpp"

namespace mailsim::viz {

/// Base names of the plots, each written as NAME.svg and NAME.png.
extern const std::vector<std::string> kPlotNames;

/// Writes every plot into `dir` (created if missing). Throws std::runtime_error when the
/// directory cannot be created or a file cannot be written.
void write_plots(const RunData& run, const std::string& dir);

/// End-to-end latency of each message, sorted: submission to retrieval by the recipient's
/// client, or to delivery into the mailbox when no client fetched it. Messages that reached
/// neither are left out.
std::vector<double> end_to_end_latencies(const RunData& run);

/// Time a message spent in step `step`: the sum over its attempts, except for the queue (2)
/// whose records all start at queueing, so the longest one is the stay.
double step_duration(const Message& message, int step);

}  // namespace mailsim::viz
