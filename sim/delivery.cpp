// Sendmail's delivery process: one attempt at every pending recipient of a
// queue entry, by the mailer that serves it. `local` recipients (domain in
// class w) go to the MDA on this host; others are grouped by domain and
// sent with the `esmtp` mailer to the domain's MX hosts, in preference
// order (RFC 5321 §5.1), falling back to the next MX when a connection
// fails. A 2xx reply marks a recipient sent, 4xx (and any connection or
// name server failure) defers it to the next queue run, 5xx fails it.
// Each deferral raises the entry's priority by 90000 (WkTimeFact), as
// Sendmail's log shows (pri=30149 then 120149).
//
// Not modelled: connection caching across entries, DSNs for failed
// recipients (a failed recipient is counted as bounced), Timeout.queuewarn
// and Timeout.queuereturn, MX records pointing back to this host.
#include <algorithm>

#include <fmt/format.h>
#include <simgrid/s4u.hpp>

#include "models/config/text.hpp"
#include "models/dns/message.hpp"
#include "sim/actors.hpp"
#include "sim/context.hpp"
#include "sim/resolver.hpp"
#include "sim/smtp_client.hpp"

XBT_LOG_NEW_DEFAULT_SUBCATEGORY(delivery, mailsim, "sendmail's delivery agents");

namespace sg4 = simgrid::s4u;

