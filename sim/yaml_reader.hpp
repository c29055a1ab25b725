// Reading YAML scenario files: typed values from nodes, with every mistake
// reported as an InputError at the node's file, line and column.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
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
    if (m.is_null()) return SourcePos{"--set", 0, 0};  // only overrides make nodes without a mark
    return SourcePos{file_, m.line + 1, m.column + 1};
  }

  [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const {
    throw InputError(pos(node), message);
  }

  void expect_map(const YAML::Node& node, const std::string& what) const {
    if (!node.IsMap()) fail(node, fmt::format("{} must be a mapping of keys to values", what));
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
};

/// Applies one `--set path=value` override to a scenario's YAML tree.
void apply_override(YAML::Node root, const std::string& assignment);

/// Returns the whole contents of a file. Throws InputError when it cannot be read.
inline std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourcePos{path, 0, 0}, "cannot open file: " + std::string(std::strerror(errno)));
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace mailsim::sim
