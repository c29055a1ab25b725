#include "viz/report.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "models/common/units.hpp"
#include "viz/run_data.hpp"

namespace mailsim::viz {

using sim::MessageStatus;

Balance balance_of(const sim::Trace& trace) {
  Balance b;
  for (const auto& id : trace.message_order()) {
    const auto& m = trace.messages().at(id);
    ++b.submitted;
    switch (m.status()) {
      case MessageStatus::DELIVERED: ++b.delivered; break;
      case MessageStatus::QUEUED: ++b.queued; break;
      case MessageStatus::BOUNCED: ++b.bounced; break;
      case MessageStatus::REJECTED: ++b.rejected; break;
    }
  }
  return b;
}

double time_weighted_mean(const std::vector<sim::QueueSample>& samples, double end) {
  if (samples.empty() || end <= 0) return 0;
  double area = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    double t0 = samples[i].time;
    double t1 = i + 1 < samples.size() ? samples[i + 1].time : end;
    if (t0 >= end) break;
    area += samples[i].depth * (std::min(t1, end) - t0);
  }
  return area / end;
}

namespace {

std::optional<double> latest(const sim::MessageRecord& m, bool retrieved) {
  std::optional<double> out;
  for (const auto& r : m.recipients) {
    const auto& t = retrieved ? r.retrieved : r.delivered;
    if (!t) return std::nullopt;  // not every recipient has it yet
    out = out ? std::max(*out, *t) : *t;
  }
  return out;
}

std::string seconds(double t) { return fmt::format("{:.6f}", t); }

}  // namespace

void write_report(std::ostream& out, const sim::Scenario& scenario, const sim::RunResult& run) {
  out << fmt::format("mailsim: {} - run ended at {} s ({})\n\n", scenario.name.empty() ? scenario.file : scenario.name,
                     seconds(run.end_time),
                     run.stopped_by_duration ? "duration reached" : "no mail in flight, queued or left to fetch");
  for (const auto& id : run.trace.message_order()) {
    const auto& m = run.trace.messages().at(id);
    std::string to;
    for (const auto& r : m.to) to += (to.empty() ? "" : ", ") + ("<" + r + ">");
    out << fmt::format("message {}: <{}> -> {}, {} bytes, {}\n", m.id, m.from, to, m.size,
                       sim::to_string(m.status()));
    std::vector<sim::StepRecord> steps = m.steps;
    std::stable_sort(steps.begin(), steps.end(), [](const auto& a, const auto& b) {
      return a.start != b.start ? a.start < b.start : a.step < b.step;
    });
    size_t from_width = 4, to_width = 2;
    for (const auto& st : steps) {
      from_width = std::max(from_width, st.from.size());
      to_width = std::max(to_width, st.to.size());
    }
    // With several recipients each row names the copy it belongs to.
    bool per_recipient = m.recipients.size() > 1;
    size_t rcpt_width = 3;
    for (const auto& st : steps) rcpt_width = std::max(rcpt_width, st.recipient.size());
    std::string rcpt_header = per_recipient ? fmt::format(" {:<{}}", "for", rcpt_width) : std::string();
    if (!steps.empty())
      out << fmt::format("  {:<5} {:<{}} {:<{}}{} {:<8} {:>14} {:>12}  {}\n", "step", "from", from_width, "to",
                         to_width, rcpt_header, "protocol", "start (s)", "duration", "what");
    for (const auto& st : steps) {
      std::string rcpt = per_recipient ? fmt::format(" {:<{}}", st.recipient, rcpt_width) : std::string();
      out << fmt::format("  ({})   {:<{}} {:<{}}{} {:<8} {:>14} {:>12}  {}\n", st.step, st.from, from_width, st.to,
                         to_width, rcpt, st.protocol, seconds(st.start), units::format_duration(st.end - st.start),
                         st.detail);
    }
    for (const auto& r : m.recipients) {
      std::string line = fmt::format("  <{}>: {}", r.address, sim::to_string(r.status));
      if (r.delivered) line += fmt::format(", delivered at {} s", seconds(*r.delivered));
      if (r.retrieved)
        line += fmt::format(", retrieved at {} s, end to end {}", seconds(*r.retrieved),
                            units::format_duration(*r.retrieved - m.submitted));
      if (!r.last_reply.empty() && r.status != MessageStatus::DELIVERED) line += " (" + r.last_reply + ")";
      out << line << "\n";
    }
    out << "\n";
  }

  out << fmt::format("queue depth per MTA (time-weighted over 0 .. {} s)\n", seconds(run.end_time));
  out << fmt::format("  {:<20} {:>9} {:>12}\n", "host", "max", "mean");
  for (const auto& [host, samples] : run.trace.queues) {
    int max_depth = 0;
    for (const auto& s : samples) max_depth = std::max(max_depth, s.depth);
    out << fmt::format("  {:<20} {:>9} {:>12.6f}\n", host, max_depth, time_weighted_mean(samples, run.end_time));
  }
  Balance b = balance_of(run.trace);
  out << fmt::format("\nmail balance: submitted {} = delivered {} + queued {} + bounced {} + rejected {}{}\n",
                     b.submitted, b.delivered, b.queued, b.bounced, b.rejected,
                     b.submitted == b.delivered + b.queued + b.bounced + b.rejected ? "" : "  (DOES NOT BALANCE)");
  for (const auto& n : run.trace.notes) out << "client: " << n << "\n";
  for (const auto& w : run.warnings) out << "warning: " << w << "\n";
}

