#include "app/viz_options.hpp"

#include <iostream>

#include <unistd.h>

#include "viz/explain.hpp"
#include "viz/sequence.hpp"

namespace mailsim::app {

bool VizArgs::any() const {
  return explain || !outputs.diagram.empty() || !outputs.topology.empty() || !outputs.plots_dir.empty();
}

void add_viz_options(CLI::App* command, VizArgs& args) {
  command->add_option("--diagram", args.outputs.diagram,
                      "Write the sequence diagram to this file; the extension picks the format: "
                      ".svg, .png, .pdf, .dot, .mmd (Mermaid) or .puml (PlantUML)");
  command->add_option("--message", args.outputs.message, "With --diagram: draw only the message with this id");
  command->add_option("--detail", args.outputs.detail,
                      "With --diagram: one arrow per step (steps), per command and reply (commands), "
                      "or per command and reply with its size in bytes (bytes)")
      ->check(CLI::IsMember({"steps", "commands", "bytes"}));
  command->add_option("--topology", args.outputs.topology,
                      "Write the hosts, links, zones and MX records to this file (same formats as --diagram)");
  command->add_option("--plots", args.outputs.plots_dir,
                      "Write queue depth, end-to-end latency CDF and per-step latency plots (SVG and PNG) into DIR");
  command->add_flag("--explain", args.explain, "Narrate each step in plain words, in simulated-time order");
  command->add_option("--lang", args.lang, "With --explain: language of the narration (en, ko)")
      ->check(CLI::IsMember({"en", "ko"}));
  command->add_flag("--step", args.step,
                    "With --explain: wait for Enter after each step (only when standard input is a terminal)");
}

void check_viz_args(const VizArgs& args) {
  viz::check_output_options(args.outputs);
  viz::parse_language(args.lang);
}

void explain_run(std::ostream& out, const viz::RunData& run, const VizArgs& args, bool transcript,
                 int transcript_lines) {
  viz::ExplainOptions options;
  options.language = viz::parse_language(args.lang);
  options.transcript = transcript;
  options.transcript_lines = transcript_lines;
  if (args.step && isatty(STDIN_FILENO)) options.pause = &std::cin;
  viz::write_explanation(out, run, options);
}

}  // namespace mailsim::app
