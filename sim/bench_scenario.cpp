// Reads bench scenarios (scenarios/bench/*.yaml) and their `--set`
// overrides, and checks queue policy lists. The format is in docs/bench.md.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>

#include "models/queue/policy.hpp"
#include "models/queue/spec.hpp"
#include "models/workload/domains.hpp"
#include "models/workload/maillog.hpp"
#include "sim/bench.hpp"
#include "sim/yaml_reader.hpp"

namespace mailsim::sim {
namespace {

// The bench world's fixed hosts; mx.DOMAIN serves each destination domain.
constexpr const char* kRelayHost = "relay.bench";
constexpr const char* kNameServerHost = "ns.bench";

// Every key of a bench scenario, by the dotted path of the mapping that contains it ("" is the top
// level). A key that is itself in this table is a mapping; any other key takes a value.
const std::map<std::string, std::set<std::string>>& bench_schema() {
  static const std::map<std::string, std::set<std::string>> schema = {
      {"", {"name", "seed", "network", "horizon", "relay", "dns", "workload", "faults"}},
      {"network", {"latency", "bandwidth"}},
      {"relay", {"policy", "service_time", "connect_timeout", "refused_retry"}},
      {"relay.service_time", {"distribution", "mean"}},
      {"dns", {"ttl", "timeout", "attempts"}},
      {"workload",
       {"count", "duration", "arrivals", "sizes", "domains", "users_per_domain", "sender_domain",
        "sender_users", "recipients", "domain_choice", "zipf_exponent", "classes", "class_params",
        "replay"}},
      {"workload.arrivals",
       {"process", "rate", "burst_every", "burst_size", "burst_length", "amplitude",
        "peak_offset"}},
      {"workload.sizes",
       {"distribution", "size", "mean", "median", "sigma", "minimum", "alpha", "max"}},
      {"workload.recipients", {"count", "mean"}},
      {"workload.classes", {"slow", "dead", "greylisting", "ratelimit"}},
      {"workload.class_params", {"slow_reply_delay", "greylist_delay", "ratelimit_per_minute"}},
      {"workload.replay", {"maillog", "year"}},
  };
  return schema;
}

std::string join_keys(const std::set<std::string>& keys) {
  std::string out;
  for (const auto& key : keys) out += (out.empty() ? "" : ", ") + key;
  return out;
}

// Applies one `--set path=value`. The path must be a documented key; mappings on the way that
// the file leaves out are created, so every optional key can be set.
void apply_bench_override(YAML::Node root, const std::string& assignment, Reader& reader) {
  const SourcePos where{"--set " + assignment, 0, 0};
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError(where, "expected KEY=VALUE, e.g. workload.count=500");
  const std::string path = assignment.substr(0, eq);
  const auto& schema = bench_schema();

  YAML::Node node = root;
  std::string parent;  // dotted path of `node`
  std::size_t begin = 0;
  while (true) {
    const auto dot = path.find('.', begin);
    const std::string key =
        path.substr(begin, dot == std::string::npos ? std::string::npos : dot - begin);
    const std::set<std::string>& allowed = schema.at(parent);
    const std::string key_path = parent.empty() ? key : parent + "." + key;
    if (!allowed.count(key))
      throw InputError(
          where, fmt::format("unknown key '{}' in {} (expected one of: {})", key_path,
                             parent.empty() ? "the bench scenario" : parent, join_keys(allowed)));
    const bool is_mapping = schema.count(key_path) != 0;
    if (dot == std::string::npos) {
      if (is_mapping)
        throw InputError(where, fmt::format("'{}' is a mapping; set one of its keys: {}", key_path,
                                            join_keys(schema.at(key_path))));
      YAML::Node value(assignment.substr(eq + 1));
      node[key] = value;
      reader.note_override(value, assignment);
      return;
    }
    if (!is_mapping)
      throw InputError(where, fmt::format("'{}' takes a single value and has no key '{}'", key_path,
                                          path.substr(dot + 1)));
    YAML::Node child = node[key];
    if (!child || child.IsNull()) {
      YAML::Node created(YAML::NodeType::Map);
      node[key] = created;
      child.reset(created);
    } else if (!child.IsMap()) {
      reader.fail(child, fmt::format("{} must be a mapping of keys to values", key_path));
    }
    node.reset(child);
    parent = key_path;
    begin = dot + 1;
  }
}

// Returns the key node of `name` in a mapping, for errors about the key rather than its value.
YAML::Node key_node(const YAML::Node& map, const std::string& name) {
  for (const auto& kv : map)
    if (kv.first.IsScalar() && kv.first.Scalar() == name) return kv.first;
  return map;
}

// Lines of a file's text, for looking at the raw characters around a node's mark.
std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    begin = end + 1;
  }
  return lines;
}

