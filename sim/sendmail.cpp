// sendmail -bd: the Sendmail daemon of a host and its per-connection SMTP
// server sessions (RFC 5321), and the periodic queue runner (-qINTERVAL).
//
// The daemon listens on DaemonPortOptions' Addr and Port. It listens on all
// addresses when Addr is absent, and only the host itself can connect when
// Addr is 127.0.0.1. Each connection gets a session actor that looks up the
// client's PTR record and runs the SMTP server engine. The access map's
// Connect:, From: and To: entries are applied as check_relay, check_mail
// and check_rcpt do. A recipient is accepted when its domain is in class w
// and the user exists, or when the access map lets this client relay.
// An accepted message is queued with its Received header (and Date and
// Message-Id when missing). In the default DeliveryMode=background it is
// handed at once to a delivery process. greet_pause (Debian build) and the
// anti-harvest reply delays pass in simulated time.
//
// Not modelled: MaxDaemonChildren, load average limits (QueueLA,
// RefuseLA), ETRN queue runs, STARTTLS, AUTH.
#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <simgrid/s4u.hpp>

#include "models/config/text.hpp"
#include "models/dns/message.hpp"
#include "models/message/header.hpp"
#include "models/message/sendmail_ids.hpp"
#include "models/message/trace.hpp"
#include "models/smtp/server_session.hpp"
#include "sim/actors.hpp"
#include "sim/context.hpp"
#include "sim/maillog.hpp"
#include "sim/resolver.hpp"

XBT_LOG_NEW_DEFAULT_SUBCATEGORY(sendmail, mailsim, "sendmail, the MTA");

namespace sg4 = simgrid::s4u;

namespace mailsim::sim {
namespace {

// The domain of an address, lower case and without a trailing dot
// (Sendmail canonicalizes `lee@naver.com.` to `lee@naver.com`).
std::string domain_of(const std::string& address) {
  auto at = address.rfind('@');
  if (at == std::string::npos) return std::string();
  std::string domain = config::text::to_lower(address.substr(at + 1));
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  return domain;
}

std::string local_part(const std::string& address) {
  auto at = address.rfind('@');
  return address.substr(0, at);
}

std::string reverse_name(const std::string& ip) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = ip.find('.', start);
    parts.push_back(ip.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) out += *it + ".";
  return out + "in-addr.arpa.";
}

// The reply for an access map REJECT or ERROR: Sendmail's "550 5.7.1
// <addr>... Access denied", or the ERROR entry's own code and text.
std::string access_reply(const config::Action& action, const std::string& as_typed) {
  std::string enhanced = action.enhanced_status.empty() ? std::string() : action.enhanced_status + " ";
  if (action.kind == config::ActionKind::REJECT) {
    std::string who = as_typed.empty() ? std::string() : as_typed + "... ";
    return fmt::format("{} {}{}{}", action.reply_code, enhanced, who, action.text);
  }
  return fmt::format("{} {}{}", action.reply_code, enhanced, action.text);
}

// The session's view of the host: recipient checks and the queue.
class SessionHooks : public smtp::ServerHooks {
 public:
  // Sendmail names the envelope when the connection arrives, so the first
  // message of a session and the session's own log lines share that id.
  SessionHooks(HostState& host, Connection& conn, const smtp::PeerInfo& peer, unsigned pid)
      : host_(host), conn_(conn), peer_(peer), pid_(pid),
        session_qid_(message::queue_id(world().wall_now(), host.queue_sequence++, pid)) {}

  const std::string& session_qid() const { return session_qid_; }
  std::string program() const { return fmt::format("sendmail[{}]", pid_); }

  std::int64_t now() override { return world().wall_now(); }

  // Connect: entries of the access map (Sendmail's check_relay), looked up
  // once per connection.
  void check_connect() {
    auto action = host_.sendmail.access.lookup_connect(peer_.ip, peer_.ptr_name);
    if (!action) return;
    if (action->kind == config::ActionKind::REJECT || action->kind == config::ActionKind::ERROR)
      connect_refusal_ = access_reply(*action, "");
    if (action->kind == config::ActionKind::DISCARD) discard_all_ = true;
  }

