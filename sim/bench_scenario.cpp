// Reads bench scenarios (scenarios/bench/*.yaml). The format is in
// docs/bench.md.
#include <cmath>
#include <limits>

#include "models/workload/maillog.hpp"
#include "sim/bench.hpp"
#include "sim/yaml_reader.hpp"

namespace mailsim::sim {
namespace {

class BenchLoader {
 public:
  explicit BenchLoader(const std::string& path) : r_(path) { s_.file = path; }

  BenchScenario load(const YAML::Node& root) {
    r_.expect_keys(root, "the bench scenario",
                   {"name", "seed", "network", "horizon", "relay", "dns", "workload", "faults"});
    if (root["name"]) s_.name = r_.str(root["name"], "name");
    if (root["seed"]) s_.workload.seed = count(root["seed"], "seed");
    if (root["horizon"]) s_.horizon = positive_duration(root["horizon"], "horizon");
    if (const auto& n = root["network"]) {
      r_.expect_keys(n, "network", {"latency", "bandwidth"});
      if (n["latency"]) s_.latency = r_.duration(n["latency"], "network.latency");
      if (n["bandwidth"]) s_.bandwidth = r_.bandwidth(n["bandwidth"], "network.bandwidth");
    }
    if (const auto& n = root["relay"]) relay(n);
    if (const auto& n = root["dns"]) {
      r_.expect_keys(n, "dns", {"ttl", "timeout", "attempts"});
      if (n["ttl"]) s_.dns_ttl = r_.duration(n["ttl"], "dns.ttl");
      if (n["timeout"]) s_.dns_timeout = positive_duration(n["timeout"], "dns.timeout");
      if (n["attempts"]) s_.dns_attempts = static_cast<int>(count(n["attempts"], "dns.attempts", 1));
    }
    if (!root["workload"]) r_.fail(root, "the bench scenario needs a workload");
    workload(root["workload"]);
    if (const auto& n = root["faults"]) {
      std::string text = r_.str(n, "faults");
      // A block scalar's text starts on the line after its `|`.
      try {
        s_.faults = workload::parse_faults(text, r_.file());
      } catch (const InputError& e) {
        SourcePos at = e.pos();
        at.line += r_.pos(n).line;
        throw InputError(at, e.message());
      }
    }
    if (s_.replayed) s_.workload.count = s_.replay.size();
    try {
      workload::validate(s_.workload);
    } catch (const InputError& e) {
      r_.fail(root["workload"], e.message());
    }
    return std::move(s_);
  }

 private:
  void relay(const YAML::Node& n) {
    r_.expect_keys(n, "relay", {"policy", "service_time", "connect_timeout", "refused_retry"});
    if (n["policy"]) s_.policy = r_.str(n["policy"], "relay.policy");
    if (n["connect_timeout"]) s_.connect_timeout = positive_duration(n["connect_timeout"], "relay.connect_timeout");
    if (n["refused_retry"]) s_.refused_retry = positive_duration(n["refused_retry"], "relay.refused_retry");
    if (const auto& st = n["service_time"]) {
      r_.expect_keys(st, "relay.service_time", {"distribution", "mean"});
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
    r_.expect_keys(n, "workload",
                   {"count", "duration", "arrivals", "sizes", "domains", "users_per_domain", "sender_domain",
                    "sender_users", "recipients", "domain_choice", "zipf_exponent", "classes", "class_params",
                    "replay"});
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
      r_.expect_keys(rc, "workload.recipients", {"count", "mean"});
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
      r_.expect_keys(c, "workload.classes", {"slow", "dead", "greylisting", "ratelimit"});
      if (c["slow"]) w.classes.slow = share(c["slow"], "workload.classes.slow");
      if (c["dead"]) w.classes.dead = share(c["dead"], "workload.classes.dead");
      if (c["greylisting"]) w.classes.greylisting = share(c["greylisting"], "workload.classes.greylisting");
      if (c["ratelimit"]) w.classes.ratelimit = share(c["ratelimit"], "workload.classes.ratelimit");
    }
    if (const auto& p = n["class_params"]) {
      r_.expect_keys(p, "workload.class_params", {"slow_reply_delay", "greylist_delay", "ratelimit_per_minute"});
      auto& cp = w.class_params;
      if (p["slow_reply_delay"]) cp.slow_reply_delay = r_.duration(p["slow_reply_delay"], "slow_reply_delay");
      if (p["greylist_delay"]) cp.greylist_delay = r_.duration(p["greylist_delay"], "greylist_delay");
      if (p["ratelimit_per_minute"])
        cp.ratelimit_per_minute = static_cast<int>(count(p["ratelimit_per_minute"], "ratelimit_per_minute", 1));
    }
    if (const auto& rp = n["replay"]) replay(rp);
  }

  void arrivals(const YAML::Node& a) {
    r_.expect_keys(a, "workload.arrivals",
                   {"process", "rate", "burst_every", "burst_size", "burst_length", "amplitude", "peak_offset"});
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
    r_.expect_keys(z, "workload.sizes", {"distribution", "size", "mean", "median", "sigma", "minimum", "alpha", "max"});
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

  void replay(const YAML::Node& rp) {
    r_.expect_keys(rp, "workload.replay", {"maillog", "year"});
    if (!rp["maillog"]) r_.fail(rp, "workload.replay needs a maillog file");
    std::string path = r_.str(rp["maillog"], "workload.replay.maillog");
    if (!path.empty() && path[0] != '/') {
      auto slash = r_.file().rfind('/');
      if (slash != std::string::npos) path = r_.file().substr(0, slash + 1) + path;
    }
    workload::MaillogOptions options;
    options.file = path;
    options.year = rp["year"] ? static_cast<int>(count(rp["year"], "workload.replay.year", 1970)) : 2026;
    std::ifstream in(path);
    if (!in) r_.fail(rp["maillog"], "cannot open maillog " + path + ": " + std::strerror(errno));
    s_.replay = workload::parse_maillog(in, options).arrivals;
    s_.replayed = true;
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
  for (const auto& o : overrides) apply_override(root, o);
  return BenchLoader(path).load(root);
}

}  // namespace mailsim::sim