class BenchLoader {
 public:
  BenchLoader(const std::string& path, const std::string& text)
      : r_(path), lines_(split_lines(text)) {
    s_.file = path;
  }

  Reader& reader() { return r_; }

  BenchScenario load(const YAML::Node& root) {
    keys(root, "");
    if (root["name"]) s_.name = r_.str(root["name"], "name");
    if (root["seed"]) s_.workload.seed = count(root["seed"], "seed");
    if (root["horizon"]) s_.horizon = positive_duration(root["horizon"], "horizon");
    if (const auto& n = root["network"]) {
      keys(n, "network");
      if (n["latency"]) s_.latency = r_.duration(n["latency"], "network.latency");
      if (n["bandwidth"]) s_.bandwidth = r_.bandwidth(n["bandwidth"], "network.bandwidth");
    }
    if (const auto& n = root["relay"]) relay(n);
    if (const auto& n = root["dns"]) {
      keys(n, "dns");
      if (n["ttl"]) s_.dns_ttl = r_.duration(n["ttl"], "dns.ttl");
      if (n["timeout"]) s_.dns_timeout = positive_duration(n["timeout"], "dns.timeout");
      if (n["attempts"]) s_.dns_attempts = static_cast<int>(count(n["attempts"], "dns.attempts", 1));
    }
    if (!root["workload"]) r_.fail(root, "the bench scenario needs a workload");
    const YAML::Node w = root["workload"];
    workload(w);
    if (s_.replayed) s_.workload.count = s_.replay.size();
    try {
      workload::validate(s_.workload);
    } catch (const workload::WorkloadError& e) {
      r_.fail(field_node(w, e.field()), e.message());
    }
    if (const auto& n = root["faults"]) faults(n);
    for (const auto& f : s_.faults) {
      if (f.at >= s_.horizon)
        s_.warnings.push_back(fmt::format("{}:{}:{}: warning: this fault at {} is not before the horizon ({}), "
                                          "so it never happens",
                                          f.time_pos.file, f.time_pos.line, f.time_pos.column,
                                          units::format_duration(f.at), units::format_duration(s_.horizon)));
    }
    return std::move(s_);
  }

 private:
  void relay(const YAML::Node& n) {
    keys(n, "relay");
    if (n["policy"]) {
      // A block scalar puts the value on other lines than its mark, so columns would be wrong.
      const char indicator = raw_char(n["policy"]);
      if (indicator == '|' || indicator == '>')
        r_.fail(n["policy"], "relay.policy must be written on one line, not as a block scalar");
      s_.policy = r_.str(n["policy"], "relay.policy");
      parse_policy_list(s_.policy, text_start(n["policy"]));
    }
    if (n["connect_timeout"]) s_.connect_timeout = positive_duration(n["connect_timeout"], "relay.connect_timeout");
    if (n["refused_retry"]) s_.refused_retry = positive_duration(n["refused_retry"], "relay.refused_retry");
    if (const auto& st = n["service_time"]) {
      keys(st, "relay.service_time");
      std::string kind = st["distribution"] ? r_.str(st["distribution"], "relay.service_time.distribution") : "fixed";
      if (kind == "none") s_.service.kind = ServiceTime::Kind::NONE;
      else if (kind == "fixed") s_.service.kind = ServiceTime::Kind::FIXED;
      else if (kind == "exponential") s_.service.kind = ServiceTime::Kind::EXPONENTIAL;
      else r_.fail(st["distribution"], "unknown distribution '" + kind + "' (use none, fixed or exponential)");
      if (s_.service.kind != ServiceTime::Kind::NONE) {
        if (!st["mean"]) r_.fail(st, "relay.service_time needs a mean");
        s_.service.mean = positive_duration(st["mean"], "relay.service_time.mean");
      }
    }
  }

