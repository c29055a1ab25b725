// Generator checks: limits, ordering and reproducibility, then each arrival process, size
// distribution and recipient choice against values derived from the spec.
#include "models/workload/generator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "tests/models/workload/workload_test_support.hpp"

namespace mailsim::workload {
namespace {

std::vector<Arrival> run(const WorkloadSpec& spec) {
  Generator generator(spec);
  std::vector<Arrival> out;
  Arrival arrival;
  while (generator.next(arrival)) out.push_back(arrival);
  return out;
}

WorkloadSpec poisson_spec(double rate, std::uint64_t count, double duration = 0) {
  WorkloadSpec spec;
  spec.arrivals.process = ArrivalProcess::POISSON;
  spec.arrivals.rate = rate;
  spec.count = count;
  spec.duration = duration;
  spec.domains = 10;
  spec.users_per_domain = 10;
  return spec;
}

TEST(Generator, CountLimit) {
  std::vector<Arrival> arrivals = run(poisson_spec(5, 500));
  ASSERT_EQ(arrivals.size(), 500u);
  EXPECT_EQ(arrivals.front().id, 1u);
  EXPECT_EQ(arrivals.back().id, 500u);
}

TEST(Generator, TimesNonDecreasing) {
  std::vector<Arrival> arrivals = run(poisson_spec(5, 2000));
  bool sorted = std::is_sorted(arrivals.begin(), arrivals.end(),
                               [](const Arrival& a, const Arrival& b) { return a.at < b.at; });
  EXPECT_TRUE(sorted);
  EXPECT_GE(arrivals.front().at, 0);
}

TEST(Generator, SameSeedSameSequence) {
  WorkloadSpec spec = poisson_spec(5, 1000);
  spec.sizes.kind = SizeDistribution::LOGNORMAL;
  spec.recipient_count = RecipientCountKind::POISSON;
  spec.recipients = 2;
  std::vector<Arrival> a = run(spec);
  std::vector<Arrival> b = run(spec);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].at, b[i].at);
    EXPECT_EQ(a[i].sender, b[i].sender);
    EXPECT_EQ(a[i].recipients, b[i].recipients);
    EXPECT_EQ(a[i].size, b[i].size);
    EXPECT_EQ(a[i].seed, b[i].seed);
  }
}

TEST(Generator, DifferentSeedsDiffer) {
  WorkloadSpec spec = poisson_spec(5, 100);
  std::vector<Arrival> a = run(spec);
  spec.seed = 2;
  std::vector<Arrival> b = run(spec);
  int same_time = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same_time += a[i].at == b[i].at;
  EXPECT_EQ(same_time, 0);
}

TEST(Generator, PoissonCountInWindow) {
  // 10 per second for 1000 s: 10000 expected, standard deviation 100.
  std::vector<Arrival> arrivals = run(poisson_spec(10, 0, 1000));
  EXPECT_NEAR(static_cast<double>(arrivals.size()), 10000, 400);
  EXPECT_LT(arrivals.back().at, 1000);
}

TEST(Generator, PoissonMeanGap) {
  std::vector<Arrival> arrivals = run(poisson_spec(4, 100000));
  const double mean_gap = arrivals.back().at / static_cast<double>(arrivals.size());
  EXPECT_NEAR(mean_gap, 0.25, 0.25 * 0.02);
}

TEST(Generator, CountAndDurationFirstLimitWins) {
  EXPECT_EQ(run(poisson_spec(10, 50, 1000)).size(), 50u);
  // About 10 arrivals fit in 1 s, far fewer than the count of 1000.
  EXPECT_LT(run(poisson_spec(10, 1000, 1)).size(), 40u);
}

TEST(Generator, BurstsOnly) {
  // Bursts start at 100, 200, ..., 900 (the one at 1000 is past the duration), 50 messages
  // each within 10 s: 450 arrivals.
  WorkloadSpec spec;
  spec.arrivals.process = ArrivalProcess::BURSTS;
  spec.arrivals.rate = 0;
  spec.arrivals.burst_every = 100;
  spec.arrivals.burst_size = 50;
  spec.arrivals.burst_length = 10;
  spec.duration = 1000;
  std::vector<Arrival> arrivals = run(spec);
  ASSERT_EQ(arrivals.size(), 450u);
  std::vector<int> per_burst(10, 0);
  bool inside = true;
  for (const Arrival& a : arrivals) {
    int k = static_cast<int>(a.at / 100);
    inside = inside && a.at - k * 100 < 10 && k >= 1;
    ++per_burst[static_cast<std::size_t>(k)];
  }
  EXPECT_TRUE(inside);
  EXPECT_EQ(per_burst[0], 0);
  for (int k = 1; k <= 9; ++k) EXPECT_EQ(per_burst[static_cast<std::size_t>(k)], 50) << k;
}

