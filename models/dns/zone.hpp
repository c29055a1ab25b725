// Zone data: the master-file parser and the checks named-checkzone applies before BIND loads
// a zone. Follows RFC 1035 §5.1 (master files), RFC 2308 §4 ($TTL), RFC 2181 §8 (TTL range)
// and §10.1 (CNAME and other data), and BIND 9.18's TTL units (`1W2D3H4M5S`).
// Not modelled: $INCLUDE and $GENERATE, RR types other than A, AAAA, NS, MX, CNAME, PTR, SOA
// and TXT, the RFC 3597 `\#` generic syntax, classes other than IN, and BIND's check-names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/common/error.hpp"
#include "models/dns/diagnostic.hpp"
#include "models/dns/message.hpp"

namespace mailsim::dns {

struct ZoneRecord {
  ResourceRecord record;
  SourcePos pos;  // where the record's owner (or first field) starts
};

struct Zone {
  std::string origin;  // absolute, as named in named.conf: "naver.com."
  std::string file;
  std::vector<ZoneRecord> records;  // in file order
  /// Findings of the loader that do not stop loading (out-of-zone data, TTL defaults).
  std::vector<Diagnostic> load_warnings;
};

/// Parses a BIND TTL: plain seconds (`10800`) or number-unit pairs with units W, D, H, M, S in
/// any case (`3H`, `1d`, `1h30m`). Returns nullopt for anything else or a value over 2^32-1.
std::optional<std::uint32_t> parse_ttl(std::string_view text);

/// Parses a master file whose `@` and relative names refer to `origin`. `file` only labels
/// positions in errors. Throws mailsim::InputError at file:line:column for syntax errors,
/// a bad TTL (BIND stops loading with "bad ttl"), unknown types or classes, and records
/// without a TTL when no $TTL or earlier TTL applies.
Zone parse_zone(std::string_view text, const std::string& origin, const std::string& file);

/// Checks a parsed zone as named-checkzone 9.18 does and returns its findings in its wording.
/// Errors (BIND does not load the zone): SOA count at the apex other than 1, no NS at the
/// apex, CNAME and other data at one name, an in-zone NS target without A/AAAA or that is a
/// CNAME. Warnings: an in-zone MX target without A/AAAA or that is a CNAME.
/// NOTE: out-of-zone NS and MX targets are not checked; named-checkzone looks them up with
/// getaddrinfo(), which needs a resolver.
std::vector<Diagnostic> check_zone(const Zone& zone);

}  // namespace mailsim::dns
