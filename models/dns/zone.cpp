#include "models/dns/zone.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace mailsim::dns {
namespace {

constexpr std::uint32_t kMaxTtl = 0x7fffffff;  // RFC 2181 §8

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Name as named-checkzone prints it: no trailing dot, except for the root.
std::string display_name(const std::string& name) {
  if (name == "." || name.empty()) return ".";
  return name.substr(0, name.size() - 1);
}

// ---------------------------------------------------------------------------------------------
// Tokenizer: RFC 1035 §5.1 entries. Parentheses join lines, ';' starts a comment, and an
// entry that starts with a blank reuses the previous owner.

struct Token {
  std::string text;
  bool quoted = false;
  int line = 0;
  int column = 0;
};

struct Entry {
  bool blank_owner = false;
  int line = 0;
  std::vector<Token> tokens;
};

class Tokenizer {
 public:
  Tokenizer(std::string_view text, const std::string& file) : text_(text), file_(file) {}

  std::vector<Entry> entries() {
    std::vector<Entry> out;
    Entry entry;
    bool at_line_start = true;
    int paren_depth = 0;
    int paren_line = 0;
    int paren_column = 0;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (at_line_start && paren_depth == 0) {
        entry = Entry{};
        entry.line = line_;
        entry.blank_owner = (c == ' ' || c == '\t');
      }
      at_line_start = false;
      if (c == '\n') {
        advance();
        at_line_start = true;
        if (paren_depth == 0 && !entry.tokens.empty()) out.push_back(std::move(entry));
        if (paren_depth == 0) entry = Entry{};
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r') {
        advance();
      } else if (c == ';') {
        while (pos_ < text_.size() && text_[pos_] != '\n') advance();
      } else if (c == '(') {
        if (paren_depth == 0) {
          paren_line = line_;
          paren_column = column_;
        }
        ++paren_depth;
        advance();
      } else if (c == ')') {
        if (paren_depth == 0) throw error(line_, column_, "unbalanced parentheses");
        --paren_depth;
        advance();
      } else if (c == '"') {
        entry.tokens.push_back(quoted());
      } else {
        entry.tokens.push_back(word());
      }
    }
    if (paren_depth > 0) throw error(paren_line, paren_column, "unbalanced parentheses");
    if (!entry.tokens.empty()) out.push_back(std::move(entry));
    return out;
  }

  InputError error(int line, int column, const std::string& message) const {
    return InputError(SourcePos{file_, line, column}, message);
  }

 private:
  void advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    ++pos_;
  }

  // Unquoted token. Escapes stay in the text (names resolve them later), but an escaped
  // character never ends the token.
  Token word() {
    Token t{"", false, line_, column_};
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '(' || c == ')' ||
          c == '"') {
        break;
      }
      if (c == '\\' && pos_ + 1 < text_.size() && text_[pos_ + 1] != '\n') {
        t.text.push_back(c);
        advance();
        c = text_[pos_];
      }
      t.text.push_back(c);
      advance();
    }
    return t;
  }

  // Quoted string with its escapes resolved (RFC 1035 §5.1: \X and \DDD).
  Token quoted() {
    Token t{"", true, line_, column_};
    advance();
    while (true) {
      if (pos_ >= text_.size() || text_[pos_] == '\n') {
        throw error(t.line, t.column, "unbalanced quotes");
      }
      char c = text_[pos_];
      if (c == '"') {
        advance();
        return t;
      }
      if (c == '\\') {
        advance();
        if (pos_ >= text_.size()) throw error(t.line, t.column, "unbalanced quotes");
        if (std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
          int value = 0;
          for (int k = 0; k < 3; ++k) {
            if (pos_ >= text_.size() || !std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
              throw error(line_, column_, "bad escape: \\DDD needs three digits");
            }
            value = value * 10 + (text_[pos_] - '0');
            advance();
          }
          if (value > 255) throw error(line_, column_, "bad escape: \\DDD exceeds 255");
          t.text.push_back(static_cast<char>(value));
          continue;
        }
        c = text_[pos_];
      }
      t.text.push_back(c);
      advance();
    }
  }

  std::string_view text_;
  const std::string& file_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

