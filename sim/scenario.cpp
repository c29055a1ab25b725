#include "sim/scenario.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "models/common/timefmt.hpp"
#include "models/common/units.hpp"
#include "sim/yaml_reader.hpp"

namespace mailsim::sim {

const FileSpec* HostSpec::file(const std::string& path) const {
  auto it = files.find(path);
  return it == files.end() ? nullptr : &it->second;
}

const UserSpec* HostSpec::user(const std::string& user_name) const {
  for (const auto& u : users)
    if (u.name == user_name) return &u;
  return nullptr;
}

bool ServiceSpec::running_at(double t) const {
  for (const auto& w : stopped)
    if (t >= w.from && t < w.to) return false;
  return true;
}

double ServiceSpec::next_change(double t) const {
  double next = std::numeric_limits<double>::infinity();
  for (const auto& w : stopped) {
    if (w.from > t) next = std::min(next, w.from);
    if (w.to > t) next = std::min(next, w.to);
  }
  return next;
}

const HostSpec* Scenario::host(const std::string& host_name) const {
  for (const auto& h : hosts)
    if (h.name == host_name) return &h;
  return nullptr;
}

const HostSpec* Scenario::host_by_address(const std::string& address) const {
  for (const auto& h : hosts)
    if (h.address == address) return &h;
  return nullptr;
}
namespace {


std::string directory_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

class ScenarioLoader {
 public:
  ScenarioLoader(std::string path) : r_(path), base_dir_(directory_of(path)) { s_.file = path; }

  Scenario load(const YAML::Node& root) {
    r_.expect_keys(root, "the scenario",
                   {"name", "description", "start", "seed", "duration", "network", "every_host", "hosts",
                    "routers", "links", "workload"});
    if (root["name"]) s_.name = r_.str(root["name"], "name");
    if (root["description"]) s_.description = r_.str(root["description"], "description");
    s_.start_epoch = *timefmt::parse_iso8601("2026-12-04T17:08:07Z");
    if (root["start"]) {
      std::string text = r_.str(root["start"], "start");
      auto t = timefmt::parse_iso8601(text);
      if (!t) r_.fail(root["start"], fmt::format("invalid start time '{}' (use e.g. 2026-12-04T17:08:07Z)", text));
      s_.start_epoch = *t;
    }
    if (root["seed"]) {
      long seed = r_.integer(root["seed"], "seed");
      if (seed < 0) r_.fail(root["seed"], fmt::format("seed {} is negative (use 0 or more)", seed));
      s_.seed = static_cast<std::uint64_t>(seed);
    }
    if (root["duration"]) s_.duration = r_.duration(root["duration"], "duration");
    if (root["network"]) load_network(root["network"]);
    if (!root["hosts"]) r_.fail(root, "the scenario has no 'hosts'");
    if (root["every_host"]) load_every_host(root["every_host"]);
    load_hosts(root["hosts"]);
    if (root["routers"]) {
      s_.routers = r_.list(root["routers"], "routers");
      std::set<std::string> seen;
      for (size_t i = 0; i < s_.routers.size(); ++i) {
        const YAML::Node& at = root["routers"].IsSequence() ? root["routers"][i] : root["routers"];
        if (!seen.insert(s_.routers[i]).second) r_.fail(at, fmt::format("router '{}' is listed twice", s_.routers[i]));
        if (s_.host(s_.routers[i])) r_.fail(at, fmt::format("router '{}' has the name of a host", s_.routers[i]));
      }
    }
    if (root["links"]) load_links(root["links"]);
    if (root["workload"]) load_workload(root["workload"]);
    return std::move(s_);
  }

 private:
  void load_network(const YAML::Node& n) {
    r_.expect_keys(n, "network", {"model", "latency", "bandwidth"});
    if (n["model"]) {
      std::string model = r_.str(n["model"], "network.model");
      // SimGrid's Constant model has no links, so it cannot carry a topology.
      static const std::set<std::string> known = {"CM02", "LV08", "SMPI", "IB"};
      if (!known.count(model))
        r_.fail(n["model"], fmt::format("unknown SimGrid network model '{}' (use CM02, LV08, SMPI or IB)", model));
      s_.network.model = model;
    }
    if (n["latency"]) s_.network.latency = r_.duration(n["latency"], "network.latency");
    if (n["bandwidth"]) s_.network.bandwidth = r_.bandwidth(n["bandwidth"], "network.bandwidth");
  }

