// Speed of mailsim's protocol engines, each measured against a baseline
// that touches the same bytes in the same run, so the ratio holds on a
// shared, noisy machine:
//   - SMTP: a whole session (EHLO, MAIL, RCPT, DATA of a message, QUIT)
//     through the server engine, against copying the session's bytes once;
//   - DNS: encoding and decoding an MX answer, against copying its bytes;
//   - mbox: appending a message to a mailbox, against copying it.
// Run: ./build/benchmarks/engines_bench (see docs/benchmarks.md).
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

#include "models/dns/message.hpp"
#include "models/mailbox/mailbox.hpp"
#include "models/message/compose.hpp"
#include "models/smtp/server_session.hpp"

namespace {

using namespace mailsim;

class AcceptAll : public smtp::ServerHooks {
 public:
  std::int64_t now() override { return 1796404087; }
  smtp::RcptVerdict check_rcpt(const std::string&) override { return smtp::RcptVerdict::ACCEPT; }
  std::string accept_message(const message::Envelope&, std::string message_lf, const smtp::SessionInfo&) override {
    bytes += message_lf.size();
    return "6B4H87qM031312";
  }
  std::uint64_t bytes = 0;
};

std::string smtp_session(std::size_t body_size) {
  message::Draft d{"kim@daum.net", {"lee@naver.com"}, "bench", std::string(body_size, 'x') + "\n", {}, {}};
  std::string text = message::compose(d);
  std::string wire;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t nl = text.find('\n', pos);
    wire += text.substr(pos, nl - pos) + "\r\n";
    pos = nl + 1;
  }
  return "EHLO pc.daum.net\r\nMAIL FROM:<kim@daum.net>\r\nRCPT TO:<lee@naver.com>\r\nDATA\r\n" + wire +
         ".\r\nQUIT\r\n";
}

void BM_SmtpServerSession(benchmark::State& state) {
  std::string input = smtp_session(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    AcceptAll hooks;
    smtp::ServerSession session(smtp::ServerConfig{"mail.naver.com"}, smtp::PeerInfo{"10.0.2.25", ""}, hooks);
    benchmark::DoNotOptimize(session.greeting());
    benchmark::DoNotOptimize(session.feed(input));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * input.size()));
}
BENCHMARK(BM_SmtpServerSession)->Arg(1 << 10)->Arg(1 << 20);

void BM_CopyBaseline(benchmark::State& state) {
  std::string input = smtp_session(static_cast<std::size_t>(state.range(0)));
  std::string copy;
  for (auto _ : state) {
    copy.assign(input);
    benchmark::DoNotOptimize(copy.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * input.size()));
}
BENCHMARK(BM_CopyBaseline)->Arg(1 << 10)->Arg(1 << 20);

dns::Message mx_answer() {
  dns::Message m = dns::make_query(0x1234, "naver.com.", dns::RecordType::MX, true);
  m.qr = true;
  m.aa = true;
  m.answers.push_back({"naver.com.", dns::RecordType::MX, dns::RecordClass::IN, 10800, dns::MxData{10, "mail.naver.com."}});
  m.additional.push_back({"mail.naver.com.", dns::RecordType::A, dns::RecordClass::IN, 10800, dns::AData{"10.0.2.100"}});
  return m;
}

void BM_DnsEncodeDecode(benchmark::State& state) {
  dns::Message m = mx_answer();
  for (auto _ : state) {
    std::string wire = dns::encode(m);
    benchmark::DoNotOptimize(dns::decode(wire));
  }
}
BENCHMARK(BM_DnsEncodeDecode);

void BM_DnsCopyBaseline(benchmark::State& state) {
  std::string wire = dns::encode(mx_answer());
  std::string copy;
  for (auto _ : state) {
    copy.assign(wire);
    benchmark::DoNotOptimize(copy.data());
  }
}
BENCHMARK(BM_DnsCopyBaseline);

void BM_MboxDeliver(benchmark::State& state) {
  auto content = std::make_shared<const std::string>(smtp_session(static_cast<std::size_t>(state.range(0))));
  for (auto _ : state) {
    mailbox::Mailbox box;
    box.deliver("kim@daum.net", 1796404087, content);
    benchmark::DoNotOptimize(box.render());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * content->size()));
}
BENCHMARK(BM_MboxDeliver)->Arg(1 << 10)->Arg(1 << 20);

}  // namespace

BENCHMARK_MAIN();