TEST(Generator, BurstsWithBackground) {
  WorkloadSpec spec;
  spec.arrivals.process = ArrivalProcess::BURSTS;
  spec.arrivals.rate = 1;
  spec.arrivals.burst_every = 100;
  spec.arrivals.burst_size = 50;
  spec.arrivals.burst_length = 10;
  spec.duration = 1000;
  std::vector<Arrival> arrivals = run(spec);
  // 1000 background (standard deviation about 32) plus 450 burst arrivals.
  EXPECT_NEAR(static_cast<double>(arrivals.size()), 1450, 130);
  bool sorted = std::is_sorted(arrivals.begin(), arrivals.end(),
                               [](const Arrival& a, const Arrival& b) { return a.at < b.at; });
  EXPECT_TRUE(sorted);
}

TEST(Generator, DailyCycleByThinning) {
  // Mean 1/s, amplitude 0.5, peak at 12h. The hour centred on the peak expects
  // 3600 * (1 + 0.5 * sin(pi/24) / (pi/24)) = 5395 arrivals. The hour centred on midnight
  // expects 3600 * (1 - 0.5 * 0.99715) = 1805, and the whole day 86400.
  WorkloadSpec spec;
  spec.arrivals.process = ArrivalProcess::DAILY;
  spec.arrivals.rate = 1;
  spec.arrivals.amplitude = 0.5;
  spec.arrivals.peak_offset = 12 * 3600;
  spec.duration = 86400;
  std::vector<Arrival> arrivals = run(spec);
  int peak = 0;
  int trough = 0;
  for (const Arrival& a : arrivals) {
    peak += a.at >= 11.5 * 3600 && a.at < 12.5 * 3600;
    trough += a.at < 0.5 * 3600 || a.at >= 23.5 * 3600;
  }
  EXPECT_NEAR(static_cast<double>(arrivals.size()), 86400, 86400 * 0.02);
  EXPECT_NEAR(peak, 5395, 5395 * 0.05);
  EXPECT_NEAR(trough, 1805, 1805 * 0.1);
}

TEST(Generator, FixedSize) {
  WorkloadSpec spec = poisson_spec(1, 100);
  spec.sizes.kind = SizeDistribution::FIXED;
  spec.sizes.fixed = 2500;
  for (const Arrival& a : run(spec)) EXPECT_EQ(a.size, 2500u);
}

TEST(Generator, ExponentialSizeMean) {
  WorkloadSpec spec = poisson_spec(1, 100000);
  spec.sizes.kind = SizeDistribution::EXPONENTIAL;
  spec.sizes.mean = 5000;
  double sum = 0;
  for (const Arrival& a : run(spec)) sum += static_cast<double>(a.size);
  EXPECT_NEAR(sum / 100000, 5000, 5000 * 0.02);
}

TEST(Generator, LognormalSizeMedian) {
  WorkloadSpec spec = poisson_spec(1, 20001);
  spec.sizes.kind = SizeDistribution::LOGNORMAL;
  spec.sizes.median = 8000;
  spec.sizes.sigma = 1;
  std::vector<double> sizes;
  for (const Arrival& a : run(spec)) sizes.push_back(static_cast<double>(a.size));
  std::nth_element(sizes.begin(), sizes.begin() + 10000, sizes.end());
  EXPECT_NEAR(sizes[10000], 8000, 8000 * 0.03);
}

TEST(Generator, ParetoSizeBoundsAndCap) {
  // alpha = 1, minimum 1000: P(size > 100000) = 1000 / 100000 = 1%, so about 100 of 10000
  // sizes hit the cap.
  WorkloadSpec spec = poisson_spec(1, 10000);
  spec.sizes.kind = SizeDistribution::PARETO;
  spec.sizes.minimum = 1000;
  spec.sizes.alpha = 1;
  spec.sizes.max_size = 100000;
  std::uint64_t smallest = UINT64_MAX;
  std::uint64_t largest = 0;
  int capped = 0;
  for (const Arrival& a : run(spec)) {
    smallest = std::min(smallest, a.size);
    largest = std::max(largest, a.size);
    capped += a.size == 100000;
  }
  EXPECT_GE(smallest, 1000u);
  EXPECT_EQ(largest, 100000u);
  EXPECT_NEAR(capped, 100, 40);
}

