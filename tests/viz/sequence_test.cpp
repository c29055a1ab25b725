// Sequence diagrams built from a small run: lifelines, arrows per step and per write, the
// DOT read back with libcgraph, Mermaid and PlantUML arrow counts, failures and waits.
#include <gtest/gtest.h>

#include <graphviz/cgraph.h>

#include <map>
#include <memory>
#include <regex>

#include "models/common/error.hpp"
#include "tests/viz/fixture.hpp"
#include "viz/sequence.hpp"

namespace mailsim::viz {
namespace {

using testing::fixture_run;

struct ParsedDot {
  std::vector<std::string> lifelines;  // actor ids of the header nodes, in node order L0, L1, ...
  struct Edge {
    int from_lifeline, to_lifeline, step;
    std::string outcome, protocol, colour, arrowhead, text;
    double time;
  };
  std::vector<Edge> messages;
  int lifeline_edges = 0;
};

std::string attr(void* object, const char* name) {
  char* value = agget(object, const_cast<char*>(name));
  return value ? value : "";
}

ParsedDot parse_dot(const std::string& dot) {
  std::unique_ptr<Agraph_t, int (*)(Agraph_t*)> g(agmemread(dot.c_str()), agclose);
  EXPECT_TRUE(g) << dot.substr(0, 400);
  ParsedDot out;
  if (!g) return out;
  std::map<int, std::string> headers;
  for (Agnode_t* n = agfstnode(g.get()); n; n = agnxtnode(g.get(), n)) {
    std::string name = agnameof(n);
    if (attr(n, "kind") == "lifeline") headers[std::stoi(name.substr(1))] = attr(n, "actor");
    for (Agedge_t* e = agfstout(g.get(), n); e; e = agnxtout(g.get(), e)) {
      std::string kind = attr(e, "kind");
      if (kind == "lifeline") ++out.lifeline_edges;
      if (kind != "message") continue;
      ParsedDot::Edge edge;
      edge.from_lifeline = std::stoi(attr(agtail(e), "lifeline"));
      edge.to_lifeline = std::stoi(attr(aghead(e), "lifeline"));
      edge.step = std::stoi(attr(e, "step"));
      edge.outcome = attr(e, "outcome");
      edge.protocol = attr(e, "protocol");
      edge.colour = attr(e, "color");
      edge.arrowhead = attr(e, "arrowhead");
      edge.text = attr(e, "text");
      edge.time = std::stod(attr(e, "time"));
      out.messages.push_back(edge);
    }
  }
  for (const auto& [index, actor] : headers) out.lifelines.push_back(actor);
  std::stable_sort(out.messages.begin(), out.messages.end(),
                   [](const auto& a, const auto& b) { return a.time < b.time; });
  return out;
}

SequenceDiagram build(bool refused, Detail detail, const std::string& message = "") {
  SequenceOptions options;
  options.detail = detail;
  options.message = message;
  return build_sequence(run_data_from_json(fixture_run(refused)), options);
}

std::size_t count_matches(const std::string& text, const std::string& pattern) {
  std::regex re(pattern, std::regex::multiline);
  return static_cast<std::size_t>(std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
}

TEST(Sequence, LifelinesFollowTheMail) {
  SequenceDiagram d = build(false, Detail::STEPS);
  std::vector<std::string> ids;
  for (const auto& l : d.lifelines) ids.push_back(l.id);
  std::vector<std::string> expected = {
      "kim-pc.daum.net/pc",       "mail.daum.net/sendmail", "mail.daum.net/mqueue",  "mail.naver.com/named",
      "mail.naver.com/sendmail",  "mail.naver.com/mda",     "mail.naver.com/mailbox", "mail.naver.com/dovecot",
      "lee-pc.naver.com/pc"};
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(d.lifelines.front().title, "kim's PC");
  EXPECT_EQ(d.lifelines.back().title, "lee's PC");
}

TEST(Sequence, StepsOneArrowPerStep) {
  SequenceDiagram d = build(false, Detail::STEPS);
  ASSERT_EQ(d.arrows.size(), 9u);
  for (int i = 0; i < 9; ++i) EXPECT_EQ(d.arrows[static_cast<std::size_t>(i)].step, i + 1);
  // Step (9) runs from Dovecot on mail.naver.com to lee's PC.
  EXPECT_EQ(d.lifelines[d.arrows[8].from].id, "mail.naver.com/dovecot");
  EXPECT_EQ(d.lifelines[d.arrows[8].to].id, "lee-pc.naver.com/pc");
  EXPECT_EQ(d.arrow_text(d.arrows[2]), "(3) MX of naver.com -> mail.naver.com, A -> 10.0.2.100");
}

TEST(Sequence, DotParsesBackWithCgraph) {
  SequenceDiagram d = build(false, Detail::STEPS);
  ParsedDot dot = parse_dot(sequence_to_dot(d));
  ASSERT_EQ(dot.lifelines.size(), d.lifelines.size());
  for (std::size_t i = 0; i < d.lifelines.size(); ++i) EXPECT_EQ(dot.lifelines[i], d.lifelines[i].id) << i;
  EXPECT_EQ(dot.lifeline_edges, static_cast<int>(d.lifelines.size()));
  ASSERT_EQ(dot.messages.size(), 9u);
  auto run = run_data_from_json(fixture_run(false));
  const auto& steps = run.messages[0].steps;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    EXPECT_EQ(dot.messages[i].step, steps[i].step) << i;
    EXPECT_DOUBLE_EQ(dot.messages[i].time, steps[i].start) << i;
    EXPECT_EQ(dot.messages[i].protocol, steps[i].protocol) << i;
    EXPECT_EQ(dot.lifelines[static_cast<std::size_t>(dot.messages[i].from_lifeline)].substr(0, endpoint_host(steps[i].from).size()),
              endpoint_host(steps[i].from))
        << i;
  }
}

TEST(Sequence, RefusedConnectionMarked) {
  SequenceDiagram d = build(true, Detail::STEPS);
  ParsedDot dot = parse_dot(sequence_to_dot(d));
  int refused = 0;
  for (const auto& e : dot.messages) {
    if (e.outcome != "refused") continue;
    ++refused;
    EXPECT_EQ(e.colour, "#d00000");
    EXPECT_EQ(e.arrowhead, "tee");
    EXPECT_NE(e.text.find("[connection refused]"), std::string::npos) << e.text;
  }
  EXPECT_EQ(refused, 2);
  std::string mermaid = sequence_to_mermaid(d);
  EXPECT_EQ(count_matches(mermaid, "^  P\\d+-xP\\d+: "), 2u) << mermaid;
  std::string plantuml = sequence_to_plantuml(d);
  EXPECT_EQ(count_matches(plantuml, "^P\\d+ -\\[#d00000\\]>x P\\d+ : "), 2u) << plantuml;
}

TEST(Sequence, LongWaitCompressedAndLabelled) {
  SequenceDiagram d = build(true, Detail::STEPS);
  ASSERT_EQ(d.gaps.size(), 1u);
  EXPECT_NEAR(d.gaps[0].seconds, 3600.0 - 0.021, 1e-6);
  EXPECT_EQ(d.gaps[0].label, "1 h 00 min later (1 message in the queue of mail.daum.net)");
  // The second step (2) is drawn at the queue run, from the queue back to Sendmail.
  const Arrow& retry = d.arrows[d.gaps[0].before];
  EXPECT_EQ(retry.step, 2);
  EXPECT_DOUBLE_EQ(retry.time, 3600.0);
  EXPECT_EQ(d.lifelines[retry.from].id, "mail.daum.net/mqueue");
  EXPECT_NE(sequence_to_plantuml(d).find("... 1 h 00 min later"), std::string::npos);
  EXPECT_NE(sequence_to_mermaid(d).find("Note over P0,"), std::string::npos);
}

TEST(Sequence, CommandsOneArrowPerWrite) {
  SequenceDiagram d = build(false, Detail::COMMANDS);
  // Six writes, plus steps (2), (4)-(9) which carry no write here: (2), (6), (7) are local,
  // and (4), (5), (8), (9) have no bytes in the fixture.
  std::map<std::string, int> steps_by_label;
  for (const auto& a : d.arrows) steps_by_label[a.label] = a.step;
  EXPECT_EQ(steps_by_label["EHLO kim-pc.daum.net"], 1);
  EXPECT_EQ(steps_by_label["250-mail.daum.net Hello [10.0.2.25], pleased to meet you (+1 lines)"], 1);
  EXPECT_EQ(steps_by_label["221 2.0.0 closing connection"], 1);
  EXPECT_EQ(steps_by_label["DNS query naver.com. MX?"], 3);
  EXPECT_EQ(steps_by_label["DNS answer: MX 10 mail.naver.com."], 3);
  EXPECT_EQ(d.arrows.size(), 6u + 7u);
  std::string mermaid = sequence_to_mermaid(d);
  std::string plantuml = sequence_to_plantuml(d);
  EXPECT_EQ(count_matches(mermaid, "^  P\\d+(->>|-x|--\\))P\\d+: "), d.arrows.size()) << mermaid;
  EXPECT_EQ(count_matches(plantuml, "^P\\d+ -\\[#[0-9a-f]{6}\\]-?>x? P\\d+ : "), d.arrows.size()) << plantuml;
  ParsedDot dot = parse_dot(sequence_to_dot(d));
  EXPECT_EQ(dot.messages.size(), d.arrows.size());
}

TEST(Sequence, BytesDetailAddsSizes) {
  SequenceDiagram d = build(false, Detail::BYTES);
  bool found = false;
  for (const auto& a : d.arrows)
    if (a.label == "EHLO kim-pc.daum.net") {
      found = true;
      EXPECT_EQ(d.arrow_text(a), "(1) EHLO kim-pc.daum.net [22 B]");
    }
  EXPECT_TRUE(found);
}

TEST(Sequence, MessageFilter) {
  SequenceDiagram d = build(false, Detail::STEPS, "kim-to-lee");
  EXPECT_EQ(d.arrows.size(), 9u);
  EXPECT_EQ(d.title, "fixture: message kim-to-lee");
  try {
    build(false, Detail::STEPS, "no-such");
    FAIL() << "no error for an unknown message";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "--message: no message 'no-such' in this run (messages: kim-to-lee)");
  }
}

TEST(Sequence, ParseDetail) {
  EXPECT_EQ(parse_detail("steps"), Detail::STEPS);
  EXPECT_EQ(parse_detail("commands"), Detail::COMMANDS);
  EXPECT_EQ(parse_detail("bytes"), Detail::BYTES);
  EXPECT_THROW(parse_detail("all"), InputError);
}

TEST(Sequence, FormatWait) {
  struct Case {
    double seconds;
    const char* text;
  };
  for (const Case& c : {Case{0.85, "850 ms"}, Case{29.984, "29.98 s"}, Case{899.4, "14 min 59 s"},
                        Case{3600, "1 h 00 min"}, Case{5430, "1 h 30 min"}})
    EXPECT_EQ(format_wait(c.seconds), c.text) << c.seconds;
}

}  // namespace
}  // namespace mailsim::viz
