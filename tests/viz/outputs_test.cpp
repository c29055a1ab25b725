// Topology, plots, narration and the HTML helpers, on the small run of fixture.hpp.
#include <gtest/gtest.h>

#include <graphviz/cgraph.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "models/common/error.hpp"
#include "tests/viz/fixture.hpp"
#include "viz/explain.hpp"
#include "viz/graphviz.hpp"
#include "viz/html.hpp"
#include "viz/plots.hpp"
#include "viz/sequence.hpp"
#include "viz/topology.hpp"

namespace mailsim::viz {
namespace {

using testing::fixture_run;

std::string temp_dir() {
  char pattern[] = "/tmp/mailsim-viz-XXXXXX";
  const char* dir = mkdtemp(pattern);
  return dir ? dir : "/tmp";
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// xmllint (libxml2-utils) checks that a file is well-formed XML.
bool well_formed_xml(const std::string& path) {
  std::string cmd = "xmllint --noout --nonet '" + path + "' 2>/dev/null";
  return std::system(cmd.c_str()) == 0;
}

std::string attr(void* object, const char* name) {
  char* value = agget(object, const_cast<char*>(name));
  return value ? value : "";
}

TEST(RunData, BytesSurviveJson) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  std::string text = bytes_to_json_string(all);
  EXPECT_NO_THROW(nlohmann::json(text).dump());
  EXPECT_EQ(bytes_from_json_string(text), all);
  EXPECT_THROW(bytes_from_json_string("\xE2\x9C\x97"), std::runtime_error);
}

TEST(RunData, MissingKeysNamed) {
  auto run = fixture_run();
  run.erase("transcript");
  try {
    run_data_from_json(run);
    FAIL() << "no error without a transcript";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("\"transcript\""), std::string::npos) << e.what();
  }
  auto bad_step = fixture_run();
  bad_step["messages"][0]["steps"][0].erase("start");
  try {
    run_data_from_json(bad_step);
    FAIL() << "no error without a step start";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "message kim-to-lee step: missing key \"start\"");
  }
}

TEST(RunData, EndpointHost) {
  EXPECT_EQ(endpoint_host("mail.naver.com (named)"), "mail.naver.com");
  EXPECT_EQ(endpoint_host("mail.naver.com:/var/mail/lee"), "mail.naver.com");
  EXPECT_EQ(endpoint_host("mail.daum.net mqueue"), "mail.daum.net");
  EXPECT_EQ(endpoint_host("kim-pc.daum.net"), "kim-pc.daum.net");
}

TEST(Topology, DotParsesBack) {
  Topology t = run_data_from_json(fixture_run()).topology;
  std::string dot = topology_to_dot(t, "fixture");
  std::unique_ptr<Agraph_t, int (*)(Agraph_t*)> g(agmemread(dot.c_str()), agclose);
  ASSERT_TRUE(g);
  int hosts = 0, pcs = 0, links = 0, mx = 0, serves = 0;
  for (Agnode_t* n = agfstnode(g.get()); n; n = agnxtnode(g.get(), n)) {
    if (attr(n, "kind") == "host") {
      ++hosts;
      if (attr(n, "role") == "pc") ++pcs;
    }
    for (Agedge_t* e = agfstout(g.get(), n); e; e = agnxtout(g.get(), e)) {
      std::string kind = attr(e, "kind");
      if (kind == "link") {
        ++links;
        EXPECT_EQ(attr(e, "label"), "500 us, 100 Mbit/s");
      }
      if (kind == "mx") {
        ++mx;
        EXPECT_EQ(attr(agtail(e), "kind"), "zone");
        EXPECT_EQ(attr(aghead(e), "kind"), "host");
        std::string domain = attr(agtail(e), "domain");
        EXPECT_EQ(attr(aghead(e), "name"), "mail." + domain) << domain;
      }
      if (kind == "serves") {
        ++serves;
        EXPECT_EQ(attr(agtail(e), "name"), "mail.naver.com");
      }
    }
  }
  EXPECT_EQ(hosts, 4);
  EXPECT_EQ(pcs, 2);
  EXPECT_EQ(links, 4);
  EXPECT_EQ(mx, 2);
  EXPECT_EQ(serves, 2);
}

TEST(Topology, MxToUnknownHostShown) {
  Topology t = run_data_from_json(fixture_run()).topology;
  t.zones[0].mx[0].exchange = "mail.naver.com.naver.com.";
  std::string dot = topology_to_dot(t, "fixture");
  EXPECT_NE(dot.find("mail.naver.com.naver.com.\n(no such host)"), std::string::npos);
  EXPECT_NE(topology_to_mermaid(t, "fixture").find("mail.naver.com.naver.com. (no such host)"), std::string::npos);
}

TEST(Topology, LinkLabel) {
  EXPECT_EQ(link_label(TopologyLink{"a", "b", 0.0005, 12.5e6}), "500 us, 100 Mbit/s");
  EXPECT_EQ(link_label(TopologyLink{"a", "b", 0.05, 1e6}), "50 ms, 8 Mbit/s");
  EXPECT_EQ(link_label(TopologyLink{"a", "b", 2, 125e6}), "2 s, 1 Gbit/s");
}

