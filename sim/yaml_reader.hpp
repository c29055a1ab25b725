// Reading YAML scenario files: typed values from nodes, with every mistake
// reported as an InputError at the node's file, line and column.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "models/common/error.hpp"
#include "models/common/units.hpp"

namespace mailsim::sim {

// Reads YAML nodes into typed values, turning every mistake into an
// InputError at the node's line and column.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  SourcePos pos(const YAML::Node& node) const {
    YAML::Mark m = node.Mark();
    if (m.is_null()) {
      // Only overrides make nodes without a mark.
      for (const auto& [set, assignment] : overrides_)
        if (set.is(node)) return SourcePos{"--set " + assignment, 0, 0};
      return SourcePos{"--set", 0, 0};
    }
    return SourcePos{file_, m.line + 1, m.column + 1};
  }

  /// Records that `node` was set by `--set assignment`, so that pos() names the assignment.
  void note_override(const YAML::Node& node, const std::string& assignment) {
    overrides_.emplace_back(node, assignment);
  }

  [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const {
    throw InputError(pos(node), message);
  }

  // Also rejects a key given twice: yaml-cpp keeps both, but node[key] finds only the first, so
  // the second would be ignored without a word.
  void expect_map(const YAML::Node& node, const std::string& what) const {
    if (!node.IsMap()) fail(node, fmt::format("{} must be a mapping of keys to values", what));
    std::map<std::string, YAML::Node> seen;
    for (const auto& kv : node) {
      if (!kv.first.IsScalar())
        fail(kv.first, fmt::format("a key in {} must be a single value", what));
      auto [first, inserted] = seen.emplace(kv.first.Scalar(), kv.first);
      if (!inserted) {
        SourcePos at = pos(first->second);
        fail(kv.first, fmt::format("duplicate key '{}' in {} (first given at line {}); remove one",
                                   kv.first.Scalar(), what, at.line));
      }
    }
  }

  void expect_keys(const YAML::Node& node, const std::string& what,
                   const std::set<std::string>& allowed) const {
    expect_map(node, what);
    for (const auto& kv : node) {
      std::string key = kv.first.as<std::string>();
      if (!allowed.count(key)) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        fail(kv.first, fmt::format("unknown key '{}' in {} (expected one of: {})", key, what, list));
      }
    }
  }

  std::string str(const YAML::Node& node, const std::string& what) const {
    if (!node.IsScalar()) fail(node, fmt::format("{} must be a single value", what));
    return node.as<std::string>();
  }

  double duration(const YAML::Node& node, const std::string& what) const {
    std::string text = str(node, what);
    auto v = units::parse_duration(text);
    if (!v) fail(node, fmt::format("invalid duration '{}' for {} (use e.g. 20ms, 30s, 5m, 1h)", text, what));
    return *v;
  }

  double bandwidth(const YAML::Node& node, const std::string& what) const {
    std::string text = str(node, what);
    auto v = units::parse_bandwidth(text);
    if (!v) fail(node, fmt::format("invalid bandwidth '{}' for {} (use e.g. 100Mbps, 1Gbps, 10MBps)", text, what));
    return *v;
  }

  std::uint64_t size(const YAML::Node& node, const std::string& what) const {
    std::string text = str(node, what);
    auto v = units::parse_size(text);
    if (!v) fail(node, fmt::format("invalid size '{}' for {} (use e.g. 2MB, 512KiB, 100)", text, what));
    return *v;
  }

  long integer(const YAML::Node& node, const std::string& what) const {
    std::string text = str(node, what);
    try {
      size_t used = 0;
      long v = std::stol(text, &used);
      if (used == text.size()) return v;
    } catch (const std::exception&) {
    }
    fail(node, fmt::format("invalid number '{}' for {}", text, what));
  }

  bool boolean(const YAML::Node& node, const std::string& what) const {
    std::string text = str(node, what);
    if (text == "true" || text == "yes" || text == "on") return true;
    if (text == "false" || text == "no" || text == "off") return false;
    fail(node, fmt::format("invalid value '{}' for {} (use true or false)", text, what));
  }

  std::vector<std::string> list(const YAML::Node& node, const std::string& what) const {
    std::vector<std::string> out;
    if (node.IsScalar()) {
      out.push_back(node.as<std::string>());
    } else if (node.IsSequence()) {
      for (const auto& item : node) out.push_back(str(item, what));
    } else {
      fail(node, fmt::format("{} must be a value or a list of values", what));
    }
    return out;
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<std::pair<YAML::Node, std::string>> overrides_;  // nodes set by --set
};

/// Applies one `--set path=value` override to a scenario's YAML tree.
void apply_override(YAML::Node root, const std::string& assignment);

/// One queue policy spec out of a comma-separated list.
struct PolicyListItem {
  std::string spec;  ///< e.g. `sendmail:QueueSortOrder=host,MaxQueueRunSize=100`
  int column = 1;    ///< where the spec starts in the list, counting from 1
};

/// Splits a list such as `sendmail:QueueSortOrder=host,MaxQueueRunSize=100,postfix` into
/// policy specs (a comma starts a new policy only when a policy name follows it) and checks
/// each with queue::make_policy. Also rejects an empty policy, a setting given twice in one
/// spec and a spec listed twice. Errors are InputErrors at `origin`, the position of the
/// list's first character, moved right by the column in the list.
std::vector<PolicyListItem> parse_policy_list(const std::string& text, const SourcePos& origin);

/// Returns the whole contents of a file. Throws InputError when it cannot be read.
inline std::string read_text_file(const std::string& path) {
  // A directory opens as a stream that reads nothing, which would look like an empty file.
  std::error_code error;
  if (std::filesystem::is_directory(path, error))
    throw InputError(SourcePos{path, 0, 0}, "cannot open file: it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourcePos{path, 0, 0}, "cannot open file: " + std::string(std::strerror(errno)));
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace mailsim::sim