  void workload(const YAML::Node& n) {
    keys(n, "workload");
    auto& w = s_.workload;
    if (n["count"]) w.count = count(n["count"], "workload.count");
    if (n["duration"]) w.duration = r_.duration(n["duration"], "workload.duration");
    if (n["domains"]) w.domains = count(n["domains"], "workload.domains", 1);
    if (n["users_per_domain"]) w.users_per_domain = count(n["users_per_domain"], "workload.users_per_domain", 1);
    if (n["sender_domain"]) w.sender_domain = r_.str(n["sender_domain"], "workload.sender_domain");
    if (n["sender_users"]) w.sender_users = count(n["sender_users"], "workload.sender_users", 1);
    if (const auto& a = n["arrivals"]) arrivals(a);
    if (const auto& z = n["sizes"]) sizes(z);
    if (const auto& rc = n["recipients"]) {
      keys(rc, "workload.recipients");
      std::string kind = rc["count"] ? r_.str(rc["count"], "workload.recipients.count") : "fixed";
      if (kind == "fixed") w.recipient_count = workload::RecipientCountKind::FIXED;
      else if (kind == "poisson") w.recipient_count = workload::RecipientCountKind::POISSON;
      else r_.fail(rc["count"], "unknown recipient count '" + kind + "' (use fixed or poisson)");
      if (rc["mean"]) w.recipients = number(rc["mean"], "workload.recipients.mean", 1);
    }
    if (n["domain_choice"]) {
      std::string kind = r_.str(n["domain_choice"], "workload.domain_choice");
      if (kind == "uniform") w.domain_choice = workload::DomainChoice::UNIFORM;
      else if (kind == "zipf") w.domain_choice = workload::DomainChoice::ZIPF;
      else r_.fail(n["domain_choice"], "unknown domain_choice '" + kind + "' (use uniform or zipf)");
    }
    if (n["zipf_exponent"]) w.zipf_exponent = number(n["zipf_exponent"], "workload.zipf_exponent", 0);
    if (const auto& c = n["classes"]) {
      keys(c, "workload.classes");
      if (c["slow"]) w.classes.slow = share(c["slow"], "workload.classes.slow");
      if (c["dead"]) w.classes.dead = share(c["dead"], "workload.classes.dead");
      if (c["greylisting"]) w.classes.greylisting = share(c["greylisting"], "workload.classes.greylisting");
      if (c["ratelimit"]) w.classes.ratelimit = share(c["ratelimit"], "workload.classes.ratelimit");
    }
    if (const auto& p = n["class_params"]) {
      keys(p, "workload.class_params");
      auto& cp = w.class_params;
      if (p["slow_reply_delay"]) cp.slow_reply_delay = r_.duration(p["slow_reply_delay"], "slow_reply_delay");
      if (p["greylist_delay"]) cp.greylist_delay = r_.duration(p["greylist_delay"], "greylist_delay");
      if (p["ratelimit_per_minute"])
        cp.ratelimit_per_minute = static_cast<int>(count(p["ratelimit_per_minute"], "ratelimit_per_minute", 1));
    }
    if (const auto& rp = n["replay"]) replay(rp, key_node(n, "replay"));
  }