  std::optional<std::string> check_mail(const std::string& address, const std::string& as_typed) override {
    discard_message_ = discard_all_;
    discarded_rcpts_.clear();
    if (connect_refusal_) return connect_refusal_;
    auto action = host_.sendmail.access.lookup_from(address);
    if (!action) return std::nullopt;
    if (action->kind == config::ActionKind::DISCARD) discard_message_ = true;
    if (action->kind == config::ActionKind::REJECT || action->kind == config::ActionKind::ERROR)
      return access_reply(*action, as_typed);
    return std::nullopt;
  }

  std::optional<std::string> rcpt_access(const std::string& address, const std::string& as_typed) override {
    auto action = host_.sendmail.access.lookup_to(address);
    if (!action) return std::nullopt;
    if (action->kind == config::ActionKind::DISCARD) discarded_rcpts_.insert(config::text::to_lower(address));
    if (action->kind == config::ActionKind::REJECT || action->kind == config::ActionKind::ERROR)
      return access_reply(*action, as_typed);
    return std::nullopt;
  }

  smtp::RcptVerdict check_rcpt(const std::string& address) override {
    const SendmailSettings& sm = host_.sendmail;
    std::string domain = domain_of(address);
    if (domain.empty() || sm.class_w.count(domain)) {
      return local_user_exists(config::text::to_lower(local_part(address))) ? smtp::RcptVerdict::ACCEPT
                                                                             : smtp::RcptVerdict::USER_UNKNOWN;
    }
    auto verdict = config::decide_relay(sm.access, sm.class_w, peer_.ip, peer_.ptr_name, domain);
    if (verdict == config::RelayVerdict::RELAY_CLIENT || verdict == config::RelayVerdict::RELAY_RECIPIENT)
      return smtp::RcptVerdict::ACCEPT;
    return smtp::RcptVerdict::RELAY_DENIED;
  }

  std::string accept_message(const message::Envelope& envelope, std::string message_lf,
                             const smtp::SessionInfo& session) override {
    return accept_shared_message(envelope, std::make_shared<const std::string>(std::move(message_lf)), session);
  }

