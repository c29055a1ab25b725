// Lays out and renders DOT text in-process through Graphviz's libgvc (the cairo renderer for
// PNG and PDF, the core renderer for SVG), and writes text outputs.
#pragma once

#include <string>

namespace mailsim::viz {

/// The lower-case extension of `path` without its dot, or "" when it has none.
std::string file_extension(const std::string& path);

/// Writes `text` to `path`. Throws std::runtime_error naming the path when it cannot.
void write_text_file(const std::string& path, const std::string& text);

/// Lays out `dot` (its graph attribute `layout` picks the engine) and returns it rendered in
/// `format`: svg, png or pdf. Throws std::runtime_error when Graphviz rejects the graph.
std::string render_dot(const std::string& dot, const std::string& format);

/// Writes `dot` to `path` in the format its extension names: .dot as is, .svg, .png or .pdf
/// rendered. `option` names the command-line option in an InputError for another extension.
void write_graph(const std::string& dot, const std::string& path, const std::string& option);

}  // namespace mailsim::viz