  void arrivals(const YAML::Node& a) {
    keys(a, "workload.arrivals");
    auto& s = s_.workload.arrivals;
    std::string kind = a["process"] ? r_.str(a["process"], "workload.arrivals.process") : "poisson";
    if (kind == "poisson") s.process = workload::ArrivalProcess::POISSON;
    else if (kind == "bursts") s.process = workload::ArrivalProcess::BURSTS;
    else if (kind == "daily") s.process = workload::ArrivalProcess::DAILY;
    else r_.fail(a["process"], "unknown arrival process '" + kind + "' (use poisson, bursts or daily)");
    if (a["rate"]) s.rate = rate(a["rate"], "workload.arrivals.rate");
    if (a["burst_every"]) s.burst_every = positive_duration(a["burst_every"], "burst_every");
    if (a["burst_size"]) s.burst_size = count(a["burst_size"], "burst_size");
    if (a["burst_length"]) s.burst_length = r_.duration(a["burst_length"], "burst_length");
    if (a["amplitude"]) s.amplitude = number(a["amplitude"], "amplitude", 0);
    if (a["peak_offset"]) s.peak_offset = r_.duration(a["peak_offset"], "peak_offset");
  }

  void sizes(const YAML::Node& z) {
    keys(z, "workload.sizes");
    auto& s = s_.workload.sizes;
    std::string kind = z["distribution"] ? r_.str(z["distribution"], "workload.sizes.distribution") : "fixed";
    if (kind == "fixed") s.kind = workload::SizeDistribution::FIXED;
    else if (kind == "exponential") s.kind = workload::SizeDistribution::EXPONENTIAL;
    else if (kind == "lognormal") s.kind = workload::SizeDistribution::LOGNORMAL;
    else if (kind == "pareto") s.kind = workload::SizeDistribution::PARETO;
    else r_.fail(z["distribution"], "unknown size distribution '" + kind + "' (use fixed, exponential, lognormal or pareto)");
    if (z["size"]) s.fixed = static_cast<double>(r_.size(z["size"], "workload.sizes.size"));
    if (z["mean"]) s.mean = static_cast<double>(r_.size(z["mean"], "workload.sizes.mean"));
    if (z["median"]) s.median = static_cast<double>(r_.size(z["median"], "workload.sizes.median"));
    if (z["sigma"]) s.sigma = number(z["sigma"], "workload.sizes.sigma", 0);
    if (z["minimum"]) s.minimum = static_cast<double>(r_.size(z["minimum"], "workload.sizes.minimum"));
    if (z["alpha"]) s.alpha = number(z["alpha"], "workload.sizes.alpha", 0);
    if (z["max"]) s.max_size = r_.size(z["max"], "workload.sizes.max");
  }

  // `key` is the `replay` key, where an empty maillog is reported.
  void replay(const YAML::Node& rp, const YAML::Node& key) {
    keys(rp, "workload.replay");
    if (!rp["maillog"]) r_.fail(rp, "workload.replay needs a maillog file");
    std::string path = r_.str(rp["maillog"], "workload.replay.maillog");
    if (!path.empty() && path[0] != '/') {
      auto slash = r_.file().rfind('/');
      if (slash != std::string::npos) path = r_.file().substr(0, slash + 1) + path;
    }
    workload::MaillogOptions options;
    options.file = path;
    options.year = rp["year"] ? static_cast<int>(count(rp["year"], "workload.replay.year", 1970)) : 2026;
    std::error_code error;
    if (std::filesystem::is_directory(path, error))
      r_.fail(rp["maillog"], "cannot open maillog " + path + ": it is a directory");
    std::ifstream in(path);
    if (!in) r_.fail(rp["maillog"], "cannot open maillog " + path + ": " + std::strerror(errno));
    s_.replay = workload::parse_maillog(in, options).arrivals;
    if (s_.replay.empty())
      r_.fail(key, fmt::format("maillog {} contains no deliveries (no from= line with a to= line "
                               "for the same queue ID), so there is nothing to replay",
                               path));
    s_.replayed = true;
  }

  void keys(const YAML::Node& n, const std::string& path) {
    r_.expect_keys(n, path.empty() ? "the bench scenario" : path, bench_schema().at(path));
  }

