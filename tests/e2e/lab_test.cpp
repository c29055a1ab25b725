// The two-domain lab end to end: both messages travel steps (1)-(9), the
// bytes arrive intact, timings follow the network settings, and runs are
// deterministic.
#include <gtest/gtest.h>

#include "models/mailbox/mbox.hpp"
#include "models/message/compose.hpp"
#include "sim/platform.hpp"
#include "sim/scenario.hpp"
#include "tests/e2e/run_helpers.hpp"

namespace mailsim::e2e {
namespace {

TEST(Lab, BothMessagesTravelAllSteps) {
  Outcome r = run_mailsim({"run", lab()});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto& balance = r.json["balance"];
  EXPECT_EQ(balance["submitted"], 2);
  EXPECT_EQ(balance["delivered"], 2);
  EXPECT_EQ(balance["queued"], 0);
  EXPECT_EQ(balance["bounced"], 0);
  EXPECT_EQ(balance["rejected"], 0);
  for (const char* id : {"kim-to-lee", "lee-reply"}) {
    const auto* m = find_message(r.json, id);
    ASSERT_NE(m, nullptr) << id;
    EXPECT_EQ((*m)["status"], "delivered") << id;
    ASSERT_TRUE((*m)["retrieved"].is_number()) << id;
    EXPECT_GE((*m)["retrieved"].get<double>(), (*m)["delivered"].get<double>()) << id;
    EXPECT_GE((*m)["delivered"].get<double>(), (*m)["submitted"].get<double>()) << id;
    double previous_start = -1;
    for (int step = 1; step <= 9; ++step) {
      const auto* s = find_step(r.json, id, step);
      ASSERT_NE(s, nullptr) << id << " step " << step;
      EXPECT_LE((*s)["start"].get<double>(), (*s)["end"].get<double>()) << id << " step " << step;
      EXPECT_GE((*s)["start"].get<double>(), previous_start) << id << " step " << step;
      previous_start = (*s)["start"].get<double>();
    }
  }
  EXPECT_EQ((*find_step(r.json, "kim-to-lee", 5))["to"], "mail.naver.com");
  EXPECT_EQ((*find_step(r.json, "lee-reply", 5))["to"], "mail.daum.net");
  EXPECT_NE(r.out.find("mail balance: submitted 2 = delivered 2 + queued 0 + bounced 0 + rejected 0"),
            std::string::npos)
      << r.out;
}

// The message each PC fetched ends with exactly what the other PC composed,
// and the attachment decodes to the bytes that were generated for it.
TEST(Lab, FetchedMailIsByteIdentical) {
  std::string dir = temp_dir();
  Outcome r = run_mailsim({"run", lab(), "--mailbox-dir", dir});
  ASSERT_EQ(r.status, 0) << r.err;
  sim::Scenario s = sim::load_scenario(lab());

  auto inbox = mailbox::parse_mbox(read_file(dir + "/lee-pc.naver.com/home/lee/Inbox"), "lee Inbox");
  ASSERT_EQ(inbox.messages.size(), 1u);
  const auto& send = *s.workload[0].send;
  message::Draft draft{send.from, send.to, send.subject, send.body, {}, {}};
  std::string composed = message::compose(draft);
  const std::string& got = *inbox.messages[0].content;
  ASSERT_GE(got.size(), composed.size());
  EXPECT_EQ(got.substr(got.size() - composed.size()), composed);

  auto kim = mailbox::parse_mbox(read_file(dir + "/kim-pc.daum.net/home/kim/Inbox"), "kim Inbox");
  ASSERT_EQ(kim.messages.size(), 1u);
  auto attachments = message::extract_attachments(*kim.messages[0].content);
  ASSERT_EQ(attachments.size(), 1u);
  const auto& spec = s.workload[1].send->attachments[0];
  EXPECT_EQ(attachments[0].first, spec.filename);
  EXPECT_EQ(attachments[0].second, message::attachment_bytes(spec.size, message::attachment_seed(s.seed, 1, 0)));

  // Both server mailboxes were emptied by POP3 DELE; Dovecot keeps only its
  // folder-internal pseudo-message, which mbox readers skip.
  auto lee_spool = mailbox::parse_mbox(read_file(dir + "/mail.naver.com/var/mail/lee"), "lee spool");
  EXPECT_EQ(lee_spool.messages.size(), 0u);
  EXPECT_FALSE(lee_spool.pseudo_message.empty());
}

TEST(Lab, SameSeedSameOutput) {
  Outcome a = run_mailsim({"run", lab(), "--transcript"});
  Outcome b = run_mailsim({"run", lab(), "--transcript"});
  ASSERT_EQ(a.status, 0) << a.err;
  ASSERT_EQ(b.status, 0) << b.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.json.dump(), b.json.dump());
}

// With PIPELINING (RFC 2920) Sendmail's client needs three round trips in
// step (5): MAIL; RCPT and DATA together; the message and its final dot.
constexpr int kStep5RoundTrips = 3;

TEST(LabTiming, LatencyStretchesStep5) {
  const double raised = 0.020;
  Outcome base = run_mailsim({"run", lab()});
  Outcome slow = run_mailsim({"run", lab(), "--set", "network.latency=20ms"});
  ASSERT_EQ(base.status, 0) << base.err;
  ASSERT_EQ(slow.status, 0) << slow.err;

  // Every link's latency goes from the scenario's value to 20 ms; a round
  // trip between the two servers crosses the path twice.
  sim::Scenario s = sim::load_scenario(lab());
  sim::Platform p = sim::compute_paths(s);
  size_t links = p.paths.at({"mail.daum.net", "mail.naver.com"}).size();
  double added_rtt = 2.0 * static_cast<double>(links) * (raised - s.network.latency);

  auto duration = [](const Outcome& r) {
    const auto* st = find_step(r.json, "kim-to-lee", 5);
    return (*st)["end"].get<double>() - (*st)["start"].get<double>();
  };
  EXPECT_GE(duration(slow) - duration(base), kStep5RoundTrips * added_rtt - 1e-9);
}

TEST(LabTiming, BandwidthBoundsTheAttachment) {
  const double bytes_per_second = 8e6 / 8;
  Outcome r = run_mailsim({"run", lab(), "--set", "network.bandwidth=8Mbps"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto* m = find_message(r.json, "lee-reply");
  ASSERT_NE(m, nullptr);
  double size = (*m)["size"].get<double>();
  ASSERT_GT(size, 2e6);
  // Steps (1), (5) and (9) each carry the whole message over the slow links.
  for (int step : {1, 5, 9}) {
    const auto* st = find_step(r.json, "lee-reply", step);
    ASSERT_NE(st, nullptr) << step;
    EXPECT_GE((*st)["end"].get<double>() - (*st)["start"].get<double>(), size / bytes_per_second) << step;
  }
}

TEST(LabErrors, BrokenZoneNamesHostFileLine) {
  std::string path = write_variant(lab(), {{"        @       IN      SOA     @       root. ( 2 1D 1H 1W 1H )\n",
                                            "        @       IN      SOA     @       root. ( 2 1D 1H 1W 1H\n"}});
  ASSERT_FALSE(path.empty());
  Outcome r = run_mailsim({"run", path}, false);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err.rfind("mail.naver.com:/var/named/naver.com.db:", 0), 0u) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(LabErrors, UnknownKeyExitsTwo) {
  Outcome r = run_mailsim({"run", lab(), "--set", "network.latncy=5ms"}, false);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown key 'latncy' in network"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace mailsim::e2e

namespace mailsim::e2e {
namespace {

// A 2.7 MB message over 64 kbit/s links takes minutes per hop; the clients'
// reply timeouts measure idle time, so the transfer still completes.
TEST(LabRobustness, SlowLinksStillDeliver) {
  Outcome r = run_mailsim({"run", lab(), "--set", "network.bandwidth=64kbps"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto* m = find_message(r.json, "lee-reply");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ((*m)["status"], "delivered");
  EXPECT_TRUE((*m)["retrieved"].is_number());
}

TEST(LabRobustness, SwitchedOffPcNeverSends) {
  Outcome r = run_mailsim({"run", lab(), "--set", "hosts.kim-pc.daum.net.up=false"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(find_message(r.json, "kim-to-lee"), nullptr);
  EXPECT_EQ(r.json["balance"]["submitted"], 1);
  EXPECT_NE(r.out.find("warning: workload item kim-to-lee never runs: kim-pc.daum.net is switched off"),
            std::string::npos);
}

TEST(LabRobustness, DuplicateRecipientsCountOnce) {
  std::string path = write_variant(
      lab(), {{"      to: [lee@naver.com]\n", "      to: [lee@naver.com, LEE@naver.com, lee@naver.com]\n"}});
  ASSERT_FALSE(path.empty());
  Outcome d = run_mailsim({"run", path});
  ASSERT_EQ(d.status, 0) << d.err;
  const auto* m = find_message(d.json, "kim-to-lee");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ((*m)["recipients"].size(), 1u);
  EXPECT_EQ((*m)["status"], "delivered");
  EXPECT_FALSE(d.json["stopped_by_duration"].get<bool>());
}

}  // namespace
}  // namespace mailsim::e2e
