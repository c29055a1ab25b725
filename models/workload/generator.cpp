#include "models/workload/generator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "models/common/error.hpp"

namespace mailsim::workload {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kDay = 86400;
constexpr double kTwoPi = 6.283185307179586476925;

// Stream numbers for derive_seed. DomainTable uses stream 3.
constexpr std::uint64_t kBackgroundStream = 1;
constexpr std::uint64_t kContentStream = 2;
constexpr std::uint64_t kBurstStream = 4;

[[noreturn]] void fail(const char* field, const std::string& message) {
  throw WorkloadError(field, fmt::format("workload.{} {}", field, message));
}

// Throws unless `value` is finite and positive.
void require_positive(double value, const char* field) {
  if (!(value > 0) || !std::isfinite(value))
    fail(field, fmt::format("must be a positive number, got {}", value));
}

void validate_arrivals(const ArrivalSpec& a) {
  switch (a.process) {
    case ArrivalProcess::POISSON:
      require_positive(a.rate, "arrivals.rate");
      break;
    case ArrivalProcess::DAILY:
      require_positive(a.rate, "arrivals.rate");
      if (!(a.amplitude >= 0 && a.amplitude <= 1))
        fail("arrivals.amplitude", fmt::format("must be between 0 and 1, got {}", a.amplitude));
      if (!std::isfinite(a.peak_offset))
        fail("arrivals.peak_offset", "must be a finite number of seconds");
      break;
    case ArrivalProcess::BURSTS:
      if (!(a.rate >= 0) || !std::isfinite(a.rate))
        fail("arrivals.rate", fmt::format("must not be negative, got {}", a.rate));
      require_positive(a.burst_every, "arrivals.burst_every");
      require_positive(a.burst_length, "arrivals.burst_length");
      // Overlapping bursts would need a merge of several sorted streams.
      if (a.burst_length > a.burst_every)
        fail("arrivals.burst_length", fmt::format("({} s) must not exceed burst_every ({} s)",
                                                  a.burst_length, a.burst_every));
      if (a.rate == 0 && a.burst_size == 0)
        fail("arrivals.burst_size",
             "is 0 and the background rate is 0: bursts need a "
             "background rate or a burst_size");
      break;
  }
}

void validate_sizes(const SizeSpec& s) {
  switch (s.kind) {
    case SizeDistribution::FIXED:
      require_positive(s.fixed, "sizes.size");
      if (s.max_size > 0 && static_cast<double>(s.max_size) < s.fixed)
        fail("sizes.max", fmt::format("({}) is below the fixed size {}", s.max_size, s.fixed));
      break;
    case SizeDistribution::EXPONENTIAL:
      require_positive(s.mean, "sizes.mean");
      break;
    case SizeDistribution::LOGNORMAL:
      require_positive(s.median, "sizes.median");
      if (!(s.sigma >= 0) || !std::isfinite(s.sigma))
        fail("sizes.sigma", fmt::format("must not be negative, got {}", s.sigma));
      break;
    case SizeDistribution::PARETO:
      require_positive(s.minimum, "sizes.minimum");
      require_positive(s.alpha, "sizes.alpha");
      // A heavy tail without a cap produces sizes no MTA accepts and can overflow.
      if (s.max_size == 0)
        fail("sizes.max", "is required for Pareto sizes, whose tail has no bound");
      if (static_cast<double>(s.max_size) < s.minimum)
        fail("sizes.max",
             fmt::format("({}) is below the Pareto minimum {}", s.max_size, s.minimum));
      break;
  }
}

// The shares are checked in the order of DomainClassShares, so the error names the share at
// which the sum first passes 1.
void validate_classes(const DomainClassShares& shares) {
  const std::pair<const char*, double> named[] = {{"classes.slow", shares.slow},
                                                  {"classes.dead", shares.dead},
                                                  {"classes.greylisting", shares.greylisting},
                                                  {"classes.ratelimit", shares.ratelimit}};
  double total = 0;
  for (const auto& [field, share] : named) {
    if (!(share >= 0 && share <= 1))
      fail(field, fmt::format("is a share of the domains, between 0 and 1, got {}", share));
    total += share;
    // The same tolerance as DomainTable: 0.1 + 0.2 + 0.7 passes despite rounding.
    if (total > 1 + 1e-9)
      fail(field, fmt::format("brings the class shares to {:g}, more than 1 (the domains left "
                              "over are normal)",
                              total));
  }
}

}  // namespace