  // The node a WorkloadError's field names (`arrivals.rate`), or the nearest mapping above it
  // when the file leaves the field out.
  YAML::Node field_node(const YAML::Node& w, const std::string& field) {
    YAML::Node node = w;
    std::size_t begin = 0;
    while (!field.empty()) {
      const auto dot = field.find('.', begin);
      const std::string key =
          field.substr(begin, dot == std::string::npos ? std::string::npos : dot - begin);
      const YAML::Node& map = node;
      if (!map.IsMap() || !map[key]) break;
      node.reset(map[key]);
      if (dot == std::string::npos) break;
      begin = dot + 1;
    }
    return node;
  }

  // Position of the first character of a scalar's text: after the quote of a quoted scalar.
  SourcePos text_start(const YAML::Node& n) {
    SourcePos at = r_.pos(n);
    if (at.line < 1 || static_cast<std::size_t>(at.line) > lines_.size()) return at;
    const std::string& line = lines_[at.line - 1];
    const auto column = static_cast<std::size_t>(at.column - 1);
    if (column < line.size() && (line[column] == '"' || line[column] == '\'')) ++at.column;
    return at;
  }

  void faults(const YAML::Node& n) {
    std::string text = r_.str(n, "faults");
    auto check_target = [this](const workload::Fault& f) { check_fault_target(f); };
    if (n.Mark().is_null()) {
      // Set by --set: lines count within the value.
      s_.faults = workload::parse_faults(text, "--set faults", 1, 1, check_target);
    } else {
      auto [line, column] = faults_start(n);
      s_.faults = workload::parse_faults(text, r_.file(), line, column, check_target);
    }
    check_fault_overlaps();
  }

  // The character of the file at a node's mark: a quote or a block scalar's indicator.
  char raw_char(const YAML::Node& n) const {
    const SourcePos at = r_.pos(n);
    const auto line = static_cast<std::size_t>(at.line - 1);
    const auto column = static_cast<std::size_t>(at.column - 1);
    if (line >= lines_.size() || column >= lines_[line].size()) return ' ';
    return lines_[line][column];
  }

  // Line and column in the file where the faults text starts. A literal block scalar (`|`)
  // starts on the next line, indented like its first non-blank line or by its indentation
  // indicator. A folded block (`>`) joins the lines, so one fault per line is lost.
  // A quoted or plain value of several lines is rejected too: its line breaks are escapes or
  // folded, so positions after the first line would be wrong.
  std::pair<int, int> faults_start(const YAML::Node& n) {
    SourcePos at = text_start(n);
    const auto line_index = static_cast<std::size_t>(at.line - 1);
    if (line_index >= lines_.size()) return {at.line, at.column};
    const std::string& line = lines_[line_index];
    const auto mark_column = static_cast<std::size_t>(r_.pos(n).column - 1);
    const char indicator = mark_column < line.size() ? line[mark_column] : ' ';
    if (indicator == '>')
      r_.fail(n,
              "faults must be a literal block scalar (faults: |) with one fault per line; "
              "a folded block (>) joins the lines");
    if (indicator != '|') {
      // A quoted or plain value over several lines is folded, so its positions would be wrong.
      if (r_.str(n, "faults").find('\n') != std::string::npos)
        r_.fail(n, "faults of several lines must be a literal block scalar (faults: |) with one fault "
                   "per line");
      return {at.line, at.column};
    }

    int indent = -1;
    for (std::size_t i = mark_column + 1; i < line.size() && line[i] != ' ' && line[i] != '#'; ++i)
      if (std::isdigit(static_cast<unsigned char>(line[i]))) {
        // The indentation indicator counts from the indentation of the `faults:` key, which is
        // a top-level key at column 1.
        indent = line[i] - '0';
      }
    for (std::size_t i = line_index + 1; indent < 0 && i < lines_.size(); ++i) {
      const auto first = lines_[i].find_first_not_of(' ');
      if (first != std::string::npos) indent = static_cast<int>(first);
    }
    return {at.line + 1, std::max(indent, 0) + 1};
  }

