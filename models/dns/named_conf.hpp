// BIND 9.18 named.conf: the `options` and `zone` statements the lab uses, with BIND's
// defaults for what the file leaves out. The grammar (statements ending in ';', blocks in
// braces, `//`, `#` and `/* */` comments) follows the named.conf(5) manual page.
// Not modelled: views, ACL definitions, keys, `include`, logging and controls; those are kept
// as ignored statements with a warning.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/common/error.hpp"
#include "models/dns/diagnostic.hpp"

namespace mailsim::dns {

/// One statement in generic form: its words (quotes removed), its `{ ... }` block if any.
struct ConfStatement {
  std::vector<std::string> words;
  bool has_block = false;
  std::vector<ConfStatement> block;
  SourcePos pos;
};

/// `listen-on [port N] { address-match-list; };`
struct ListenOn {
  std::uint16_t port = 53;
  std::vector<std::string> addresses;  // address match list elements as written: "any", "none"
};

struct ServerOptions {
  std::string directory = ".";  // BIND's default is the directory named was started in
  /// BIND listens on every IPv4 and IPv6 address, port 53, when listen-on is not given.
  std::vector<ListenOn> listen_on = {ListenOn{53, {"any"}}};
  std::vector<ListenOn> listen_on_v6 = {ListenOn{53, {"any"}}};
  bool recursion = true;
  std::vector<std::string> allow_query = {"any"};
  std::optional<std::vector<std::string>> allow_transfer;  // unset: BIND's built-in default
  std::optional<bool> notify;
  std::optional<std::string> dnssec_validation;  // "yes", "no" or "auto"
};

enum class ZoneType { PRIMARY, SECONDARY, STUB, FORWARD, HINT };

struct ZoneConfig {
  std::string name;  // as written, without a trailing dot: "naver.com"
  ZoneType type = ZoneType::PRIMARY;
  std::string file;                       // as written; see zone_file_path()
  std::vector<std::string> allow_update;  // unset in the file: empty (BIND denies updates)
  std::vector<std::string> primaries;
  SourcePos pos;
};

struct NamedConf {
  ServerOptions options;
  std::vector<ZoneConfig> zones;
  std::vector<ConfStatement> ignored;  // statements and options not modelled
  std::vector<Diagnostic> warnings;
};

/// Parses named.conf text. `file` only labels positions. Throws mailsim::InputError at
/// file:line:column for syntax errors (missing ';', unbalanced braces, unterminated comment or
/// string), invalid values, a zone without `type` or a primary zone without `file`, and a zone
/// defined twice.
NamedConf parse_named_conf(std::string_view text, const std::string& file);

/// Returns the zone's file path, relative ones taken from `options.directory` as BIND does.
std::string zone_file_path(const NamedConf& conf, const ZoneConfig& zone);

}  // namespace mailsim::dns
