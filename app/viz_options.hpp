// The picture and classroom options shared by `run` and `render`: --diagram, --message,
// --detail, --topology, --plots, --explain, --lang and --step.
#pragma once

#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "viz/outputs.hpp"
#include "viz/run_data.hpp"

namespace mailsim::app {

struct VizArgs {
  viz::OutputOptions outputs;
  bool explain = false;
  std::string lang = "en";
  bool step = false;

  /// Whether the run's data is needed at all.
  bool any() const;
};

/// Registers the options on `command`.
void add_viz_options(CLI::App* command, VizArgs& args);

/// Checks what can be checked before a run. Throws InputError naming the option.
void check_viz_args(const VizArgs& args);

/// Prints the narration (with each step's bytes when `transcript`), pausing after each step
/// when --step is given and standard input is a terminal.
void explain_run(std::ostream& out, const viz::RunData& run, const VizArgs& args, bool transcript,
                 int transcript_lines);

}  // namespace mailsim::app