  // True when `name` is a destination domain of the run: a replayed log's recipient domains
  // (lower case, as the bench world names them) or d001.example ... of a generated workload.
  bool is_workload_domain(const std::string& name) const {
    if (s_.replayed) return replay_domains().count(name) != 0;
    return generated_domains().index_of(name).has_value();
  }

  std::set<std::string> replay_domains() const {
    std::set<std::string> names;
    for (const auto& a : s_.replay)
      for (const auto& r : a.recipients) {
        const auto at = r.rfind('@');
        if (at == std::string::npos) continue;
        std::string domain = r.substr(at + 1);
        for (char& c : domain) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        names.insert(domain);
      }
    return names;
  }

  workload::DomainTable generated_domains() const {
    return workload::DomainTable(s_.workload.domains, s_.workload.users_per_domain, {}, {}, 0);
  }

  // Examples of valid MX host names, for error messages.
  std::string domain_examples() const {
    if (s_.replayed) {
      std::string out;
      int listed = 0;
      for (const auto& name : replay_domains()) {
        if (listed++ == 3) return out + ", ...";
        out += (out.empty() ? "" : ", ") + name;
      }
      return out.empty() ? "none: the replayed log has no recipient domains" : out;
    }
    workload::DomainTable table = generated_domains();
    return table.size() == 1
               ? table.name(0)
               : fmt::format("{} ... {}", table.name(0), table.name(table.size() - 1));
  }

  // The domain a tempfail fault names: DOMAIN or mx.DOMAIN, as the bench world matches either.
  std::string fault_domain(const std::string& target) const {
    if (target.rfind("mx.", 0) == 0 && is_workload_domain(target.substr(3)))
      return target.substr(3);
    return target;
  }

  // Throws when a fault names a host, link or domain that the bench world does not have.
  void check_fault_target(const workload::Fault& f) const {
    if (f.kind == workload::FaultKind::LINK || f.kind == workload::FaultKind::HOST) {
      const bool known = f.target == kRelayHost || f.target == kNameServerHost ||
                         (f.target.rfind("mx.", 0) == 0 && is_workload_domain(f.target.substr(3)));
      if (!known)
        throw InputError(f.target_pos,
                         fmt::format("no host or link named '{}' in the bench world; use {}, {} "
                                     "or mx.DOMAIN for a workload domain ({})",
                                     f.target, kRelayHost, kNameServerHost, domain_examples()));
    } else if (f.kind == workload::FaultKind::DOMAIN) {
      if (!is_workload_domain(fault_domain(f.target)))
        throw InputError(f.target_pos, fmt::format("domain '{}' is not a destination of the workload ({})",
                                                   f.target, domain_examples()));
    }
  }

  // The faults parser checks each link and each host on its own. The bench world adds two
  // aliases: a crash of any host but the relay takes its link down, and a tempfail of
  // mx.DOMAIN is one of DOMAIN, so overlaps across those are errors too.
  void check_fault_overlaps() const {
    std::map<std::string, const workload::Fault*> down;      // host -> the fault that took it down
    std::map<std::string, const workload::Fault*> tempfail;  // domain -> its last tempfail
    for (const auto& f : s_.faults) {
      using workload::FaultAction;
      if ((f.kind == workload::FaultKind::LINK || f.kind == workload::FaultKind::HOST) &&
          f.target != kRelayHost) {
        if (f.action == FaultAction::UP || f.action == FaultAction::RESTART) {
          down.erase(f.target);
          continue;
        }
        auto [it, inserted] = down.emplace(f.target, &f);
        if (!inserted)
          throw InputError(
              f.action_pos,
              fmt::format("{} is already down at {} ('{} {}' at {}, line {}); the "
                          "bench world takes a crash of a host other than {} as "
                          "its link going down, so the two must not overlap",
                          f.target, units::format_duration(f.at), to_string(it->second->kind),
                          to_string(it->second->action), units::format_duration(it->second->at),
                          it->second->pos.line, kRelayHost));
      } else if (f.kind == workload::FaultKind::DOMAIN) {
        const workload::Fault*& previous = tempfail[fault_domain(f.target)];
        if (previous != nullptr && f.at < previous->at + previous->duration)
          throw InputError(f.time_pos,
                           fmt::format("domain {} tempfail at {} overlaps the one of {} at {} "
                                       "(line {}), which lasts until {}",
                                       f.target, units::format_duration(f.at), previous->target,
                                       units::format_duration(previous->at), previous->pos.line,
                                       units::format_duration(previous->at + previous->duration)));
        previous = &f;
      }
    }
  }

