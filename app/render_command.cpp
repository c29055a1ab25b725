// mailsim render RUN.json: draws the sequence diagram, topology and plots, or narrates the
// steps, from the JSON a run wrote with --json, without simulating again.
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/viz_options.hpp"
#include "models/common/error.hpp"
#include "viz/run_data.hpp"

namespace mailsim::app {
namespace {

struct RenderArgs {
  std::string run_json;
  bool transcript = false;
  int transcript_lines = 40;
  VizArgs viz;
};

// Line and column (from 1) of a byte offset, for a JSON syntax error.
SourcePos position_of(const std::string& file, const std::string& text, std::size_t offset) {
  SourcePos pos{file, 1, 1};
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      pos.column = 1;
    } else {
      ++pos.column;
    }
  }
  return pos;
}

int render_command(const RenderArgs& args) {
  check_viz_args(args.viz);
  std::ifstream in(args.run_json, std::ios::binary);
  if (!in) throw InputError(SourcePos{args.run_json, 0, 0}, "cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is one past the offending character.
    throw InputError(position_of(args.run_json, text.str(), e.byte > 0 ? e.byte - 1 : 0),
                     "invalid JSON (write it with `mailsim run SCENARIO --json FILE`)");
  }
  viz::RunData data;
  try {
    data = viz::run_data_from_json(json);
  } catch (const std::runtime_error& e) {
    throw InputError(SourcePos{args.run_json, 0, 0}, e.what());
  }
  if (!args.viz.any() && !args.transcript)
    throw InputError(SourcePos{"render", 0, 0},
                     "nothing to do: give --diagram, --topology, --plots or --explain");
  if (args.viz.explain) explain_run(std::cout, data, args.viz, args.transcript, args.transcript_lines);
  try {
    viz::write_outputs(data, args.viz.outputs);
  } catch (const InputError&) {
    throw;
  } catch (const std::runtime_error& e) {
    std::cerr << "mailsim: " << e.what() << "\n";
    return kExitFailure;
  }
  return 0;
}

}  // namespace

Command add_render_command(CLI::App& app) {
  auto args = std::make_shared<RenderArgs>();
  auto* cmd = app.add_subcommand("render", "Draw diagrams, topology and plots from a run's --json output without simulating");
  cmd->add_option("run", args->run_json, "JSON file written by `mailsim run SCENARIO --json FILE`")->required();
  cmd->add_flag("--transcript", args->transcript, "With --explain: print each step's bytes beneath it");
  cmd->add_option("--transcript-lines", args->transcript_lines,
                  "With --transcript: lines shown per write before the rest is summarised (0: all)")
      ->check(CLI::NonNegativeNumber);
  add_viz_options(cmd, args->viz);
  return Command{cmd, [args] { return render_command(*args); }};
}

}  // namespace mailsim::app
