// `mailsim bench` from the command line: the table, the JSON and CSV rows,
// and clear errors for bad policies and scenarios.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
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
  EXPECT_NE(r.err.find("--policies:1:10: unknown sendmail setting \"QueueSortOrdr\""),
            std::string::npos)
      << r.err;
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

  // A value that is no whole number is called that, not out of range.
  const std::pair<const char*, const char*> counts[] = {
      {"abc", "invalid value 'abc': expected a whole number from 1 to 1000"},
      {"1.5", "invalid value '1.5': expected a whole number from 1 to 1000"},
      {"-3", "invalid value '-3': expected a whole number from 1 to 1000"},
      {"1001", "invalid value 1001: expected a whole number from 1 to 1000"},
  };
  for (const auto& [value, message] : counts) {
    Outcome r = run_mailsim({"bench", scenario, "--seeds", value}, false);
    EXPECT_EQ(r.status, 2) << value;
    EXPECT_NE(r.err.find(std::string("--seeds: ") + message), std::string::npos) << r.err;
  }
}

TEST(BenchCommand, BadScenarioIsAnInputError) {
  std::string dir = temp_dir();
  std::ofstream(dir + "/b.yaml") << "workload:\n  count: 10\n  sizes: {distribution: zipf}\n";
  Outcome r = run_mailsim({"bench", dir + "/b.yaml"}, false);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(dir + "/b.yaml:3:25: unknown size distribution 'zipf'"), std::string::npos) << r.err;
}

std::string write_scenario(const std::string& text) {
  std::string path = temp_dir() + "/s.yaml";
  std::ofstream(path) << text;
  return path;
}

// A directory opens as a stream that reads nothing; it must not pass for an empty file.
TEST(BenchCommand, DirectoryInsteadOfAFile) {
  std::string dir = temp_dir();
  Outcome scenario = run_mailsim({"bench", dir}, false);
  EXPECT_EQ(scenario.status, 2);
  EXPECT_NE(scenario.err.find(dir + ": cannot open file: it is a directory"), std::string::npos) << scenario.err;

  std::string yaml = write_scenario("workload:\n  replay: {maillog: " + dir + "}\n");
  Outcome maillog = run_mailsim({"bench", yaml}, false);
  EXPECT_EQ(maillog.status, 2);
  EXPECT_NE(maillog.err.find(yaml + ":2:21: cannot open maillog " + dir + ": it is a directory"), std::string::npos)
      << maillog.err;
}

// A fault at or after the horizon is valid but never happens: the run goes on with a warning at
// the fault's time.
TEST(BenchCommand, FaultAfterTheHorizonWarns) {
  std::string scenario = write_scenario(
      "horizon: 1h\nworkload: {count: 5, domains: 2, users_per_domain: 2}\n"
      "faults: |\n  at 30m dns outage for 1m\n  at 2h dns outage for 1m\n");
  Outcome r = run_mailsim({"bench", scenario, "--policies", "fifo"}, false);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find(scenario + ":5:6: warning: this fault at 2h00m00s is not before the horizon (1h00m00s)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find(":4:6: warning"), std::string::npos) << r.err;  // 30m is before the horizon
}

// Each command-line mistake exits 2 with a message naming it.
TEST(BenchCommand, ArgumentErrors) {
  std::string scenario = write_scenario("workload: {count: 5}\n");
  std::string dir = temp_dir();
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--policies", ","}, "--policies:1:1: empty policy name"},
      {{"--policies", ""}, "--policies:1:1: the policy list is empty"},
      {{"--policies", "fifo,,postfix"}, "--policies:1:6: empty policy name"},
      {{"--policies", "sendmail:MaxQueueRunSize=1,MaxQueueRunSize=2"},
       "--policies:1:28: sendmail setting MaxQueueRunSize is given twice with different values"},
      {{"--policies", "fifo,fifo"}, "--policies:1:6: policy fifo is listed twice"},
      {{"--json", dir + "/x", "--csv", dir + "/./x"}, "--csv and --json both name"},
      {{"--json", scenario}, "--json names the scenario file"},
      {{"--set", "dns.tll=2h"}, "unknown key 'dns.tll' in dns"},
      {{"--set", "workload.count=5", "--set", "workload.count=6"},
       "workload.count is already set by --set workload.count=5"},
      // A link to a file that does not exist yet is the file it names.
      {{"--json", dir + "/link.json", "--csv", dir + "/target.json"}, "--csv and --json both name"},
      // Output files are checked before the runs start.
      {{"--json", dir + "/missing/x.json"}, "cannot write --json file " + dir + "/missing/x.json: directory " +
                                                dir + "/missing does not exist"},
      {{"--csv", dir}, "cannot write --csv file " + dir + ": it is a directory"},
      {{"--csv", ""}, "--csv needs a file name"},
      // An error in a value given by --set points at the --set.
      {{"--set", "workload.count=0"}, "--set workload.count=0: workload needs a message count of at least 1"},
      {{"--json", ""}, "--json needs a file name"},
  };
  std::filesystem::create_symlink("target.json", dir + "/link.json");
  for (const Case& c : cases) {
    std::vector<std::string> args = {"bench", scenario};
    args.insert(args.end(), c.args.begin(), c.args.end());
    Outcome r = run_mailsim(args, false);
    EXPECT_EQ(r.status, 2) << c.message << ": " << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
  }
  // The scenario was not overwritten.
  EXPECT_EQ(read_file(scenario), "workload: {count: 5}\n");
}

