// mailsim bench SCENARIO --policies P1,P2 [--seeds N] [--jobs N] [--csv F] [--json F]
// runs a bench scenario under each queue policy and seed, each run in its
// own process (N at a time). It prints one row per policy with the mean
// over the seeds and its 95% confidence interval.
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "models/common/error.hpp"
#include "models/workload/stats.hpp"
#include "sim/bench.hpp"
#include "sim/yaml_reader.hpp"

namespace mailsim::app {
namespace {

using nlohmann::json;

struct BenchArgs {
  std::string scenario;
  std::string policies;
  CLI::Option* policies_option = nullptr;  // to tell `--policies ""` from no --policies
  std::vector<std::string> sets;
  unsigned seeds = 1;
  unsigned jobs = 0;
  std::string csv, json_file;
  CLI::Option* csv_option = nullptr;  // to tell `--csv ""` from no --csv
  CLI::Option* json_option = nullptr;
};

// The keys of one policy's row, in the order of the table and the CSV.
const std::vector<std::string> kKeys = {"delivered", "throughput", "p50",     "p95",     "p99",    "max",
                                        "max_depth", "mean_depth", "retries", "bounced", "expired"};

// The latency figures are null for a run that delivered nothing: it has no percentiles, and
// 0 would read as instant delivery.
json to_json(const sim::BenchResult& r) {
  auto latency = [&r](double value) { return r.latency.count > 0 ? json(value) : json(nullptr); };
  return json{{"policy", r.policy},
              {"seed", r.seed},
              {"messages", r.messages},
              {"deliveries", r.deliveries},
              {"delivered", r.delivered},
              {"bounced", r.bounced},
              {"expired", r.expired},
              {"queued", r.queued},
              {"attempts", r.attempts},
              {"retries", r.retries},
              {"refused", r.refused},
              {"held", r.held},
              {"duplicates", r.duplicates},
              {"interrupted", r.interrupted},
              {"local", r.local},
              {"reused_connections", r.reused_connections},
              {"stale_connections", r.stale_connections},
              {"host_status_deferrals", r.host_status_deferrals},
              {"end_time", r.end_time},
              {"throughput", r.throughput},
              {"mean", latency(r.latency.mean)},
              {"p50", latency(r.latency.p50)},
              {"p95", latency(r.latency.p95)},
              {"p99", latency(r.latency.p99)},
              {"max", latency(r.latency.max)},
              {"max_depth", r.max_depth},
              {"mean_depth", r.mean_depth},
              {"wall_seconds", r.wall_seconds}};
}

// Returns `path` made absolute, with its symbolic links followed, also a link to a file that does
// not exist yet.
std::filesystem::path resolved_path(const std::string& path) {
  // weakly_canonical leaves a relative path without an existing prefix relative, so `x` and
  // `./x` would differ; absolute() first makes both start at the root.
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(path, error);
  if (error) return std::filesystem::path(path).lexically_normal();
  // weakly_canonical does not follow a link to a file that does not exist yet, and an output
  // file often does not. So the links are followed here, at most 40 as Linux does.
  for (int hops = 0; hops < 40 && std::filesystem::is_symlink(absolute, error); ++hops) {
    std::filesystem::path target = std::filesystem::read_symlink(absolute, error);
    if (error) break;
    absolute = target.is_absolute() ? target : absolute.parent_path() / target;
  }
  std::filesystem::path resolved = std::filesystem::weakly_canonical(absolute, error);
  return error ? absolute.lexically_normal() : resolved;
}

// True when two paths name one file, also through `./`, `..` or a symbolic link.
bool same_file(const std::string& a, const std::string& b) { return resolved_path(a) == resolved_path(b); }

// Rejects output files that would overwrite each other or the scenario.
void check_output_paths(const BenchArgs& args) {
  const std::pair<const CLI::Option*, const std::string*> given[] = {{args.csv_option, &args.csv},
                                                                     {args.json_option, &args.json_file}};
  for (const auto& [option, path] : given)
    if (option != nullptr && option->count() > 0 && path->empty())
      throw InputError(fmt::format("mailsim bench: {} needs a file name", option->get_name()));
  if (!args.csv.empty() && !args.json_file.empty() && same_file(args.csv, args.json_file))
    throw InputError(
        fmt::format("mailsim bench: --csv and --json both name {}, so the JSON would "
                    "overwrite the CSV; give each its own file",
                    args.json_file));
  const std::pair<const char*, std::string> outputs[] = {{"--csv", args.csv},
                                                         {"--json", args.json_file}};
  for (const auto& [option, path] : outputs)
    if (!path.empty() && same_file(path, args.scenario))
      throw InputError(
          fmt::format("mailsim bench: {} names the scenario file {}, which it would "
                      "overwrite; give another file",
                      option, path));
  // Checked before the runs, which may take hours, rather than when the results are written.
  for (const auto& [option, path] : outputs) {
    if (path.empty()) continue;
    std::error_code error;
    std::filesystem::path file(path);
    std::filesystem::path dir = file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
    std::string problem;
    if (std::filesystem::is_directory(file, error))
      problem = "it is a directory";
    else if (!std::filesystem::is_directory(dir, error))
      problem = fmt::format("directory {} does not exist", dir.string());
    else if (::access(dir.c_str(), W_OK) != 0)
      problem = fmt::format("directory {}: {}", dir.string(), std::strerror(errno));
    else if (std::filesystem::exists(file, error) && ::access(file.c_str(), W_OK) != 0)
      problem = std::strerror(errno);
    if (!problem.empty())
      throw InputError(fmt::format("mailsim bench: cannot write {} file {}: {}", option, path, problem));
  }
}

// Writes the output files. A regular file (or a new one) is written to a temporary file beside it
// and renamed into place once every file has been written, so a failed write (a full disk)
// leaves no output file, complete or partial. Anything else, such as /dev/null or a pipe, is
// written in place and never replaced. Links are followed to the file they name. Returns the
// error, or "" on success.
std::string write_outputs(const std::vector<std::pair<std::string, std::string>>& files) {
  struct Pending {
    std::filesystem::path target;
    std::string temporary;  // empty when written in place
  };
  std::vector<Pending> pending;
  std::string failure;
  for (const auto& [path, text] : files) {
    Pending p{resolved_path(path), ""};
    std::error_code error;
    bool in_place = std::filesystem::exists(p.target, error) && !std::filesystem::is_regular_file(p.target, error);
    if (!in_place) p.temporary = fmt::format("{}.tmp{}", p.target.string(), ::getpid());
    pending.push_back(p);
    std::ofstream out(in_place ? p.target.string() : p.temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();  // a full disk shows only when the buffer is written
    if (!out) {
      failure = fmt::format("cannot write {}: {}", path, std::strerror(errno));
      break;
    }
  }
  for (std::size_t i = 0; i < pending.size() && failure.empty(); ++i) {
    const Pending& p = pending[i];
    if (!p.temporary.empty() && std::rename(p.temporary.c_str(), p.target.c_str()) != 0)
      failure = fmt::format("cannot write {}: {}", files[i].first, std::strerror(errno));
  }
  if (!failure.empty()) {
    for (const Pending& p : pending)
      if (!p.temporary.empty()) std::remove(p.temporary.c_str());
  }
  return failure;
}

struct Run {
  std::size_t policy = 0;
  std::uint64_t seed = 0;
  pid_t pid = -1;
  int fd = -1;
  std::string buffer;
  double progress = 0;
  bool done = false;
  json result;
};

// Only finished runs fill the bar. A run reports the share of its arrivals offered so far,
// and its queue still drains after the last arrival, so a running run is shown by that share
// in the text, not as a finished part of the bar.
void draw_progress(const std::vector<Run>& runs) {
  std::size_t finished = 0;
  std::size_t running = 0;
  double offered = 0;
  for (const auto& r : runs) {
    if (r.done) {
      ++finished;
    } else if (r.pid > 0) {
      ++running;
      offered += r.progress;
    }
  }
  const double fraction =
      runs.empty() ? 1 : static_cast<double>(finished) / static_cast<double>(runs.size());
  const int width = 16;
  const int filled = static_cast<int>(fraction * width);
  std::string line =
      fmt::format("\r[{}{}] {:3.0f}%  {}/{} runs done", std::string(filled, '#'),
                  std::string(width - filled, '.'), fraction * 100, finished, runs.size());
  if (running > 0)
    line += fmt::format("; {} running, arrivals {:.0f}% offered", running,
                        offered / static_cast<double>(running) * 100);
  // Spaces clear what is left of a longer line drawn before. The line stays within 80
  // columns, because `\r` cannot return to the start of a wrapped line.
  std::cerr << fmt::format("{:<79}", line) << std::flush;
}

// The child: one run, reported on `fd` as progress lines and one result line.
[[noreturn]] void child_run(const sim::BenchScenario& scenario, const std::string& policy, std::uint64_t seed,
                            int fd) {
  auto write_line = [fd](const std::string& line) {
    std::string text = line + "\n";
    const char* p = text.data();
    std::size_t left = text.size();
    while (left > 0) {
      ssize_t n = ::write(fd, p, left);
      if (n <= 0) break;
      p += n;
      left -= static_cast<std::size_t>(n);
    }
  };
  int status = 0;
  try {
    sim::BenchResult r = sim::run_bench(scenario, policy, seed, [&](double f) {
      write_line(fmt::format("progress {:.4f}", f));
    });
    write_line("result " + to_json(r).dump());
  } catch (const InputError& e) {
    write_line(std::string("error ") + e.what());
    status = kExitInput;
  } catch (const std::exception& e) {
    write_line(std::string("error ") + e.what());
    status = kExitFailure;
  }
  ::close(fd);
  std::cout.flush();
  ::_exit(status);
}

int bench_command(const BenchArgs& args) {
  check_output_paths(args);
  sim::BenchScenario scenario = sim::load_bench_scenario(args.scenario, args.sets);
  for (const std::string& warning : scenario.warnings) std::cerr << warning << "\n";
  // Checked before anything runs. The scenario's relay.policy was checked where it is written.
  const bool policies_given = args.policies_option != nullptr && args.policies_option->count() > 0;
  std::vector<std::string> policies;
  for (const auto& item :
       policies_given ? sim::parse_policy_list(args.policies, SourcePos{"--policies", 1, 1})
                      : sim::parse_policy_list(scenario.policy, SourcePos{scenario.file, 0, 0}))
    policies.push_back(item.spec);

  std::vector<Run> runs;
  for (std::size_t p = 0; p < policies.size(); ++p)
    for (unsigned s = 0; s < args.seeds; ++s) {
      Run run;
      run.policy = p;
      run.seed = scenario.workload.seed + s;
      runs.push_back(std::move(run));
    }
  unsigned jobs = args.jobs > 0 ? args.jobs : std::max(1u, std::thread::hardware_concurrency());
  bool bar = ::isatty(STDERR_FILENO);

  std::size_t next = 0;
  std::size_t running = 0;
  std::string failure;
  int failure_status = 0;
  while (next < runs.size() || running > 0) {
    while (running < jobs && next < runs.size()) {
      Run& r = runs[next++];
      int fds[2];
      if (::pipe(fds) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
      std::cout.flush();
      const pid_t parent = ::getpid();
      pid_t pid = ::fork();
      if (pid == 0) {
        // A run ends with the bench: when the parent dies (SIGTERM, SIGKILL), the kernel sends
        // the child SIGTERM. The parent may have died before the request took effect.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) ::_exit(kExitFailure);
        ::close(fds[0]);
        child_run(scenario, policies[r.policy], r.seed, fds[1]);
      }
      ::close(fds[1]);
      r.pid = pid;
      r.fd = fds[0];
      ++running;
    }
    std::vector<pollfd> polls;
    std::vector<Run*> owners;
    for (auto& r : runs)
      if (r.fd >= 0) {
        polls.push_back(pollfd{r.fd, POLLIN, 0});
        owners.push_back(&r);
      }
    if (polls.empty()) break;
    ::poll(polls.data(), polls.size(), 500);
    for (std::size_t i = 0; i < polls.size(); ++i) {
      if (!(polls[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      Run& r = *owners[i];
      char buf[65536];
      ssize_t n = ::read(r.fd, buf, sizeof buf);
      if (n > 0) {
        r.buffer.append(buf, static_cast<std::size_t>(n));
        std::size_t nl;
        while ((nl = r.buffer.find('\n')) != std::string::npos) {
          std::string line = r.buffer.substr(0, nl);
          r.buffer.erase(0, nl + 1);
          if (line.rfind("progress ", 0) == 0) r.progress = std::stod(line.substr(9));
          else if (line.rfind("result ", 0) == 0) r.result = json::parse(line.substr(7));
          else if (line.rfind("error ", 0) == 0 && failure.empty()) failure = line.substr(6);
        }
        continue;
      }
      ::close(r.fd);
      r.fd = -1;
      int status = 0;
      ::waitpid(r.pid, &status, 0);
      r.done = true;
      --running;
      if (r.result.is_null() && failure.empty()) {
        failure = fmt::format("the run of {} with seed {} ended without a result ({})", policies[r.policy], r.seed,
                              WIFSIGNALED(status) ? std::string("signal ") + strsignal(WTERMSIG(status))
                                                  : fmt::format("exit status {}", WEXITSTATUS(status)));
      }
      if (WIFEXITED(status) && WEXITSTATUS(status) == kExitInput) failure_status = kExitInput;
    }
    if (bar) draw_progress(runs);
  }
  if (bar) std::cerr << "\n";
  if (!failure.empty()) {
    std::cerr << "mailsim bench: " << failure << "\n";
    return failure_status ? failure_status : kExitFailure;
  }

  // One row per policy: means over the seeds with their 95% intervals.
  json rows = json::array();
  for (std::size_t p = 0; p < policies.size(); ++p) {
    json row{{"policy", policies[p]}, {"seeds", args.seeds}};
    json ci = json::object();
    json per_seed = json::array();
    for (const auto& key : kKeys) {
      std::vector<double> values;
      bool missing = false;  // a run without this figure: a latency of a run that delivered nothing
      for (const auto& r : runs) {
        if (r.policy != p) continue;
        if (r.result[key].is_null())
          missing = true;
        else
          values.push_back(r.result[key].get<double>());
      }
      if (missing) {
        // NOTE: a mean over only the seeds that delivered would hide the others, so the row
        // has none; each run's own figures are under "runs".
        row[key] = nullptr;
        ci[key] = nullptr;
      } else if (values.size() >= 2) {
        workload::ConfidenceInterval c = workload::confidence_interval95(values);
        row[key] = c.mean;
        ci[key] = c.half_width;
      } else {
        row[key] = values.front();
        ci[key] = nullptr;
      }
    }
    for (const auto& r : runs)
      if (r.policy == p) per_seed.push_back(r.result);
    row["ci95"] = ci;
    row["runs"] = per_seed;
    rows.push_back(row);
  }

  // The table.
  auto cell = [&](const json& row, const std::string& key, int precision) {
    if (row[key].is_null()) return std::string("none");
    double v = row[key].get<double>();
    std::string text = fmt::format("{:.{}f}", v, precision);
    if (!row["ci95"][key].is_null())
      text += fmt::format("±{:.{}f}", row["ci95"][key].get<double>(), precision);
    return text;
  };
  std::cout << fmt::format("{}: {} seed{} per policy; latency in seconds, throughput in deliveries/s\n",
                           scenario.name.empty() ? args.scenario : scenario.name, args.seeds,
                           args.seeds == 1 ? "" : "s");
  // The policy column is as wide as the longest label, so long settings keep the columns aligned.
  std::size_t width = 36;
  for (const auto& row : rows) width = std::max(width, row["policy"].get<std::string>().size());
  std::cout << fmt::format("{:<{}} {:>14} {:>14} {:>14} {:>14} {:>14} {:>14} {:>12} {:>12} {:>10} {:>9}\n",
                           "policy", width, "delivered", "throughput", "p50", "p95", "p99", "max", "max_depth",
                           "mean_depth", "retries", "bounced");
  for (const auto& row : rows) {
    std::cout << fmt::format("{:<{}} {:>14} {:>14} {:>14} {:>14} {:>14} {:>14} {:>12} {:>12} {:>10} {:>9}\n",
                             row["policy"].get<std::string>(), width, cell(row, "delivered", 0),
                             cell(row, "throughput", 3), cell(row, "p50", 3), cell(row, "p95", 3),
                             cell(row, "p99", 3), cell(row, "max", 3), cell(row, "max_depth", 0),
                             cell(row, "mean_depth", 2), cell(row, "retries", 0), cell(row, "bounced", 0));
  }

  std::vector<std::pair<std::string, std::string>> files;
  if (!args.json_file.empty()) files.emplace_back(args.json_file, rows.dump(2) + "\n");
  if (!args.csv.empty()) {
    std::ostringstream out;
    out << "policy,seeds";
    for (const auto& k : kKeys) out << "," << k << "," << k << "_ci95";
    out << "\n";
    for (const auto& row : rows) {
      std::string name = row["policy"].get<std::string>();
      out << '"' << name << '"' << "," << args.seeds;
      for (const auto& k : kKeys) {
        out << ",";
        if (!row[k].is_null()) out << fmt::format("{}", row[k].get<double>());
        out << ",";
        if (!row["ci95"][k].is_null()) out << fmt::format("{}", row["ci95"][k].get<double>());
      }
      out << "\n";
    }
    files.emplace_back(args.csv, out.str());
  }
  std::string write_failure = write_outputs(files);
  if (!write_failure.empty()) {
    std::cerr << "mailsim bench: " << write_failure << "; no output file was written\n";
    return kExitFailure;
  }
  return 0;
}

// Accepts a whole number from `low` to `high`. CLI::Range alone reports "abc" and "1.5" as out of
// range, which hides that they are not whole numbers.
CLI::Validator whole_number(unsigned low, unsigned high) {
  return CLI::Validator(
      [low, high](std::string& text) -> std::string {
        bool digits = !text.empty() && text.size() <= 9 &&
                      std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
        if (!digits) return fmt::format("invalid value '{}': expected a whole number from {} to {}", text, low, high);
        unsigned long value = std::stoul(text);
        if (value < low || value > high)
          return fmt::format("invalid value {}: expected a whole number from {} to {}", text, low, high);
        return std::string();
      },
      fmt::format("INT in [{} - {}]", low, high));
}

}  // namespace

Command add_bench_command(CLI::App& app) {
  auto args = std::make_shared<BenchArgs>();
  BenchArgs& a = *args;
  auto* cmd = app.add_subcommand(
      "bench", "Run a bench scenario under each queue policy and seed, in parallel processes, and print one row "
               "per policy: delivered, throughput, latency p50/p95/p99/max, queue depth, retries, bounces");
  cmd->add_option("scenario", a.scenario, "Bench scenario file (YAML), e.g. scenarios/bench/poisson.yaml")
      ->required();
  a.policies_option = cmd->add_option(
      "--policies", a.policies,
      "Comma-separated policies: sendmail, postfix, exim, fifo, each optionally with settings "
      "after "
      "a colon, e.g. sendmail:QueueSortOrder=host,MaxQueueRunSize=100,postfix (default: the "
      "scenario's relay.policy)");
  cmd->add_option("--seeds", a.seeds, "Runs per policy, with seeds counting up from the scenario's seed")
      ->check(whole_number(1, 1000));
  cmd->add_option("--jobs", a.jobs, "Runs at once, each in its own process (default: the number of CPUs)")
      ->check(whole_number(1, 256));
  a.csv_option = cmd->add_option("--csv", a.csv, "Also write the rows as CSV to this file");
  a.json_option =
      cmd->add_option("--json", a.json_file, "Also write the rows as JSON to this file (one object per policy)");
  cmd->add_option("--set", a.sets, "Override one scenario value by its dotted path, e.g. workload.count=500")
      ->take_all()
      ->allow_extra_args(false);
  return Command{cmd, [args] { return bench_command(*args); }};
}

}  // namespace mailsim::app
