#include "models/workload/domains.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "models/common/error.hpp"
#include "models/workload/random.hpp"

namespace mailsim::workload {
namespace {

constexpr std::uint64_t kClassStream = 3;

void check_share(double share, const char* name) {
  if (!(share >= 0 && share <= 1))
    throw InputError(fmt::format("domain share {} must be between 0 and 1, got {}", name, share));
}

}  // namespace

const char* to_string(DomainClass value) {
  switch (value) {
    case DomainClass::NORMAL:
      return "normal";
    case DomainClass::SLOW:
      return "slow";
    case DomainClass::DEAD:
      return "dead";
    case DomainClass::GREYLISTING:
      return "greylisting";
    case DomainClass::RATELIMIT:
      return "ratelimit";
  }
  return "?";
}

int decimal_width(std::size_t n) {
  int width = 1;
  while (n >= 10) {
    n /= 10;
    ++width;
  }
  return width;
}

DomainTable::DomainTable(std::size_t domain_count, std::size_t users_per_domain,
                         DomainClassShares shares, DomainClassParams params, std::uint64_t seed)
    : users_(users_per_domain),
      domain_width_(decimal_width(domain_count)),
      user_width_(decimal_width(users_per_domain)),
      params_(params) {
  if (domain_count == 0) throw InputError("the number of domains must be at least 1");
  if (users_per_domain == 0) throw InputError("the number of users per domain must be at least 1");
  check_share(shares.slow, "slow");
  check_share(shares.dead, "dead");
  check_share(shares.greylisting, "greylisting");
  check_share(shares.ratelimit, "ratelimit");
  const double total = shares.slow + shares.dead + shares.greylisting + shares.ratelimit;
  // A small tolerance lets shares such as 0.1 + 0.2 + 0.7 through despite rounding.
  if (total > 1 + 1e-9)
    throw InputError(fmt::format("domain class shares add up to {}, more than 1", total));
  if (params.slow_reply_delay < 0 || params.greylist_delay < 0)
    throw InputError("slow_reply_delay and greylist_delay must not be negative");
  if (params.ratelimit_per_minute < 1)
    throw InputError(fmt::format("ratelimit_per_minute must be at least 1, got {}",
                                 params.ratelimit_per_minute));

  // Fisher-Yates shuffle of the indices, so the classes do not cluster at low numbers.
  std::vector<std::size_t> order(domain_count);
  for (std::size_t i = 0; i < domain_count; ++i) order[i] = i;
  Random random(derive_seed(seed, kClassStream));
  for (std::size_t i = domain_count; i > 1; --i) std::swap(order[i - 1], order[random.below(i)]);

  classes_.assign(domain_count, DomainClass::NORMAL);
  const std::pair<double, DomainClass> bands[] = {{shares.slow, DomainClass::SLOW},
                                                  {shares.dead, DomainClass::DEAD},
                                                  {shares.greylisting, DomainClass::GREYLISTING},
                                                  {shares.ratelimit, DomainClass::RATELIMIT}};
  double cumulative = 0;
  std::size_t begin = 0;
  for (const auto& [share, cls] : bands) {
    cumulative += share;
    auto end =
        static_cast<std::size_t>(std::llround(cumulative * static_cast<double>(domain_count)));
    if (end > domain_count) end = domain_count;
    for (std::size_t i = begin; i < end; ++i) classes_[order[i]] = cls;
    if (end > begin) begin = end;
  }
}

std::string DomainTable::name(std::size_t index) const {
  return fmt::format("d{:0{}}.example", index + 1, domain_width_);
}

std::string DomainTable::mailbox(std::size_t domain, std::size_t user) const {
  return fmt::format("u{:0{}}@{}", user + 1, user_width_, name(domain));
}

std::optional<std::size_t> DomainTable::index_of(std::string_view domain) const {
  constexpr std::string_view kSuffix = ".example";
  const std::size_t digits = static_cast<std::size_t>(domain_width_);
  if (domain.size() != 1 + digits + kSuffix.size() || domain[0] != 'd' ||
      domain.substr(1 + digits) != kSuffix)
    return std::nullopt;
  std::size_t number = 0;
  for (char c : domain.substr(1, digits)) {
    if (c < '0' || c > '9') return std::nullopt;
    number = number * 10 + static_cast<std::size_t>(c - '0');
  }
  if (number < 1 || number > classes_.size()) return std::nullopt;
  return number - 1;
}

DomainClass DomainTable::classify(std::size_t index) const {
  if (index >= classes_.size())
    throw std::out_of_range(
        fmt::format("domain index {} is past the last domain ({})", index, classes_.size()));
  return classes_[index];
}

std::size_t DomainTable::count(DomainClass value) const {
  std::size_t n = 0;
  for (DomainClass c : classes_)
    if (c == value) ++n;
  return n;
}

bool Greylist::attempt(const std::string& sender, const std::string& recipient, double now) {
  auto [it, inserted] = first_seen_.try_emplace({sender, recipient}, now);
  if (inserted) return delay_ <= 0;
  return now - it->second >= delay_;
}

bool RateLimiter::accept(double now) {
  while (!accepted_.empty() && accepted_.front() <= now - 60) accepted_.pop_front();
  if (static_cast<int>(accepted_.size()) >= limit_) return false;
  accepted_.push_back(now);
  return true;
}

}  // namespace mailsim::workload
