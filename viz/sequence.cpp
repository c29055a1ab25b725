#include "viz/sequence.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "models/common/error.hpp"
#include "viz/graphviz.hpp"

namespace mailsim::viz {
namespace {

// A lookup a client makes shortly before it connects (its server's A record) belongs to the
// step that connects.
constexpr double kLookupLead = 1.0;
constexpr double kTimeEpsilon = 1e-7;
constexpr std::size_t kMaxLabel = 72;

const char* role_name(Role role) {
  switch (role) {
    case Role::PC: return "pc";
    case Role::SENDMAIL: return "sendmail";
    case Role::QUEUE: return "mqueue";
    case Role::NAMED: return "named";
    case Role::MDA: return "mda";
    case Role::MAILBOX: return "mailbox";
    case Role::DOVECOT: return "dovecot";
  }
  return "?";
}

std::string role_fill(Role role) {
  switch (role) {
    case Role::PC: return "#fff2cc";
    case Role::SENDMAIL: return "#dae8fc";
    case Role::QUEUE: return "#e1e1e1";
    case Role::NAMED: return "#d5e8d4";
    case Role::MDA: return "#f8cecc";
    case Role::MAILBOX: return "#f5e6d3";
    case Role::DOVECOT: return "#e1d5e7";
  }
  return "#ffffff";
}

std::string first_line(const std::string& bytes) {
  std::size_t nl = bytes.find('\n');
  std::string line = bytes.substr(0, nl);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int count_lines(const std::string& bytes) {
  int lines = static_cast<int>(std::count(bytes.begin(), bytes.end(), '\n'));
  if (!bytes.empty() && bytes.back() != '\n') ++lines;
  return lines;
}

std::string shorten(const std::string& text, std::size_t max = kMaxLabel) {
  if (text.size() <= max) return text;
  std::size_t cut = max - 3;
  // Never cut a UTF-8 sequence in half.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

// The DNS id in a decoded summary's first line: `query 3068 ? ...` or `answer 3068 ? ...`.
std::string dns_key(const Write& w) {
  std::string line = first_line(w.bytes);
  std::size_t space = line.find(' ');
  std::size_t end = line.find(' ', space + 1);
  if (space == std::string::npos || end == std::string::npos) return "";
  return w.client_host + "#" + line.substr(space + 1, end - space - 1);
}

std::set<std::string> step_hosts(const Step& s) { return {endpoint_host(s.from), endpoint_host(s.to)}; }

}  // namespace

Detail parse_detail(const std::string& text) {
  if (text == "steps") return Detail::STEPS;
  if (text == "commands") return Detail::COMMANDS;
  if (text == "bytes") return Detail::BYTES;
  throw InputError(SourcePos{"--detail", 0, 0}, "invalid detail '" + text + "' (use steps, commands or bytes)");
}

std::string format_wait(double seconds) {
  if (seconds < 1) return fmt::format("{:.0f} ms", seconds * 1000);
  if (seconds < 60) return fmt::format("{:.2f} s", seconds);
  auto total = static_cast<long long>(std::llround(seconds));
  if (total < 3600) return fmt::format("{} min {:02} s", total / 60, total % 60);
  return fmt::format("{} h {:02} min", total / 3600, (total % 3600) / 60);
}

std::string protocol_colour(const std::string& protocol) {
  if (protocol == "smtp") return "#1f5fa8";
  if (protocol == "dns") return "#2a8a3e";
  if (protocol == "pop3") return "#7b3fa0";
  if (protocol == "local") return "#8c564b";
  return "#555555";  // queue
}

std::string outcome_colour(const std::string& outcome) {
  if (outcome == "deferred") return "#e07000";
  if (outcome == "rejected" || outcome == "refused" || outcome == "timeout") return "#d00000";
  return "";
}

std::vector<const Step*> all_steps(const RunData& run) {
  std::vector<const Step*> steps;
  for (const auto& m : run.messages)
    for (const auto& s : m.steps) steps.push_back(&s);
  std::stable_sort(steps.begin(), steps.end(), [](const Step* a, const Step* b) {
    return a->start != b->start ? a->start < b->start : a->step < b->step;
  });
  return steps;
}

std::vector<int> match_writes(const RunData& run, const std::vector<const Step*>& steps) {
  std::vector<int> out(run.transcript.size(), -1);
  std::map<int, int> by_connection;         // connection id -> step of its latest matched write
  std::map<std::string, int> by_dns_query;  // client#id -> step of the query
  for (std::size_t i = 0; i < run.transcript.size(); ++i) {
    const Write& w = run.transcript[i];
    bool dns = w.protocol == "dns";
    bool is_answer = dns && w.direction == 'S';
    if (is_answer) {
      auto it = by_dns_query.find(dns_key(w));
      if (it != by_dns_query.end()) out[i] = it->second;
      continue;
    }
    int best = -1;
    int best_rank = 0;
    for (std::size_t k = 0; k < steps.size(); ++k) {
      const Step& s = *steps[k];
      auto hosts = step_hosts(s);
      bool same_protocol = s.protocol == w.protocol;
      // Either end of a connection may look names up (the server queries the client's PTR), and
      // the name server may be a third host.
      bool lookup_for_connection = dns && (s.protocol == "smtp" || s.protocol == "pop3");
      if (!same_protocol && !lookup_for_connection) continue;
      if (!hosts.count(w.client_host) || (!lookup_for_connection && !hosts.count(w.server_host))) continue;
      bool in_window = w.start >= s.start - kTimeEpsilon && w.start <= s.end + kTimeEpsilon;
      bool in_lead = lookup_for_connection && w.client_host == endpoint_host(s.from) &&
                     w.start >= s.start - kLookupLead && w.start <= s.end + kTimeEpsilon;
      if (!in_window && !in_lead) continue;
      // Prefer the step of the same protocol, then a step under way over one about to start,
      // then the one that started last.
      int rank = 1;
      if (same_protocol) rank = 3;
      else if (in_window) rank = 2;
      if (best < 0 || rank > best_rank || (rank == best_rank && s.start >= steps[best]->start)) {
        best = static_cast<int>(k);
        best_rank = rank;
      }
    }
    if (best < 0 && !dns) {
      auto it = by_connection.find(w.connection);
      if (it != by_connection.end()) best = it->second;
    }
    out[i] = best;
    if (best >= 0 && !dns) by_connection[w.connection] = best;
    if (best >= 0 && dns) by_dns_query[dns_key(w)] = best;
  }
  return out;
}

std::string SequenceDiagram::arrow_text(const Arrow& arrow) const {
  std::string text;
  if (arrow.step > 0) text = fmt::format("({}) ", arrow.step);
  if (arrow.outcome == "deferred") text += "[4xx deferred] ";
  else if (arrow.outcome == "rejected") text += "[rejected] ";
  else if (arrow.outcome == "refused") text += "[connection refused] ";
  else if (arrow.outcome == "timeout") text += "[timeout] ";
  text += arrow.label;
  if (detail == Detail::BYTES && arrow.size > 0) text += fmt::format(" [{} B]", arrow.size);
  return text;
}

namespace {

class Builder {
 public:
  Builder(const RunData& run, const SequenceOptions& options) : run_(run), options_(options) {
    diagram_.detail = options.detail;
    for (const auto& m : run.messages) {
      for (const auto& s : m.steps) {
        // The user of a PC is the sender of the message it submits in step (1).
        if (s.step == 1) pc_users_.emplace(endpoint_host(s.from), m.from.substr(0, m.from.find('@')));
        if (s.step == 8) pc_users_.emplace(endpoint_host(s.from), m.to.empty() ? "" : local_part(s.recipient));
      }
    }
  }

  SequenceDiagram build() {
    if (!options_.message.empty() && !run_.message(options_.message)) {
      std::string known;
      for (const auto& m : run_.messages) known += (known.empty() ? "" : ", ") + m.id;
      throw InputError(SourcePos{"--message", 0, 0},
                       fmt::format("no message '{}' in this run (messages: {})", options_.message, known));
    }
    diagram_.title = run_.scenario + (options_.message.empty() ? "" : ": message " + options_.message);
    std::vector<const Step*> steps = all_steps(run_);
    // Lifelines first in the order the steps meet them, so the columns follow the mail.
    for (const Step* s : steps) {
      if (!wanted(*s)) continue;
      // Mail reaches Dovecot before the PC that fetches it.
      bool fetch = s->step == 8;
      lifeline_of_step_endpoint(*s, fetch ? s->to : s->from);
      lifeline_of_step_endpoint(*s, fetch ? s->from : s->to);
    }

    if (options_.detail == Detail::STEPS) add_step_arrows(steps);
    else add_write_arrows(steps);
    std::stable_sort(diagram_.arrows.begin(), diagram_.arrows.end(),
                     [](const Arrow& a, const Arrow& b) {
                       // At one instant the queue run (2) comes before the lookup (3) it starts.
                       if (a.time != b.time) return a.time < b.time;
                       return a.protocol == "queue" && b.protocol != "queue";
                     });
    add_gaps();
    return diagram_;
  }

 private:
  static std::string local_part(const std::string& address) { return address.substr(0, address.find('@')); }

  bool wanted(const Step& s) const { return options_.message.empty() || s.message == options_.message; }

  bool is_pc(const std::string& host) const {
    const TopologyHost* h = run_.topology.host(host);
    return h ? h->is_pc() : false;
  }

  std::size_t lifeline(const std::string& host, Role role) {
    std::string id = host + "/" + role_name(role);
    for (std::size_t i = 0; i < diagram_.lifelines.size(); ++i)
      if (diagram_.lifelines[i].id == id) return i;
    // A host's actors stay side by side, its queue right after its Sendmail; a new host
    // starts a column on the right.
    std::size_t at = diagram_.lifelines.size();
    for (std::size_t i = 0; i < diagram_.lifelines.size(); ++i) {
      if (diagram_.lifelines[i].host != host) continue;
      at = i + 1;
      if (role == Role::QUEUE && diagram_.lifelines[i].role == Role::SENDMAIL) break;
    }
    Lifeline l;
    l.id = id;
    l.host = host;
    l.role = role;
    switch (role) {
      case Role::PC: {
        auto it = pc_users_.find(host);
        l.title = it != pc_users_.end() && !it->second.empty() ? it->second + "'s PC" : "PC";
        break;
      }
      case Role::SENDMAIL: l.title = "Sendmail"; break;
      case Role::QUEUE: l.title = "mail queue"; break;
      case Role::NAMED: l.title = "name server (BIND)"; break;
      case Role::MDA: l.title = "local MDA"; break;
      case Role::MAILBOX: l.title = "mail spool /var/mail"; break;
      case Role::DOVECOT: l.title = "Dovecot (POP3)"; break;
    }
    diagram_.lifelines.insert(diagram_.lifelines.begin() + static_cast<std::ptrdiff_t>(at), l);
    return at;
  }

  std::size_t lifeline_of_step_endpoint(const Step& s, const std::string& endpoint) {
    std::string host = endpoint_host(endpoint);
    if (endpoint.find(" mqueue") != std::string::npos) return lifeline(host, Role::QUEUE);
    if (endpoint.find(" (named)") != std::string::npos) return lifeline(host, Role::NAMED);
    if (endpoint.find(" local MDA") != std::string::npos) return lifeline(host, Role::MDA);
    if (endpoint.find(":/") != std::string::npos) return lifeline(host, Role::MAILBOX);
    if (is_pc(host)) return lifeline(host, Role::PC);
    if (s.protocol == "pop3") return lifeline(host, Role::DOVECOT);
    return lifeline(host, Role::SENDMAIL);
  }

  std::size_t client_lifeline(const Write& w) {
    if (is_pc(w.client_host) || w.protocol == "pop3") return lifeline(w.client_host, Role::PC);
    return lifeline(w.client_host, Role::SENDMAIL);
  }

  std::size_t server_lifeline(const Write& w) {
    if (w.protocol == "dns") return lifeline(w.server_host, Role::NAMED);
    if (w.protocol == "pop3") return lifeline(w.server_host, Role::DOVECOT);
    return lifeline(w.server_host, Role::SENDMAIL);
  }

  void add_step_arrows(const std::vector<const Step*>& steps) {
    std::set<std::string> queued;  // message ids already shown entering the queue
    for (const Step* s : steps) {
      if (!wanted(*s)) continue;
      Arrow a;
      a.time = s->start;
      a.step = s->step;
      a.message = s->message;
      a.protocol = s->protocol;
      a.outcome = s->outcome;
      a.from = lifeline_of_step_endpoint(*s, s->from);
      a.to = lifeline_of_step_endpoint(*s, s->to);
      a.label = shorten(s->detail);
      // Sendmail records a stay in the queue as a second step (2) that ends at the queue run.
      // That run takes the message out again, so the arrow goes there, from the queue to Sendmail.
      if (s->protocol == "queue" && s->end > s->start && queued.count(s->message + s->from)) {
        a.time = s->end;
        std::swap(a.from, a.to);
        a.label = fmt::format("queue run after {}: retry", format_wait(s->end - s->start));
      }
      if (s->protocol == "queue") queued.insert(s->message + s->from);
      diagram_.arrows.push_back(a);
    }
  }

  // Outcome of one write: SMTP 4xx/5xx replies (RFC 5321 §4.2.1), POP3 -ERR (RFC 1939 §3),
  // a DNS answer without NOERROR.
  static std::string write_outcome(const Write& w, const std::string& line) {
    if (w.direction != 'S') return "ok";
    if (w.protocol == "smtp" && line.size() >= 3 && std::isdigit(static_cast<unsigned char>(line[0]))) {
      if (line[0] == '4') return "deferred";
      if (line[0] == '5') return "rejected";
    }
    if (w.protocol == "pop3" && line.rfind("-ERR", 0) == 0) return "rejected";
    if (w.protocol == "dns" && w.bytes.find("rcode NOERROR") == std::string::npos) return "negative";
    return "ok";
  }

  // The DNS summary as a question (`naver.com. MX?`) or as the records of the response.
  static std::string dns_label(const Write& w) {
    std::string line = first_line(w.bytes);
    std::size_t q = line.find(" ? ");
    std::string question;
    if (q != std::string::npos) {
      // `naver.com. IN MX` -> `naver.com. MX`
      std::string rest = line.substr(q + 3);
      std::size_t in = rest.find(" IN ");
      question = in == std::string::npos ? rest : rest.substr(0, in) + " " + rest.substr(in + 4);
    }
    if (w.direction == 'C') return "DNS query " + question + "?";
    std::string records;
    std::string rcode;
    std::size_t pos = 0;
    while (pos < w.bytes.size()) {
      std::size_t nl = w.bytes.find('\n', pos);
      std::string l = w.bytes.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
      if (!l.empty() && l.back() == '\r') l.pop_back();
      pos = nl == std::string::npos ? w.bytes.size() : nl + 1;
      if (l.rfind("rcode ", 0) == 0) rcode = l.substr(6, l.find(' ', 6) - 6);
      if (l.rfind("  ", 0) == 0 && l.find(';') == std::string::npos) {
        // `  naver.com. 10800 IN MX 10 mail.naver.com.` -> `MX 10 mail.naver.com.`
        std::size_t in = l.find(" IN ");
        records += (records.empty() ? "" : ", ") + (in == std::string::npos ? l.substr(2) : l.substr(in + 4));
      }
    }
    if (records.empty()) return "DNS answer " + question + ": " + (rcode.empty() ? "no records" : rcode);
    return "DNS answer: " + records;
  }

  void add_write_arrows(const std::vector<const Step*>& steps) {
    std::vector<int> matched = match_writes(run_, steps);
    std::set<int> data_phase;  // SMTP connections between a 354 reply and the end of the message
    std::set<std::size_t> steps_with_writes;
    // Writes outside any step (a PC's lookup of its server, the check of an empty mailbox)
    // may bring actors of their own. They join before any arrow stores a lifeline index,
    // because joining can shift the columns.
    for (std::size_t i = 0; i < run_.transcript.size(); ++i) {
      const Step* step = matched[i] >= 0 ? steps[static_cast<std::size_t>(matched[i])] : nullptr;
      if (!options_.message.empty() && (!step || step->message != options_.message)) continue;
      client_lifeline(run_.transcript[i]);
      server_lifeline(run_.transcript[i]);
    }
    for (std::size_t i = 0; i < run_.transcript.size(); ++i) {
      const Write& w = run_.transcript[i];
      const Step* step = matched[i] >= 0 ? steps[static_cast<std::size_t>(matched[i])] : nullptr;
      if (step) steps_with_writes.insert(static_cast<std::size_t>(matched[i]));
      if (!options_.message.empty() && (!step || step->message != options_.message)) continue;
      std::string line = first_line(w.bytes);
      Arrow a;
      a.time = w.start;
      a.protocol = w.protocol;
      a.size = w.size;
      a.outcome = write_outcome(w, line);
      if (step) {
        a.step = step->step;
        a.message = step->message;
      }
      std::size_t client = client_lifeline(w);
      std::size_t server = server_lifeline(w);
      a.from = w.direction == 'C' ? client : server;
      a.to = w.direction == 'C' ? server : client;
      if (w.protocol == "dns") {
        a.label = dns_label(w);
      } else if (w.protocol == "smtp" && w.direction == 'C' && data_phase.count(w.connection)) {
        // RFC 5321 §4.1.1.4: the message content runs until a line holding only ".".
        a.label = "message content (ends with <CRLF>.<CRLF>)";
        if (w.bytes.size() >= 5 && w.bytes.compare(w.bytes.size() - 5, 5, "\r\n.\r\n") == 0)
          data_phase.erase(w.connection);
        if (w.size > w.bytes.size()) data_phase.erase(w.connection);
      } else {
        int lines = count_lines(w.bytes);
        a.label = shorten(line) + (lines > 1 ? fmt::format(" (+{} lines)", lines - 1) : "");
        if (w.protocol == "smtp" && w.direction == 'S' && line.rfind("354", 0) == 0) data_phase.insert(w.connection);
      }
      a.label = shorten(a.label);
      diagram_.arrows.push_back(a);
    }
    // Steps without bytes of their own (the queue, the local mailer, a connection that was
    // refused or timed out) still get their arrow.
    std::set<std::string> queued;
    for (std::size_t k = 0; k < steps.size(); ++k) {
      const Step& s = *steps[k];
      if (!wanted(s)) continue;
      bool network = s.protocol == "smtp" || s.protocol == "pop3" || s.protocol == "dns";
      if (network && steps_with_writes.count(k)) continue;
      Arrow a;
      a.time = s.start;
      a.step = s.step;
      a.message = s.message;
      a.protocol = s.protocol;
      a.outcome = s.outcome;
      a.from = lifeline_of_step_endpoint(s, s.from);
      a.to = lifeline_of_step_endpoint(s, s.to);
      a.label = shorten(s.detail);
      if (s.protocol == "queue" && s.end > s.start && queued.count(s.message + s.from)) {
        a.time = s.end;
        std::swap(a.from, a.to);
        a.label = fmt::format("queue run after {}: retry", format_wait(s.end - s.start));
      }
      if (s.protocol == "queue") queued.insert(s.message + s.from);
      diagram_.arrows.push_back(a);
    }
  }

  // The minimum depth of the queue of `host` over [from, to], which is the number of messages
  // that waited through the whole interval.
  int queue_minimum(const std::string& host, double from, double to) const {
    auto it = run_.queues.find(host);
    if (it == run_.queues.end()) return 0;
    int depth = 0;
    int minimum = -1;
    for (const auto& p : it->second) {
      if (p.time > to) break;
      if (p.time > from && minimum < 0) minimum = depth;
      depth = p.depth;
      if (p.time > from) minimum = std::min(minimum, depth);
    }
    return minimum < 0 ? depth : std::min(minimum, depth);
  }

  void add_gaps() {
    for (std::size_t i = 1; i < diagram_.arrows.size(); ++i) {
      double wait = diagram_.arrows[i].time - diagram_.arrows[i - 1].time;
      if (wait <= options_.gap_threshold) continue;
      Gap g;
      g.before = i;
      g.seconds = wait;
      g.label = format_wait(wait) + " later";
      std::string waiting;
      for (const auto& [host, samples] : run_.queues) {
        int depth = queue_minimum(host, diagram_.arrows[i - 1].time, diagram_.arrows[i].time - kTimeEpsilon);
        if (depth > 0)
          waiting += fmt::format("{}{} in the queue of {}", waiting.empty() ? "" : ", ",
                              depth == 1 ? "1 message" : fmt::format("{} messages", depth), host);
      }
      if (!waiting.empty()) g.label += " (" + waiting + ")";
      diagram_.gaps.push_back(g);
    }
  }

  const RunData& run_;
  const SequenceOptions& options_;
  SequenceDiagram diagram_;
  std::map<std::string, std::string> pc_users_;
};

const char* detail_name(Detail detail) {
  switch (detail) {
    case Detail::STEPS: return "steps";
    case Detail::COMMANDS: return "commands";
    case Detail::BYTES: return "bytes";
  }
  return "steps";
}

// Quotes a DOT string: backslash and double quote escaped (Graphviz's lexer).
std::string dot_quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Estimated width in points of text in 9 pt DejaVu Sans, Graphviz's default sans font here.
double text_width(const std::string& text, double font_size) {
  std::size_t chars = 0;
  for (char c : text)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++chars;
  return static_cast<double>(chars) * font_size * 0.58;
}

}  // namespace

SequenceDiagram build_sequence(const RunData& run, const SequenceOptions& options) {
  return Builder(run, options).build();
}

std::string sequence_to_dot(const SequenceDiagram& d) {
  constexpr double kFont = 9;
  constexpr double kRow = 24;
  constexpr double kGapRow = 64;
  constexpr double kMinColumn = 130;
  constexpr double kAxisX = -40;
  const std::size_t n = d.lifelines.size();

  // Column positions: each gap between neighbours is wide enough for the labels of the arrows
  // spanning exactly that gap. A wider span that is still too narrow widens its last gap.
  std::vector<double> gap_width(n > 0 ? n - 1 : 0, kMinColumn);
  for (std::size_t i = 0; i < n; ++i) {
    double header = text_width(d.lifelines[i].host, 10) + 20;
    if (i > 0) gap_width[i - 1] = std::max(gap_width[i - 1], header);
    if (i + 1 < n) gap_width[i] = std::max(gap_width[i], header);
  }
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& a : d.arrows) {
      std::size_t lo = std::min(a.from, a.to), hi = std::max(a.from, a.to);
      if (lo == hi) continue;
      double need = text_width(d.arrow_text(a), kFont) + 16;
      double have = 0;
      for (std::size_t k = lo; k < hi; ++k) have += gap_width[k];
      if (have < need) gap_width[hi - 1] += need - have;
    }
  }
  std::vector<double> x(n, 0);
  double first_x = 150;
  for (std::size_t i = 0; i < n; ++i) x[i] = i == 0 ? first_x : x[i - 1] + gap_width[i - 1];

