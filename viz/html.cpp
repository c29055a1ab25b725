#include "viz/html.hpp"

#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "viz/graphviz.hpp"
#include "viz/plots.hpp"
#include "viz/sequence.hpp"
#include "viz/topology.hpp"

namespace mailsim::viz {

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string base64(const std::string& bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16 | static_cast<unsigned char>(bytes[i + 1]) << 8 |
                 static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[v >> 18 & 63];
    out += alphabet[v >> 12 & 63];
    out += alphabet[v >> 6 & 63];
    out += alphabet[v & 63];
  }
  if (i + 1 == bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += alphabet[v >> 18 & 63];
    out += alphabet[v >> 12 & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16 | static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += alphabet[v >> 18 & 63];
    out += alphabet[v >> 12 & 63];
    out += alphabet[v >> 6 & 63];
    out += '=';
  }
  return out;
}

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Graphviz SVG without its XML prolog, with every id prefixed so that two diagrams on one
// page do not share ids.
std::string inline_svg(const std::string& svg, const std::string& prefix) {
  std::size_t start = svg.find("<svg");
  std::string body = start == std::string::npos ? svg : svg.substr(start);
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    std::size_t id = body.find(" id=\"", pos);
    std::size_t href = body.find("href=\"#", pos);
    std::size_t next = std::min(id, href);
    if (next == std::string::npos) break;
    if (next == id) {
      out += body.substr(pos, id - pos) + " id=\"" + prefix;
      pos = id + 5;
    } else {
      out += body.substr(pos, href - pos) + "href=\"#" + prefix;
      pos = href + 7;
    }
  }
  return out + body.substr(pos);
}

std::string seconds(double t) { return fmt::format("{:.6f}", t); }

std::string duration(double d) { return d < 1 ? fmt::format("{:.3f} ms", d * 1000) : format_wait(d); }

std::string steps_table(const RunData& run) {
  std::string out;
  for (const auto& m : run.messages) {
    std::string to;
    for (const auto& r : m.to) to += (to.empty() ? "" : ", ") + r;
    out += fmt::format("<h3 class=\"message\" id=\"message-{}\">{}: &lt;{}&gt; to &lt;{}&gt;, {} bytes, "
                       "<span class=\"status-{}\">{}</span></h3>\n",
                       html_escape(m.id), html_escape(m.id), html_escape(m.from), html_escape(to), m.size,
                       html_escape(m.status), html_escape(m.status));
    out += "<table class=\"steps\"><thead><tr><th>step</th><th>from</th><th>to</th><th>protocol</th>"
           "<th>start (s)</th><th>duration</th><th>outcome</th><th>what</th></tr></thead><tbody>\n";
    for (const auto& s : m.steps) {
      out += fmt::format("<tr class=\"step outcome-{}\"><td>({})</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                         "<td>{}</td><td>{}</td><td>{}</td></tr>\n",
                         html_escape(s.outcome), s.step, html_escape(s.from), html_escape(s.to),
                         html_escape(s.protocol), seconds(s.start), duration(s.end - s.start), html_escape(s.outcome),
                         html_escape(s.detail));
    }
    out += "</tbody></table>\n";
  }
  return out;
}

// One fold per SMTP or POP3 connection, and one per host for its DNS datagrams.
std::string transcripts(const RunData& run) {
  struct Session {
    std::string title;
    double start = 0;
    std::string text;
    int writes = 0;
  };
  std::map<std::string, Session> sessions;
  std::vector<std::string> order;
  for (const auto& w : run.transcript) {
    std::string key = w.protocol == "dns" ? "dns " + w.client_host : fmt::format("{}#{}", w.protocol, w.connection);
    auto [it, inserted] = sessions.try_emplace(key);
    Session& s = it->second;
    if (inserted) {
      order.push_back(key);
      s.start = w.start;
      s.title = w.protocol == "dns" ? fmt::format("DNS questions from {}", w.client_host)
                                    : fmt::format("{} connection {}: {} to {}", w.protocol == "smtp" ? "SMTP" : "POP3",
                                                  w.connection, w.client_host, w.server_host);
    }
    ++s.writes;
    std::size_t pos = 0;
    int lines = 0;
    while (pos < w.bytes.size()) {
      if (lines == 40) {
        s.text += fmt::format("[{:>12}] {}: [... {} more bytes not shown]\n", seconds(w.start), w.direction,
                              w.size > pos ? w.size - pos : 0);
        break;
      }
      std::size_t nl = w.bytes.find('\n', pos);
      std::size_t end = nl == std::string::npos ? w.bytes.size() : nl + 1;
      std::string line = w.bytes.substr(pos, end - pos);
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      s.text += fmt::format("[{:>12}] {}: {}\n", seconds(w.start), w.direction, line);
      ++lines;
      pos = end;
    }
  }
  std::string out;
  for (const auto& key : order) {
    const Session& s = sessions[key];
    out += fmt::format("<details class=\"session\"><summary>{} (from {} s, {} writes)</summary><pre>{}</pre></details>\n",
                       html_escape(s.title), seconds(s.start), s.writes, html_escape(s.text));
  }
  return out;
}

