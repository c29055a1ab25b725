// The local mailer: Sendmail's `local` delivery through procmail (the lab's
// Mlocal), appending to /var/mail/USER in mbox format. It adds the
// Return-Path: header with the envelope sender, as procmail does when run
// as `procmail -f sender -d user`.
//
// Timing follows procmail 3.22: when the mailbox file does not exist yet,
// procmail creates it and sleeps 1 s before writing; an append to an
// existing mailbox takes no simulated time.
//
// Not modelled: .procmailrc recipes, .forward files, quotas, comsat.
#include <fmt/format.h>
#include <simgrid/s4u.hpp>

#include "sim/actors.hpp"
#include "sim/context.hpp"

XBT_LOG_NEW_DEFAULT_SUBCATEGORY(mda, mailsim, "the local delivery agent");

namespace sg4 = simgrid::s4u;

namespace mailsim::sim {

constexpr double kMailboxCreateSleep = 1.0;  // procmail's sleep after creating a mailbox

LocalDelivery deliver_local(HostState& host, const QueueEntry& entry, const std::string& user,
                            const std::string& traced_recipient) {
  World& w = world();
  LocalDelivery result;
  // root exists on every host; other users must be the scenario's.
  if (!host.spec->user(user) && user != "root") {
    result.ok = false;
    result.status = "User unknown";
    result.dsn = "5.1.1";
    return result;
  }

  double start = w.now();
  std::string path = "/var/mail/" + user;
  SpoolMailbox& box = host.spool[path];
  if (!box.exists) {
    box.exists = true;
    sg4::this_actor::sleep_for(kMailboxCreateSleep);
  }
  std::string sender = entry.sender.empty() ? "MAILER-DAEMON" : entry.sender;
  std::string return_path = fmt::format("Return-Path: <{}>\n", sender);
  // The mbox message shares the queued text, and only the header fields in front are its own.
  box.box.deliver(sender, w.wall_now(), entry.message.with_head(return_path));
  const std::string* text = box.box.message(box.box.count() - 1).content.shared.get();
  host.traced[{path, text}] = TraceRef{entry.trace_id, traced_recipient};

  if (MessageRecord* rec = w.trace.message(entry.trace_id)) {
    if (RecipientRecord* r = rec->recipient(traced_recipient)) {
      r->status = MessageStatus::DELIVERED;
      r->delivered = w.now();
      r->mailbox = host.name + ":" + path;
      for (const auto& item : w.scenario.workload) {
        if (w.options.client) break;  // a served session runs no workload
        if (item.fetch && item.fetch->server == host.name && item.fetch->user == user && w.scenario.host(item.pc)->up)
          r->polled = true;
      }
    }
    StepRecord s;
    s.step = 7;
    s.start = start;
    s.end = w.now();
    s.from = host.name + " local MDA";
    s.to = host.name + ":" + path;
    s.protocol = "local";
    s.detail = fmt::format("procmail appends {} to {}", entry.queue_id, path);
    s.recipient = traced_recipient;
    rec->steps.push_back(s);
  }
  w.changed();
  result.ok = true;
  result.status = "Sent";
  result.dsn = "2.0.0";
  return result;
}

}  // namespace mailsim::sim