  std::string out;
  out += "digraph sequence {\n";
  out += fmt::format("  graph [layout=neato, inputscale=72, splines=false, overlap=true, outputorder=edgesfirst, "
                     "fontname=\"DejaVu Sans\", label={}, labelloc=t, fontsize=14, bgcolor=white, pad=0.3, "
                     "kind=sequence, detail={}];\n",
                     dot_quote(d.title), detail_name(d.detail));
  out += "  node [fontname=\"DejaVu Sans\", fontsize=9];\n  edge [fontname=\"DejaVu Sans\", fontsize=9];\n";

  // Header boxes, time axis title.
  out += fmt::format("  axis_title [shape=plaintext, label=\"simulated time (s)\", pos=\"{},0!\"];\n", kAxisX);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& l = d.lifelines[i];
    out += fmt::format("  L{} [shape=box, style=\"rounded,filled\", fillcolor={}, fontsize=10, label={}, "
                       "pos=\"{:.1f},0!\", kind=lifeline, actor={}, host={}, role={}];\n",
                       i, dot_quote(role_fill(l.role)), dot_quote(l.title + "\n" + l.host), x[i], dot_quote(l.id),
                       dot_quote(l.host), role_name(l.role));
  }

  double y = -40;
  std::size_t next_gap = 0;
  for (std::size_t r = 0; r < d.arrows.size(); ++r) {
    if (next_gap < d.gaps.size() && d.gaps[next_gap].before == r) {
      const Gap& g = d.gaps[next_gap++];
      y -= kGapRow / 2;
      double mid = n > 0 ? (x.front() + x.back()) / 2 : 0;
      // The band hides the lifelines behind it, which shows the time axis is cut there.
      out += fmt::format("  G{} [shape=box, style=\"filled,dashed\", color=\"#999999\", fillcolor=\"#f4f4f4\", "
                         "fontcolor=\"#444444\", label={}, width={:.2f}, height=0.3, fixedsize=true, pos=\"{:.1f},{:.1f}!\", "
                         "kind=gap, seconds=\"{:.6f}\"];\n",
                         next_gap - 1, dot_quote("... " + g.label + " ..."),
                         n > 0 ? (x.back() - x.front() + 100) / 72.0 : 3.0, mid, y, g.seconds);
      y -= kGapRow / 2;
    }
    const Arrow& a = d.arrows[r];
    std::string colour = outcome_colour(a.outcome);
    if (colour.empty()) colour = protocol_colour(a.protocol);
    std::string text = d.arrow_text(a);
    out += fmt::format("  T{} [shape=plaintext, fontsize=8, fontcolor=\"#555555\", label=\"{:.6f}\", pos=\"{:.1f},{:.1f}!\"];\n",
                       r, a.time, kAxisX, y);
    double x_from = x[a.from], x_to = x[a.to];
    if (a.from == a.to) x_to = x_from + 40;  // a note to itself: a short stub to the right
    out += fmt::format("  A{}s [shape=point, width=0.03, color={}, pos=\"{:.1f},{:.1f}!\", lifeline={}];\n", r,
                       dot_quote(colour), x_from, y, a.from);
    out += fmt::format("  A{}e [shape=point, width=0.01, style=invis, pos=\"{:.1f},{:.1f}!\", lifeline={}];\n", r, x_to,
                       y, a.to);
    double label_x = (x_from + x_to) / 2;
    out += fmt::format("  A{}t [shape=plaintext, fontcolor={}, label={}, pos=\"{:.1f},{:.1f}!\"];\n", r,
                       dot_quote(a.outcome == "ok" || a.outcome == "negative" ? "#222222" : colour), dot_quote(text),
                       label_x, y + 8);
    bool broken = a.outcome == "refused" || a.outcome == "timeout";
    out += fmt::format("  A{}s -> A{}e [kind=message, color={}, penwidth={}, arrowhead={}, style={}, arrowsize=0.7, "
                       "step={}, message={}, protocol={}, outcome={}, time=\"{:.6f}\", size={}, text={}, tooltip={}];\n",
                       r, r, dot_quote(colour), a.outcome == "ok" || a.outcome == "negative" ? "1.2" : "2.2",
                       broken ? "tee" : "normal", a.outcome == "negative" || a.protocol == "queue" ? "dashed" : "solid",
                       a.step, dot_quote(a.message), a.protocol, a.outcome, a.time, a.size, dot_quote(text),
                       dot_quote(text));
    y -= kRow;
  }
  y -= 10;
  for (std::size_t i = 0; i < n; ++i) {
    out += fmt::format("  F{} [shape=box, style=\"rounded,filled\", fillcolor={}, fontsize=10, label={}, pos=\"{:.1f},{:.1f}!\"];\n",
                       i, dot_quote(role_fill(d.lifelines[i].role)), dot_quote(d.lifelines[i].title), x[i], y - 10);
    out += fmt::format("  L{} -> F{} [kind=lifeline, style=dashed, color=\"#9a9a9a\", arrowhead=none];\n", i, i);
  }
  // Legend: colours per protocol and the failure marks.
  std::string legend = "<<table border=\"0\" cellborder=\"0\" cellspacing=\"2\"><tr>";
  for (const char* p : {"smtp", "dns", "pop3", "local", "queue"})
    legend += fmt::format("<td><font color=\"{}\">&#9632; {}</font></td>", protocol_colour(p), p);
  legend += fmt::format("<td><font color=\"{}\">&#9632; 4xx deferred</font></td>", outcome_colour("deferred"));
  legend += fmt::format("<td><font color=\"{}\">&#9632; rejected / refused / timeout</font></td>", outcome_colour("rejected"));
  legend += "</tr></table>>";
  out += fmt::format("  legend [shape=plaintext, fontsize=9, label={}, pos=\"{:.1f},{:.1f}!\"];\n", legend,
                     n > 0 ? (x.front() + x.back()) / 2 : 0, y - 50);
  out += "}\n";
  return out;
}