  double positive_duration(const YAML::Node& n, const std::string& what) {
    double v = r_.duration(n, what);
    if (!(v > 0)) r_.fail(n, what + " must be longer than 0");
    return v;
  }

  double number(const YAML::Node& n, const std::string& what, double minimum) {
    std::string text = r_.str(n, what);
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !std::isfinite(v)) r_.fail(n, "invalid number '" + text + "' for " + what);
    if (v < minimum) r_.fail(n, fmt::format("{} must be at least {}", what, minimum));
    return v;
  }

  std::uint64_t count(const YAML::Node& n, const std::string& what, long minimum = 0) {
    long v = r_.integer(n, what);
    if (v < minimum) r_.fail(n, fmt::format("{} must be at least {}", what, minimum));
    return static_cast<std::uint64_t>(v);
  }

  double share(const YAML::Node& n, const std::string& what) {
    double v = number(n, what, 0);
    if (v > 1) r_.fail(n, what + " is a share of the domains, between 0 and 1");
    return v;
  }

  // `10/s`, `600/min`, `36000/h` or a bare number per second.
  double rate(const YAML::Node& n, const std::string& what) {
    std::string text = r_.str(n, what);
    double per = 1;
    auto slash = text.find('/');
    if (slash != std::string::npos) {
      std::string unit = text.substr(slash + 1);
      if (unit == "s") per = 1;
      else if (unit == "min" || unit == "m") per = 60;
      else if (unit == "h") per = 3600;
      else if (unit == "d") per = 86400;
      else r_.fail(n, "invalid rate unit '" + unit + "' for " + what + " (use /s, /min, /h or /d)");
      text = text.substr(0, slash);
    }
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !std::isfinite(v) || v < 0)
      r_.fail(n, "invalid rate '" + r_.str(n, what) + "' for " + what + " (use e.g. 10/s or 600/min)");
    return v / per;
  }

  Reader r_;
  std::vector<std::string> lines_;  // the file's text, for the characters around a mark
  BenchScenario s_;
};

}  // namespace

BenchScenario load_bench_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  std::string text = read_text_file(path);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw InputError(SourcePos{path, e.mark.line + 1, e.mark.column + 1}, e.msg);
  }
  // An empty file is an empty scenario, which --set can still fill.
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap())
    throw InputError(SourcePos{path, 1, 1}, "a bench scenario must be a YAML mapping");
  BenchLoader loader(path, text);
  std::map<std::string, std::string> set_keys;  // key -> its first --set
  for (const auto& o : overrides) {
    const std::string key = o.substr(0, o.find('='));
    auto [first, inserted] = set_keys.emplace(key, o);
    if (!inserted)
      throw InputError(SourcePos{"--set " + o, 0, 0},
                       fmt::format("{} is already set by --set {}; give each key once", key, first->second));
    apply_bench_override(root, o, loader.reader());
  }
  if (!root["workload"])
    throw InputError(SourcePos{path, 1, 1}, "the bench scenario needs a workload");
  try {
    return loader.load(root);
  } catch (const YAML::Exception& e) {
    throw InputError(SourcePos{path, e.mark.line + 1, e.mark.column + 1}, e.msg);
  }
}

