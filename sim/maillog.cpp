#include "sim/maillog.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "models/common/timefmt.hpp"
#include "models/message/header.hpp"
#include "sim/context.hpp"

namespace mailsim::sim {

void mail_log(const std::string& host, const std::string& program, const std::string& text) {
  World& w = world();
  w.trace.log.push_back(LogLine{w.now(), host, program, text});
}

std::string sendmail_delay(double seconds) {
  auto total = static_cast<long>(std::floor(seconds + 1e-9));
  if (total < 0) total = 0;
  long days = total / 86400;
  long rest = total % 86400;
  std::string hms = fmt::format("{:02}:{:02}:{:02}", rest / 3600, rest % 3600 / 60, rest % 60);
  return days > 0 ? fmt::format("{}+{}", days, hms) : hms;
}

std::string format_maillog(const Trace& trace, std::int64_t start_epoch) {
  std::vector<const LogLine*> lines;
  for (const auto& l : trace.log) lines.push_back(&l);
  std::stable_sort(lines.begin(), lines.end(), [](const auto* a, const auto* b) { return a->time < b->time; });
  std::string out;
  for (const auto* l : lines) {
    std::int64_t t = start_epoch + static_cast<std::int64_t>(std::floor(l->time));
    out += fmt::format("{} {} {}: {}\n", timefmt::syslog(t), l->host, l->program, l->text);
  }
  return out;
}

std::string format_mailq(const HostState& host, std::int64_t start_epoch) {
  const auto& entries = host.queue->entries();
  std::string out;
  if (entries.empty()) {
    // NOTE: the empty-queue wording comes from Sendmail's source, not from a recorded run.
    out += "\t\t/var/spool/mqueue is empty\n";
    out += "\t\tTotal requests: 0\n";
    return out;
  }
  out += fmt::format("\t\t/var/spool/mqueue ({} request{})\n", entries.size(), entries.size() == 1 ? "" : "s");
  out += "-----Q-ID----- --Size-- -----Q-Time----- ------------Sender/Recipient-----------\n";
  std::vector<const QueueEntry*> sorted;
  for (const auto& e : entries) sorted.push_back(e.get());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto* a, const auto* b) { return a->created < b->created; });
  for (const auto* e : sorted) {
    // The size is that of the df file: the body, without the header.
    auto parts = message::split_message(*e->message.shared);
    std::string qtime = timefmt::asctime(start_epoch + static_cast<std::int64_t>(std::floor(e->created)));
    qtime = qtime.substr(0, 16);  // "Fri Dec  4 15:03", without seconds and year
    std::string sender = e->sender.empty() ? "<>" : "<" + e->sender + ">";
    out += fmt::format("{}{:>9} {} {}\n", e->queue_id + (e->locked ? "*" : ""), parts.body.size(), qtime,
                       sender);
    std::string status;
    for (const auto& r : e->recipients)
      if (r.state == RecipientState::PENDING && !r.status.empty()) status = r.status;
    if (!status.empty()) out += fmt::format("                 ({})\n", status);
    for (const auto& r : e->recipients)
      if (r.state == RecipientState::PENDING) out += fmt::format("\t\t\t\t\t <{}>\n", r.address);
  }
  out += fmt::format("\t\tTotal requests: {}\n", entries.size());
  return out;
}

}  // namespace mailsim::sim