const char* kStyle = R"(
body { font-family: "DejaVu Sans", sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.5em; } h2 { border-bottom: 1px solid #ccc; margin-top: 1.5em; }
.figure { overflow-x: auto; border: 1px solid #ddd; padding: 0.5em; background: #fff; }
table.steps { border-collapse: collapse; font-size: 0.85em; margin-bottom: 1em; }
table.steps td, table.steps th { border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }
tr.outcome-deferred td { background: #fff0dd; } tr.outcome-rejected td, tr.outcome-refused td,
tr.outcome-timeout td { background: #ffdede; }
pre { font-size: 0.8em; background: #f7f7f7; padding: 0.5em; overflow-x: auto; }
summary { cursor: pointer; } .plots img { max-width: 100%; display: block; margin-bottom: 1em; }
)";

// Records script errors on the page itself, so a headless browser's DOM dump shows them, then
// wires the fold buttons and marks the page ready.
const char* kScript = R"(
window.addEventListener('error', function (e) {
  document.body.setAttribute('data-script-errors', (document.body.getAttribute('data-script-errors') || '') + e.message + ';');
});
document.addEventListener('DOMContentLoaded', function () {
  function setAll(open) {
    document.querySelectorAll('details.session').forEach(function (d) { d.open = open; });
  }
  document.getElementById('expand-all').addEventListener('click', function () { setAll(true); });
  document.getElementById('collapse-all').addEventListener('click', function () { setAll(false); });
  document.body.setAttribute('data-ready', String(document.querySelectorAll('details.session').length));
});
)";

}  // namespace

std::string html_report(const RunData& run, const std::string& work_dir) {
  SequenceOptions steps_view;
  steps_view.detail = Detail::STEPS;
  std::string sequence_svg = inline_svg(render_dot(sequence_to_dot(build_sequence(run, steps_view)), "svg"), "seq-");
  SequenceOptions commands_view;
  commands_view.detail = Detail::COMMANDS;
  std::string commands_svg =
      inline_svg(render_dot(sequence_to_dot(build_sequence(run, commands_view)), "svg"), "cmd-");
  std::string topology_svg = inline_svg(render_dot(topology_to_dot(run.topology, run.scenario), "svg"), "topo-");
  write_plots(run, work_dir);

  int delivered = 0, queued = 0, bounced = 0, rejected = 0;
  for (const auto& m : run.messages) {
    if (m.status == "delivered") ++delivered;
    else if (m.status == "queued") ++queued;
    else if (m.status == "bounced") ++bounced;
    else if (m.status == "rejected") ++rejected;
  }

  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<title>mailsim: " + html_escape(run.scenario) + "</title>\n<style>" + kStyle + "</style>\n";
  out += "<script>" + std::string(kScript) + "</script>\n</head>\n<body>\n";
  out += fmt::format("<h1>mailsim: {}</h1>\n<p id=\"summary\">The run ended at {} s ({}). Messages: {} submitted, "
                     "{} delivered, {} queued, {} bounced, {} rejected.</p>\n",
                     html_escape(run.scenario), seconds(run.end_time),
                     run.stopped_by_duration ? "duration reached" : "no mail in flight, queued or left to fetch",
                     run.messages.size(), delivered, queued, bounced, rejected);
  out += "<h2>Topology</h2>\n<div class=\"figure\" id=\"topology\">" + topology_svg + "</div>\n";
  out += "<h2>Sequence diagram</h2>\n<p>One arrow per step; hover an arrow for its full text. Long waits are "
         "compressed into a grey band labelled with their length.</p>\n<div class=\"figure\" id=\"sequence\">" +
         sequence_svg + "</div>\n";
  out += "<details id=\"sequence-commands\"><summary>Every command, reply and DNS message</summary>"
         "<div class=\"figure\">" + commands_svg + "</div></details>\n";
  out += "<h2>Steps and timings</h2>\n<div id=\"steps\">" + steps_table(run) + "</div>\n";
  out += "<h2>Transcripts</h2>\n<p><button id=\"expand-all\" type=\"button\">expand all</button> "
         "<button id=\"collapse-all\" type=\"button\">collapse all</button></p>\n<div id=\"transcripts\">" +
         transcripts(run) + "</div>\n";
  out += "<h2>Plots</h2>\n<div class=\"plots\" id=\"plots\">\n";
  for (const auto& name : kPlotNames)
    out += fmt::format("<img class=\"plot\" alt=\"{}\" src=\"data:image/png;base64,{}\">\n", html_escape(name),
                       base64(read_file(work_dir + "/" + name + ".png")));
  out += "</div>\n</body>\n</html>\n";
  return out;
}

}  // namespace mailsim::viz
