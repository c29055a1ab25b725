#include "models/config/access_map.hpp"

#include <cctype>

namespace mailsim::config {
namespace {

constexpr std::string_view kConnect = "connect";
constexpr std::string_view kFrom = "from";
constexpr std::string_view kTo = "to";

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && text::iequals(s.substr(0, prefix.size()), prefix);
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string_view dequote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

// An IPv4 network on octet boundaries: 1 to 4 decimal parts, each 0-255.
bool is_ipv4_prefix(std::string_view key) {
  int parts = 0;
  size_t start = 0;
  while (true) {
    size_t dot = key.find('.', start);
    std::string_view part = key.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!all_digits(part) || part.size() > 3 || std::stoi(std::string(part)) > 255) return false;
    if (++parts > 4) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// `ipv6:` followed by hex groups and colons: a whole address or a prefix of one.
bool is_ipv6_key(std::string_view key) {
  if (!starts_with_nocase(key, "ipv6:") || key.size() == 5) return false;
  for (char c : key.substr(5)) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
  }
  return true;
}

bool is_domain_key(std::string_view key) {
  if (key.size() > 2 && key.front() == '[' && key.back() == ']') {
    return text::is_ipv4(key.substr(1, key.size() - 2));
  }
  // Digits and dots alone are an address prefix, so 10.0.256 is no host name.
  if (key.find_first_not_of("0123456789.") == std::string_view::npos) return false;
  return text::is_host_name(key);
}

// `user@domain` with `+detail`: returns the user without the detail.
std::string_view base_user(std::string_view user) {
  return user.substr(0, user.find('+'));
}

struct Address {
  std::string user;
  std::string domain;  // empty for an unqualified address
  bool has_domain = false;
};

// Splits `<user@domain>` (angle brackets optional) at the last `@`, lower-cased.
std::optional<Address> split_address(std::string_view address) {
  address = text::trim(address);
  if (address.size() >= 2 && address.front() == '<' && address.back() == '>') {
    address = address.substr(1, address.size() - 2);
  }
  if (address.empty()) return std::nullopt;
  Address out;
  size_t at = address.rfind('@');
  if (at == std::string_view::npos) {
    out.user = text::to_lower(address);
    return out;
  }
  out.user = text::to_lower(address.substr(0, at));
  out.domain = text::to_lower(address.substr(at + 1));
  out.has_domain = true;
  if (!out.domain.empty() && out.domain.back() == '.') out.domain.pop_back();
  return out;
}

}  // namespace

Action Action::parse(std::string_view rhs, const SourcePos& pos) {
  std::string_view value = text::trim(rhs);
  Action action;
  if (text::iequals(value, "OK")) return action;
  if (text::iequals(value, "RELAY")) {
    action.kind = ActionKind::RELAY;
    return action;
  }
  if (text::iequals(value, "DISCARD")) {
    action.kind = ActionKind::DISCARD;
    return action;
  }
  if (text::iequals(value, "SKIP")) {
    action.kind = ActionKind::SKIP;
    return action;
  }
  if (text::iequals(value, "REJECT")) {
    // check_relay, check_mail and check_rcpt all send this fixed reply for REJECT.
    action.kind = ActionKind::REJECT;
    action.reply_code = 550;
    action.enhanced_status = "5.7.1";
    action.text = "Access denied";
    return action;
  }
  if (starts_with_nocase(value, "QUARANTINE:")) {
    throw InputError(pos, "access map action QUARANTINE is not modelled");
  }

  std::string_view reply = value;
  action.kind = ActionKind::ERROR;
  if (starts_with_nocase(value, "ERROR:")) {
    reply = value.substr(6);
    // An enhanced status code (RFC 3463: class.subject.detail) may come first.
    size_t colon = reply.find(':');
    if (colon != std::string_view::npos && colon >= 5 && !reply.empty() &&
        std::isdigit(static_cast<unsigned char>(reply[0])) && reply[1] == '.') {
      std::string_view status = reply.substr(0, colon);
      size_t dot2 = status.find('.', 2);
      bool valid = (status[0] == '2' || status[0] == '4' || status[0] == '5') &&
                   dot2 != std::string_view::npos && all_digits(status.substr(2, dot2 - 2)) &&
                   all_digits(status.substr(dot2 + 1)) && dot2 - 2 <= 3 &&
                   status.size() - dot2 - 1 <= 3;
      if (!valid) {
        throw InputError(pos, "invalid enhanced status code \"" + std::string(status) +
                                  "\" in access map action; expected a form such as 5.7.1");
      }
      action.enhanced_status = std::string(status);
      reply = reply.substr(colon + 1);
    }
  } else if (value.empty() || !std::isdigit(static_cast<unsigned char>(value[0]))) {
    throw InputError(pos, "invalid access map action \"" + std::string(value) +
                              "\"; expected OK, RELAY, REJECT, DISCARD, SKIP, ERROR:... or a "
                              "4xx/5xx reply such as \"550 Access denied\"");
  }

  reply = dequote(text::trim(reply));
  // RFC 5321 section 4.2: a three-digit code, then a space and the text.
  bool has_code = reply.size() >= 3 && all_digits(reply.substr(0, 3)) &&
                  (reply[0] == '4' || reply[0] == '5') && (reply.size() == 3 || reply[3] == ' ');
  if (!has_code) {
    throw InputError(pos, "access map error \"" + std::string(value) +
                              "\" has no 4xx or 5xx reply code; write it as "
                              "ERROR:5.7.1:550 text or ERROR:\"550 text\"");
  }
  action.reply_code = std::stoi(std::string(reply.substr(0, 3)));
  action.text = reply.size() > 4 ? std::string(reply.substr(4)) : std::string();
  return action;
}

AccessMap AccessMap::parse(std::string_view text, const std::string& file) {
  AccessMap map;
  for (const text::Line& line : text::split_lines(text)) {
    std::string_view raw = line.text;
    if (text::trim(raw).empty() || raw.front() == '#') continue;
    if (text::is_space(raw.front())) {
      throw InputError(SourcePos{file, line.number, 1},
                       "access map line starts with white space; makemap reads the key from "
                       "column 1");
    }
    std::vector<text::Word> words = text::split_words(raw);
    std::string_view key_text = words[0].text;
    if (words.size() < 2) {
      throw InputError(SourcePos{file, line.number, static_cast<int>(raw.size()) + 1},
                       "missing value for access map key \"" + std::string(key_text) + "\"");
    }
    std::string_view value = text::trim(raw.substr(words[1].column - 1));
    SourcePos key_pos{file, line.number, 1};
    SourcePos value_pos{file, line.number, words[1].column};

    AccessEntry entry;
    entry.pos = key_pos;
    entry.value = std::string(value);
    std::string lowered = text::to_lower(key_text);
    size_t colon = lowered.find(':');
    if (colon != std::string::npos && colon > 0 && lowered.compare(0, colon, "ipv6") != 0) {
      entry.tag = lowered.substr(0, colon);
      entry.key = lowered.substr(colon + 1);
    } else {
      entry.key = lowered;
    }
    if (entry.key.empty() && entry.tag.empty()) {
      throw InputError(key_pos, "empty access map key");
    }

    bool modelled =
        entry.tag.empty() || entry.tag == kConnect || entry.tag == kFrom || entry.tag == kTo;
    if (!modelled) {
      // Sendmail also consults tags such as GreetPause:, ClientRate:, Spam: and
      // TLS_Clt:, but mailsim's SMTP model does not, so they only warn.
      map.warnings_.push_back(Warning{
          key_pos,
          "access map tag " + std::string(key_text.substr(0, colon + 1)) + " is not modelled"});
    } else {
      const std::string& key = entry.key;
      size_t at = key.find('@');
      bool address_key = at != std::string::npos;
      bool valid = false;
      if (entry.tag == kConnect) {
        valid = !address_key && (is_ipv4_prefix(key) || is_ipv6_key(key) || is_domain_key(key));
      } else if (address_key) {
        std::string_view user = std::string_view(key).substr(0, at);
        std::string_view domain = std::string_view(key).substr(at + 1);
        valid = domain.find('@') == std::string_view::npos &&
                (domain.empty() || is_domain_key(domain)) && !(user.empty() && domain.empty());
        if (valid && user.empty()) {
          map.warnings_.push_back(
              Warning{key_pos, "access map key \"" + std::string(key_text) +
                                   "\" is never looked up: Sendmail 8.17 matches a whole domain "
                                   "with the bare key \"" +
                                   std::string(domain) + "\""});
        }
      } else {
        valid = is_ipv4_prefix(key) || is_ipv6_key(key) || is_domain_key(key);
      }
      if (!valid) {
        throw InputError(key_pos, "invalid access map key \"" + std::string(key_text) +
                                      "\"; expected a domain, an IP address prefix, "
                                      "IPv6:address, user@domain or user@" +
                                      (entry.tag == kConnect ? " (Connect: takes only host "
                                                               "names and addresses)"
                                                             : ""));
      }
      entry.action = Action::parse(value, value_pos);
      if (entry.action->kind == ActionKind::SKIP && address_key) {
        throw InputError(value_pos, "SKIP applies only to domain and IP address keys, not to \"" +
                                        std::string(key_text) + "\"");
      }
    }

    std::string map_key = entry.tag.empty() ? entry.key : entry.tag + ":" + entry.key;
    auto [it, inserted] = map.entries_.emplace(map_key, entry);
    if (!inserted) {
      throw InputError(key_pos, "duplicate access map key \"" + std::string(key_text) +
                                    "\"; first defined at line " +
                                    std::to_string(it->second.pos.line));
    }
  }
  return map;
}

const AccessEntry* AccessMap::find(std::string_view tag, std::string_view key) const {
  std::string map_key =
      tag.empty() ? text::to_lower(key) : text::to_lower(tag) + ":" + text::to_lower(key);
  auto it = entries_.find(map_key);
  return it == entries_.end() ? nullptr : &it->second;
}

// One step of Sendmail's lookups with the `+` mark: the tagged key, then the bare key.
const AccessEntry* AccessMap::find_tagged_or_bare(std::string_view tag,
                                                  std::string_view key) const {
  if (const AccessEntry* entry = find(tag, key)) return entry;
  return find("", key);
}

std::optional<Action> AccessMap::lookup_domain(std::string_view tag,
                                               std::string_view domain) const {
  std::string name = text::to_lower(text::trim(domain));
  if (!name.empty() && name.back() == '.') name.pop_back();
  while (!name.empty()) {
    if (const AccessEntry* entry = find_tagged_or_bare(tag, name)) {
      if (!entry->action || entry->action->kind == ActionKind::SKIP) return std::nullopt;
      return entry->action;
    }
    if (name.front() == '[') {
      // A domain literal loses its last octet: [10.0.2.7] -> [10.0.2].
      size_t dot = name.rfind('.');
      if (dot == std::string::npos) return std::nullopt;
      name = name.substr(0, dot) + "]";
      continue;
    }
    size_t dot = name.find('.');
    if (dot == std::string::npos) return std::nullopt;
    name = name.substr(dot + 1);
  }
  return std::nullopt;
}

std::optional<Action> AccessMap::lookup_address(std::string_view tag, std::string_view ip) const {
  std::string key = text::to_lower(text::trim(ip));
  if (key.find(':') != std::string::npos && key.compare(0, 5, "ipv6:") != 0) key = "ipv6:" + key;
  while (!key.empty()) {
    if (const AccessEntry* entry = find_tagged_or_bare(tag, key)) {
      if (!entry->action || entry->action->kind == ActionKind::SKIP) return std::nullopt;
      return entry->action;
    }
    // IPv4 drops its last octet; IPv6 its last group, "::" included, so that
    // IPv6:2001:db8::1 tries IPv6:2001:db8, IPv6:2001 and then IPv6.
    size_t cut = key.find_last_of(".:");
    if (cut == std::string::npos) return std::nullopt;
    if (key[cut] == ':' && cut > 0 && key[cut - 1] == ':') --cut;
    key.resize(cut);
  }
  return std::nullopt;
}

std::optional<Action> AccessMap::lookup_connect(std::string_view ip,
                                                std::string_view hostname) const {
  if (!text::trim(hostname).empty()) {
    if (auto found = lookup_domain(kConnect, hostname)) return found;
  }
  return lookup_address(kConnect, ip);
}

std::optional<Action> AccessMap::search_address(std::string_view tag,
                                                std::string_view address) const {
  std::optional<Address> parts = split_address(address);
  if (!parts) return std::nullopt;
  auto found_action = [](const AccessEntry* entry) -> std::optional<Action> {
    if (entry == nullptr || !entry->action) return std::nullopt;
    return entry->action;
  };
  std::string_view user = parts->user;
  bool has_detail = user.find('+') != std::string_view::npos;
  std::string base(base_user(user));

  if (parts->has_domain) {
    // LookUpFull: user+detail@domain, user+*@domain, user@domain.
    const std::string& domain = parts->domain;
    if (auto a = found_action(find_tagged_or_bare(tag, parts->user + "@" + domain))) return a;
    if (has_detail) {
      if (auto a = found_action(find_tagged_or_bare(tag, base + "+*@" + domain))) return a;
      if (auto a = found_action(find_tagged_or_bare(tag, base + "@" + domain))) return a;
    }
  }
  // LookUpUser: user+detail@, user+*@, user@.
  if (auto a = found_action(find_tagged_or_bare(tag, parts->user + "@"))) return a;
  if (has_detail) {
    if (auto a = found_action(find_tagged_or_bare(tag, base + "+*@"))) return a;
    if (auto a = found_action(find_tagged_or_bare(tag, base + "@"))) return a;
  }
  if (parts->has_domain) return lookup_domain(tag, parts->domain);
  return std::nullopt;
}

std::optional<Action> AccessMap::lookup_from(std::string_view address) const {
  return search_address(kFrom, address);
}

std::optional<Action> AccessMap::lookup_to(std::string_view address) const {
  return search_address(kTo, address);
}

namespace {

bool is_relay(const std::optional<Action>& action) {
  return action && action->kind == ActionKind::RELAY;
}

}  // namespace

RelayVerdict decide_relay(const AccessMap& access, const std::set<std::string>& class_w,
                          std::string_view client_ip, std::string_view client_ptr_name,
                          std::string_view rcpt_domain) {
  // Rcpt_ok: mail that terminates here, or for a domain listed as RELAY.
  std::string domain = text::to_lower(text::trim(rcpt_domain));
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  if (domain.empty() || class_w.count(domain) > 0) return RelayVerdict::RELAY_RECIPIENT;
  if (is_relay(access.lookup_domain(kTo, domain))) return RelayVerdict::RELAY_RECIPIENT;

  // Relay_ok: mail that originates here. The ruleset hard-codes these
  // addresses, so the Red Hat access map's 127.0.0.1 entry is redundant.
  std::string ip = text::to_lower(text::trim(client_ip));
  if (ip.empty() || ip == "0" || ip == "127.0.0.1" || ip == "::1" || ip == "ipv6:::1" ||
      ip == "ipv6:0:0:0:0:0:0:0:1") {
    return RelayVerdict::RELAY_CLIENT;
  }
  if (is_relay(access.lookup_address(kConnect, ip))) return RelayVerdict::RELAY_CLIENT;
  if (class_w.count("[" + ip + "]") > 0) return RelayVerdict::RELAY_CLIENT;

  std::string host = text::to_lower(text::trim(client_ptr_name));
  if (!host.empty() && host.back() == '.') host.pop_back();
  // NOTE: Sendmail has separate replies for a PTR name that does not resolve
  // back to the address (FORGED) and for a temporary DNS failure (TEMP).
  // Here every lookup failure arrives as an empty name.
  if (host.empty()) return RelayVerdict::DENIED_NAME_LOOKUP_FAILED;
  if (class_w.count(host) > 0) return RelayVerdict::RELAY_CLIENT;
  if (is_relay(access.lookup_domain(kConnect, host))) return RelayVerdict::RELAY_CLIENT;
  return RelayVerdict::DENIED;
}

bool relay_allowed(const AccessMap& access, std::string_view client_ip,
                   std::string_view client_ptr_name, std::string_view rcpt_domain) {
  RelayVerdict verdict = decide_relay(access, {}, client_ip, client_ptr_name, rcpt_domain);
  return verdict == RelayVerdict::RELAY_RECIPIENT || verdict == RelayVerdict::RELAY_CLIENT;
}

}  // namespace mailsim::config
