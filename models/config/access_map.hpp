// /etc/mail/access: Sendmail's access map in the text form that `makemap hash`
// reads, and the lookups that Sendmail 8.17's check_relay, check_mail and
// check_rcpt rulesets (FEATURE(access_db)) make in it.
//
// Keys are `tag:key` or a bare `key`, folded to lower case as makemap does.
// Modelled tags: `Connect:` (client host name or IP address), `From:` (MAIL
// FROM address), `To:` (RCPT TO address). Key forms: a domain (also matches
// its subdomains), an IPv4 prefix on octet boundaries (`10.0.2`), `IPv6:`
// addresses and prefixes, `user@domain`, `user@`. Actions: OK, RELAY, REJECT,
// DISCARD, SKIP, `ERROR:x.y.z:NNN text`, `ERROR:"NNN text"` and `NNN text`.
// Reply codes follow RFC 5321 section 4.2, enhanced codes RFC 3463.
//
// Not modelled: other tags (GreetPause:, ClientRate:, Spam: ...) are kept
// with a warning but never consulted. QUARANTINE is rejected. `@domain` keys
// are kept with a warning because Sendmail 8.17 never looks them up. Class R
// (relay-domains) and relaying after AUTH or STARTTLS are left out.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "models/common/error.hpp"
#include "models/config/text.hpp"

namespace mailsim::config {

enum class ActionKind { OK, RELAY, REJECT, DISCARD, SKIP, ERROR };

/// Right-hand side of an access map entry for a modelled tag.
struct Action {
  ActionKind kind = ActionKind::OK;
  /// REJECT and ERROR: the SMTP reply code (REJECT is 550, as Sendmail sends it).
  int reply_code = 0;
  /// REJECT and ERROR: the enhanced status code, empty when ERROR gives none.
  std::string enhanced_status;
  /// REJECT and ERROR: the reply text after the code ("Access denied" for REJECT).
  std::string text;

  /// Parses a right-hand side such as `RELAY` or `ERROR:5.7.1:550 Go away`.
  /// Throws InputError at `pos` for an unknown or malformed action.
  static Action parse(std::string_view rhs, const SourcePos& pos);
};

struct AccessEntry {
  std::string tag;               ///< lower case without the colon, empty for a bare key
  std::string key;               ///< lower case, without the tag
  std::string value;             ///< right-hand side as written
  std::optional<Action> action;  ///< set for bare, connect, from and to entries
  SourcePos pos;
};

class AccessMap {
 public:
  /// Parses makemap source text. Lines starting with `#` and blank lines are
  /// skipped. Throws InputError for a line without a value, a duplicate key,
  /// an invalid key for its tag or an invalid action.
  static AccessMap parse(std::string_view text, const std::string& file);

  /// Runs the Connect: lookup of check_relay: the client host name with its parent
  /// domains first, then the IP address and its shorter prefixes. Pass an
  /// empty host name for a client without a PTR record. Returns nullopt when
  /// nothing matches or the search ends at SKIP.
  std::optional<Action> lookup_connect(std::string_view ip, std::string_view hostname) const;

  /// Runs the From: search of check_mail: `user@domain` (for a `+detail`
  /// address also `user+*@domain` and `user@domain`), then `user@`, then the
  /// domain and its parents. Each step tries `From:key` before the bare key.
  /// Returns nullopt for the null sender `<>` and when nothing matches.
  std::optional<Action> lookup_from(std::string_view address) const;

  /// Runs the same search with the To: tag, as FEATURE(blacklist_recipients) does.
  std::optional<Action> lookup_to(std::string_view address) const;

  /// Runs Sendmail's LookUpDomain: `tag:domain`, then `domain`, then each parent
  /// domain; SKIP ends the search with nullopt.
  std::optional<Action> lookup_domain(std::string_view tag, std::string_view domain) const;

  /// Runs Sendmail's LookUpAddress: `tag:ip`, then `ip`, then shorter prefixes
  /// (`10.0.2.7`, `10.0.2`, `10.0`, `10`); SKIP ends the search with nullopt.
  /// IPv6 addresses may be given with or without the `IPv6:` prefix.
  std::optional<Action> lookup_address(std::string_view tag, std::string_view ip) const;

  /// Returns the exact entry for `tag` (empty for bare) and `key`, or nullptr.
  const AccessEntry* find(std::string_view tag, std::string_view key) const;

  size_t size() const { return entries_.size(); }
  const std::vector<Warning>& warnings() const { return warnings_; }

 private:
  std::optional<Action> search_address(std::string_view tag, std::string_view address) const;
  const AccessEntry* find_tagged_or_bare(std::string_view tag, std::string_view key) const;

  std::map<std::string, AccessEntry> entries_;  // by "tag:key" or "key"
  std::vector<Warning> warnings_;
};

enum class RelayVerdict {
  RELAY_RECIPIENT,            ///< the recipient domain is local or maps to RELAY
  RELAY_CLIENT,               ///< the client is local or maps to RELAY
  DENIED,                     ///< "550 5.7.1 ... Relaying denied"
  DENIED_NAME_LOOKUP_FAILED,  ///< "... Relaying denied. IP name lookup failed [ip]"
};

/// Decides relaying for one RCPT TO as Sendmail 8.17's check_rcpt does.
/// Rcpt_ok comes first: an unqualified recipient, a domain in `class_w`, or a
/// domain (or parent) that maps to RELAY under To: or bare is accepted.
/// Relay_ok follows. An empty client address, 0, 127.0.0.1 and ::1 always
/// relay, and so does a client IP that maps to RELAY (Connect: or bare,
/// longest prefix first) or whose `[ip]` is in class w. A client without a
/// PTR record is denied at this point. Otherwise its host name relays when
/// it is in class w or maps to RELAY. Only RELAY permits relaying, not OK.
RelayVerdict decide_relay(const AccessMap& access, const std::set<std::string>& class_w,
                          std::string_view client_ip, std::string_view client_ptr_name,
                          std::string_view rcpt_domain);

/// Returns whether decide_relay() with an empty class w permits relaying.
bool relay_allowed(const AccessMap& access, std::string_view client_ip,
                   std::string_view client_ptr_name, std::string_view rcpt_domain);

}  // namespace mailsim::config