namespace {

bool is_policy_name(const std::string& name) {
  return name == "sendmail" || name == "postfix" || name == "exim" || name == "fifo";
}

// `origin` moved right by `column` - 1; a position without a line keeps no column either.
SourcePos shifted(const SourcePos& origin, int column) {
  SourcePos at = origin;
  if (at.line > 0 && at.column > 0) at.column += column - 1;
  return at;
}

// Describes where an earlier part of the list is, for messages: its column in the file or
// option when the list has a position there, else its place in the list itself.
std::string earlier(const SourcePos& origin, int column) {
  SourcePos at = shifted(origin, column);
  return at.column > 0 ? fmt::format("column {}", at.column)
                       : fmt::format("character {} of the list", column);
}

// Rejects a setting given twice in one spec. Policies keep the last value without a word, so
// `MaxQueueRunSize=1,MaxQueueRunSize=2` would run with 2. Names are compared ignoring case,
// as Sendmail compares its option names, and make_policy has already rejected wrong case
// for the other policies.
// NOTE: queue::make_policy could make this check itself; it is here because the policy
// parsers belong to the queue module.
void reject_repeated_settings(const PolicyListItem& item, const SourcePos& origin) {
  queue::spec::SplitSpec split = queue::spec::split_policy_name(item.spec);
  std::vector<std::string> list_valued;
  if (split.policy == "exim") list_valued.push_back("retry");  // as make_policy splits it
  std::map<std::string, queue::spec::Setting> seen;
  for (const auto& setting : queue::spec::split_settings(split, list_valued)) {
    auto [first, inserted] = seen.emplace(queue::spec::lower(setting.name), setting);
    if (inserted) continue;
    const std::string repetition = first->second.value == setting.value
                                       ? "twice"
                                       : fmt::format("twice with different values ('{}' and '{}')",
                                                     first->second.value, setting.value);
    throw InputError(
        shifted(origin, item.column + setting.name_column - 1),
        fmt::format("{} setting {} is given {} (first at {}); keep one", split.policy, setting.name,
                    repetition, earlier(origin, item.column + first->second.name_column - 1)));
  }
}

}  // namespace

std::vector<PolicyListItem> parse_policy_list(const std::string& text, const SourcePos& origin) {
  if (text.empty())
    throw InputError(origin,
                     "the policy list is empty; expected sendmail, postfix, exim or fifo, "
                     "optionally with settings such as sendmail:QueueSortOrder=host");
  std::vector<PolicyListItem> items;
  std::size_t begin = 0;
  while (true) {
    const auto comma = text.find(',', begin);
    const std::string piece =
        text.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin);
    const int column = static_cast<int>(begin) + 1;
    if (piece.empty())
      throw InputError(shifted(origin, column),
                       "empty policy name or setting between commas; expected sendmail, postfix, "
                       "exim or fifo");
    const std::string name = piece.substr(0, piece.find(':'));
    // A piece continues the previous spec only when that spec has settings (a colon).
    const bool continues =
        !items.empty() && !is_policy_name(name) && items.back().spec.find(':') != std::string::npos;
    if (continues) {
      items.back().spec += "," + piece;
    } else {
      items.push_back(PolicyListItem{piece, column});
    }
    if (comma == std::string::npos) break;
    begin = comma + 1;
  }

  for (std::size_t i = 0; i < items.size(); ++i) {
    const PolicyListItem& item = items[i];
    try {
      queue::make_policy(item.spec);
    } catch (const InputError& e) {
      const int column = e.pos().column > 0 ? e.pos().column : 1;
      throw InputError(shifted(origin, item.column + column - 1), e.message());
    }
    reject_repeated_settings(item, origin);
    for (std::size_t j = 0; j < i; ++j)
      if (items[j].spec == item.spec)
        throw InputError(shifted(origin, item.column),
                         fmt::format("policy {} is listed twice (first at {}); each policy "
                                     "gives one row, so list it once",
                                     item.spec, earlier(origin, items[j].column)));
  }
  return items;
}

}  // namespace mailsim::sim