namespace mailsim::sim {
namespace {

constexpr long kPriorityPerDeferral = 90000;  // Sendmail's WkTimeFact

std::string domain_of(const std::string& address) {
  auto at = address.rfind('@');
  return at == std::string::npos ? std::string() : config::text::to_lower(address.substr(at + 1));
}

std::string strip_dot(std::string name) {
  if (!name.empty() && name.back() == '.') name.pop_back();
  return name;
}

void note_step(World& w, const QueueEntry& e, const QueuedRecipient& r, int step, double start, double end,
               const std::string& from, const std::string& to, const std::string& protocol,
               const std::string& detail) {
  if (e.trace_id.empty()) return;
  StepRecord s;
  s.step = step;
  s.start = start;
  s.end = end;
  s.from = from;
  s.to = to;
  s.protocol = protocol;
  s.detail = detail;
  s.recipient = r.original;
  w.trace.add_step(e.trace_id, s);
}

void mark_recipient(World& w, const QueueEntry& e, const QueuedRecipient& r, MessageStatus status,
                    const std::string& reply) {
  MessageRecord* m = w.trace.message(e.trace_id);
  if (!m) return;
  RecipientRecord* rr = m->recipient(r.original);
  if (!rr) return;
  if (status != MessageStatus::QUEUED) rr->status = status;
  rr->last_reply = reply;
  w.changed();
}

double step_start(const SmtpOutcome& out) { return out.mail_sent; }

struct MxHost {
  int preference;
  std::string name;
};

// Step (3): the MX list of the domain (the domain itself when it has none).
// Returns false with a Sendmail stat= text when the name server fails.
bool lookup_mx(HostState& host, const std::string& domain, std::vector<MxHost>& out, std::string& status,
               std::string& dsn, bool& permanent) {
  Resolver resolver(host);
  LookupResult r = resolver.query(domain, dns::RecordType::MX);
  permanent = false;
  switch (r.status) {
    case LookupStatus::ANSWER:
      for (const auto& rr : r.records) {
        const auto& mx = std::get<dns::MxData>(rr.rdata);
        out.push_back({mx.preference, strip_dot(mx.exchange)});
      }
      std::stable_sort(out.begin(), out.end(), [](const MxHost& a, const MxHost& b) { return a.preference < b.preference; });
      return true;
    case LookupStatus::NODATA:
      out.push_back({0, domain});  // implicit MX, RFC 5321 §5.1
      return true;
    case LookupStatus::NXDOMAIN:
      status = fmt::format("Host unknown (Name server: {}: host not found)", domain);
      dsn = "5.1.2";
      permanent = true;
      return false;
    case LookupStatus::TEMPFAIL:
      break;
  }
  // NOTE: no recorded run shows Sendmail's deferral text for a name server
  // failure, so this wording is unconfirmed.
  status = fmt::format("Deferred: Name server: {}.: host name lookup failure", domain);
  dsn = "4.4.3";
  return false;
}

// Names the resolver's first name server, by host name when a host has that address.
std::string name_server_label(World& w, const HostState& host) {
  if (host.resolver.nameservers.empty()) return "no name server";
  const std::string& ip = host.resolver.nameservers.front();
  std::string name = w.net.host_of_ip(ip);
  return (name.empty() ? ip : name) + " (named)";
}

void deliver_remote(HostState& host, QueueEntry& entry, const std::string& domain,
                    std::vector<QueuedRecipient*> rcpts, double attempt_start) {
  World& w = world();
  const std::string dns_server = name_server_label(w, host);
  double lookup_start = w.now();
  std::vector<MxHost> mx;
  std::string status, dsn;
  bool permanent = false;

  auto finish_all = [&](RecipientState state, const std::string& text, const std::string& code) {
    for (auto* r : rcpts) {
      r->state = state;
      r->status = text;
      r->dsn = code;
      MessageStatus ms = state == RecipientState::SENT     ? MessageStatus::QUEUED
                         : state == RecipientState::FAILED ? MessageStatus::BOUNCED
                                                           : MessageStatus::QUEUED;
      mark_recipient(w, entry, *r, ms, text);
    }
  };

  if (!lookup_mx(host, domain, mx, status, dsn, permanent)) {
    finish_all(permanent ? RecipientState::FAILED : RecipientState::PENDING, status, dsn);
    return;
  }

  // Try each MX host in turn: address lookup, then connect.
  std::string last_failure = "Deferred: Connection refused";
  for (const auto& target : mx) {
    Resolver resolver(host);
    LookupResult a = resolver.query(target.name, dns::RecordType::A);
    if (a.status != LookupStatus::ANSWER) {
      last_failure = a.status == LookupStatus::TEMPFAIL
                         ? fmt::format("Deferred: Name server: {}.: host name lookup failure", target.name)
                         : fmt::format("Deferred: Name server: {}.: host not found", target.name);
      continue;
    }
    std::string ip = std::get<dns::AData>(a.records.front().rdata).address;
    double lookup_end = w.now();
    std::string relay = fmt::format("{}. [{}]", target.name, ip);
    std::string peer_host = w.net.host_of_ip(ip);
    if (peer_host.empty()) peer_host = ip;

    double connect_start = w.now();
    std::unique_ptr<Connection> conn;
    try {
      conn = w.net.connect(host.name, ip, 25, host.sendmail.connect_timeout);
    } catch (const ConnectionRefused&) {
      last_failure = fmt::format("Deferred: Connection refused by {}.", target.name);
      for (auto* r : rcpts) {
        note_step(w, entry, *r, 3, lookup_start, lookup_end, host.name, dns_server, "dns",
                  fmt::format("MX of {} -> {}, A -> {}", domain, target.name, ip));
        note_step(w, entry, *r, 4, connect_start, w.now(), host.name, peer_host, "smtp",
                  fmt::format("connection refused by {}:25", ip));
      }
      continue;
    } catch (const ConnectionTimedOut&) {
      last_failure = fmt::format("Deferred: Connection timed out with {}.", target.name);
      for (auto* r : rcpts)
        note_step(w, entry, *r, 4, connect_start, w.now(), host.name, peer_host, "smtp",
                  fmt::format("connection to {}:25 timed out", ip));
      continue;
    }

    message::Envelope envelope{entry.sender, {}};
    for (auto* r : rcpts) envelope.rcpt_to.push_back(r->address);
    SmtpOutcome out = run_smtp_client(*conn, ClientRole::MTA, host.sendmail.hostname, envelope, entry.message,
                                      entry.size, entry.trace_id, 300);
    conn->close();

    for (auto* r : rcpts) {
      note_step(w, entry, *r, 2, entry.created, attempt_start, host.name, host.name + " mqueue", "queue",
                fmt::format("queued as {} in /var/spool/mqueue", entry.queue_id));
      note_step(w, entry, *r, 3, lookup_start, lookup_end, host.name, dns_server, "dns",
                fmt::format("MX of {} -> {}, A -> {}", domain, target.name, ip));
      double step4_end = out.mail_sent >= 0 ? out.mail_sent : w.now();
      note_step(w, entry, *r, 4, connect_start, step4_end, host.name, peer_host, "smtp",
                fmt::format("connect {}:25, banner, EHLO", ip));
    }

    if (out.failure_code != 0 || out.broken) {
      bool perm = out.failure_code >= 500;
      std::string text = out.broken ? fmt::format("Deferred: Connection reset by {}.", target.name)
                                    : fmt::format("{} {} {}", out.failure_code, out.failure_enhanced, out.failure_text);
      if (!perm && !out.broken) text = "Deferred: " + text;
      std::string code = out.failure_enhanced;
      if (code.empty()) code = perm ? "5.0.0" : "4.0.0";
      finish_all(perm ? RecipientState::FAILED : RecipientState::PENDING, text, code);
      return;
    }

    for (auto* r : rcpts) {
      const RecipientOutcome* ro = nullptr;
      for (const auto& o : out.recipients)
        if (o.address == r->address) ro = &o;
      int code = ro ? ro->code : 0;
      if (code >= 200 && code < 300 && out.data_code >= 200 && out.data_code < 300) {
        r->state = RecipientState::SENT;
        r->status = fmt::format("Sent ({})", out.data_text);
        r->dsn = "2.0.0";
        note_step(w, entry, *r, 5, step_start(out), out.finished, host.name, peer_host, "smtp",
                  fmt::format("MAIL, RCPT, DATA: {} {}", out.data_code, out.data_text));
        mark_recipient(w, entry, *r, MessageStatus::QUEUED, r->status);
      } else if (code >= 500 || out.data_code >= 500) {
        const std::string& text = code >= 500 ? ro->text : out.data_text;
        r->state = RecipientState::FAILED;
        r->status = text;
        r->dsn = code >= 500 ? ro->enhanced : out.data_enhanced;
        note_step(w, entry, *r, 5, step_start(out), w.now(), host.name, peer_host, "smtp",
                  fmt::format("refused: {} {}", code >= 500 ? code : out.data_code, text));
        mark_recipient(w, entry, *r, MessageStatus::BOUNCED, text);
      } else {
        r->status = "Deferred: " + (ro ? ro->text : out.data_text);
        r->dsn = ro && !ro->enhanced.empty() ? ro->enhanced : "4.0.0";
        mark_recipient(w, entry, *r, MessageStatus::QUEUED, r->status);
      }
    }
    return;
  }
  finish_all(RecipientState::PENDING, last_failure, "4.4.1");
}

}  // namespace

void deliver_entry(HostState& host, const std::string& queue_id) {
  World& w = world();
  QueueEntry* entry = host.queue->find(queue_id);
  if (!entry || entry->locked) return;
  entry->locked = true;
  entry->attempts++;
  double attempt_start = w.now();
  entry->last_attempt = attempt_start;

  // Local recipients first, through the MDA; then one esmtp delivery per domain.
  std::map<std::string, std::vector<QueuedRecipient*>> remote;
  for (auto& r : entry->recipients) {
    if (r.state != RecipientState::PENDING) continue;
    std::string domain = domain_of(r.address);
    if (domain.empty() || host.sendmail.class_w.count(domain)) {
      std::string user = config::text::to_lower(r.address.substr(0, r.address.rfind('@')));
      note_step(w, *entry, r, 6, entry->created, w.now(), host.name, host.name + " local MDA", "local",
                fmt::format("{} is local: {} hands {} to the local mailer", r.address, host.name, entry->queue_id));
      LocalDelivery d = deliver_local(host, *entry, user, r.original);
      r.state = d.ok ? RecipientState::SENT : RecipientState::FAILED;
      r.status = d.status;
      r.dsn = d.dsn;
      if (!d.ok) mark_recipient(w, *entry, r, MessageStatus::BOUNCED, d.status);
    } else {
      remote[domain].push_back(&r);
    }
  }
  for (auto& [domain, rcpts] : remote) deliver_remote(host, *entry, domain, rcpts, attempt_start);

  bool pending = std::any_of(entry->recipients.begin(), entry->recipients.end(),
                             [](const QueuedRecipient& r) { return r.state == RecipientState::PENDING; });
  if (pending) {
    entry->priority += kPriorityPerDeferral;
    entry->locked = false;
  } else {
    host.queue->remove(queue_id);
  }
  w.changed();
}

void spawn_delivery(HostState& host, const std::string& queue_id) {
  HostState* h = &host;
  sg4::Actor::create("sendmail", world().platform.hosts.at(host.name), [h, queue_id] {
    sg4::Actor::self()->daemonize();
    deliver_entry(*h, queue_id);
  });
}

}  // namespace mailsim::sim