  std::string accept_shared_message(const message::Envelope& envelope, const message::SharedMessage& message_lf,
                                    const smtp::SessionInfo& session) override {
    World& w = world();
    // DISCARD: Sendmail replies as if it accepted, then throws the mail (or
    // those recipients' copies) away. The trace counts them as rejected.
    std::vector<std::string> kept;
    for (const auto& r : envelope.rcpt_to)
      if (!discard_message_ && !discarded_rcpts_.count(config::text::to_lower(r))) kept.push_back(r);
    if (kept.size() != envelope.rcpt_to.size()) {
      std::map<std::string, std::string> renamed;
      std::string trace_id = parse_message_tag(conn_.last_tag(), renamed);
      std::string qid = first_used_ ? message::queue_id(w.wall_now(), host_.queue_sequence++, pid_) : session_qid_;
      first_used_ = true;
      for (const auto& r : envelope.rcpt_to) {
        if (std::find(kept.begin(), kept.end(), r) != kept.end()) continue;
        mail_log(host_.name, program(), fmt::format("{}: <{}>... discarded by the access map", qid, r));
        if (MessageRecord* m = w.trace.message(trace_id)) {
          auto original = renamed.count(r) ? renamed[r] : r;
          if (RecipientRecord* rr = m->recipient(original)) {
            rr->status = MessageStatus::REJECTED;
            rr->last_reply = "discarded by " + host_.name + "'s access map (DISCARD)";
          }
        }
      }
      w.changed();
      if (kept.empty()) return qid;
      message::Envelope rest{envelope.mail_from, kept};
      first_used_ = false;
      session_qid_ = qid;
      return accept_shared_message(rest, message_lf, session);
    }
    std::string qid = first_used_ ? message::queue_id(w.wall_now(), host_.queue_sequence++, pid_) : session_qid_;
    first_used_ = true;
    message::QueueingInfo info;
    info.received.helo = session.helo_name;
    info.received.peer_name = session.peer.ptr_name;
    info.received.peer_ip = session.peer.ip;
    info.received.by_host = host_.sendmail.hostname;
    info.received.version = host_.sendmail.version;
    info.received.esmtp = session.esmtp;
    info.received.queue_id = qid;
    info.received.recipients = envelope.rcpt_to;
    info.received.when = session.mail_time;
    info.envelope_start = session.envelope_start;
    info.mail_from = envelope.mail_from;
    info.authentication_warnings = session.authentication_warnings;

    QueueEntry entry;
    entry.queue_id = qid;
    entry.sender = envelope.mail_from;
    entry.size = message_lf.size();
    entry.message = message::prepare_queued_message(message_lf, info);
    entry.created = w.now();
    std::map<std::string, std::string> renamed;
    entry.trace_id = parse_message_tag(conn_.last_tag(), renamed);
    entry.received_from = smtp::client_text(session.peer);
    entry.received_from_mta = session.peer.ptr_name.empty() ? "[" + session.peer.ip + "]" : session.peer.ptr_name;
    // Sendmail's initial priority: message size + class * 0 + 30000 per recipient (WkRecipFact).
    entry.priority = static_cast<long>(entry.size) + 30000L * static_cast<long>(envelope.rcpt_to.size());
    for (const auto& r : envelope.rcpt_to) {
      QueuedRecipient q;
      q.address = r;
      auto from_alias = renamed.find(r);
      q.original = from_alias == renamed.end() ? r : from_alias->second;
      entry.recipients.push_back(q);
    }
    std::string msgid = message::find_header(entry.message, "Message-Id").value_or("");
    mail_log(host_.name, program(),
             fmt::format("{}: from=<{}>, size={}, class=0, nrcpts={}, msgid={}, proto={}, daemon={}, relay={}", qid,
                         envelope.mail_from, entry.size, envelope.rcpt_to.size(), msgid,
                         session.esmtp ? "ESMTP" : "SMTP", host_.sendmail.daemon_name, entry.received_from));
    host_.queue->add(std::move(entry));
    accepted_.push_back(qid);
    w.changed();
    return qid;
  }

  std::vector<std::string> take_accepted() { return std::exchange(accepted_, {}); }

 private:
  bool local_user_exists(const std::string& user) const {
    if (host_.spec->user(user)) return true;
    // root and postmaster always exist on a Unix host (postmaster via aliases).
    if (user == "root" || user == "postmaster" || user == "mailer-daemon") return true;
    return host_.sendmail.aliases.find(user) != nullptr;
  }