TEST(Render, SvgWellFormed) {
  std::string dir = temp_dir();
  RunData run = run_data_from_json(fixture_run(true));
  write_sequence(build_sequence(run, SequenceOptions{}), dir + "/sequence.svg");
  write_topology(run.topology, "fixture", dir + "/topology.svg");
  EXPECT_TRUE(well_formed_xml(dir + "/sequence.svg"));
  EXPECT_TRUE(well_formed_xml(dir + "/topology.svg"));
  write_sequence(build_sequence(run, SequenceOptions{}), dir + "/sequence.png");
  EXPECT_EQ(read(dir + "/sequence.png").substr(0, 8), "\x89PNG\r\n\x1a\n");
  write_sequence(build_sequence(run, SequenceOptions{}), dir + "/sequence.pdf");
  EXPECT_EQ(read(dir + "/sequence.pdf").substr(0, 5), "%PDF-");
}

TEST(Render, UnknownExtensionRejected) {
  RunData run = run_data_from_json(fixture_run());
  try {
    write_sequence(build_sequence(run, SequenceOptions{}), "/tmp/diagram.jpeg");
    FAIL() << "no error for .jpeg";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "--diagram: cannot tell the format of '/tmp/diagram.jpeg' (use .svg, .png, .pdf, .dot, .mmd or .puml)");
  }
}

TEST(Plots, WritesSvgAndPng) {
  std::string dir = temp_dir() + "/plots";
  write_plots(run_data_from_json(fixture_run()), dir);
  for (const auto& name : kPlotNames) {
    EXPECT_TRUE(well_formed_xml(dir + "/" + name + ".svg")) << name;
    EXPECT_EQ(read(dir + "/" + name + ".png").substr(0, 8), "\x89PNG\r\n\x1a\n") << name;
  }
}

TEST(Plots, LatenciesAndStepDurations) {
  RunData run = run_data_from_json(fixture_run());
  std::vector<double> latencies = end_to_end_latencies(run);
  ASSERT_EQ(latencies.size(), 1u);
  EXPECT_DOUBLE_EQ(latencies[0], 30.014 - 0.002);
  EXPECT_DOUBLE_EQ(step_duration(run.messages[0], 7), 1.0);
  RunData queued = run_data_from_json(fixture_run(true));
  EXPECT_TRUE(end_to_end_latencies(queued).empty());
  // Two records of step (2) start at queueing: the longer one is the stay.
  EXPECT_DOUBLE_EQ(step_duration(queued.messages[0], 2), 3600.0 - 0.017);
  // Two attempts of step (4) add up.
  EXPECT_NEAR(step_duration(queued.messages[0], 4), 0.004, 1e-9);
}

TEST(Explain, StepSentences) {
  RunData run = run_data_from_json(fixture_run(true));
  const auto& steps = run.messages[0].steps;
  const Step* lookup = nullptr;
  const Step* refused = nullptr;
  for (const auto& s : steps) {
    if (s.step == 3 && !lookup) lookup = &s;
    if (s.step == 4 && !refused) refused = &s;
  }
  ASSERT_NE(lookup, nullptr);
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(explain_step(*lookup, run, Language::EN),
            "(3) mail.daum.net asks the name server 10.0.2.100 for the MX of naver.com and the address of that mail "
            "host: MX of naver.com -> mail.naver.com, A -> 10.0.2.100");
  EXPECT_EQ(explain_step(*lookup, run, Language::KO),
            "(3) mail.daum.net의 Sendmail이 네임 서버 10.0.2.100에 naver.com의 MX 레코드와 그 메일 서버의 주소를 "
            "묻습니다: MX of naver.com -> mail.naver.com, A -> 10.0.2.100");
  EXPECT_NE(explain_step(*refused, run, Language::EN).find("-> connection refused: nothing listens"), std::string::npos);
  EXPECT_NE(explain_step(*refused, run, Language::KO).find("연결이 거부되었습니다"), std::string::npos);
}

TEST(Explain, TranscriptBeneathItsStep) {
  ExplainOptions options;
  options.transcript = true;
  std::ostringstream out;
  write_explanation(out, run_data_from_json(fixture_run()), options);
  std::string text = out.str();
  std::size_t step1 = text.find("(1) kim-pc.daum.net submits");
  std::size_t ehlo = text.find("C: EHLO kim-pc.daum.net");
  std::size_t step2 = text.find("(2) Sendmail on mail.daum.net");
  std::size_t query = text.find("C: query 7 ? naver.com. IN MX");
  std::size_t step3 = text.find("(3) mail.daum.net asks");
  ASSERT_NE(step1, std::string::npos) << text;
  EXPECT_LT(step1, ehlo);
  EXPECT_LT(ehlo, step2);
  EXPECT_LT(step3, query) << text;
  EXPECT_THROW(parse_language("fr"), InputError);
}

TEST(Html, Base64Rfc4648Vectors) {
  // RFC 4648 §10.
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
}

TEST(Html, EscapeAndReport) {
  EXPECT_EQ(html_escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  std::string page = html_report(run_data_from_json(fixture_run()), temp_dir());
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("id=\"sequence\""), std::string::npos);
  EXPECT_NE(page.find("id=\"topology\""), std::string::npos);
  EXPECT_NE(page.find("data:image/png;base64,"), std::string::npos);
  // Nothing is fetched from the network.
  EXPECT_EQ(page.find("http://"), page.find("http://www.w3.org"));
  EXPECT_EQ(page.find("https://"), std::string::npos);
}

}  // namespace
}  // namespace mailsim::viz
