#include "viz/run_data.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "models/common/error.hpp"
#include "models/dns/host_files.hpp"
#include "models/dns/named_conf.hpp"
#include "models/dns/zone.hpp"

namespace mailsim::viz {

using nlohmann::json;

bool TopologyHost::is_pc() const {
  return std::find(services.begin(), services.end(), "sendmail") == services.end() &&
         std::find(services.begin(), services.end(), "named") == services.end() &&
         std::find(services.begin(), services.end(), "dovecot") == services.end();
}

const TopologyHost* Topology::host(const std::string& name) const {
  for (const auto& h : hosts)
    if (h.name == name) return &h;
  return nullptr;
}

const Message* RunData::message(const std::string& id) const {
  for (const auto& m : messages)
    if (m.id == id) return &m;
  return nullptr;
}

std::string endpoint_host(const std::string& endpoint) {
  std::size_t cut = endpoint.find_first_of(" :");
  return cut == std::string::npos ? endpoint : endpoint.substr(0, cut);
}

std::string bytes_to_json_string(const std::string& bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (char c : bytes) {
    auto b = static_cast<unsigned char>(c);
    if (b < 0x80) {
      out += c;
    } else {
      out += static_cast<char>(0xC0 | (b >> 6));
      out += static_cast<char>(0x80 | (b & 0x3F));
    }
  }
  return out;
}

std::string bytes_from_json_string(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      out += text[i];
      continue;
    }
    // Only the two-byte sequences C2 xx and C3 xx (U+0080-U+00FF) come from bytes_to_json_string.
    if ((b == 0xC2 || b == 0xC3) && i + 1 < text.size()) {
      auto next = static_cast<unsigned char>(text[i + 1]);
      out += static_cast<char>(((b & 0x03) << 6) | (next & 0x3F));
      ++i;
      continue;
    }
    throw std::runtime_error(fmt::format("transcript bytes hold a code point above U+00FF at offset {}", i));
  }
  return out;
}

namespace {

// Reads a key, naming it in the error when it is missing or of the wrong type.
template <typename T>
T get(const json& object, const char* key, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end()) throw std::runtime_error(fmt::format("{}: missing key \"{}\"", where, key));
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    throw std::runtime_error(fmt::format("{}: key \"{}\" has the wrong type ({})", where, key, it->type_name()));
  }
}

std::optional<double> get_optional_time(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  return it->get<double>();
}

Step step_from_json(const json& j, const std::string& message) {
  std::string where = "message " + message + " step";
  Step s;
  s.message = message;
  s.step = get<int>(j, "step", where);
  s.start = get<double>(j, "start", where);
  s.end = get<double>(j, "end", where);
  s.from = get<std::string>(j, "from", where);
  s.to = get<std::string>(j, "to", where);
  s.protocol = get<std::string>(j, "protocol", where);
  s.detail = get<std::string>(j, "detail", where);
  s.recipient = j.value("recipient", "");
  s.outcome = j.value("outcome", "ok");
  return s;
}

Topology topology_from_json(const json& j) {
  Topology t;
  for (const auto& h : get<json>(j, "hosts", "topology")) {
    TopologyHost host;
    host.name = get<std::string>(h, "name", "topology host");
    host.address = get<std::string>(h, "address", "topology host " + host.name);
    host.services = h.value("services", std::vector<std::string>{});
    host.nameservers = h.value("nameservers", std::vector<std::string>{});
    host.up = h.value("up", true);
    t.hosts.push_back(host);
  }
  t.routers = j.value("routers", std::vector<std::string>{});
  for (const auto& l : get<json>(j, "links", "topology")) {
    t.links.push_back(TopologyLink{get<std::string>(l, "a", "topology link"), get<std::string>(l, "b", "topology link"),
                                   get<double>(l, "latency", "topology link"),
                                   get<double>(l, "bandwidth", "topology link")});
  }
  for (const auto& z : j.value("zones", json::array())) {
    TopologyZone zone;
    zone.server = get<std::string>(z, "server", "topology zone");
    zone.domain = get<std::string>(z, "domain", "topology zone");
    zone.error = z.value("error", "");
    for (const auto& mx : z.value("mx", json::array()))
      zone.mx.push_back(MxRecord{get<int>(mx, "preference", "MX record"), get<std::string>(mx, "exchange", "MX record")});
    t.zones.push_back(zone);
  }
  return t;
}

// The zones named loads on one host, read as named-checkconf would find them.
void add_zones(const sim::HostSpec& host, json& zones) {
  const sim::FileSpec* conf = host.file("/etc/named.conf");
  if (!conf) conf = host.file("/etc/bind/named.conf");
  if (!conf) return;
  dns::NamedConf named;
  try {
    named = dns::parse_named_conf(conf->text, conf->display);
  } catch (const InputError& e) {
    zones.push_back({{"server", host.name}, {"domain", ""}, {"mx", json::array()}, {"error", e.what()}});
    return;
  }
  for (const auto& z : named.zones) {
    if (z.type != dns::ZoneType::PRIMARY || z.name == "." || z.name.empty()) continue;
    json entry = {{"server", host.name}, {"domain", z.name}, {"mx", json::array()}, {"error", ""}};
    const sim::FileSpec* file = host.file(dns::zone_file_path(named, z));
    if (!file) {
      entry["error"] = fmt::format("zone file {} not found", dns::zone_file_path(named, z));
      zones.push_back(entry);
      continue;
    }
    try {
      std::string origin = dns::absolute_name(z.name);
      dns::Zone zone = dns::parse_zone(file->text, origin, file->display);
      for (const auto& r : zone.records) {
        const auto* mx = std::get_if<dns::MxData>(&r.record.rdata);
        if (mx && dns::names_equal(r.record.name, origin))
          entry["mx"].push_back({{"preference", mx->preference}, {"exchange", mx->exchange}});
      }
    } catch (const InputError& e) {
      entry["error"] = e.what();
    }
    zones.push_back(entry);
  }
}

}  // namespace

