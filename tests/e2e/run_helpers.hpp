// Runs the mailsim binary as a user would and collects what it printed.
#pragma once

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace mailsim::e2e {

struct Outcome {
  int status = -1;
  std::string out, err;
  nlohmann::json json;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string temp_dir() {
  char pattern[] = "/tmp/mailsim-e2e-XXXXXX";
  const char* dir = mkdtemp(pattern);
  return dir ? dir : "/tmp";
}

inline std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// Runs `mailsim ARGS...` with --json into a temporary directory.
inline Outcome run_mailsim(const std::vector<std::string>& args, bool with_json = true) {
  std::string dir = temp_dir();
  std::string cmd = quote(MAILSIM_BINARY);
  for (const auto& a : args) cmd += " " + quote(a);
  if (with_json) cmd += " --json " + quote(dir + "/run.json");
  cmd += " >" + quote(dir + "/out") + " 2>" + quote(dir + "/err") + " </dev/null";
  Outcome r;
  int raw = std::system(cmd.c_str());
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = read_file(dir + "/out");
  r.err = read_file(dir + "/err");
  if (with_json && r.status == 0) r.json = nlohmann::json::parse(read_file(dir + "/run.json"));
  return r;
}

inline std::string lab() { return std::string(MAILSIM_SOURCE_DIR) + "/scenarios/naver-daum-lab.yaml"; }

/// Writes a copy of `scenario` with each (from, to) text replaced once, into
/// a new temporary directory, and returns its path. Returns "" when a `from`
/// text is not in the scenario, so a test can assert on it.
inline std::string write_variant(const std::string& scenario,
                                 const std::vector<std::pair<std::string, std::string>>& edits) {
  std::string text = read_file(scenario);
  for (const auto& [from, to] : edits) {
    auto at = text.find(from);
    if (at == std::string::npos) return "";
    text.replace(at, from.size(), to);
  }
  std::string path = temp_dir() + "/variant.yaml";
  std::ofstream(path) << text;
  return path;
}

/// The step record `step` of message `id` (for its first recipient).
inline const nlohmann::json* find_step(const nlohmann::json& run, const std::string& id, int step) {
  for (const auto& m : run["messages"]) {
    if (m["id"] != id) continue;
    for (const auto& s : m["steps"])
      if (s["step"] == step) return &s;
  }
  return nullptr;
}

inline const nlohmann::json* find_message(const nlohmann::json& run, const std::string& id) {
  for (const auto& m : run["messages"])
    if (m["id"] == id) return &m;
  return nullptr;
}

}  // namespace mailsim::e2e