  void load_every_host(const YAML::Node& n) {
    r_.expect_keys(n, "every_host", {"files"});
    if (n["files"]) {
      every_host_files_.reset(n["files"]);
      has_every_host_files_ = true;
    }
  }

  void load_files(const YAML::Node& n, HostSpec& host) {
    r_.expect_map(n, "files of " + host.name);
    for (const auto& kv : n) {
      FileSpec f;
      f.path = r_.str(kv.first, "a file path");
      if (f.path.empty() || f.path[0] != '/')
        r_.fail(kv.first, fmt::format("file path '{}' must be absolute, as on the host", f.path));
      f.display = host.name + ":" + f.path;
      if (kv.second.IsMap()) {
        r_.expect_keys(kv.second, "file " + f.path, {"from"});
        std::string rel = r_.str(kv.second["from"], "from");
        std::string full = rel[0] == '/' ? rel : base_dir_ + "/" + rel;
        try {
          f.text = read_text_file(full);
        } catch (const InputError& e) {
          r_.fail(kv.second["from"], fmt::format("cannot read '{}' for {}: {}", full, f.display, e.message()));
        }
      } else {
        f.text = r_.str(kv.second, "file contents");
      }
      host.files[f.path] = std::move(f);
    }
  }

  void load_hosts(const YAML::Node& n) {
    r_.expect_map(n, "hosts");
    std::set<std::string> addresses;
    for (const auto& kv : n) {
      HostSpec h;
      h.name = r_.str(kv.first, "a host name");
      h.pos = r_.pos(kv.first);
      const YAML::Node& body = kv.second;
      r_.expect_keys(body, "host " + h.name, {"address", "services", "files", "users", "up"});
      if (!body["address"]) r_.fail(kv.first, fmt::format("host '{}' has no address", h.name));
      h.address = r_.str(body["address"], "address");
      if (!valid_ipv4(h.address))
        r_.fail(body["address"], fmt::format("invalid IPv4 address '{}' for host {}", h.address, h.name));
      if (!addresses.insert(h.address).second)
        r_.fail(body["address"], fmt::format("address {} is used by two hosts", h.address));
      if (s_.host(h.name)) r_.fail(kv.first, fmt::format("host '{}' is declared twice", h.name));
      if (body["up"]) h.up = r_.boolean(body["up"], "up");
      if (body["services"]) load_services(body["services"], h);
      if (has_every_host_files_) load_files(every_host_files_, h);
      if (body["files"]) load_files(body["files"], h);
      if (body["users"]) load_users(body["users"], h);
      s_.hosts.push_back(std::move(h));
    }
  }

  void load_services(const YAML::Node& n, HostSpec& h) {
    static const std::set<std::string> known = {"sendmail", "dovecot", "named", "roundcube"};
    auto add = [&](const YAML::Node& key, const YAML::Node& options) {
      ServiceSpec s;
      s.name = r_.str(key, "a service");
      s.pos = r_.pos(key);
      if (!known.count(s.name))
        r_.fail(key, fmt::format("unknown service '{}' (use sendmail, dovecot, named or roundcube)", s.name));
      if (options && !options.IsNull()) {
        r_.expect_keys(options, "service " + s.name, {"args", "stopped", "build", "upload_max_filesize"});
        if (options["upload_max_filesize"]) {
          std::string text = r_.str(options["upload_max_filesize"], "upload_max_filesize");
          if (!units::parse_size(text))
            r_.fail(options["upload_max_filesize"],
                    fmt::format("invalid size '{}' for upload_max_filesize (use e.g. 2M, 500M)", text));
        }
        if (options["build"]) {
          std::string build = r_.str(options["build"], "build");
          if (build != "redhat" && build != "debian")
            r_.fail(options["build"], fmt::format("unknown build '{}' (use redhat or debian)", build));
        }
        for (const auto& kv : options) s.options[kv.first.as<std::string>()] = r_.str(kv.second, kv.first.as<std::string>());
        if (options["stopped"]) s.stopped = windows(options["stopped"], "stopped");
      }
      h.services[s.name] = std::move(s);
    };
    if (n.IsSequence()) {
      for (const auto& item : n) add(item, YAML::Node());
    } else if (n.IsMap()) {
      for (const auto& kv : n) add(kv.first, kv.second);
    } else {
      r_.fail(n, "services must be a list (sendmail, dovecot, named) or a mapping with options");
    }
  }