TEST(BenchCommand, FaultErrorAtItsField) {
  std::string scenario = write_scenario(
      "workload: {count: 5, domains: 2}\nfaults: |\n  at 1m link mx.d3.example down\n");
  Outcome r = run_mailsim({"bench", scenario}, false);
  EXPECT_EQ(r.status, 2);
  const int column = static_cast<int>(std::string("  at 1m link ").size()) + 1;
  EXPECT_NE(r.err.find(scenario + ":3:" + std::to_string(column) +
                       ": no host or link named 'mx.d3.example'"),
            std::string::npos)
      << r.err;
}

// --set reaches keys the file leaves out, with the mappings above them.
TEST(BenchCommand, SetAddsMissingKeys) {
  std::string scenario = write_scenario("workload: {count: 5}\n");
  std::string dir = temp_dir();
  Outcome r = run_mailsim({"bench", scenario, "--jobs", "1", "--set", "dns.ttl=2h", "--set",
                           "relay.service_time.mean=5ms", "--json", dir + "/b.json"},
                          false);
  ASSERT_EQ(r.status, 0) << r.err;
  auto rows = nlohmann::json::parse(read_file(dir + "/b.json"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["delivered"], 5);
}

// With every domain dead nothing is delivered, so there are no latency percentiles: "none" in
// the table, null in the JSON and an empty CSV cell, with every key still present.
// A device given as an output file is written in place and never replaced, and a link keeps
// pointing at the file it names. A write that fails after the runs leaves neither file behind
// and exits 1.
TEST(BenchCommand, OutputFilesOfEveryKind) {
  std::string scenario = write_scenario("workload: {count: 5, domains: 2, users_per_domain: 2}\n");
  std::string dir = temp_dir();

  Outcome null_device = run_mailsim({"bench", scenario, "--policies", "fifo", "--json", "/dev/null"}, false);
  EXPECT_EQ(null_device.status, 0) << null_device.err;
  EXPECT_TRUE(std::filesystem::is_character_file("/dev/null"));

  std::filesystem::create_symlink("target.json", dir + "/link.json");
  Outcome linked = run_mailsim({"bench", scenario, "--policies", "fifo", "--json", dir + "/link.json"}, false);
  EXPECT_EQ(linked.status, 0) << linked.err;
  EXPECT_TRUE(std::filesystem::is_symlink(dir + "/link.json"));
  EXPECT_EQ(nlohmann::json::parse(read_file(dir + "/target.json")).size(), 1u);

  if (!std::filesystem::is_character_file("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  Outcome full = run_mailsim(
      {"bench", scenario, "--policies", "fifo", "--json", dir + "/kept.json", "--csv", "/dev/full"}, false);
  EXPECT_EQ(full.status, 1) << full.err;
  EXPECT_NE(full.err.find("cannot write /dev/full: No space left on device; no output file was written"),
            std::string::npos)
      << full.err;
  EXPECT_FALSE(std::filesystem::exists(dir + "/kept.json"));
  EXPECT_TRUE(std::filesystem::is_character_file("/dev/full"));
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << entry.path();
}

TEST(BenchCommand, LongPolicyLabelsKeepColumnsAligned) {
  std::string scenario = write_scenario("workload: {count: 5, domains: 2, users_per_domain: 2}\n");
  const std::string label = "sendmail:QueueSortOrder=host,MaxQueueRunSize=100,QueueInterval=10m,RetryFactor=5000";
  Outcome r = run_mailsim({"bench", scenario, "--policies", "fifo," + label}, false);
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u) << r.out;  // title, header, two rows
  // Every column is right-aligned to a fixed width after the policy column, so aligned lines have
  // one length.
  EXPECT_EQ(lines[2].size(), lines[1].size()) << r.out;
  EXPECT_EQ(lines[3].size(), lines[1].size()) << r.out;
  EXPECT_EQ(lines[3].rfind(label + " ", 0), 0u) << r.out;
}

TEST(BenchCommand, NoDeliveriesHaveNoPercentiles) {
  std::string scenario =
      write_scenario("horizon: 1h\nworkload: {count: 5, domains: 2, classes: {dead: 1}}\n");
  std::string dir = temp_dir();
  Outcome r = run_mailsim({"bench", scenario, "--policies", "fifo", "--seeds", "2", "--jobs", "1",
                           "--json", dir + "/b.json", "--csv", dir + "/b.csv"},
                          false);
  ASSERT_EQ(r.status, 0) << r.err;

  auto rows = nlohmann::json::parse(read_file(dir + "/b.json"));
  ASSERT_EQ(rows.size(), 1u);
  const auto& row = rows[0];
  for (const char* key :
       {"policy", "delivered", "throughput", "p50", "p95", "p99", "max", "max_depth", "mean_depth",
        "retries", "bounced", "expired", "seeds", "ci95", "runs"})
    EXPECT_TRUE(row.contains(key)) << key;
  EXPECT_EQ(row["delivered"], 0);
  for (const char* key : {"p50", "p95", "p99", "max"}) {
    EXPECT_TRUE(row[key].is_null()) << key;
    EXPECT_TRUE(row["ci95"][key].is_null()) << key;
  }

  ASSERT_EQ(row["runs"].size(), 2u);
  for (const auto& run : row["runs"]) {
    for (const char* key : {"mean", "p50", "p95", "p99", "max"}) {
      EXPECT_TRUE(run.contains(key)) << key;
      EXPECT_TRUE(run[key].is_null()) << key;
    }
  }

  // The table's row: four "none" cells for p50, p95, p99 and max.
  std::istringstream table(r.out);
  std::string line, fifo_row;
  while (std::getline(table, line))
    if (line.rfind("fifo", 0) == 0) fifo_row = line;
  int nones = 0;
  for (auto at = fifo_row.find("none"); at != std::string::npos; at = fifo_row.find("none", at + 1))
    ++nones;
  EXPECT_EQ(nones, 4) << r.out;

  // CSV: policy, seeds, then a value and its interval per key; p50 is the third key.
  std::istringstream csv(read_file(dir + "/b.csv"));
  std::string header, values;
  std::getline(csv, header);
  std::getline(csv, values);
  std::vector<std::string> cells;
  std::stringstream split(values);
  for (std::string cell; std::getline(split, cell, ',');) cells.push_back(cell);
  ASSERT_GE(cells.size(), 8u) << values;
  EXPECT_EQ(cells[6], "") << values;  // p50
  EXPECT_EQ(cells[7], "") << values;  // p50_ci95
}

// Runs mailsim with standard error on a pseudo-terminal, where the progress bar is drawn, and
// returns what it wrote there.
std::string run_on_terminal(const std::vector<std::string>& args, int& status) {
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) return "no pseudo-terminal";
  std::string slave_name = ptsname(master);

  pid_t pid = fork();
  if (pid == 0) {
    int slave = open(slave_name.c_str(), O_RDWR | O_NOCTTY);
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(slave, 2);
    std::vector<std::string> all = {MAILSIM_BINARY};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(MAILSIM_BINARY, argv.data());
    _exit(127);
  }

  std::string out;
  char buffer[4096];
  // read() fails with EIO once every process holding the terminal has closed it.
  while (true) {
    ssize_t n = read(master, buffer, sizeof buffer);
    if (n > 0)
      out.append(buffer, static_cast<std::size_t>(n));
    else if (n < 0 && errno == EINTR)
      continue;
    else
      break;
  }
  close(master);

  int raw = 0;
  waitpid(pid, &raw, 0);
  status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return out;
}

// A run counts in the bar once it has finished, not when it has offered its arrivals.
TEST(BenchCommand, ProgressCountsFinishedRuns) {
  std::string scenario = write_scenario("workload: {count: 20}\n");
  int status = -1;
  std::string screen =
      run_on_terminal({"bench", scenario, "--policies", "fifo", "--jobs", "1"}, status);
  ASSERT_EQ(status, 0) << screen;
  std::vector<std::string> frames;
  std::stringstream split(screen);
  for (std::string frame; std::getline(split, frame, '\r');)
    if (frame.find("runs done") != std::string::npos) frames.push_back(frame);
  ASSERT_GE(frames.size(), 2u) << screen;
  int running_frames = 0;
  for (const auto& frame : frames) {
    if (frame.find("0/1 runs done") == std::string::npos) continue;
    ++running_frames;
    EXPECT_NE(frame.find("[................]   0%"), std::string::npos) << frame;
  }
  EXPECT_GE(running_frames, 1) << screen;
  EXPECT_NE(frames.back().find("[################] 100%  1/1 runs done"), std::string::npos)
      << frames.back();
}

}  // namespace
}  // namespace mailsim::e2e