namespace {

std::string mermaid_id(std::size_t i) { return fmt::format("P{}", i); }

// Mermaid message text: `;` ends a statement and `#`, `<`, `>` start entities or HTML, so
// they are written as Mermaid's `#59;`-style entity codes.
std::string mermaid_text(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case ';': out += "#59;"; break;
      case '#': out += "#35;"; break;
      case '<': out += "#lt;"; break;
      case '>': out += "#gt;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string rgb(const std::string& hex, int alpha_percent) {
  int r = std::stoi(hex.substr(1, 2), nullptr, 16);
  int g = std::stoi(hex.substr(3, 2), nullptr, 16);
  int b = std::stoi(hex.substr(5, 2), nullptr, 16);
  return fmt::format("rgba({}, {}, {}, {:.2f})", r, g, b, alpha_percent / 100.0);
}

}  // namespace

std::string sequence_to_mermaid(const SequenceDiagram& d) {
  std::string out = "sequenceDiagram\n";
  out += "  %% " + d.title + "\n";
  for (std::size_t i = 0; i < d.lifelines.size(); ++i)
    out += fmt::format("  participant {} as {}<br/>{}\n", mermaid_id(i), mermaid_text(d.lifelines[i].title),
                       d.lifelines[i].host);
  std::size_t next_gap = 0;
  std::string open_protocol;  // runs of one protocol share a coloured background
  for (std::size_t r = 0; r < d.arrows.size(); ++r) {
    const Arrow& a = d.arrows[r];
    bool gap_here = next_gap < d.gaps.size() && d.gaps[next_gap].before == r;
    if (!open_protocol.empty() && (open_protocol != a.protocol || gap_here)) {
      out += "  end\n";
      open_protocol.clear();
    }
    if (gap_here) {
      out += fmt::format("  Note over {},{}: ... {} ...\n", mermaid_id(0), mermaid_id(d.lifelines.size() - 1),
                         mermaid_text(d.gaps[next_gap].label));
      ++next_gap;
    }
    if (open_protocol.empty()) {
      out += fmt::format("  rect {}\n", rgb(protocol_colour(a.protocol), 12));
      open_protocol = a.protocol;
    }
    // `-x` ends in a cross: the failures; `--)` an open arrow: a negative DNS answer.
    std::string arrow = "->>";
    if (!outcome_colour(a.outcome).empty()) arrow = "-x";
    else if (a.outcome == "negative") arrow = "--)";
    out += fmt::format("  {}{}{}: {:.6f} {}\n", mermaid_id(a.from), arrow, mermaid_id(a.to), a.time,
                       mermaid_text(d.arrow_text(a)));
  }
  if (!open_protocol.empty()) out += "  end\n";
  return out;
}