  // `always`, or comma-separated FROM-TO spans of durations: "0s-20m, 1h-2h".
  std::vector<Window> windows(const YAML::Node& n, const std::string& what) {
    std::string text = r_.str(n, what);
    if (text == "always") return {Window{0, std::numeric_limits<double>::infinity()}};
    std::vector<Window> out;
    size_t start = 0;
    while (start <= text.size()) {
      size_t comma = text.find(',', start);
      std::string span = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      span.erase(0, span.find_first_not_of(' '));
      span.erase(span.find_last_not_of(' ') + 1);
      size_t dash = span.find('-');
      std::optional<double> from, to;
      if (dash != std::string::npos) {
        from = units::parse_duration(span.substr(0, dash));
        to = units::parse_duration(span.substr(dash + 1));
      }
      if (!from || !to || *to <= *from)
        r_.fail(n, fmt::format("invalid {} window '{}' (use always, or FROM-TO such as 0s-20m, 1h-2h)", what, span));
      out.push_back(Window{*from, *to});
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return out;
  }

  void load_users(const YAML::Node& n, HostSpec& h) {
    r_.expect_map(n, "users of " + h.name);
    int next_uid = 1001;
    for (const auto& kv : n) {
      UserSpec u;
      u.name = r_.str(kv.first, "a user name");
      u.uid = next_uid++;
      if (kv.second.IsMap()) {
        r_.expect_keys(kv.second, "user " + u.name, {"password", "uid"});
        if (kv.second["password"]) u.password = r_.str(kv.second["password"], "password");
        if (kv.second["uid"]) {
          long uid = r_.integer(kv.second["uid"], "uid");
          if (uid < 0 || uid > 2147483647) r_.fail(kv.second["uid"], fmt::format("uid {} is out of range 0-2147483647", uid));
          u.uid = static_cast<int>(uid);
        }
      } else if (!kv.second.IsNull()) {
        r_.fail(kv.second, fmt::format("user '{}' must be a mapping with password and uid", u.name));
      }
      h.users.push_back(std::move(u));
    }
  }

  void load_links(const YAML::Node& n) {
    if (!n.IsSequence()) r_.fail(n, "links must be a list");
    int index = 0;
    for (const auto& item : n) {
      r_.expect_keys(item, "a link", {"name", "between", "latency", "bandwidth"});
      LinkSpec l;
      l.pos = r_.pos(item);
      if (!item["between"]) r_.fail(item, "a link needs 'between: [A, B]'");
      auto ends = r_.list(item["between"], "between");
      if (ends.size() != 2) r_.fail(item["between"], "'between' must name exactly two hosts or routers");
      for (size_t i = 0; i < ends.size(); ++i) {
        const std::string& end = ends[i];
        if (!s_.host(end) && std::find(s_.routers.begin(), s_.routers.end(), end) == s_.routers.end())
          r_.fail(item["between"][i], fmt::format("unknown host or router '{}' in link", end));
      }
      if (ends[0] == ends[1]) r_.fail(item["between"], fmt::format("a link joins '{}' to itself", ends[0]));
      l.a = ends[0];
      l.b = ends[1];
      l.name = item["name"] ? r_.str(item["name"], "name") : fmt::format("link{}:{}-{}", index, l.a, l.b);
      l.latency = item["latency"] ? r_.duration(item["latency"], "latency") : s_.network.latency;
      l.bandwidth = item["bandwidth"] ? r_.bandwidth(item["bandwidth"], "bandwidth") : s_.network.bandwidth;
      s_.links.push_back(std::move(l));
      ++index;
    }
  }

  void load_workload(const YAML::Node& n) {
    if (!n.IsSequence()) r_.fail(n, "workload must be a list");
    int index = 0;
    for (const auto& item : n) {
      r_.expect_keys(item, "a workload item", {"name", "pc", "at", "send", "fetch"});
      WorkloadItem w;
      w.pos = r_.pos(item);
      w.name = item["name"] ? r_.str(item["name"], "name") : fmt::format("item{}", index);
      for (const auto& other : s_.workload)
        if (other.name == w.name)
          r_.fail(item["name"] ? item["name"] : item, fmt::format("workload name '{}' is used twice", w.name));
      if (!item["pc"]) r_.fail(item, fmt::format("workload item '{}' has no 'pc'", w.name));
      w.pc = r_.str(item["pc"], "pc");
      if (!s_.host(w.pc)) r_.fail(item["pc"], fmt::format("unknown host '{}'", w.pc));
      if (item["at"]) w.at = r_.duration(item["at"], "at");
      if (item["send"] && item["fetch"]) r_.fail(item, "a workload item either sends or fetches, not both");
      if (item["send"]) {
        w.send = load_send(item["send"]);
      } else if (item["fetch"]) {
        w.fetch = load_fetch(item["fetch"], w.pc);
      } else {
        r_.fail(item, fmt::format("workload item '{}' needs 'send' or 'fetch'", w.name));
      }
      s_.workload.push_back(std::move(w));
      ++index;
    }
  }

  SendSpec load_send(const YAML::Node& n) {
    r_.expect_keys(n, "send", {"from", "to", "subject", "body", "attachments", "server", "port", "via"});
    SendSpec s;
    if (!n["from"]) r_.fail(n, "send needs 'from'");
    if (!n["to"]) r_.fail(n, "send needs 'to'");
    if (!n["server"]) r_.fail(n, "send needs 'server' (the SMTP server the PC submits to)");
    s.from = r_.str(n["from"], "from");
    if (!s.from.empty() && !valid_address(s.from))
      r_.fail(n["from"], fmt::format("sender '{}' is not user@domain", s.from));
    s.to = r_.list(n["to"], "to");
    for (size_t i = 0; i < s.to.size(); ++i)
      if (!valid_address(s.to[i]))
        r_.fail(n["to"].IsSequence() ? n["to"][i] : n["to"], fmt::format("recipient '{}' is not user@domain", s.to[i]));
    if (s.to.empty()) r_.fail(n["to"], "send needs at least one recipient");
    s.server = r_.str(n["server"], "server");
    if (!s_.host(s.server) && !valid_ipv4(s.server))
      r_.fail(n["server"], fmt::format("unknown host '{}' (server must be a host of the scenario or an IPv4 address)",
                                       s.server));
    if (n["port"]) s.port = port(n["port"]);
    if (n["via"]) {
      s.via = r_.str(n["via"], "via");
      if (s.via != "smtp" && s.via != "webmail")
        r_.fail(n["via"], fmt::format("unknown way to send '{}' (use smtp or webmail)", s.via));
      const HostSpec* server = s_.host(s.server);
      if (s.via == "webmail" && server && !server->runs("roundcube"))
        r_.fail(n["server"], fmt::format("{} runs no webmail (add roundcube to its services)", s.server));
    }
    if (n["subject"]) s.subject = r_.str(n["subject"], "subject");
    if (n["body"]) s.body = r_.str(n["body"], "body");
    if (n["attachments"]) {
      if (!n["attachments"].IsSequence()) r_.fail(n["attachments"], "attachments must be a list");
      for (const auto& a : n["attachments"]) {
        r_.expect_keys(a, "an attachment", {"filename", "size", "content_type"});
        AttachmentSpec spec;
        if (!a["filename"] || !a["size"]) r_.fail(a, "an attachment needs 'filename' and 'size'");
        spec.filename = r_.str(a["filename"], "filename");
        spec.size = r_.size(a["size"], "size");
        if (a["content_type"]) spec.content_type = r_.str(a["content_type"], "content_type");
        s.attachments.push_back(spec);
      }
    }
    return s;
  }

  FetchSpec load_fetch(const YAML::Node& n, const std::string& pc) {
    r_.expect_keys(n, "fetch", {"protocol", "server", "user", "password", "keep", "every", "local_user"});
    FetchSpec f;
    if (n["protocol"]) {
      f.protocol = r_.str(n["protocol"], "protocol");
      if (f.protocol != "pop3") r_.fail(n["protocol"], fmt::format("unsupported fetch protocol '{}' (use pop3)", f.protocol));
    }
    if (!n["server"] || !n["user"]) r_.fail(n, "fetch needs 'server' and 'user'");
    f.server = r_.str(n["server"], "server");
    if (!s_.host(f.server) && !valid_ipv4(f.server))
      r_.fail(n["server"], fmt::format("unknown host '{}' (server must be a host of the scenario or an IPv4 address)",
                                       f.server));
    f.user = r_.str(n["user"], "user");
    if (const HostSpec* server = s_.host(f.server)) {
      if (!server->user(f.user))
        r_.fail(n["user"], fmt::format("unknown user '{}' on {}", f.user, f.server));
    }
    if (n["password"]) f.password = r_.str(n["password"], "password");
    if (n["keep"]) f.keep = r_.boolean(n["keep"], "keep");
    if (n["every"]) f.every = r_.duration(n["every"], "every");
    if (f.every <= 0) r_.fail(n["every"], "'every' must be more than 0s");
    f.local_user = n["local_user"] ? r_.str(n["local_user"], "local_user") : f.user;
    (void)pc;
    return f;
  }

  int port(const YAML::Node& n) {
    long p = r_.integer(n, "port");
    if (p < 1 || p > 65535) r_.fail(n, fmt::format("port {} is out of range 1-65535", p));
    return static_cast<int>(p);
  }

  // user@domain with no spaces, brackets or control characters (they would
  // end up raw in SMTP commands).
  static bool valid_address(const std::string& a) {
    auto at = a.rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 == a.size()) return false;
    for (unsigned char c : a)
      if (c <= ' ' || c == '<' || c == '>' || c == 127) return false;
    return true;
  }

