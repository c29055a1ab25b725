// The classroom report: one self-contained HTML page (no network access needed) with the
// topology, the sequence diagram, per-step timings, every session's transcript folded in a
// <details> element, and the plots.
#pragma once

#include <string>

#include "viz/run_data.hpp"

namespace mailsim::viz {

/// Builds the page. `work_dir` is a writable directory for the plot files it embeds.
/// Throws std::runtime_error when Graphviz or PLplot fails.
std::string html_report(const RunData& run, const std::string& work_dir);

/// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string html_escape(const std::string& text);

/// Standard base64 (RFC 4648 §4) with padding.
std::string base64(const std::string& bytes);

}  // namespace mailsim::viz
