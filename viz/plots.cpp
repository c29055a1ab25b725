#include "viz/plots.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>
#include <plplot/plplot.h>

namespace mailsim::viz {

const std::vector<std::string> kPlotNames = {"queue-depth", "latency-cdf", "step-latency"};

namespace {

// Distinguishable series colours (RGB), set into PLplot's cmap0 from index 2 on.
constexpr int kSeriesColours[][3] = {{31, 95, 168}, {214, 39, 40}, {42, 138, 62}, {123, 63, 160},
                                     {224, 112, 0}, {140, 86, 75}, {127, 127, 127}, {23, 190, 207}};
constexpr int kSeriesCount = sizeof(kSeriesColours) / sizeof(kSeriesColours[0]);
constexpr int kBlack = 1;
constexpr int kGrid = 10;

int series_colour(std::size_t i) { return 2 + static_cast<int>(i % kSeriesCount); }

// One PLplot session writing one file; PLplot keeps global state, so sessions never overlap.
class Session {
 public:
  Session(const std::string& device, const std::string& path) {
    plsdev(device.c_str());
    plsfnam(path.c_str());
    plspage(0, 0, 960, 560, 0, 0);
    plscolbg(255, 255, 255);
    plscol0(kBlack, 0, 0, 0);
    plscol0(kGrid, 200, 200, 200);
    for (int i = 0; i < kSeriesCount; ++i)
      plscol0(2 + i, kSeriesColours[i][0], kSeriesColours[i][1], kSeriesColours[i][2]);
    plinit();
    plschr(0, 0.9);
    plcol0(kBlack);
  }
  ~Session() { plend(); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
};

void legend(const std::vector<std::string>& names, bool lines) {
  if (names.empty()) return;
  auto n = static_cast<PLINT>(names.size());
  std::vector<const char*> text;
  std::vector<PLINT> opts(names.size(), lines ? PL_LEGEND_LINE : PL_LEGEND_COLOR_BOX);
  std::vector<PLINT> colours, text_colours(names.size(), kBlack), patterns(names.size(), 0), styles(names.size(), 1);
  std::vector<PLFLT> scales(names.size(), 0.8), widths(names.size(), 2.0);
  for (std::size_t i = 0; i < names.size(); ++i) {
    text.push_back(names[i].c_str());
    colours.push_back(series_colour(i));
  }
  PLFLT width = 0, height = 0;
  pllegend(&width, &height, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
           PL_POSITION_RIGHT | PL_POSITION_TOP | PL_POSITION_INSIDE, 0.02, 0.02, 0.08, 0, kBlack, 1, 0, 0, n,
           opts.data(), 1.0, 0.9, 2.0, 0.0, text_colours.data(), text.data(), colours.data(), patterns.data(),
           scales.data(), widths.data(), colours.data(), styles.data(), widths.data(), nullptr, nullptr, nullptr,
           nullptr);
}

void grid_box(double xmin, double xmax, double ymin, double ymax, const char* xopt, const char* yopt) {
  plcol0(kGrid);
  plbox("g", 0, 0, "g", 0, 0);
  plcol0(kBlack);
  plbox(xopt, 0, 0, yopt, 0, 0);
  (void)xmin, (void)xmax, (void)ymin, (void)ymax;
}

void queue_plot(const RunData& run) {
  double end = std::max(run.end_time, 1e-3);
  int max_depth = 1;
  for (const auto& [host, points] : run.queues)
    for (const auto& p : points) max_depth = std::max(max_depth, p.depth);
  pladv(0);
  plvsta();
  plwind(0, end, 0, max_depth * 1.25);
  grid_box(0, end, 0, max_depth, "bcnst", "bcnstv");
  pllab("simulated time (s)", "messages in the queue", "Mail queue depth per MTA (/var/spool/mqueue)");
  std::vector<std::string> names;
  std::size_t i = 0;
  for (const auto& [host, points] : run.queues) {
    // A step function: the depth stays until the next sample.
    std::vector<PLFLT> x, y;
    int depth = 0;
    x.push_back(0);
    y.push_back(0);
    for (const auto& p : points) {
      x.push_back(p.time);
      y.push_back(depth);
      depth = p.depth;
      x.push_back(p.time);
      y.push_back(depth);
    }
    x.push_back(end);
    y.push_back(depth);
    plcol0(series_colour(i));
    plwidth(2.0);
    plline(static_cast<PLINT>(x.size()), x.data(), y.data());
    plwidth(1.0);
    names.push_back(host);
    ++i;
  }
  legend(names, true);
}

void cdf_plot(const RunData& run) {
  std::vector<double> latencies = end_to_end_latencies(run);
  double xmax = latencies.empty() ? 1.0 : latencies.back() * 1.1;
  pladv(0);
  plvsta();
  plwind(0, xmax, 0, 1.05);
  grid_box(0, xmax, 0, 1, "bcnst", "bcnstv");
  pllab("end-to-end latency (s): submission to retrieval, or to delivery if never fetched",
        "fraction of messages", fmt::format("End-to-end latency CDF ({} messages)", latencies.size()).c_str());
  if (latencies.empty()) {
    plptex(xmax / 2, 0.5, 1, 0, 0.5, "no message reached a mailbox");
    return;
  }
  // An empirical CDF steps up by 1/n at each latency.
  std::vector<PLFLT> x{0}, y{0};
  double n = static_cast<double>(latencies.size());
  for (std::size_t i = 0; i < latencies.size(); ++i) {
    x.push_back(latencies[i]);
    y.push_back(static_cast<double>(i) / n);
    x.push_back(latencies[i]);
    y.push_back(static_cast<double>(i + 1) / n);
  }
  x.push_back(xmax);
  y.push_back(1.0);
  plcol0(series_colour(0));
  plwidth(2.0);
  plline(static_cast<PLINT>(x.size()), x.data(), y.data());
  plwidth(1.0);
  std::vector<PLFLT> px(latencies.begin(), latencies.end()), py;
  for (std::size_t i = 0; i < latencies.size(); ++i) py.push_back(static_cast<double>(i + 1) / n);
  plpoin(static_cast<PLINT>(px.size()), px.data(), py.data(), 17);
}

void step_plot(const RunData& run) {
  // Durations span microseconds (a local lookup) to hours (the queue), so the y axis is log10.
  constexpr double kFloor = 1e-6;
  double top = 1.0;
  for (const auto& m : run.messages)
    for (int s = 1; s <= 9; ++s) top = std::max(top, step_duration(m, s));
  // Headroom above the tallest bar keeps the legend clear of the bars.
  double ymin = std::log10(kFloor), ymax = std::ceil(std::log10(top)) + 1.5;
  pladv(0);
  plvsta();
  plwind(0.5, 9.5, ymin, ymax);
  grid_box(0.5, 9.5, ymin, ymax, "bcst", "bcnstvl");
  for (int s = 1; s <= 9; ++s) plmtex("b", 1.5, (s - 0.5) / 9.0, 0.5, fmt::format("({})", s).c_str());
  pllab("", "duration (s, log scale)", "Per-step latency of each message (steps (1)-(9))");
  plmtex("b", 3.2, 0.5, 0.5, "step: (1) submit (2) queue (3) DNS (4) connect (5) transfer (6) local (7) mbox (8) login (9) RETR");
  std::size_t count = std::max<std::size_t>(run.messages.size(), 1);
  double width = 0.8 / static_cast<double>(count);
  std::vector<std::string> names;
  for (std::size_t i = 0; i < run.messages.size(); ++i) {
    const auto& m = run.messages[i];
    plcol0(series_colour(i));
    for (int s = 1; s <= 9; ++s) {
      bool present = std::any_of(m.steps.begin(), m.steps.end(), [s](const Step& st) { return st.step == s; });
      if (!present) continue;
      double d = std::max(step_duration(m, s), kFloor);
      double x0 = s - 0.4 + width * static_cast<double>(i);
      PLFLT x[4] = {x0, x0, x0 + width * 0.9, x0 + width * 0.9};
      PLFLT y[4] = {ymin, std::log10(d), std::log10(d), ymin};
      plfill(4, x, y);
    }
    names.push_back(m.id);
  }
  legend(names, false);
}

void render(const std::string& dir, const std::string& name, void (*draw)(const RunData&), const RunData& run) {
  for (const char* ext : {"svg", "png"}) {
    std::string path = dir + "/" + name + "." + ext;
    {
      // Fail here with the path rather than inside PLplot, which only prints a warning.
      std::ofstream probe(path, std::ios::binary);
      if (!probe) throw std::runtime_error("cannot write " + path);
    }
    Session session(std::string(ext) + "cairo", path);
    draw(run);
  }
}

}  // namespace

std::vector<double> end_to_end_latencies(const RunData& run) {
  std::vector<double> out;
  for (const auto& m : run.messages) {
    if (m.retrieved) out.push_back(*m.retrieved - m.submitted);
    else if (m.delivered) out.push_back(*m.delivered - m.submitted);
  }
  std::sort(out.begin(), out.end());
  return out;
}

double step_duration(const Message& message, int step) {
  double total = 0;
  for (const auto& s : message.steps) {
    if (s.step != step) continue;
    double d = s.end - s.start;
    total = step == 2 ? std::max(total, d) : total + d;
  }
  return total;
}

void write_plots(const RunData& run, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot create {}: {}", dir, ec.message()));
  render(dir, kPlotNames[0], queue_plot, run);
  render(dir, kPlotNames[1], cdf_plot, run);
  render(dir, kPlotNames[2], step_plot, run);
}

}  // namespace mailsim::viz