void write_transcript(std::ostream& out, const sim::RunResult& run, int max_lines) {
  std::vector<const sim::TranscriptEntry*> entries;
  for (const auto& e : run.trace.transcript) entries.push_back(&e);
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto* a, const auto* b) { return a->start < b->start; });
  for (const auto* e : entries) {
    const std::string& src = e->direction == 'C' ? e->client_host : e->server_host;
    const std::string& dst = e->direction == 'C' ? e->server_host : e->client_host;
    std::string prefix = fmt::format("[{:>12}] {}#{} {} -> {}  {}: ", seconds(e->start), e->protocol, e->connection,
                                     src, dst, e->direction);
    if (e->bytes.empty()) continue;
    size_t pos = 0;
    int lines = 0;
    while (pos < e->bytes.size()) {
      size_t nl = e->bytes.find('\n', pos);
      size_t end = nl == std::string::npos ? e->bytes.size() : nl + 1;
      if (max_lines > 0 && lines == max_lines) {
        out << prefix << fmt::format("[... {} more bytes not shown]\n", std::max(e->size, e->bytes.size()) - pos);
        break;
      }
      std::string line = e->bytes.substr(pos, end - pos);
      bool crlf = line.size() >= 2 && line.compare(line.size() - 2, 2, "\r\n") == 0;
      if (crlf) line.resize(line.size() - 2);
      else if (!line.empty() && line.back() == '\n') line = line.substr(0, line.size() - 1) + "<LF>";
      else line += "<no CRLF>";
      out << prefix << line << "\n";
      ++lines;
      pos = end;
    }
    // A write longer than the trace keeps (DNS entries hold a decoded
    // summary, which may be longer than the datagram itself).
    if (e->bytes.size() < e->size && pos >= e->bytes.size() && (max_lines == 0 || lines < max_lines))
      out << prefix << fmt::format("[... {} more bytes not kept in the trace]\n", e->size - pos);
  }
}

std::string to_json(const sim::Scenario& scenario, const sim::RunResult& run) {
  using nlohmann::json;
  json j;
  j["scenario"] = scenario.name;
  j["seed"] = scenario.seed;
  j["end_time"] = run.end_time;
  j["stopped_by_duration"] = run.stopped_by_duration;
  json messages = json::array();
  for (const auto& id : run.trace.message_order()) {
    const auto& m = run.trace.messages().at(id);
    json jm;
    jm["id"] = m.id;
    jm["from"] = m.from;
    jm["to"] = m.to;
    jm["size"] = m.size;
    jm["status"] = sim::to_string(m.status());
    jm["submitted"] = m.submitted;
    auto delivered = latest(m, false);
    auto retrieved = latest(m, true);
    jm["delivered"] = delivered ? json(*delivered) : json(nullptr);
    jm["retrieved"] = retrieved ? json(*retrieved) : json(nullptr);
    json steps = json::array();
    std::vector<sim::StepRecord> sorted = m.steps;
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
      return a.start != b.start ? a.start < b.start : a.step < b.step;
    });
    for (const auto& s : sorted) {
      steps.push_back({{"step", s.step}, {"start", s.start}, {"end", s.end}, {"from", s.from}, {"to", s.to},
                       {"protocol", s.protocol}, {"recipient", s.recipient}, {"detail", s.detail},
                       {"outcome", s.outcome}});
    }
    jm["steps"] = steps;
    json recipients = json::array();
    for (const auto& r : m.recipients) {
      recipients.push_back({{"address", r.address},
                            {"status", sim::to_string(r.status)},
                            {"delivered", r.delivered ? json(*r.delivered) : json(nullptr)},
                            {"retrieved", r.retrieved ? json(*r.retrieved) : json(nullptr)},
                            {"mailbox", r.mailbox},
                            {"last_reply", r.last_reply}});
    }
    jm["recipients"] = recipients;
    messages.push_back(jm);
  }
  j["messages"] = messages;
  json queues = json::object();
  for (const auto& [host, samples] : run.trace.queues) {
    int max_depth = 0;
    json jsamples = json::array();
    for (const auto& s : samples) {
      max_depth = std::max(max_depth, s.depth);
      jsamples.push_back({s.time, s.depth});
    }
    queues[host] = {{"max_depth", max_depth},
                    {"mean_depth", time_weighted_mean(samples, run.end_time)},
                    {"samples", jsamples}};
  }
  j["queues"] = queues;
  Balance b = balance_of(run.trace);
  j["balance"] = {{"submitted", b.submitted},
                  {"delivered", b.delivered},
                  {"queued", b.queued},
                  {"bounced", b.bounced},
                  {"rejected", b.rejected}};
  // What `mailsim render` needs to draw the run again without simulating it.
  j["transcript"] = transcript_json(run.trace);
  j["topology"] = topology_json(scenario);
  return j.dump(2) + "\n";
}

void write_mailboxes(const std::string& dir, const sim::RunResult& run) {
  namespace fs = std::filesystem;
  for (const auto& box : run.mailboxes) {
    fs::path path = fs::path(dir) / box.host / fs::path(box.path).relative_path();
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) throw std::runtime_error(fmt::format("cannot create {}: {}", path.parent_path().string(), ec.message()));
    std::ofstream out(path, std::ios::binary);
    // Written piece by piece from the shared message texts, never as one string.
    box.box.write([&out](std::string_view piece) {
      out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
    });
    if (!out) throw std::runtime_error(fmt::format("cannot write {}", path.string()));
  }
}

}  // namespace mailsim::viz
