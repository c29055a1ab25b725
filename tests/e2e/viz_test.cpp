// Diagrams, narration and the HTML report through the mailsim binary: the DOT of a lab run
// read back against the run's JSON, render from a saved run, a mistake marked where it broke,
// --explain with --step without a terminal, and the report page loaded in headless Chromium.
#include <gtest/gtest.h>

#include <graphviz/cgraph.h>

#include <cmath>
#include <cstdlib>
#include <memory>

#include "tests/e2e/run_helpers.hpp"

namespace mailsim::e2e {
namespace {

std::string attr(void* object, const char* name) {
  char* value = agget(object, const_cast<char*>(name));
  return value ? value : "";
}

struct DotArrow {
  int step;
  double time;
  std::string outcome, message;
};

std::vector<DotArrow> message_edges(const std::string& dot) {
  std::unique_ptr<Agraph_t, int (*)(Agraph_t*)> g(agmemread(dot.c_str()), agclose);
  EXPECT_TRUE(g);
  std::vector<DotArrow> out;
  if (!g) return out;
  for (Agnode_t* n = agfstnode(g.get()); n; n = agnxtnode(g.get(), n))
    for (Agedge_t* e = agfstout(g.get(), n); e; e = agnxtout(g.get(), e))
      if (attr(e, "kind") == "message")
        out.push_back({std::stoi(attr(e, "step")), std::stod(attr(e, "time")), attr(e, "outcome"), attr(e, "message")});
  return out;
}

std::string mistake(const std::string& name) {
  return std::string(MAILSIM_SOURCE_DIR) + "/scenarios/mistakes/" + name + ".yaml";
}

TEST(Diagram, LabDotMatchesSteps) {
  std::string dir = temp_dir();
  Outcome r = run_mailsim({"run", lab(), "--diagram", dir + "/lab.dot"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<DotArrow> edges = message_edges(read_file(dir + "/lab.dot"));
  std::size_t steps = 0;
  for (const auto& m : r.json["messages"]) {
    for (const auto& s : m["steps"]) {
      ++steps;
      bool found = false;
      for (const auto& e : edges)
        if (e.message == m["id"] && e.step == s["step"] && std::abs(e.time - s["start"].get<double>()) < 1e-6)
          found = true;
      EXPECT_TRUE(found) << m["id"] << " step " << s["step"];
    }
  }
  EXPECT_EQ(edges.size(), steps);
  for (const auto& e : edges) EXPECT_EQ(e.outcome, "ok") << e.message << " step " << e.step;
}

TEST(Diagram, RenderEqualsRun) {
  std::string dir = temp_dir();
  Outcome r = run_mailsim({"run", lab(), "--diagram", dir + "/run.mmd", "--detail", "commands"}, false);
  ASSERT_EQ(r.status, 0) << r.err;
  Outcome saved = run_mailsim({"run", lab()});
  ASSERT_EQ(saved.status, 0) << saved.err;
  std::string json = dir + "/saved.json";
  {
    std::ofstream out(json);
    out << saved.json.dump();
  }
  Outcome rendered = run_mailsim({"render", json, "--diagram", dir + "/render.mmd", "--detail", "commands"}, false);
  ASSERT_EQ(rendered.status, 0) << rendered.err;
  std::string from_run = read_file(dir + "/run.mmd");
  EXPECT_FALSE(from_run.empty());
  EXPECT_EQ(read_file(dir + "/render.mmd"), from_run);
  EXPECT_NE(from_run.find("EHLO mail.daum.net"), std::string::npos);
  EXPECT_NE(from_run.find("250-mail.naver.com Hello [10.0.2.200], pleased to meet you"), std::string::npos);
}

TEST(Diagram, MistakeMarkedWhereItBroke) {
  std::string dir = temp_dir();
  Outcome r = run_mailsim({"run", mistake("bound-to-localhost"), "--diagram", dir + "/d.dot"});
  ASSERT_EQ(r.status, 0) << r.err;
  int refused = 0;
  for (const auto& e : message_edges(read_file(dir + "/d.dot")))
    if (e.outcome == "refused") {
      ++refused;
      EXPECT_TRUE(e.step == 4 || e.step == 1) << e.step;
    }
  EXPECT_GE(refused, 2);
  Outcome relay = run_mailsim({"run", mistake("no-relay-line"), "--diagram", dir + "/relay.dot"});
  ASSERT_EQ(relay.status, 0) << relay.err;
  bool rejected = false;
  for (const auto& e : message_edges(read_file(dir + "/relay.dot")))
    if (e.message == "kim-to-lee" && e.step == 1 && e.outcome == "rejected") rejected = true;
  EXPECT_TRUE(rejected);
}

TEST(Diagram, BadOptionsRejectedBeforeRun) {
  Outcome ext = run_mailsim({"run", lab(), "--diagram", "/tmp/x.jpeg"}, false);
  EXPECT_EQ(ext.status, 2);
  EXPECT_NE(ext.err.find("--diagram: cannot tell the format of '/tmp/x.jpeg'"), std::string::npos) << ext.err;
  Outcome message = run_mailsim({"run", lab(), "--diagram", "/tmp/x.mmd", "--message", "nope"}, false);
  EXPECT_EQ(message.status, 2);
  EXPECT_NE(message.err.find("no message 'nope' in this run (messages: kim-to-lee, lee-reply)"), std::string::npos)
      << message.err;
  std::string dir = temp_dir();
  {
    std::ofstream out(dir + "/old.json");
    out << "{\"end_time\": 1, \"messages\": [], \"queues\": {}}";
  }
  Outcome old = run_mailsim({"render", dir + "/old.json", "--diagram", dir + "/x.svg"}, false);
  EXPECT_EQ(old.status, 2);
  EXPECT_NE(old.err.find("missing key \"transcript\""), std::string::npos) << old.err;
  {
    std::ofstream out(dir + "/broken.json");
    out << "{\n  \"end_time\": 1,\n  oops\n}";
  }
  Outcome broken = run_mailsim({"render", dir + "/broken.json", "--diagram", dir + "/x.svg"}, false);
  EXPECT_EQ(broken.status, 2);
  EXPECT_NE(broken.err.find("broken.json:3:3: invalid JSON"), std::string::npos) << broken.err;
}

TEST(Explain, NarratesWithoutWaitingOffTerminal) {
  Outcome r = run_mailsim({"run", lab(), "--explain", "--step", "--transcript"}, false);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("(3) mail.daum.net asks the name server 10.0.2.100 for the MX of naver.com"), std::string::npos)
      << r.out.substr(0, 2000);
  EXPECT_NE(r.out.find("smtp mail.daum.net -> mail.naver.com C: EHLO mail.daum.net"), std::string::npos);
  EXPECT_EQ(r.out.find("press Enter"), std::string::npos);
  Outcome ko = run_mailsim({"run", lab(), "--explain", "--lang", "ko"}, false);
  ASSERT_EQ(ko.status, 0) << ko.err;
  EXPECT_NE(ko.out.find("네임 서버 10.0.2.100에 naver.com의 MX 레코드"), std::string::npos);
}

TEST(Plots, LabPlotsWritten) {
  std::string dir = temp_dir();
  Outcome r = run_mailsim({"run", lab(), "--plots", dir + "/plots", "--topology", dir + "/topology.svg"}, false);
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* name : {"queue-depth", "latency-cdf", "step-latency"}) {
    EXPECT_EQ(read_file(dir + "/plots/" + name + ".png").substr(0, 4), "\x89PNG") << name;
    EXPECT_EQ(std::system(("xmllint --noout --nonet " + quote(dir + "/plots/" + name + ".svg")).c_str()), 0) << name;
  }
  EXPECT_EQ(std::system(("xmllint --noout --nonet " + quote(dir + "/topology.svg")).c_str()), 0);
}

// Loads the page in headless Chromium (Debian's `chromium`) and checks the DOM it built.
TEST(Report, HtmlRendersInChromium) {
  if (std::system("command -v chromium >/dev/null 2>&1") != 0) GTEST_SKIP() << "chromium is not installed";
  std::string dir = temp_dir();
  Outcome r = run_mailsim({"report", lab(), "--html", dir + "/lab.html"}, false);
  ASSERT_EQ(r.status, 0) << r.err;
  std::string cmd = "chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                    "--disable-background-networking --disable-component-update --disable-sync "
                    "--user-data-dir=" + quote(dir + "/profile") + " --dump-dom " + quote("file://" + dir + "/lab.html") +
                    " >" + quote(dir + "/dom.html") + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::string dom = read_file(dir + "/dom.html");
  // The page's script marks <body> ready when it ran, and records any script error there.
  std::size_t body = dom.find("<body");
  ASSERT_NE(body, std::string::npos);
  std::string body_tag = dom.substr(body, dom.find('>', body) - body);
  EXPECT_NE(body_tag.find("data-ready=\""), std::string::npos) << body_tag;
  EXPECT_EQ(body_tag.find("data-script-errors"), std::string::npos) << body_tag;
  EXPECT_NE(dom.find("id=\"topology\""), std::string::npos);
  EXPECT_NE(dom.find("id=\"sequence\""), std::string::npos);
  EXPECT_NE(dom.find("<svg"), std::string::npos);
  EXPECT_NE(dom.find("class=\"session\""), std::string::npos);
  EXPECT_NE(dom.find("alt=\"queue-depth\""), std::string::npos);
  EXPECT_NE(dom.find("alt=\"latency-cdf\""), std::string::npos);
  EXPECT_NE(dom.find("alt=\"step-latency\""), std::string::npos);
  // 18 step rows: two messages through steps (1)-(9).
  std::size_t rows = 0;
  for (std::size_t pos = dom.find("<tr class=\"step "); pos != std::string::npos; pos = dom.find("<tr class=\"step ", pos + 1))
    ++rows;
  EXPECT_EQ(rows, 18u);
}

}  // namespace
}  // namespace mailsim::e2e
