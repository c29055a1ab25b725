#include "viz/outputs.hpp"

#include "models/common/error.hpp"
#include "viz/graphviz.hpp"
#include "viz/plots.hpp"
#include "viz/sequence.hpp"
#include "viz/topology.hpp"

namespace mailsim::viz {
namespace {

void check_extension(const std::string& path, const std::string& option) {
  if (path.empty()) return;
  std::string ext = file_extension(path);
  for (const char* known : {"svg", "png", "pdf", "dot", "gv", "mmd", "puml"})
    if (ext == known) return;
  throw InputError(SourcePos{option, 0, 0},
                   "cannot tell the format of '" + path + "' (use .svg, .png, .pdf, .dot, .mmd or .puml)");
}

}  // namespace

void check_output_options(const OutputOptions& options) {
  check_extension(options.diagram, "--diagram");
  check_extension(options.topology, "--topology");
  parse_detail(options.detail);
}

void write_outputs(const RunData& run, const OutputOptions& options) {
  check_output_options(options);
  if (!options.diagram.empty()) {
    SequenceOptions sequence;
    sequence.message = options.message;
    sequence.detail = parse_detail(options.detail);
    write_sequence(build_sequence(run, sequence), options.diagram);
  }
  if (!options.topology.empty()) write_topology(run.topology, run.scenario, options.topology);
  if (!options.plots_dir.empty()) write_plots(run, options.plots_dir);
}

}  // namespace mailsim::viz