  static bool valid_ipv4(const std::string& text) {
    int parts = 0;
    size_t i = 0;
    while (i <= text.size()) {
      size_t dot = text.find('.', i);
      std::string part = text.substr(i, dot == std::string::npos ? std::string::npos : dot - i);
      if (part.empty() || part.size() > 3 || part.find_first_not_of("0123456789") != std::string::npos ||
          std::stoi(part) > 255)
        return false;
      ++parts;
      if (dot == std::string::npos) break;
      i = dot + 1;
    }
    return parts == 4;
  }

  Reader r_;
  std::string base_dir_;
  Scenario s_;
  YAML::Node every_host_files_;
  bool has_every_host_files_ = false;
};

}  // namespace

// Applies one `--set a.b.c=value`. Host names contain dots, so at each
// mapping the longest key that matches the start of the remaining path wins.
void apply_override(YAML::Node root, const std::string& assignment) {
  auto eq = assignment.find('=');
  SourcePos where{"--set " + assignment, 0, 0};
  if (eq == std::string::npos || eq == 0)
    throw InputError(where, "expected KEY=VALUE, e.g. network.latency=50ms");
  std::string path = assignment.substr(0, eq);
  std::string value = assignment.substr(eq + 1);
  YAML::Node node = root;
  std::string rest = path;
  std::string walked;
  while (true) {
    if (node.IsSequence()) {
      auto dot = rest.find('.');
      std::string index_text = rest.substr(0, dot);
      size_t index = 0;
      try {
        index = std::stoul(index_text);
      } catch (const std::exception&) {
        throw InputError(where, fmt::format("'{}' is a list; use a number to pick an item", walked));
      }
      if (index >= node.size())
        throw InputError(where, fmt::format("'{}' has {} items, no item {}", walked, node.size(), index));
      walked += (walked.empty() ? "" : ".") + index_text;
      if (dot == std::string::npos) {
        node[index] = YAML::Node(value);
        return;
      }
      node.reset(node[index]);
      rest = rest.substr(dot + 1);
      continue;
    }
    if (!node.IsMap())
      throw InputError(where, fmt::format("'{}' is a single value and has no key '{}'", walked, rest));
    std::string best;
    for (const auto& kv : node) {
      std::string key = kv.first.as<std::string>();
      bool match = rest == key || (rest.size() > key.size() && rest.compare(0, key.size(), key) == 0 &&
                                   rest[key.size()] == '.');
      if (match && key.size() > best.size()) best = key;
    }
    if (best.empty()) {
      if (rest.find('.') == std::string::npos) {
        node[rest] = YAML::Node(value);  // a new leaf; the schema check decides if it is allowed
        return;
      }
      throw InputError(where, fmt::format("no key '{}' in '{}'", rest.substr(0, rest.find('.')),
                                          walked.empty() ? "the scenario" : walked));
    }
    walked += (walked.empty() ? "" : ".") + best;
    if (rest == best) {
      if (!node[best].IsScalar() && !node[best].IsNull())
        throw InputError(where, fmt::format("'{}' is not a single value; set one of its keys", walked));
      node[best] = YAML::Node(value);
      return;
    }
    node.reset(node[best]);
    rest = rest.substr(best.size() + 1);
  }
}

Scenario parse_scenario(const std::string& text, const std::string& path,
                        const std::vector<std::string>& overrides) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw InputError(SourcePos{path, e.mark.line + 1, e.mark.column + 1}, e.msg);
  }
  if (!root.IsMap()) throw InputError(SourcePos{path, 1, 1}, "a scenario must be a YAML mapping");
  for (const auto& o : overrides) apply_override(root, o);
  ScenarioLoader loader(path);
  try {
    return loader.load(root);
  } catch (const YAML::Exception& e) {
    throw InputError(SourcePos{path, e.mark.line + 1, e.mark.column + 1}, e.msg);
  }
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  return parse_scenario(read_text_file(path), path, overrides);
}

}  // namespace mailsim::sim