TEST(Generator, FixedRecipientsDistinct) {
  WorkloadSpec spec = poisson_spec(1, 1000);
  spec.recipients = 3;
  const std::regex mailbox(R"(u(0[1-9]|10)@d(0[1-9]|10)\.example)");
  for (const Arrival& a : run(spec)) {
    ASSERT_EQ(a.recipients.size(), 3u);
    std::set<std::string> unique(a.recipients.begin(), a.recipients.end());
    EXPECT_EQ(unique.size(), 3u);
    for (const std::string& r : a.recipients) EXPECT_TRUE(std::regex_match(r, mailbox)) << r;
  }
}

TEST(Generator, RecipientsCappedAtMailboxes) {
  WorkloadSpec spec = poisson_spec(1, 10);
  spec.domains = 1;
  spec.users_per_domain = 2;
  spec.recipients = 5;
  for (const Arrival& a : run(spec)) EXPECT_EQ(a.recipients.size(), 2u);
}

TEST(Generator, PoissonRecipientsMean) {
  WorkloadSpec spec = poisson_spec(1, 20000);
  spec.domains = 100;
  spec.users_per_domain = 100;
  spec.recipient_count = RecipientCountKind::POISSON;
  spec.recipients = 2.5;
  double sum = 0;
  std::size_t fewest = 100;
  for (const Arrival& a : run(spec)) {
    sum += static_cast<double>(a.recipients.size());
    fewest = std::min(fewest, a.recipients.size());
  }
  EXPECT_NEAR(sum / 20000, 2.5, 2.5 * 0.03);
  EXPECT_EQ(fewest, 1u);
}

// Fraction of all recipients that fall on each domain index.
std::vector<double> domain_shares(const WorkloadSpec& spec) {
  Generator generator(spec);
  std::vector<double> shares(spec.domains, 0);
  Arrival a;
  std::uint64_t total = 0;
  while (generator.next(a)) {
    for (const std::string& r : a.recipients) {
      auto index = generator.domains().index_of(r.substr(r.find('@') + 1));
      if (index) shares[*index] += 1;
      ++total;
    }
  }
  for (double& s : shares) s /= static_cast<double>(total);
  return shares;
}

TEST(Generator, UniformDomains) {
  std::vector<double> shares = domain_shares(poisson_spec(1, 50000));
  for (double share : shares) EXPECT_NEAR(share, 0.1, 0.01);
}

TEST(Generator, ZipfDomains) {
  // s = 1 over 10 domains: P(rank i) = (1/i) / H(10) with H(10) = 2.928968.
  WorkloadSpec spec = poisson_spec(1, 50000);
  spec.domain_choice = DomainChoice::ZIPF;
  spec.zipf_exponent = 1;
  std::vector<double> shares = domain_shares(spec);
  EXPECT_NEAR(shares[0], 0.341417, 0.01);
  EXPECT_NEAR(shares[1], 0.170709, 0.01);
  EXPECT_NEAR(shares[9], 0.034142, 0.005);
}

TEST(Generator, SendersFromSenderDomain) {
  WorkloadSpec spec = poisson_spec(1, 1000);
  spec.sender_domain = "mx.test";
  spec.sender_users = 20;
  const std::regex sender(R"(u(0[1-9]|1[0-9]|20)@mx\.test)");
  std::set<std::string> seen;
  for (const Arrival& a : run(spec)) {
    EXPECT_TRUE(std::regex_match(a.sender, sender)) << a.sender;
    seen.insert(a.sender);
  }
  EXPECT_EQ(seen.size(), 20u);
}

TEST(Generator, MessageSeedsDiffer) {
  std::set<std::uint64_t> seeds;
  for (const Arrival& a : run(poisson_spec(1, 1000))) seeds.insert(a.seed);
  EXPECT_EQ(seeds.size(), 1000u);
}

TEST(Generator, ClassifyUsesShares) {
  WorkloadSpec spec = poisson_spec(1, 1);
  spec.domains = 100;
  spec.classes.dead = 0.25;
  Generator generator(spec);
  int dead = 0;
  for (std::size_t i = 0; i < 100; ++i) dead += generator.classify(i) == DomainClass::DEAD;
  EXPECT_EQ(dead, 25);
}

