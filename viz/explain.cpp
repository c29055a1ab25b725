#include "viz/explain.hpp"

#include <fmt/format.h>

#include "models/common/error.hpp"
#include "viz/sequence.hpp"

namespace mailsim::viz {
namespace {

std::string domain_of(const std::string& address) {
  std::size_t at = address.find('@');
  return at == std::string::npos ? address : address.substr(at + 1);
}

std::string address_of(const RunData& run, const std::string& host) {
  const TopologyHost* h = run.topology.host(host);
  return h ? h->address : host;
}

std::string mailbox_of(const std::string& endpoint) {
  std::size_t colon = endpoint.find(':');
  return colon == std::string::npos ? endpoint : endpoint.substr(colon + 1) + " on " + endpoint.substr(0, colon);
}

std::string mailbox_of_ko(const std::string& endpoint) {
  std::size_t colon = endpoint.find(':');
  return colon == std::string::npos ? endpoint : endpoint.substr(0, colon) + "의 " + endpoint.substr(colon + 1);
}

std::string outcome_en(const std::string& outcome) {
  if (outcome == "deferred")
    return " -> a temporary failure (4xx or no usable answer): the message stays in the queue and is retried later.";
  if (outcome == "rejected") return " -> rejected (5xx): this attempt is not retried.";
  if (outcome == "refused") return " -> connection refused: nothing listens on that address and port.";
  if (outcome == "timeout") return " -> timed out: the host did not answer.";
  return "";
}

std::string outcome_ko(const std::string& outcome) {
  if (outcome == "deferred") return " -> 일시적인 실패(4xx 또는 쓸 수 없는 응답)입니다: 메일은 큐에 남아 나중에 다시 시도됩니다.";
  if (outcome == "rejected") return " -> 거부되었습니다(5xx): 이 시도는 반복하지 않습니다.";
  if (outcome == "refused") return " -> 연결이 거부되었습니다: 그 주소와 포트에서 기다리는 프로그램이 없습니다.";
  if (outcome == "timeout") return " -> 시간 초과: 호스트가 응답하지 않았습니다.";
  return "";
}

std::string sentence_en(const Step& s, const RunData& run, const std::string& from, const std::string& to) {
  const Message* m = run.message(s.message);
  std::string sender = m ? m->from : "";
  switch (s.step) {
    case 1:
      return fmt::format("(1) {} submits the message from <{}> to <{}> to Sendmail on {} over SMTP (port 25): {}", from,
                         sender, s.recipient, to, s.detail);
    case 2:
      if (s.end > s.start)
        return fmt::format("(2) The message waited {} in the queue of {} until a queue run took it out to try again.",
                           format_wait(s.end - s.start), from);
      return fmt::format("(2) Sendmail on {} stores the message in its mail queue: {}.", from, s.detail);
    case 3:
      return fmt::format("(3) {} asks the name server {} for the MX of {} and the address of that mail host: {}", from,
                         address_of(run, to), domain_of(s.recipient), s.detail);
    case 4:
      return fmt::format("(4) {} opens an SMTP connection to {} port 25, reads the 220 greeting and sends EHLO: {}", from,
                         to, s.detail);
    case 5: return fmt::format("(5) {} transfers the message with MAIL FROM, RCPT TO and DATA: {}", from, s.detail);
    case 6:
      return fmt::format("(6) Sendmail on {} finds <{}> local (the domain is in its local-host-names) and hands the "
                         "message to the local mailer (MDA).",
                         from, s.recipient);
    case 7: return fmt::format("(7) The local mailer appends the message to {} in mbox format.", mailbox_of(s.to));
    case 8:
      return fmt::format("(8) {} logs in to Dovecot on {} over POP3 (USER, PASS) and lists the mailbox: {}", from, to,
                         s.detail);
    case 9: return fmt::format("(9) Dovecot on {} sends the message to {} (RETR): {}", from, to, s.detail);
  }
  return fmt::format("({}) {} -> {}: {}", s.step, from, to, s.detail);
}

std::string sentence_ko(const Step& s, const RunData& run, const std::string& from, const std::string& to) {
  const Message* m = run.message(s.message);
  std::string sender = m ? m->from : "";
  switch (s.step) {
    case 1:
      return fmt::format("(1) {}의 메일 클라이언트가 <{}>에서 <{}> 앞으로 쓴 메일을 SMTP(포트 25)로 {}의 Sendmail에 "
                         "제출합니다: {}",
                         from, sender, s.recipient, to, s.detail);
    case 2:
      if (s.end > s.start)
        return fmt::format("(2) 메일이 {}의 큐에서 {} 동안 기다린 뒤, 다음 큐 실행 때 다시 전송을 시도합니다.", from,
                           format_wait(s.end - s.start));
      return fmt::format("(2) {}의 Sendmail이 메일을 메일 큐에 넣습니다: {}.", from, s.detail);
    case 3:
      return fmt::format("(3) {}의 Sendmail이 네임 서버 {}에 {}의 MX 레코드와 그 메일 서버의 주소를 묻습니다: {}", from,
                         address_of(run, to), domain_of(s.recipient), s.detail);
    case 4:
      return fmt::format("(4) {}의 Sendmail이 {}의 25번 포트로 SMTP 연결을 열고, 220 인사말을 받은 뒤 EHLO를 보냅니다: {}",
                         from, to, s.detail);
    case 5:
      return fmt::format("(5) {}의 Sendmail이 MAIL FROM, RCPT TO, DATA 명령으로 메일을 전송합니다: {}", from, s.detail);
    case 6:
      return fmt::format("(6) {}의 Sendmail은 도메인이 local-host-names에 있으므로 로컬 수신자 <{}>에게 배달하려고 메일을 "
                         "로컬 메일러(MDA)에 넘깁니다.",
                         from, s.recipient);
    case 7: return fmt::format("(7) 로컬 메일러가 메일을 mbox 형식으로 {}에 덧붙입니다.", mailbox_of_ko(s.to));
    case 8:
      return fmt::format("(8) {}의 메일 클라이언트가 POP3로 {}의 Dovecot에 로그인(USER, PASS)하고 메일함 목록을 "
                         "확인합니다: {}",
                         from, to, s.detail);
    case 9: return fmt::format("(9) {}의 Dovecot이 메일을 {}에 보냅니다(RETR): {}", from, to, s.detail);
  }
  return fmt::format("({}) {} -> {}: {}", s.step, from, to, s.detail);
}

void write_bytes(std::ostream& out, const Write& w, int max_lines) {
  std::string prefix = fmt::format("      {} {} -> {} {}: ", w.protocol, w.sender(), w.receiver(), w.direction);
  std::size_t pos = 0;
  int lines = 0;
  while (pos < w.bytes.size()) {
    if (max_lines > 0 && lines == max_lines) {
      out << prefix << fmt::format("[... {} more bytes not shown]\n", w.bytes.size() - pos);
      return;
    }
    std::size_t nl = w.bytes.find('\n', pos);
    std::size_t end = nl == std::string::npos ? w.bytes.size() : nl + 1;
    std::string line = w.bytes.substr(pos, end - pos);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    out << prefix << line << "\n";
    ++lines;
    pos = end;
  }
}

}  // namespace

Language parse_language(const std::string& text) {
  if (text == "en") return Language::EN;
  if (text == "ko") return Language::KO;
  throw InputError(SourcePos{"--lang", 0, 0}, "invalid language '" + text + "' (use en or ko)");
}

std::string explain_step(const Step& step, const RunData& run, Language language) {
  std::string from = endpoint_host(step.from);
  std::string to = endpoint_host(step.to);
  if (language == Language::KO) return sentence_ko(step, run, from, to) + outcome_ko(step.outcome);
  return sentence_en(step, run, from, to) + outcome_en(step.outcome);
}

void write_explanation(std::ostream& out, const RunData& run, const ExplainOptions& options) {
  bool ko = options.language == Language::KO;
  out << (ko ? "단계별 설명 (시뮬레이션 시각 순)\n" : "What happened, step by step (simulated time)\n");
  std::vector<const Step*> steps = all_steps(run);
  std::vector<int> matched = options.transcript ? match_writes(run, steps) : std::vector<int>{};
  for (std::size_t k = 0; k < steps.size(); ++k) {
    const Step& s = *steps[k];
    out << fmt::format("[{:>12.6f} s] {}: {}\n", s.start, s.message, explain_step(s, run, options.language));
    if (options.transcript) {
      for (std::size_t i = 0; i < run.transcript.size(); ++i)
        if (matched[i] == static_cast<int>(k)) write_bytes(out, run.transcript[i], options.transcript_lines);
    }
    if (options.pause) {
      out << (ko ? "  [Enter를 누르면 계속합니다]" : "  [press Enter to continue]") << std::flush;
      std::string line;
      std::getline(*options.pause, line);
    }
  }
  out << "\n";
}

}  // namespace mailsim::viz