json topology_json(const sim::Scenario& scenario) {
  json hosts = json::array();
  json zones = json::array();
  for (const auto& h : scenario.hosts) {
    json services = json::array();
    for (const auto& [name, spec] : h.services) services.push_back(name);
    json nameservers = json::array();
    if (const sim::FileSpec* resolv = h.file("/etc/resolv.conf")) {
      try {
        for (const auto& ns : dns::parse_resolv_conf(resolv->text, resolv->display).nameservers)
          nameservers.push_back(ns);
      } catch (const InputError&) {
        // The run itself reports a broken resolv.conf; the picture just shows no resolver.
      }
    }
    hosts.push_back({{"name", h.name},
                     {"address", h.address},
                     {"services", services},
                     {"nameservers", nameservers},
                     {"up", h.up}});
    if (h.runs("named")) add_zones(h, zones);
  }
  json links = json::array();
  for (const auto& l : scenario.links)
    links.push_back({{"a", l.a}, {"b", l.b}, {"latency", l.latency}, {"bandwidth", l.bandwidth}});
  return {{"hosts", hosts}, {"routers", scenario.routers}, {"links", links}, {"zones", zones}};
}

json transcript_json(const sim::Trace& trace) {
  std::vector<const sim::TranscriptEntry*> entries;
  for (const auto& e : trace.transcript) entries.push_back(&e);
  std::stable_sort(entries.begin(), entries.end(), [](const auto* a, const auto* b) { return a->start < b->start; });
  json out = json::array();
  for (const auto* e : entries) {
    out.push_back({{"start", e->start},
                   {"end", e->end},
                   {"connection", e->connection},
                   {"protocol", e->protocol},
                   {"client_host", e->client_host},
                   {"server_host", e->server_host},
                   {"client_ip", e->client_ip},
                   {"server_ip", e->server_ip},
                   {"direction", std::string(1, e->direction)},
                   {"bytes", bytes_to_json_string(e->bytes)},
                   {"size", e->size}});
  }
  return out;
}

RunData run_data_from_json(const json& j) {
  if (!j.is_object()) throw std::runtime_error("the run JSON is not an object");
  RunData run;
  run.scenario = j.value("scenario", "");
  run.end_time = get<double>(j, "end_time", "run");
  run.stopped_by_duration = j.value("stopped_by_duration", false);
  for (const auto& jm : get<json>(j, "messages", "run")) {
    Message m;
    m.id = get<std::string>(jm, "id", "message");
    std::string where = "message " + m.id;
    m.from = get<std::string>(jm, "from", where);
    m.to = get<std::vector<std::string>>(jm, "to", where);
    m.size = get<std::uint64_t>(jm, "size", where);
    m.status = get<std::string>(jm, "status", where);
    m.submitted = get<double>(jm, "submitted", where);
    m.delivered = get_optional_time(jm, "delivered");
    m.retrieved = get_optional_time(jm, "retrieved");
    for (const auto& js : get<json>(jm, "steps", where)) m.steps.push_back(step_from_json(js, m.id));
    std::stable_sort(m.steps.begin(), m.steps.end(), [](const Step& a, const Step& b) {
      return a.start != b.start ? a.start < b.start : a.step < b.step;
    });
    run.messages.push_back(m);
  }
  if (!j.contains("transcript"))
    throw std::runtime_error("run: missing key \"transcript\" (write the JSON again with this mailsim's run --json)");
  for (const auto& jw : j["transcript"]) {
    Write w;
    w.start = get<double>(jw, "start", "transcript entry");
    w.end = get<double>(jw, "end", "transcript entry");
    w.connection = get<int>(jw, "connection", "transcript entry");
    w.protocol = get<std::string>(jw, "protocol", "transcript entry");
    w.client_host = get<std::string>(jw, "client_host", "transcript entry");
    w.server_host = get<std::string>(jw, "server_host", "transcript entry");
    w.client_ip = jw.value("client_ip", "");
    w.server_ip = jw.value("server_ip", "");
    std::string direction = get<std::string>(jw, "direction", "transcript entry");
    if (direction != "C" && direction != "S")
      throw std::runtime_error("transcript entry: direction must be \"C\" or \"S\", not \"" + direction + "\"");
    w.direction = direction[0];
    w.bytes = bytes_from_json_string(get<std::string>(jw, "bytes", "transcript entry"));
    w.size = get<std::uint64_t>(jw, "size", "transcript entry");
    run.transcript.push_back(w);
  }
  std::stable_sort(run.transcript.begin(), run.transcript.end(),
                   [](const Write& a, const Write& b) { return a.start < b.start; });
  const json queues = get<json>(j, "queues", "run");
  for (const auto& [host, q] : queues.items()) {
    for (const auto& sample : get<json>(q, "samples", "queue " + host))
      run.queues[host].push_back(QueuePoint{sample.at(0).get<double>(), sample.at(1).get<int>()});
  }
  if (!j.contains("topology"))
    throw std::runtime_error("run: missing key \"topology\" (write the JSON again with this mailsim's run --json)");
  run.topology = topology_from_json(j["topology"]);
  return run;
}

}  // namespace mailsim::viz
