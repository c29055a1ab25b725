// The pictures `mailsim run` and `mailsim render` write on request: the sequence diagram, the
// topology and the plots, all drawn from the same RunData.
#pragma once

#include <string>

#include "viz/run_data.hpp"

namespace mailsim::viz {

struct OutputOptions {
  std::string diagram;           ///< sequence diagram file, empty for none
  std::string message;           ///< only this message in the diagram
  std::string detail = "steps";  ///< steps, commands or bytes
  std::string topology;          ///< topology file, empty for none
  std::string plots_dir;         ///< directory for the plots, empty for none
};

/// Checks the options that can be checked before a run (extensions, detail), so that a typo
/// does not cost a whole simulation. Throws InputError naming the option.
void check_output_options(const OutputOptions& options);

/// Writes every requested output. Throws InputError for a bad option value (an unknown
/// message id) and std::runtime_error when a file cannot be written.
void write_outputs(const RunData& run, const OutputOptions& options);

}  // namespace mailsim::viz