  HostState& host_;
  Connection& conn_;
  smtp::PeerInfo peer_;
  unsigned pid_;
  std::string session_qid_;
  bool first_used_ = false;
  std::optional<std::string> connect_refusal_;  // Connect: REJECT or ERROR
  bool discard_all_ = false;                    // Connect: DISCARD
  bool discard_message_ = false;                // From: DISCARD for this transaction
  std::set<std::string> discarded_rcpts_;       // To: DISCARD
  std::vector<std::string> accepted_;
};

// Sendmail's log lines for what a session refused or ended with.
void log_session_events(HostState& host, const SessionHooks& hooks, const smtp::PeerInfo& peer,
                        const std::vector<smtp::ServerEvent>& events) {
  std::string relay = smtp::client_text(peer);
  for (const auto& e : events) {
    switch (e.kind) {
      case smtp::ServerEventKind::RECIPIENT_REJECTED: {
        // "550 5.7.1 <x>... Relaying denied" comes from the check_rcpt ruleset.
        auto open = e.detail.find('<');
        auto close = e.detail.find('>', open);
        std::string arg = open != std::string::npos && close != std::string::npos
                              ? e.detail.substr(open, close - open + 1)
                              : std::string();
        if (e.detail.find("Relaying denied") != std::string::npos) {
          mail_log(host.name, hooks.program(),
                   fmt::format("{}: ruleset=check_rcpt, arg1={}, relay={}, reject={}", hooks.session_qid(), arg, relay,
                               e.detail));
        } else {
          std::string text = e.detail.size() > 10 ? e.detail.substr(10) : e.detail;
          mail_log(host.name, hooks.program(), fmt::format("{}: {}", hooks.session_qid(), text));
        }
        break;
      }
      case smtp::ServerEventKind::SENDER_REJECTED:
        mail_log(host.name, hooks.program(),
                 fmt::format("{}: ruleset=check_mail, relay={}, reject={}", hooks.session_qid(), relay, e.detail));
        break;
      case smtp::ServerEventKind::MESSAGE_REJECTED:
      case smtp::ServerEventKind::PROTOCOL_VIOLATION:
        mail_log(host.name, hooks.program(), fmt::format("{}: {}", hooks.session_qid(), e.detail));
        break;
      case smtp::ServerEventKind::NULL_CONNECTION:
        mail_log(host.name, hooks.program(),
                 fmt::format("{}: {} during connection to {}", hooks.session_qid(), e.detail,
                             host.sendmail.daemon_name));
        break;
      default:
        break;
    }
  }
}

// Sends the engine's replies, sleeping where Sendmail sleeps before a reply
// (anti-harvest delays, RCPT throttling), and logs what the session did.
void send_reply(Connection& conn, const std::string& reply, const std::vector<smtp::ServerEvent>& events,
                HostState& host, const SessionHooks& hooks, const smtp::PeerInfo& peer) {
  log_session_events(host, hooks, peer, events);
  std::size_t sent = 0;
  for (const auto& e : events) {
    if (e.kind != smtp::ServerEventKind::REPLY_DELAYED || e.reply_offset < sent || e.reply_offset > reply.size())
      continue;
    if (e.reply_offset > sent) conn.send(reply.substr(sent, e.reply_offset - sent));
    sent = e.reply_offset;
    sg4::this_actor::sleep_for(e.delay_seconds);
  }
  if (sent < reply.size()) conn.send(reply.substr(sent));
}

smtp::ServerConfig server_config(const HostState& host) {
  smtp::ServerConfig c = host.sendmail.debian ? smtp::ServerConfig::debian(host.sendmail.hostname) : smtp::ServerConfig{};
  c.hostname = host.sendmail.hostname;
  c.version = host.sendmail.version;
  c.max_message_size = host.sendmail.max_message_size;
  const auto& p = host.sendmail.cf.privacy;
  c.privacy_novrfy = p.novrfy;
  c.privacy_noexpn = p.noexpn;
  c.privacy_noverb = p.noverb;
  c.privacy_noetrn = p.noetrn;
  c.privacy_noreceipts = p.noreceipts;
  c.privacy_needmailhelo = p.needmailhelo;
  c.privacy_needvrfyhelo = p.needvrfyhelo;
  c.privacy_needexpnhelo = p.needexpnhelo;
  c.privacy_authwarnings = p.authwarnings;
  return c;
}

void run_session(HostState& host, std::shared_ptr<Connection> conn) {
  World& w = world();
  conn->attach();
  unsigned pid = host.new_pid();

  // The client's name: "localhost" over loopback, else its PTR record.
  smtp::PeerInfo peer{conn->peer_ip(), ""};
  if (peer.ip == "127.0.0.1") {
    peer.ptr_name = "localhost";  // glibc resolves the loopback address from /etc/hosts
  } else {
    Resolver resolver(host);
    LookupResult r = resolver.query(reverse_name(peer.ip), dns::RecordType::PTR);
    if (r.status == LookupStatus::ANSWER) {
      std::string name = std::get<dns::NameData>(r.records.front().rdata).name;
      if (!name.empty() && name.back() == '.') name.pop_back();
      peer.ptr_name = name;
    }
  }

  SessionHooks hooks(host, *conn, peer, pid);
  hooks.check_connect();
  smtp::ServerSession session(server_config(host), peer, hooks);

  // greet_pause: a client that talks before the banner is refused (554).
  std::string input;
  bool early = false;
  if (host.sendmail.greet_pause > 0) {
    try {
      early = conn->recv(input, host.sendmail.greet_pause);
    } catch (const ConnectionTimedOut&) {
      early = false;
    }
  }
  conn->send(session.greeting(early));
  if (early) send_reply(*conn, session.feed(input), session.take_events(), host, hooks, peer);
  std::shared_ptr<const WirePayload> payload;
  while (!session.closed()) {
    bool open;
    try {
      open = conn->recv(input, payload, static_cast<double>(host.sendmail.cf.timeouts.command));
    } catch (const ConnectionTimedOut&) {
      break;
    }
    if (!open) {
      session.peer_closed();
      break;
    }
    std::string reply;
    try {
      if (!payload) {
        reply = session.feed(input);
      } else if (input.empty() && payload->encoding == WirePayload::Encoding::DOT_STUFFED) {
        // The client's DATA stream, still shared with the client's copy of the message.
        reply = session.feed_message(payload->text);
      } else {
        reply = session.feed(input + payload->render());
      }
    } catch (const smtp::NotModelledError& e) {
      // A command whose Sendmail reply is not modelled: tell the client and close.
      w.warnings.push_back(fmt::format("{}: SMTP session from {} closed: {}", host.name, peer.ip, e.what()));
      conn->send(fmt::format("421 4.3.0 {} {} is not modelled by mailsim; closing connection\r\n",
                             host.sendmail.hostname, e.what()));
      break;
    }
    auto events = session.take_events();
    // Background delivery: Sendmail forks the delivery process as soon as
    // the queue files are written, while the 250 is still on its way.
    for (const auto& qid : hooks.take_accepted()) spawn_delivery(host, qid);
    send_reply(*conn, reply, events, host, hooks, peer);
  }
  log_session_events(host, hooks, peer, session.take_events());
  conn->close();
  w.changed();
}

}  // namespace

