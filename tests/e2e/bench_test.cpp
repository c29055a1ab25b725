// `mailsim bench` from the command line: the table, the JSON and CSV rows,
// and clear errors for bad policies and scenarios.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/e2e/run_helpers.hpp"

namespace mailsim::e2e {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(BenchCommand, RowsPerPolicyWithIntervals) {
  std::string dir = temp_dir();
  Outcome r = run_mailsim({"bench", std::string(MAILSIM_SOURCE_DIR) + "/scenarios/bench/poisson.yaml", "--policies",
                           "sendmail:QueueSortOrder=host,MaxQueueRunSize=100,fifo", "--seeds", "2", "--jobs", "2",
                           "--set", "workload.count=200", "--json", dir + "/b.json", "--csv", dir + "/b.csv"},
                          false);
  ASSERT_EQ(r.status, 0) << r.err;
  auto rows = nlohmann::json::parse(read_file(dir + "/b.json"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["policy"], "sendmail:QueueSortOrder=host,MaxQueueRunSize=100");
  EXPECT_EQ(rows[1]["policy"], "fifo");
  for (const auto& row : rows) {
    for (const char* key : {"policy", "delivered", "throughput", "p50", "p95", "p99", "max", "max_depth",
                            "mean_depth", "retries", "bounced"})
      EXPECT_TRUE(row.contains(key)) << key;
    ASSERT_EQ(row["runs"].size(), 2u);
    for (const auto& run : row["runs"]) {
      // Every delivery ends one way or another, or is still queued.
      EXPECT_EQ(run["delivered"].get<int>() + run["bounced"].get<int>() + run["expired"].get<int>() +
                    run["queued"].get<int>(),
                run["deliveries"].get<int>());
      EXPECT_EQ(run["messages"], 200);
      EXPECT_LE(run["p50"].get<double>(), run["p95"].get<double>());
      EXPECT_LE(run["p95"].get<double>(), run["max"].get<double>());
    }
    EXPECT_FALSE(row["ci95"]["p50"].is_null());
  }
  EXPECT_NE(r.out.find("fifo"), std::string::npos);
  std::string csv = read_file(dir + "/b.csv");
  EXPECT_EQ(csv.rfind("policy,seeds,delivered,delivered_ci95,", 0), 0u) << csv;
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
}

TEST(BenchCommand, BadPolicyIsAnInputError) {
  Outcome r = run_mailsim({"bench", std::string(MAILSIM_SOURCE_DIR) + "/scenarios/bench/poisson.yaml",
                           "--policies", "sendmail:QueueSortOrdr=host"},
                          false);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("<policy>:1:10:"), std::string::npos) << r.err;
}

// CLI11's own checks (a range, a missing value) exit like every other input
// mistake, with status 2; --help exits 0.
TEST(BenchCommand, CommandLineMistakesExitTwo) {
  std::string scenario = std::string(MAILSIM_SOURCE_DIR) + "/scenarios/bench/poisson.yaml";
  Outcome range = run_mailsim({"bench", scenario, "--seeds", "0"}, false);
  EXPECT_EQ(range.status, 2) << range.err;
  Outcome missing = run_mailsim({"bench", scenario, "--jobs"}, false);
  EXPECT_EQ(missing.status, 2) << missing.err;
  Outcome unknown = run_mailsim({"run", "--no-such-option"}, false);
  EXPECT_EQ(unknown.status, 2) << unknown.err;
  Outcome help = run_mailsim({"bench", "--help"}, false);
  EXPECT_EQ(help.status, 0) << help.err;
}

TEST(BenchCommand, BadScenarioIsAnInputError) {
  std::string dir = temp_dir();
  std::ofstream(dir + "/b.yaml") << "workload:\n  count: 10\n  sizes: {distribution: zipf}\n";
  Outcome r = run_mailsim({"bench", dir + "/b.yaml"}, false);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(dir + "/b.yaml:3:25: unknown size distribution 'zipf'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace mailsim::e2e