TEST(Generator, InvalidSpecRejected) {
  struct Case {
    const char* name;
    void (*change)(WorkloadSpec&);
    const char* field;  // the key path in a scenario's workload mapping
    const char* message;
  };
  const Case cases[] = {
      {"no limit", [](WorkloadSpec& s) { s.count = 0, s.duration = 0; }, "count",
       "count of at least 1 or a duration"},
      {"zero rate", [](WorkloadSpec& s) { s.arrivals.rate = 0; }, "arrivals.rate",
       "workload.arrivals.rate must be a positive number, got 0"},
      {"zero size", [](WorkloadSpec& s) { s.sizes.fixed = 0; }, "sizes.size",
       "workload.sizes.size must be a positive number, got 0"},
      {"amplitude",
       [](WorkloadSpec& s) {
         s.arrivals.process = ArrivalProcess::DAILY;
         s.arrivals.amplitude = 1.5;
       },
       "arrivals.amplitude", "amplitude must be between 0 and 1"},
      {"overlapping bursts",
       [](WorkloadSpec& s) {
         s.arrivals.process = ArrivalProcess::BURSTS;
         s.arrivals.burst_every = 10;
         s.arrivals.burst_length = 20;
       },
       "arrivals.burst_length", "must not exceed burst_every"},
      {"empty bursts",
       [](WorkloadSpec& s) {
         s.arrivals.process = ArrivalProcess::BURSTS;
         s.arrivals.rate = 0;
         s.arrivals.burst_size = 0;
       },
       "arrivals.burst_size", "background rate or a burst_size"},
      {"pareto uncapped", [](WorkloadSpec& s) { s.sizes.kind = SizeDistribution::PARETO; },
       "sizes.max", "workload.sizes.max is required for Pareto sizes"},
      {"pareto cap below minimum",
       [](WorkloadSpec& s) {
         s.sizes.kind = SizeDistribution::PARETO;
         s.sizes.max_size = 1000;
       },
       "sizes.max", "below the Pareto minimum 1024"},
      {"cap below the fixed size",
       [](WorkloadSpec& s) {
         s.sizes.fixed = 10240;
         s.sizes.max_size = 1024;
       },
       "sizes.max", "(1024) is below the fixed size 10240"},
      {"negative sigma",
       [](WorkloadSpec& s) {
         s.sizes.kind = SizeDistribution::LOGNORMAL;
         s.sizes.sigma = -1;
       },
       "sizes.sigma", "sigma must not be negative"},
      {"no domains", [](WorkloadSpec& s) { s.domains = 0; }, "domains",
       "workload.domains must be at least 1"},
      {"too many domains", [](WorkloadSpec& s) { s.domains = kMaxDomains + 1; }, "domains",
       "must be at most 1000000, got 1000001"},
      {"no senders", [](WorkloadSpec& s) { s.sender_users = 0; }, "sender_users",
       "workload.sender_users must be at least 1"},
      {"few recipients", [](WorkloadSpec& s) { s.recipients = 0.5; }, "recipients.mean",
       "at least 1, got 0.5"},
      {"fractional fixed", [](WorkloadSpec& s) { s.recipients = 2.5; }, "recipients.mean",
       "whole number"},
      {"share above 1", [](WorkloadSpec& s) { s.classes.greylisting = 1.5; }, "classes.greylisting",
       "between 0 and 1, got 1.5"},
      // 0.8 + 0.4 passes 1 at the dead share.
      {"shares", [](WorkloadSpec& s) { s.classes.slow = 0.8, s.classes.dead = 0.4; },
       "classes.dead", "brings the class shares to 1.2, more than 1"},
  };
  for (const Case& c : cases) {
    WorkloadSpec spec = poisson_spec(1, 10);
    c.change(spec);
    std::optional<WorkloadError> error;
    try {
      validate(spec);
    } catch (const WorkloadError& e) {
      error = e;
    }
    ASSERT_TRUE(error.has_value()) << c.name;
    EXPECT_EQ(error->field(), c.field) << c.name;
    EXPECT_NE(error->message().find(c.message), std::string::npos)
        << c.name << ": " << error->message();
    // The generator validates its spec the same way.
    EXPECT_TRUE(catch_input_error([&] { Generator generator(spec); }).has_value()) << c.name;
  }
}

TEST(Generator, ValidSharesAccepted) {
  const DomainClassShares cases[] = {
      {0, 0, 0, 0}, {0.1, 0.2, 0.7, 0}, {0.25, 0.25, 0.25, 0.25}, {1, 0, 0, 0}};
  for (const DomainClassShares& shares : cases) {
    WorkloadSpec spec = poisson_spec(1, 10);
    spec.classes = shares;
    EXPECT_FALSE(catch_input_error([&] { validate(spec); }).has_value()) << shares.greylisting;
  }
}

}  // namespace
}  // namespace mailsim::workload