void start_listener(HostState& host);
void start_queue_runner(HostState& host);

void start_sendmail(HostState& host) {
  // Without -bd nothing listens; `sendmail -q1h` alone only runs the queue.
  if (host.sendmail.daemon) start_listener(host);
  if (host.sendmail.queue_interval > 0) start_queue_runner(host);
}

void start_listener(HostState& host) {
  World& w = world();
  sg4::Host* sg_host = w.platform.hosts.at(host.name);
  HostState* h = &host;
  const ServiceSpec& service = host.spec->services.at("sendmail");
  // SimGrid keeps copies of an actor's function until the engine ends, so
  // the socket is handed over through a shared slot that the actor empties.
  auto initial = std::make_shared<std::shared_ptr<Listener>>();
  if (service.running_at(0))
    *initial = w.net.listen(host.name, host.sendmail.daemon_addr, host.sendmail.daemon_port, "smtp");
  sg4::Actor::create("sendmail", sg_host, [h, initial]() mutable {
    sg4::Actor::self()->daemonize();
    World& w = world();
    run_while_up(h->spec->services.at("sendmail"), [&](double stop) {
      std::shared_ptr<Listener> listener = std::move(*initial);
      if (!listener) listener = w.net.listen(h->name, h->sendmail.daemon_addr, h->sendmail.daemon_port, "smtp");
      while (w.now() < stop) {
        std::unique_ptr<Connection> accepted = listener->accept(std::isinf(stop) ? -1 : stop - w.now());
        if (!accepted) break;
        std::shared_ptr<Connection> conn(accepted.release());
        spawn_session("sendmail", h->name, std::move(conn),
                      [h](std::shared_ptr<Connection> c) { run_session(*h, c); });
      }
    });
  });
}

// The daemon runs the queue itself every -q interval, so a stopped daemon
// runs no queue either.
void start_queue_runner(HostState& host) {
  HostState* h = &host;
  sg4::Actor::create("queue-runner", world().platform.hosts.at(host.name), [h] {
    sg4::Actor::self()->daemonize();
    World& w = world();
    const ServiceSpec& service = h->spec->services.at("sendmail");
    while (true) {
      sg4::this_actor::sleep_for(h->sendmail.queue_interval);
      if (!service.running_at(w.now())) continue;
      for (const auto& qid : h->queue->run_order()) deliver_entry(*h, qid);
    }
  });
}

}  // namespace mailsim::sim