std::string sequence_to_plantuml(const SequenceDiagram& d) {
  std::string out = "@startuml\n";
  out += "title " + d.title + "\n";
  for (std::size_t i = 0; i < d.lifelines.size(); ++i)
    out += fmt::format("participant \"{}\\n{}\" as {} {}\n", d.lifelines[i].title, d.lifelines[i].host,
                       mermaid_id(i), role_fill(d.lifelines[i].role));
  std::size_t next_gap = 0;
  for (std::size_t r = 0; r < d.arrows.size(); ++r) {
    const Arrow& a = d.arrows[r];
    if (next_gap < d.gaps.size() && d.gaps[next_gap].before == r) out += "... " + d.gaps[next_gap++].label + " ...\n";
    std::string colour = outcome_colour(a.outcome);
    if (colour.empty()) colour = protocol_colour(a.protocol);
    // `->x` ends in a cross for a failure; `-[#c]->` is dashed, for a negative DNS answer.
    std::string shaft_end = a.outcome == "negative" ? "-" : "";
    std::string head = outcome_colour(a.outcome).empty() ? ">" : ">x";
    out += fmt::format("{} -[{}]{}{} {} : {:.6f} {}\n", mermaid_id(a.from), colour, shaft_end, head, mermaid_id(a.to),
                       a.time, d.arrow_text(a));
  }
  out += "@enduml\n";
  return out;
}

void write_sequence(const SequenceDiagram& diagram, const std::string& path) {
  std::string ext = file_extension(path);
  if (ext == "mmd") return write_text_file(path, sequence_to_mermaid(diagram));
  if (ext == "puml") return write_text_file(path, sequence_to_plantuml(diagram));
  write_graph(sequence_to_dot(diagram), path, "--diagram");
}

}  // namespace mailsim::viz