WorkloadError::WorkloadError(std::string field, const std::string& message)
    : InputError(message), field_(std::move(field)) {}

void validate(const WorkloadSpec& spec) {
  if (spec.count == 0 && spec.duration <= 0)
    throw WorkloadError("count", "workload needs a message count of at least 1 or a duration, or both");
  if (spec.duration < 0 || !std::isfinite(spec.duration))
    fail("duration", fmt::format("must not be negative, got {}", spec.duration));
  validate_arrivals(spec.arrivals);
  validate_sizes(spec.sizes);

  if (spec.domains == 0) fail("domains", "must be at least 1");
  if (spec.domains > kMaxDomains) {
    fail("domains", fmt::format("must be at most {}, got {}: the bench makes each domain a host with a "
                                "link of its own, about 4 KB of memory each",
                                kMaxDomains, spec.domains));
  }
  if (spec.users_per_domain == 0) fail("users_per_domain", "must be at least 1");
  if (spec.sender_users == 0) fail("sender_users", "must be at least 1");
  if (spec.sender_domain.empty()) fail("sender_domain", "is empty");
  if (!(spec.recipients >= 1) || !std::isfinite(spec.recipients))
    fail("recipients.mean", fmt::format("must be at least 1, got {}", spec.recipients));
  if (spec.recipient_count == RecipientCountKind::FIXED &&
      spec.recipients != std::floor(spec.recipients))
    fail("recipients.mean",
         fmt::format("of fixed recipients must be a whole number, got {}", spec.recipients));
  if (spec.domain_choice == DomainChoice::ZIPF &&
      (!(spec.zipf_exponent >= 0) || !std::isfinite(spec.zipf_exponent)))
    fail("zipf_exponent", fmt::format("must not be negative, got {}", spec.zipf_exponent));
  validate_classes(spec.classes);
}

Generator::Generator(WorkloadSpec spec)
    : spec_((validate(spec), std::move(spec))),
      domains_(spec_.domains, spec_.users_per_domain, spec_.classes, spec_.class_params,
               spec_.seed),
      background_(derive_seed(spec_.seed, kBackgroundStream)),
      bursts_(derive_seed(spec_.seed, kBurstStream)),
      content_(derive_seed(spec_.seed, kContentStream)),
      sender_width_(decimal_width(spec_.sender_users)) {
  if (spec_.domain_choice == DomainChoice::ZIPF) {
    zipf_cdf_.resize(spec_.domains);
    double total = 0;
    for (std::size_t i = 0; i < spec_.domains; ++i) {
      total += 1.0 / std::pow(static_cast<double>(i + 1), spec_.zipf_exponent);
      zipf_cdf_[i] = total;
    }
  }

  const bool has_background = spec_.arrivals.rate > 0;
  background_at_ = has_background ? 0 : kInfinity;
  if (has_background) background_at_ = next_background_time();

  const bool has_bursts =
      spec_.arrivals.process == ArrivalProcess::BURSTS && spec_.arrivals.burst_size > 0;
  burst_remaining_ = has_bursts ? spec_.arrivals.burst_size : 0;
  burst_at_ = has_bursts ? next_burst_time() : kInfinity;
}

double Generator::daily_rate(double t) const {
  const ArrivalSpec& a = spec_.arrivals;
  return a.rate * (1 + a.amplitude * std::cos(kTwoPi * (t - a.peak_offset) / kDay));
}

double Generator::next_background_time() {
  const ArrivalSpec& a = spec_.arrivals;
  if (a.process != ArrivalProcess::DAILY)
    return background_at_ + background_.exponential(1 / a.rate);

  // Thinning (Lewis-Shedler): candidates come from a homogeneous process at the peak rate, and
  // a candidate at t is kept with probability rate(t) / peak, which yields exactly the
  // inhomogeneous Poisson process with intensity rate(t).
  const double peak = a.rate * (1 + a.amplitude);
  double t = background_at_;
  for (;;) {
    t += background_.exponential(1 / peak);
    if (background_.uniform() * peak < daily_rate(t)) return t;
  }
}

