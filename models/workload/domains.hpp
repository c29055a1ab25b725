// The synthetic destination domains of a benchmark workload: names
// (`d0001.example` ...), mailboxes (`u0001@d0001.example` ...), and the
// destination class of each domain with its parameters. The greylisting and
// rate-limit bookkeeping a destination's SMTP server applies is here too, as
// pure state machines that take the simulated time as an argument.
//
// Greylisting follows Postgrey 1.37's default --delay of 300 s before a
// retried (sender, recipient) pair is accepted. Not modelled: the client's
// /24 subnet that Postgrey adds to the key, its 2-day --retry-window and its
// auto-whitelisting of clients.
// Reply texts are left to the SMTP server engine that sends them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailsim::workload {

/// Behaviour class of a destination domain's mail server.
enum class DomainClass {
  NORMAL,       ///< replies at once and accepts mail
  SLOW,         ///< replies to every SMTP command after DomainClassParams::slow_reply_delay
  DEAD,         ///< nothing listens: every connection is refused
  GREYLISTING,  ///< 4xx for a new (sender, recipient) pair until greylist_delay has passed
  RATELIMIT,    ///< 4xx once ratelimit_per_minute messages arrived in the last 60 s
};

/// Lower-case name of a class, as used in reports: `normal`, `slow`, `dead`, ...
const char* to_string(DomainClass value);

/// Fractions of the domains in each class; the rest are NORMAL. Each is in [0, 1] and their
/// sum is at most 1.
struct DomainClassShares {
  double slow = 0;
  double dead = 0;
  double greylisting = 0;
  double ratelimit = 0;
};

/// Parameters of the destination classes.
struct DomainClassParams {
  double slow_reply_delay = 10;   ///< seconds added before each SMTP reply of a SLOW domain
  double greylist_delay = 300;    ///< seconds; Postgrey's default --delay
  int ratelimit_per_minute = 60;  ///< messages accepted per sliding 60 s window
};

/// The numbered domains d1..dN (zero padded to N's width) with M users each.
class DomainTable {
 public:
  /// Assigns classes by shuffling the domain indices with a stream seeded from `seed`, then
  /// giving the first round(N * slow) indices SLOW, the next ones DEAD, and so on. Class counts
  /// are rounded from cumulative shares, so they always add up to at most N.
  /// Throws InputError when a count is zero or a share is out of range.
  DomainTable(std::size_t domain_count, std::size_t users_per_domain, DomainClassShares shares,
              DomainClassParams params, std::uint64_t seed);

  std::size_t size() const { return classes_.size(); }
  std::size_t users_per_domain() const { return users_; }

  /// Domain name of a 0-based index: index 0 of 1000 domains is `d0001.example`.
  std::string name(std::size_t index) const;

  /// Address of user `user` (0-based) at domain `domain` (0-based): `u0001@d0001.example`.
  std::string mailbox(std::size_t domain, std::size_t user) const;

  /// 0-based index of a domain name produced by name(), or nullopt for any other name.
  std::optional<std::size_t> index_of(std::string_view domain) const;

  /// Class of the domain at a 0-based index. Throws std::out_of_range past the end.
  DomainClass classify(std::size_t index) const;

  /// Number of domains in a class.
  std::size_t count(DomainClass value) const;

  const DomainClassParams& params() const { return params_; }

 private:
  std::size_t users_;
  int domain_width_;
  int user_width_;
  std::vector<DomainClass> classes_;
  DomainClassParams params_;
};

/// Number of decimal digits of n (at least 1), the zero-padding width of numbered names.
int decimal_width(std::size_t n);

/// Greylisting state of one destination, keyed by (sender, recipient).
class Greylist {
 public:
  explicit Greylist(double delay = 300) : delay_(delay) {}

  /// Records a delivery attempt at `now`. Returns true when the pair's first attempt was at
  /// least `delay` seconds ago (accept), false when the server replies with a 4xx.
  bool attempt(const std::string& sender, const std::string& recipient, double now);

 private:
  double delay_;
  std::map<std::pair<std::string, std::string>, double> first_seen_;
};

/// Sliding-window rate limit of one destination: at most `limit` messages in any 60 s.
class RateLimiter {
 public:
  explicit RateLimiter(int limit_per_minute) : limit_(limit_per_minute) {}

  /// Returns true and counts the message when fewer than `limit` were accepted in
  /// (now - 60, now]; returns false (a 4xx) otherwise. Times must not decrease.
  bool accept(double now);

 private:
  int limit_;
  std::deque<double> accepted_;
};

}  // namespace mailsim::workload