// Resolves the escapes of an unquoted TXT token.
std::string unescape(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 >= text.size()) {
      out.push_back(text[i]);
    } else if (i + 3 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1])) &&
               std::isdigit(static_cast<unsigned char>(text[i + 2])) &&
               std::isdigit(static_cast<unsigned char>(text[i + 3]))) {
      out.push_back(static_cast<char>(std::stoi(text.substr(i + 1, 3)) & 0xff));
      i += 3;
    } else {
      out.push_back(text[++i]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parser

class ZoneParser {
 public:
  ZoneParser(std::string_view text, const std::string& origin, const std::string& file)
      : tokenizer_(text, file), file_(file) {
    zone_.origin = absolute_name(origin);
    zone_.file = file;
    origin_ = zone_.origin;
    try {
      name_labels(origin_);
    } catch (const std::invalid_argument& e) {
      throw InputError(SourcePos{file, 0, 0},
                       fmt::format("invalid origin '{}': {}", origin, e.what()));
    }
  }

  Zone parse() {
    for (const Entry& entry : tokenizer_.entries()) {
      if (!entry.blank_owner && entry.tokens.front().text[0] == '$' &&
          !entry.tokens.front().quoted) {
        directive(entry);
      } else {
        record(entry);
      }
    }
    return std::move(zone_);
  }

 private:
  InputError error(const Token& t, const std::string& message) const {
    return InputError(SourcePos{file_, t.line, t.column}, message);
  }

  void expect_end(const Entry& entry, std::size_t used) const {
    if (entry.tokens.size() > used) throw error(entry.tokens[used], "extra input text");
  }

  const Token& need(const Entry& entry, std::size_t index, const char* what) const {
    if (index >= entry.tokens.size()) {
      const Token& last = entry.tokens.back();
      throw InputError(
          SourcePos{file_, last.line, last.column + static_cast<int>(last.text.size())},
          fmt::format("unexpected end of input: missing {}", what));
    }
    return entry.tokens[index];
  }

  // A relative name is completed with the current origin; '@' is the origin itself.
  std::string resolve_name(const Token& t) const {
    if (t.text == "@") return origin_;
    std::string name = t.text;
    if (absolute_name(name) != name) name += (origin_ == "." ? "." : "." + origin_);
    try {
      name_labels(name);
    } catch (const std::invalid_argument& e) {
      throw error(t, fmt::format("bad name '{}': {}", t.text, e.what()));
    }
    return name;
  }

  std::uint32_t ttl_value(const Token& t) {
    auto ttl = parse_ttl(t.text);
    if (!ttl) throw error(t, fmt::format("bad ttl '{}'", t.text));
    if (*ttl > kMaxTtl) {
      // RFC 2181 §8: a TTL with the top bit set is treated as zero.
      warn(t, fmt::format("TTL {} > MAXTTL, setting TTL to 0", *ttl));
      return 0;
    }
    return *ttl;
  }

  void warn(const Token& t, const std::string& text) {
    zone_.load_warnings.push_back(
        Diagnostic{SourcePos{file_, t.line, t.column}, Severity::WARNING, text});
  }

  void directive(const Entry& entry) {
    const Token& name = entry.tokens.front();
    std::string keyword = upper(name.text);
    if (keyword == "$TTL") {
      default_ttl_ = ttl_value(need(entry, 1, "TTL value"));
      expect_end(entry, 2);
    } else if (keyword == "$ORIGIN") {
      origin_ = resolve_name(need(entry, 1, "origin name"));
      expect_end(entry, 2);
    } else if (keyword == "$INCLUDE" || keyword == "$GENERATE") {
      throw error(name, fmt::format("{} is not modelled", name.text));
    } else {
      throw error(name, fmt::format("unknown $ directive '{}'", name.text));
    }
  }

  static std::optional<RecordClass> class_of(const std::string& text) {
    std::string u = upper(text);
    if (u == "IN") return RecordClass::IN;
    if (u == "CH" || u == "CHAOS") return RecordClass::CH;
    if (u == "HS" || u == "HESIOD") return RecordClass::HS;
    return std::nullopt;
  }

  static std::optional<RecordType> type_of(const std::string& text) {
    static const std::map<std::string, RecordType> kTypes = {
        {"A", RecordType::A},     {"AAAA", RecordType::AAAA},   {"NS", RecordType::NS},
        {"MX", RecordType::MX},   {"CNAME", RecordType::CNAME}, {"PTR", RecordType::PTR},
        {"SOA", RecordType::SOA}, {"TXT", RecordType::TXT},
    };
    auto found = kTypes.find(upper(text));
    if (found == kTypes.end()) return std::nullopt;
    return found->second;
  }

  // Types BIND 9.18 loads but this model does not, so that they are not called unknown.
  static bool is_unmodelled_type(const std::string& text) {
    static const std::set<std::string> kKnown = {
        "AFSDB", "CAA",   "CDS",   "CDNSKEY", "DNAME", "DNSKEY", "DS",    "HINFO",
        "HTTPS", "LOC",   "NAPTR", "NSEC",    "NSEC3", "RP",     "RRSIG", "SPF",
        "SRV",   "SSHFP", "SVCB",  "TLSA",    "URI",   "ZONEMD",
    };
    std::string u = upper(text);
    return kKnown.count(u) > 0 || (u.size() > 4 && u.rfind("TYPE", 0) == 0);
  }

  void record(const Entry& entry) {
    std::size_t i = 0;
    std::string owner;
    const Token& first = entry.tokens.front();
    if (entry.blank_owner) {
      if (!last_owner_) {
        throw InputError(SourcePos{file_, entry.line, 1}, "no current owner name");
      }
      owner = *last_owner_;
    } else {
      owner = resolve_name(first);
      i = 1;
    }
    last_owner_ = owner;

    // RFC 1035 §5.1: [<TTL>] [<class>] <type> or [<class>] [<TTL>] <type>.
    std::optional<std::uint32_t> ttl;
    bool have_class = false;
    std::optional<RecordType> type;
    const Token* type_token = nullptr;
    while (!type) {
      const Token& t = need(entry, i, "record type");
      ++i;
      if (!ttl && std::isdigit(static_cast<unsigned char>(t.text[0])) && !t.quoted) {
        ttl = ttl_value(t);
      } else if (!have_class && class_of(t.text)) {
        if (*class_of(t.text) != RecordClass::IN) {
          throw error(t, fmt::format("class '{}' != zone class 'IN'", upper(t.text)));
        }
        have_class = true;
      } else if ((type = type_of(t.text))) {
        type_token = &t;
      } else if (is_unmodelled_type(t.text)) {
        throw error(t, fmt::format("record type '{}' is not modelled", t.text));
      } else {
        throw error(t, fmt::format("unknown RR type '{}'", t.text));
      }
    }

    ResourceRecord rr;
    rr.name = owner;
    rr.type = *type;
    rr.klass = RecordClass::IN;
    rr.rdata = rdata(entry, i, *type, *type_token);

    if (ttl) {
      rr.ttl = *ttl;
      last_ttl_ = *ttl;
    } else if (default_ttl_) {
      rr.ttl = *default_ttl_;
    } else if (last_ttl_) {
      rr.ttl = *last_ttl_;  // RFC 1035 §5.1: a blank TTL repeats the last one given
    } else if (rr.type == RecordType::SOA) {
      rr.ttl = std::get<SoaData>(rr.rdata).minimum;
      last_ttl_ = rr.ttl;
      warn(first, "no TTL specified; using SOA MINTTL instead");
    } else {
      throw error(first, "no TTL specified");
    }

    if (!is_subdomain(owner, zone_.origin)) {
      warn(first, fmt::format("ignoring out-of-zone data ({})", display_name(owner)));
      return;
    }
    zone_.records.push_back(ZoneRecord{rr, SourcePos{file_, first.line, first.column}});
  }

  std::uint32_t number(const Token& t, std::uint32_t max, const char* what) const {
    if (t.text.empty() || !std::all_of(t.text.begin(), t.text.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        })) {
      throw error(t, fmt::format("bad {} '{}': expected a number", what, t.text));
    }
    unsigned long long value = 0;
    for (char c : t.text) {
      value = value * 10 + static_cast<unsigned>(c - '0');
      if (value > max) throw error(t, fmt::format("bad {} '{}': exceeds {}", what, t.text, max));
    }
    return static_cast<std::uint32_t>(value);
  }

  std::uint32_t soa_interval(const Token& t, const char* what) const {
    auto value = parse_ttl(t.text);
    if (!value) throw error(t, fmt::format("bad SOA {} '{}'", what, t.text));
    return *value;
  }

  Rdata rdata(const Entry& entry, std::size_t i, RecordType type, const Token& type_token) {
    switch (type) {
      case RecordType::A: {
        const Token& t = need(entry, i, "IPv4 address");
        in_addr addr{};
        if (inet_pton(AF_INET, t.text.c_str(), &addr) != 1) {
          throw error(t, fmt::format("bad dotted quad '{}'", t.text));
        }
        expect_end(entry, i + 1);
        return AData{t.text};
      }
      case RecordType::AAAA: {
        const Token& t = need(entry, i, "IPv6 address");
        in6_addr addr{};
        if (inet_pton(AF_INET6, t.text.c_str(), &addr) != 1) {
          throw error(t, fmt::format("bad IPv6 address '{}'", t.text));
        }
        expect_end(entry, i + 1);
        char text[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, &addr, text, sizeof text);
        return AaaaData{text};
      }
      case RecordType::NS:
      case RecordType::CNAME:
      case RecordType::PTR: {
        NameData data{resolve_name(need(entry, i, "target name"))};
        expect_end(entry, i + 1);
        return data;
      }
      case RecordType::MX: {
        MxData mx;
        mx.preference = static_cast<std::uint16_t>(
            number(need(entry, i, "MX preference"), 0xffff, "preference"));
        mx.exchange = resolve_name(need(entry, i + 1, "MX exchange"));
        expect_end(entry, i + 2);
        return mx;
      }
      case RecordType::SOA: {
        SoaData soa;
        soa.mname = resolve_name(need(entry, i, "SOA MNAME"));
        soa.rname = resolve_name(need(entry, i + 1, "SOA RNAME"));
        soa.serial = number(need(entry, i + 2, "SOA serial"), 0xffffffff, "serial");
        soa.refresh = soa_interval(need(entry, i + 3, "SOA refresh"), "refresh");
        soa.retry = soa_interval(need(entry, i + 4, "SOA retry"), "retry");
        soa.expire = soa_interval(need(entry, i + 5, "SOA expire"), "expire");
        soa.minimum = soa_interval(need(entry, i + 6, "SOA minimum"), "minimum");
        expect_end(entry, i + 7);
        return soa;
      }
      case RecordType::TXT: {
        TxtData txt;
        need(entry, i, "TXT string");
        for (std::size_t k = i; k < entry.tokens.size(); ++k) {
          const Token& t = entry.tokens[k];
          std::string s = t.quoted ? t.text : unescape(t.text);
          if (s.size() > 255) {
            throw error(t, fmt::format("TXT string of {} octets exceeds 255", s.size()));
          }
          txt.strings.push_back(s);
        }
        return txt;
      }
      default:
        throw error(type_token, fmt::format("record type '{}' is not modelled", type_token.text));
    }
  }

  Tokenizer tokenizer_;
  const std::string& file_;
  Zone zone_;
  std::string origin_;
  std::optional<std::string> last_owner_;
  std::optional<std::uint32_t> default_ttl_;
  std::optional<std::uint32_t> last_ttl_;
};

// ---------------------------------------------------------------------------------------------
// Checks

struct Node {
  std::vector<const ZoneRecord*> records;
  bool has(RecordType type) const {
    return std::any_of(records.begin(), records.end(),
                       [type](const ZoneRecord* r) { return r->record.type == type; });
  }
};

class ZoneChecker {
 public:
  explicit ZoneChecker(const Zone& zone) : zone_(zone) {
    for (const auto& r : zone.records) nodes_[canonical_name(r.record.name)].records.push_back(&r);
    prefix_ = fmt::format("zone {}/IN: ", display_name(zone.origin));
  }

  std::vector<Diagnostic> run() {
    out_ = zone_.load_warnings;
    check_singletons();
    check_apex();
    check_targets();
    return out_;
  }

 private:
  void add(const SourcePos& pos, Severity severity, const std::string& text) {
    out_.push_back(Diagnostic{pos, severity, text});
  }
  SourcePos zone_pos() const { return SourcePos{zone_.file, 0, 0}; }

  // RFC 2181 §10.1: a CNAME owner has no other data; SOA and CNAME are singleton types.
  void check_singletons() {
    for (const auto& [name, node] : nodes_) {
      std::map<RecordType, int> counts;
      bool cname_seen = false;
      bool other_seen = false;
      for (const ZoneRecord* r : node.records) {
        RecordType type = r->record.type;
        std::string owner = display_name(r->record.name);
        if ((type == RecordType::CNAME || type == RecordType::SOA) && ++counts[type] > 1) {
          add(r->pos, Severity::ERROR, fmt::format("{}: multiple RRs of singleton type", owner));
        }
        bool conflict = (type == RecordType::CNAME) ? other_seen : cname_seen;
        if (type == RecordType::CNAME)
          cname_seen = true;
        else
          other_seen = true;
        if (conflict) add(r->pos, Severity::ERROR, fmt::format("{}: CNAME and other data", owner));
        if (type == RecordType::SOA && !names_equal(r->record.name, zone_.origin)) {
          add(r->pos, Severity::ERROR, fmt::format("SOA record not at top of zone ({})", owner));
        }
      }
    }
  }

  void check_apex() {
    const Node* apex = node(zone_.origin);
    int soa_count = 0;
    if (apex != nullptr) {
      soa_count = static_cast<int>(
          std::count_if(apex->records.begin(), apex->records.end(),
                        [](const ZoneRecord* r) { return r->record.type == RecordType::SOA; }));
    }
    if (soa_count == 0) {
      add(zone_pos(), Severity::ERROR, prefix_ + "has 0 SOA records");
    }
    if (apex == nullptr || !apex->has(RecordType::NS)) {
      add(zone_pos(), Severity::ERROR, prefix_ + "has no NS records");
    }
  }

  const Node* node(const std::string& name) const {
    auto found = nodes_.find(canonical_name(name));
    return found == nodes_.end() ? nullptr : &found->second;
  }

  void check_targets() {
    for (const auto& r : zone_.records) {
      const ResourceRecord& rr = r.record;
      if (rr.type == RecordType::NS && names_equal(rr.name, zone_.origin)) {
        check_target(r, std::get<NameData>(rr.rdata).name, "NS '{}'", Severity::ERROR);
      } else if (rr.type == RecordType::MX) {
        std::string label = display_name(rr.name) + "/MX '{}'";
        check_target(r, std::get<MxData>(rr.rdata).exchange, label, Severity::WARNING);
      }
    }
  }

  // named-checkzone's integrity checks for NS and MX targets inside the zone.
  void check_target(const ZoneRecord& r, const std::string& target, const std::string& label,
                    Severity severity) {
    if (!is_subdomain(target, zone_.origin)) return;
    std::string what = fmt::format(fmt::runtime(label), display_name(target));
    const Node* n = node(target);
    if (n != nullptr && n->has(RecordType::CNAME)) {
      add(r.pos, severity, prefix_ + what + " is a CNAME (illegal)");
    } else if (n == nullptr || (!n->has(RecordType::A) && !n->has(RecordType::AAAA))) {
      add(r.pos, severity, prefix_ + what + " has no address records (A or AAAA)");
    }
  }

  const Zone& zone_;
  std::map<std::string, Node> nodes_;
  std::string prefix_;
  std::vector<Diagnostic> out_;
};

}  // namespace