double Generator::next_burst_time() {
  const ArrivalSpec& a = spec_.arrivals;
  if (burst_remaining_ == 0) {
    ++burst_index_;
    burst_remaining_ = a.burst_size;
    burst_fraction_ = 0;
  }
  // The next of n sorted uniforms on [f, 1) is 1 - (1 - f) * U^(1/n): the minimum of n uniforms
  // has that law, and the rest stay uniform above it. Sorted times come out one by one without
  // storing the burst.
  const double n = static_cast<double>(burst_remaining_);
  burst_fraction_ = 1 - (1 - burst_fraction_) * std::pow(bursts_.uniform_positive(), 1 / n);
  --burst_remaining_;
  const double start = static_cast<double>(burst_index_) * a.burst_every;
  return start + burst_fraction_ * a.burst_length;
}

bool Generator::next(Arrival& out) {
  if (spec_.count != 0 && emitted_ >= spec_.count) return false;
  // A background arrival wins a tie, so the order never depends on anything but the seed.
  const bool from_background = background_at_ <= burst_at_;
  const double at = from_background ? background_at_ : burst_at_;
  if (at == kInfinity) return false;
  if (spec_.duration > 0 && at >= spec_.duration) return false;

  if (from_background)
    background_at_ = next_background_time();
  else
    burst_at_ = next_burst_time();

  out.at = at;
  out.id = ++emitted_;
  fill_content(out);
  return true;
}

std::uint64_t Generator::draw_size() {
  const SizeSpec& s = spec_.sizes;
  double bytes = 0;
  switch (s.kind) {
    case SizeDistribution::FIXED:
      bytes = s.fixed;
      break;
    case SizeDistribution::EXPONENTIAL:
      bytes = content_.exponential(s.mean);
      break;
    case SizeDistribution::LOGNORMAL:
      bytes = content_.lognormal(s.median, s.sigma);
      break;
    case SizeDistribution::PARETO:
      bytes = content_.pareto(s.minimum, s.alpha);
      break;
  }
  // Capping before the conversion keeps huge Pareto draws from overflowing uint64.
  double cap = s.max_size != 0 ? static_cast<double>(s.max_size) : 1e18;
  bytes = std::min(std::max(std::round(bytes), 1.0), cap);
  return static_cast<std::uint64_t>(bytes);
}

std::size_t Generator::draw_domain() {
  if (spec_.domain_choice == DomainChoice::UNIFORM) return content_.below(spec_.domains);
  const double target = content_.uniform() * zipf_cdf_.back();
  auto it = std::upper_bound(zipf_cdf_.begin(), zipf_cdf_.end(), target);
  if (it == zipf_cdf_.end()) --it;
  return static_cast<std::size_t>(it - zipf_cdf_.begin());
}

void Generator::fill_content(Arrival& out) {
  out.sender = fmt::format("u{:0{}}@{}", content_.below(spec_.sender_users) + 1, sender_width_,
                           spec_.sender_domain);
  out.size = draw_size();

  std::uint64_t count = spec_.recipient_count == RecipientCountKind::FIXED
                            ? static_cast<std::uint64_t>(spec_.recipients)
                            : 1 + content_.poisson(spec_.recipients - 1);
  const std::uint64_t mailboxes =
      static_cast<std::uint64_t>(spec_.domains) * spec_.users_per_domain;
  count = std::min(count, mailboxes);

  // Sendmail drops a duplicate RCPT of the same transaction, so a recipient is drawn again
  // until it is new to this message.
  out.recipients.clear();
  auto add_if_new = [&out](std::string address) {
    if (std::find(out.recipients.begin(), out.recipients.end(), address) == out.recipients.end())
      out.recipients.push_back(std::move(address));
  };
  const std::uint64_t max_draws = 100 * count;
  for (std::uint64_t draws = 0; out.recipients.size() < count && draws < max_draws; ++draws) {
    std::size_t domain = draw_domain();
    add_if_new(domains_.mailbox(domain, content_.below(spec_.users_per_domain)));
  }
  // NOTE: when a message needs nearly every mailbox and Zipf makes some domains very unlikely,
  // random draws may not find the last ones, so they are taken in index order.
  for (std::uint64_t i = 0; out.recipients.size() < count; ++i)
    add_if_new(domains_.mailbox(i / spec_.users_per_domain, i % spec_.users_per_domain));
  out.seed = content_.next_u64();
}

}  // namespace mailsim::workload
