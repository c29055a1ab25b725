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
#include "sim/maillog.hpp"
#include "sim/smtp_client.hpp"
#include "models/message/dsn.hpp"
#include "models/message/header.hpp"

XBT_LOG_NEW_DEFAULT_SUBCATEGORY(delivery, mailsim, "sendmail's delivery agents");

namespace sg4 = simgrid::s4u;

namespace mailsim::sim {
namespace {

constexpr long kPriorityPerDeferral = 90000;  // Sendmail's WkTimeFact
constexpr int kMaxHopCount = 25;              // Sendmail's MaxHopCount default

// The domain of an address, lower case and without a trailing dot
// (Sendmail canonicalizes `lee@naver.com.` to `lee@naver.com`).
std::string domain_of(const std::string& address) {
  auto at = address.rfind('@');
  if (at == std::string::npos) return std::string();
  std::string domain = config::text::to_lower(address.substr(at + 1));
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  return domain;
}

std::string strip_dot(std::string name) {
  if (!name.empty() && name.back() == '.') name.pop_back();
  return name;
}

void note_step(World& w, const QueueEntry& e, const QueuedRecipient& r, int step, double start, double end,
               const std::string& from, const std::string& to, const std::string& protocol,
               const std::string& detail, const std::string& outcome = "ok") {
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
  s.outcome = outcome;
  w.trace.add_step(e.trace_id, s);
}

void mark_recipient(World& w, const QueueEntry& e, const QueuedRecipient& r, MessageStatus status,
                    const std::string& reply) {
  MessageRecord* m = w.trace.message(e.trace_id);
  if (!m) return;
  RecipientRecord* rr = m->recipient(r.original);
  if (!rr) return;
  // A later hop may already have settled this copy; the earlier hop's
  // "Sent" must not overwrite what happened there.
  if (status == MessageStatus::QUEUED && rr->status != MessageStatus::QUEUED) return;
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

// The result of one attempt for some recipients: deferred (still pending)
// or failed, with the texts the bounce and the log use.
struct Outcome {
  RecipientState state = RecipientState::PENDING;
  std::string status;  // stat= text
  std::string dsn;
  std::string reason, remote_mta;
  std::vector<std::string> transcript;
  bool config_error = false;
  std::string relay;  // relay= of the log line: "mail.naver.com. [10.0.2.100]"
};

// One delivery process's attempt at a queue entry.
struct Attempt {
  unsigned pid = 0;
  double start = 0;
};

// ctladdr= names the sender when it is a local user of this host.
std::string ctladdr(const HostState& host, const std::string& sender) {
  auto at = sender.rfind('@');
  if (sender.empty() || at == std::string::npos) return "";
  std::string domain = config::text::to_lower(sender.substr(at + 1));
  if (!host.sendmail.class_w.count(domain)) return "";
  const UserSpec* u = host.spec->user(config::text::to_lower(sender.substr(0, at)));
  if (!u) return "";
  return fmt::format("ctladdr=<{}> ({}/{}), ", sender, u->uid, u->uid);
}

// Sendmail's to= line for one or more recipients that ended the same way.
void log_delivery(const HostState& host, const QueueEntry& entry, const std::vector<const QueuedRecipient*>& rcpts,
                  const Attempt& attempt, const std::string& mailer, const std::string& relay) {
  World& w = world();
  std::string to;
  for (const auto* r : rcpts) to += (to.empty() ? "" : ",") + ("<" + r->address + ">");
  const QueuedRecipient& first = *rcpts.front();
  std::string stat = first.status;
  mail_log(host.name, fmt::format("sendmail[{}]", attempt.pid),
           fmt::format("{}: to={}, {}delay={}, xdelay={}, mailer={}, pri={}, {}dsn={}, stat={}", entry.queue_id, to,
                       ctladdr(host, entry.sender),
                       // Whole seconds of the wall clock, as Sendmail subtracts time_t values.
                       sendmail_delay(static_cast<double>(w.wall(w.now()) - w.wall(entry.created))),
                       sendmail_delay(static_cast<double>(w.wall(w.now()) - w.wall(attempt.start))), mailer,
                       entry.priority,
                       relay.empty() ? std::string() : "relay=" + relay + ", ", first.dsn, stat));
}

void settle(World& w, QueueEntry& entry, const std::vector<QueuedRecipient*>& rcpts, const Outcome& o,
            const HostState& host, const Attempt& attempt) {
  for (auto* r : rcpts) {
    r->state = o.state;
    r->status = o.status;
    r->dsn = o.dsn;
    r->reason = o.reason;
    r->remote_mta = o.remote_mta;
    r->transcript = o.transcript;
    r->config_error = o.config_error;
    mark_recipient(w, entry, *r, o.state == RecipientState::FAILED ? MessageStatus::BOUNCED : MessageStatus::QUEUED,
                   o.status);
  }
  std::vector<const QueuedRecipient*> logged(rcpts.begin(), rcpts.end());
  if (!logged.empty()) log_delivery(host, entry, logged, attempt, "esmtp", o.relay);
}

// Sendmail's getmxrr(): an MX host that is this host (its name in class w)
// is dropped together with every MX of equal or lower preference, because
// those hosts would send the mail back here. Returns false when nothing is
// left and this host came first: "MX list for D. points back to H".
bool drop_mx_to_self(const HostState& host, std::vector<MxHost>& mx) {
  for (size_t i = 0; i < mx.size(); ++i) {
    if (!host.sendmail.class_w.count(config::text::to_lower(mx[i].name))) continue;
    int cut = mx[i].preference;
    std::vector<MxHost> kept;
    for (const auto& m : mx)
      if (m.preference < cut) kept.push_back(m);
    mx = kept;
    return !mx.empty();
  }
  return true;
}

void deliver_remote(HostState& host, QueueEntry& entry, const std::string& domain,
                    std::vector<QueuedRecipient*> rcpts, const Attempt& attempt) {
  double attempt_start = attempt.start;
  World& w = world();
  const std::string dns_server = name_server_label(w, host);
  double lookup_start = w.now();
  std::vector<MxHost> mx;
  std::string status, dsn;
  bool permanent = false;

  for (auto* r : rcpts)
    note_step(w, entry, *r, 2, entry.created, attempt_start, host.name, host.name + " mqueue", "queue",
              fmt::format("queued as {} in /var/spool/mqueue", entry.queue_id));

  if (!lookup_mx(host, domain, mx, status, dsn, permanent)) {
    Outcome o;
    o.state = permanent ? RecipientState::FAILED : RecipientState::PENDING;
    o.status = status;
    o.dsn = dsn;
    if (permanent) {
      o.reason = "550 Host unknown";
      o.transcript = {fmt::format("550 {} {}... {}", dsn, rcpts.front()->address, status)};
      o.remote_mta = domain;
    }
    for (auto* r : rcpts)
      note_step(w, entry, *r, 3, lookup_start, w.now(), host.name, dns_server, "dns",
                fmt::format("MX of {}: {}", domain, status), permanent ? "rejected" : "deferred");
    settle(w, entry, rcpts, o, host, attempt);
    return;
  }

  if (!drop_mx_to_self(host, mx)) {
    // No connection at all: the configuration sends the domain's mail here.
    Outcome o;
    o.state = RecipientState::FAILED;
    o.status = "Local configuration error";
    o.dsn = "5.5.0";
    o.remote_mta = domain;
    o.transcript = {fmt::format("554 5.0.0 MX list for {}. points back to {}", domain, host.sendmail.hostname),
                    "554 5.3.5 Local configuration error"};
    o.config_error = true;
    mail_log(host.name, fmt::format("sendmail[{}]", attempt.pid),
             fmt::format("{}: SYSERR(root): MX list for {}. points back to {}", entry.queue_id, domain,
                         host.sendmail.hostname));
    for (auto* r : rcpts)
      note_step(w, entry, *r, 3, lookup_start, w.now(), host.name, dns_server, "dns",
                fmt::format("MX list for {}. points back to {}", domain, host.sendmail.hostname), "rejected");
    settle(w, entry, rcpts, o, host, attempt);
    return;
  }

  // Try each MX host in turn: address lookup, then connect. A host that
  // does not exist is skipped; if none exists the mail bounces.
  Outcome deferred;
  deferred.status = "Deferred: Connection refused";
  deferred.dsn = "4.4.1";
  bool any_temporary = false;
  std::string unknown_host;
  for (const auto& target : mx) {
    Resolver resolver(host);
    LookupResult a = resolver.address_of(target.name);
    if (a.status != LookupStatus::ANSWER) {
      if (a.status == LookupStatus::TEMPFAIL) {
        any_temporary = true;
        deferred.status = fmt::format("Deferred: Name server: {}.: host name lookup failure", target.name);
        deferred.dsn = "4.4.3";
      } else {
        unknown_host = target.name;
      }
      for (auto* r : rcpts)
        note_step(w, entry, *r, 3, lookup_start, w.now(), host.name, dns_server, "dns",
                  fmt::format("MX of {} -> {}, address: {}", domain, target.name, a.detail),
                  a.status == LookupStatus::TEMPFAIL ? "deferred" : "rejected");
      continue;
    }
    std::string ip = std::get<dns::AData>(a.records.front().rdata).address;
    std::string relay = fmt::format("{}. [{}]", target.name, ip);
    deferred.relay = relay;
    double lookup_end = w.now();
    std::string peer_host = w.net.host_of_ip(ip);
    if (peer_host.empty()) peer_host = ip;
    for (auto* r : rcpts)
      note_step(w, entry, *r, 3, lookup_start, lookup_end, host.name, dns_server, "dns",
                fmt::format("MX of {} -> {}, A -> {}", domain, target.name, ip));
    any_temporary = true;

    double connect_start = w.now();
    std::unique_ptr<Connection> conn;
    try {
      conn = w.net.connect(host.name, ip, 25, host.sendmail.connect_timeout);
    } catch (const ConnectionRefused&) {
      deferred.status = fmt::format("Deferred: Connection refused by {}.", target.name);
      deferred.dsn = "4.4.1";
    } catch (const ConnectionTimedOut&) {
      deferred.status = fmt::format("Deferred: Connection timed out with {}.", target.name);
      deferred.dsn = "4.4.1";
    }
    if (!conn) {
      for (auto* r : rcpts)
        note_step(w, entry, *r, 4, connect_start, w.now(), host.name, peer_host, "smtp",
                  fmt::format("{}:25: {}", ip, deferred.status.substr(10)),
                  deferred.status.find("refused") != std::string::npos ? "refused" : "timeout");
      deferred.remote_mta = target.name;
      lookup_start = w.now();
      continue;  // next MX host
    }

    message::Envelope envelope{entry.sender, {}};
    std::vector<std::pair<std::string, std::string>> renamed;
    for (auto* r : rcpts) {
      envelope.rcpt_to.push_back(r->address);
      if (r->address != r->original) renamed.emplace_back(r->address, r->original);
    }
    SmtpOutcome out = run_smtp_client(*conn, ClientRole::MTA, host.sendmail.hostname, envelope, entry.message,
                                      entry.size, make_message_tag(entry.trace_id, renamed), 300);
    conn->close();
    double step4_end = out.mail_sent >= 0 ? out.mail_sent : w.now();
    std::string step4_outcome = out.loops_back ? "rejected" : "ok";
    if (out.failure_code >= 500) step4_outcome = "rejected";
    else if (out.failure_code >= 400 || out.broken) step4_outcome = "deferred";
    for (auto* r : rcpts)
      note_step(w, entry, *r, 4, connect_start, step4_end, host.name, peer_host, "smtp",
                out.loops_back ? fmt::format("{}:25 greets as this host: mail loops back", ip)
                               : fmt::format("connect {}:25, banner, EHLO", ip),
                step4_outcome);

    if (out.loops_back) {
      Outcome o;
      o.relay = relay;
      o.state = RecipientState::FAILED;
      o.status = "Local configuration error";
      o.dsn = "5.3.5";
      o.reason = "553 5.3.5 system config error";
      o.transcript = {fmt::format("553 5.3.5 {}. config error: mail loops back to me (MX problem?)", target.name),
                      "554 5.3.5 Local configuration error"};
      o.config_error = true;
      mail_log(host.name, fmt::format("sendmail[{}]", attempt.pid),
               fmt::format("{}: SYSERR(root): {}. config error: mail loops back to me (MX problem?)", entry.queue_id,
                           target.name));
      settle(w, entry, rcpts, o, host, attempt);
      return;
    }

    std::string remote_mta = target.name;
    if (out.failure_code != 0 || out.broken) {
      Outcome o;
      o.relay = relay;
      bool perm = out.failure_code >= 500;
      o.state = perm ? RecipientState::FAILED : RecipientState::PENDING;
      std::string reply = fmt::format("{} {} {}", out.failure_code, out.failure_enhanced, out.failure_text);
      o.status = out.broken ? fmt::format("Deferred: Connection reset by {}.", target.name)
                            : (perm ? reply : "Deferred: " + reply);
      o.dsn = out.failure_enhanced;
      if (o.dsn.empty()) o.dsn = perm ? "5.0.0" : "4.0.0";
      o.remote_mta = remote_mta;
      if (perm) {
        o.reason = reply;
        o.transcript = {fmt::format("... while talking to {}.:", target.name), "<<< " + reply};
      }
      settle(w, entry, rcpts, o, host, attempt);
      return;
    }

    for (auto* r : rcpts) {
      const RecipientOutcome* ro = nullptr;
      for (const auto& candidate : out.recipients)
        if (candidate.address == r->address) ro = &candidate;
      int code = ro ? ro->code : 0;
      Outcome o;
      o.relay = relay;
      o.remote_mta = remote_mta;
      if (code >= 200 && code < 300 && out.data_code >= 200 && out.data_code < 300) {
        o.state = RecipientState::SENT;
        o.status = fmt::format("Sent ({})", out.data_text);
        o.dsn = "2.0.0";
        note_step(w, entry, *r, 5, step_start(out), out.finished, host.name, peer_host, "smtp",
                  fmt::format("MAIL, RCPT, DATA: {} {}", out.data_code, out.data_text));
      } else if (code >= 500 || (code < 400 && out.data_code >= 500)) {
        bool at_rcpt = code >= 500;
        std::string reply = at_rcpt ? fmt::format("{} {} {}", code, ro->enhanced, ro->text)
                                    : fmt::format("{} {} {}", out.data_code, out.data_enhanced, out.data_text);
        o.state = RecipientState::FAILED;
        // stat= is the text after the address, as Sendmail logs it: "User unknown".
        auto dots = reply.find("... ");
        o.status = dots == std::string::npos ? reply.substr(4) : reply.substr(dots + 4);
        o.dsn = at_rcpt ? ro->enhanced : out.data_enhanced;
        o.reason = reply;
        // NOTE: the transcript lines follow Sendmail's usual bounce layout;
        // no recorded run shows a remote rejection, so details may differ.
        o.transcript = {fmt::format("... while talking to {}.:", target.name),
                        at_rcpt ? fmt::format(">>> RCPT To:<{}>", r->address) : std::string(">>> DATA"),
                        "<<< " + reply, reply};
        note_step(w, entry, *r, 5, step_start(out), w.now(), host.name, peer_host, "smtp",
                  fmt::format("refused: {}", reply), "rejected");
      } else {
        std::string reply = ro ? fmt::format("{} {} {}", code, ro->enhanced, ro->text) : "no reply";
        note_step(w, entry, *r, 5, step_start(out), w.now(), host.name, peer_host, "smtp",
                  fmt::format("deferred: {}", reply), "deferred");
        o.state = RecipientState::PENDING;
        o.status = "Deferred: " + reply;
        o.dsn = ro && !ro->enhanced.empty() ? ro->enhanced : "4.0.0";
      }
      settle(w, entry, {r}, o, host, attempt);
    }
    return;
  }

  // No MX host took the connection.
  if (!any_temporary && !unknown_host.empty()) {
    Outcome o;
    o.state = RecipientState::FAILED;
    o.status = fmt::format("Host unknown (Name server: {}.: host not found)", unknown_host);
    o.dsn = "5.1.2";
    o.reason = "550 Host unknown";
    o.remote_mta = domain;
    for (auto* r : rcpts)
      o.transcript.push_back(fmt::format("550 5.1.2 {}... {}", r->address, o.status));
    settle(w, entry, rcpts, o, host, attempt);
    return;
  }
  settle(w, entry, rcpts, deferred, host, attempt);
}

// The local users a local address reaches through /etc/aliases. postmaster
// and MAILER-DAEMON reach root when no alias names them, as every Sendmail
// aliases file has them (RFC 5321 §4.5.1 requires postmaster).
std::vector<std::string> local_users(const HostState& host, const std::string& address,
                                     std::vector<std::string>& remote_targets) {
  std::string user = config::text::to_lower(address.substr(0, address.rfind('@')));
  auto expansion = host.sendmail.aliases.expand(user, host.sendmail.class_w);
  std::vector<std::string> users;
  if (!expansion.error) {
    for (const auto& t : expansion.targets) {
      // NOTE: file and program targets (/path, |command) are not modelled.
      if (t.kind != config::AliasTargetKind::ADDRESS) continue;
      if (t.value.find('@') != std::string::npos) {
        remote_targets.push_back(t.value);  // forwarded by esmtp like any remote recipient
        continue;
      }
      users.push_back(config::text::to_lower(t.value));
    }
  }
  if (users.empty() && remote_targets.empty()) users.push_back(user);
  for (auto& u : users)
    if (u == "postmaster" || u == "mailer-daemon") u = "root";
  return users;
}

}  // namespace

void deliver_entry(HostState& host, const std::string& queue_id) {
  World& w = world();
  QueueEntry* entry = host.queue->find(queue_id);
  if (!entry || entry->locked) return;
  entry->locked = true;
  entry->attempts++;
  Attempt attempt{host.new_pid(), w.now()};
  entry->last_attempt = attempt.start;

  // MaxHopCount (25): a message with more Received headers is looping, so
  // Sendmail bounces it: "554 5.4.6 Too many hops".
  int hops = 0;
  for (const auto& field : message::parse_headers(entry->message))
    if (config::text::iequals(field.name, "Received")) ++hops;
  if (hops > kMaxHopCount) {
    for (auto& r : entry->recipients) {
      if (r.state != RecipientState::PENDING) continue;
      r.state = RecipientState::FAILED;
      r.status = fmt::format("Too many hops {} ({} max)", hops, kMaxHopCount);
      r.dsn = "5.4.6";
      r.reason = fmt::format("554 5.4.6 Too many hops {} ({} max)", hops, kMaxHopCount);
      r.transcript = {r.reason};
      mark_recipient(w, *entry, r, MessageStatus::BOUNCED, r.status);
    }
  }

  // Local recipients first: /etc/aliases expands each into the addresses
  // it stands for (each then delivered, forwarded or bounced on its own,
  // as Sendmail does), and the MDA takes the local users. Then one esmtp
  // delivery per domain, including addresses that aliases forward to.
  std::vector<QueuedRecipient> expanded;
  for (auto& r : entry->recipients) {
    if (r.state != RecipientState::PENDING) continue;
    std::string domain = domain_of(r.address);
    if (!domain.empty() && !host.sendmail.class_w.count(domain)) continue;
    note_step(w, *entry, r, 6, entry->created, w.now(), host.name, host.name + " local MDA", "local",
              fmt::format("{} is local: {} hands {} to the local mailer", r.address, host.name, entry->queue_id));
    std::string user = config::text::to_lower(r.address.substr(0, r.address.rfind('@')));
    auto expansion = host.sendmail.aliases.expand(user, host.sendmail.class_w);
    if (expansion.error) {
      // Sendmail: "554 5.4.6 aliasing/forwarding loop broken".
      r.state = RecipientState::FAILED;
      r.status = "aliasing/forwarding loop broken";
      r.dsn = "5.4.6";
      r.reason = "554 5.4.6 " + r.address + "... aliasing/forwarding loop broken";
      r.transcript = {r.reason};
      mark_recipient(w, *entry, r, MessageStatus::BOUNCED, r.status);
      log_delivery(host, *entry, {&r}, attempt, "local", "");
      continue;
    }
    std::vector<std::string> forwards;
    std::vector<std::string> users = local_users(host, r.address, forwards);
    bool aliased = !forwards.empty() || users.size() != 1 || users.front() != user;
    if (aliased) {
      // The alias itself is done; its targets carry on as recipients.
      for (const auto& u : users) forwards.push_back(u);
      for (const auto& target : forwards) {
        QueuedRecipient q;
        q.address = target;
        q.original = r.original;
        expanded.push_back(q);
      }
      r.state = RecipientState::SENT;
      r.status = "aliased";
      r.dsn = "2.0.0";
      continue;
    }
    LocalDelivery d = deliver_local(host, *entry, users.front(), r.original);
    r.state = d.ok ? RecipientState::SENT : RecipientState::FAILED;
    r.status = d.status;
    r.dsn = d.dsn;
    if (!d.ok) {
      r.reason = "550 5.1.1 " + r.address + "... User unknown";
      r.transcript = {r.reason};
      mark_recipient(w, *entry, r, MessageStatus::BOUNCED, d.status);
    }
    log_delivery(host, *entry, {&r}, attempt, "local", "");
  }

  // Local targets of aliases: delivered now, in this same process.
  for (auto& q : expanded) {
    if (q.address.find('@') != std::string::npos) continue;
    LocalDelivery d = deliver_local(host, *entry, q.address, q.original);
    q.state = d.ok ? RecipientState::SENT : RecipientState::FAILED;
    q.status = d.status;
    q.dsn = d.dsn;
    if (!d.ok) {
      q.reason = "550 5.1.1 " + q.address + "... User unknown";
      q.transcript = {q.reason};
      mark_recipient(w, *entry, q, MessageStatus::BOUNCED, d.status);
    }
    log_delivery(host, *entry, {&q}, attempt, "local", "");
  }
  for (auto& q : expanded) entry->recipients.push_back(std::move(q));
  std::map<std::string, std::vector<QueuedRecipient*>> remote;
  for (auto& r : entry->recipients) {
    if (r.state != RecipientState::PENDING) continue;
    std::string domain = domain_of(r.address);
    if (!domain.empty() && !host.sendmail.class_w.count(domain)) remote[domain].push_back(&r);
  }
  for (auto& [domain, rcpts] : remote) deliver_remote(host, *entry, domain, rcpts, attempt);

  bool pending = std::any_of(entry->recipients.begin(), entry->recipients.end(),
                             [](const QueuedRecipient& r) { return r.state == RecipientState::PENDING; });

  // Timeout.queuereturn returns mail still deferred after that long, and
  // Timeout.queuewarn sends the sender one notice that it is delayed.
  // Sendmail compares whole seconds of the wall clock (curtime() - e_ctime).
  double age = static_cast<double>(w.wall(w.now()) - w.wall(entry->created));
  if (pending && age >= host.sendmail.queue_return) {
    auto lines = message::queue_return_transcript(static_cast<std::int64_t>(host.sendmail.queue_return));
    bool first = true;
    for (auto& r : entry->recipients) {
      if (r.state != RecipientState::PENDING) continue;
      r.state = RecipientState::FAILED;
      r.dsn = "4.4.7";  // RFC 3463: delivery time expired
      r.reason.clear();
      r.transcript.clear();
      if (first) r.transcript = lines;
      first = false;
      mark_recipient(w, *entry, r, MessageStatus::BOUNCED, r.status);
    }
    pending = false;
  } else if (pending && host.sendmail.queue_warn > 0 && age >= host.sendmail.queue_warn) {
    warn_delayed(host, *entry);
  }
  bounce(host, *entry);

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
  run_job("sendmail", host.name, [h, queue_id] { deliver_entry(*h, queue_id); });
}

}  // namespace mailsim::sim
