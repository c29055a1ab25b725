#include "viz/graphviz.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <memory>
#include <stdexcept>

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include "models/common/error.hpp"

namespace mailsim::viz {
namespace {

std::string graphviz_errors;

int collect_error(char* message) {
  graphviz_errors += message;
  return 0;
}

// One Graphviz context for the process: creating one loads every plugin again.
GVC_t* context() {
  static GVC_t* gvc = [] {
    agseterrf(collect_error);
    return gvContext();
  }();
  return gvc;
}

}  // namespace

std::string file_extension(const std::string& path) {
  std::size_t slash = path.find_last_of('/');
  std::size_t dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string ext = path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

void write_text_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string render_dot(const std::string& dot, const std::string& format) {
  GVC_t* gvc = context();
  graphviz_errors.clear();
  std::unique_ptr<Agraph_t, int (*)(Agraph_t*)> graph(agmemread(dot.c_str()), agclose);
  if (!graph) throw std::runtime_error("Graphviz could not read the generated graph: " + graphviz_errors);
  const char* layout = agget(graph.get(), const_cast<char*>("layout"));
  std::string engine = layout && *layout ? layout : "dot";
  if (gvLayout(gvc, graph.get(), engine.c_str()) != 0)
    throw std::runtime_error("Graphviz layout '" + engine + "' failed: " + graphviz_errors);
  // PNG and PDF through cairo for antialiased text; SVG from the core renderer.
  std::string device = format == "svg" ? "svg" : format + ":cairo";
  char* data = nullptr;
  unsigned int length = 0;
  int status = gvRenderData(gvc, graph.get(), device.c_str(), &data, &length);
  std::string out = status == 0 && data ? std::string(data, length) : std::string();
  if (data) gvFreeRenderData(data);
  gvFreeLayout(gvc, graph.get());
  if (status != 0) throw std::runtime_error("Graphviz could not render " + format + ": " + graphviz_errors);
  return out;
}

void write_graph(const std::string& dot, const std::string& path, const std::string& option) {
  std::string ext = file_extension(path);
  if (ext == "dot" || ext == "gv") return write_text_file(path, dot);
  if (ext != "svg" && ext != "png" && ext != "pdf")
    throw InputError(SourcePos{option, 0, 0},
                     "cannot tell the format of '" + path + "' (use .svg, .png, .pdf, .dot, .mmd or .puml)");
  write_text_file(path, render_dot(dot, ext));
}

}  // namespace mailsim::viz