std::optional<std::uint32_t> parse_ttl(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t total = 0;
  std::size_t i = 0;
  bool any_unit = false;
  while (i < text.size()) {
    std::uint64_t value = 0;
    std::size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      value = value * 10 + static_cast<unsigned>(text[i] - '0');
      if (value > 0xffffffffull) return std::nullopt;
      ++i;
    }
    if (i == start) return std::nullopt;
    if (i == text.size()) {
      // A bare number is allowed only as the whole TTL.
      if (any_unit) return std::nullopt;
      total = value;
      break;
    }
    std::uint64_t unit = 0;
    switch (std::toupper(static_cast<unsigned char>(text[i]))) {
      case 'W':
        unit = 604800;
        break;
      case 'D':
        unit = 86400;
        break;
      case 'H':
        unit = 3600;
        break;
      case 'M':
        unit = 60;
        break;
      case 'S':
        unit = 1;
        break;
      default:
        return std::nullopt;
    }
    ++i;
    any_unit = true;
    total += value * unit;
    if (total > 0xffffffffull) return std::nullopt;
  }
  return static_cast<std::uint32_t>(total);
}

Zone parse_zone(std::string_view text, const std::string& origin, const std::string& file) {
  return ZoneParser(text, origin, file).parse();
}

std::vector<Diagnostic> check_zone(const Zone& zone) {
  return ZoneChecker(zone).run();
}

}  // namespace mailsim::dns
