// Dovecot 2.3's POP3 (RFC 1939) and IMAP4rev1 (RFC 3501) services: POP3
// listens on port 110 when `pop3` is in `protocols` and IMAP on 143 when
// `imap` is, on every address for `listen = *` (only on 127.0.0.1 when
// `listen` names nothing else). Each connection gets a pop3 session actor
// running the POP3 server engine over the user's INBOX, the file that
// `mail_location`'s INBOX= names (/var/mail/%u in the lab). Passwords are
// the scenario's users' passwords (passwd-file/PAM in the real server).
//
// A failed login's reply waits auth_failure_delay (2 s), as in Dovecot.
// IMAP serves INBOX only.
//
// Not modelled: TLS (ssl = yes is accepted but the session stays in clear
// text), other IMAP folders, mail_max_userip_connections.
#include <cmath>

#include <fmt/format.h>
#include <simgrid/s4u.hpp>

#include "models/config/text.hpp"
#include "models/imap/server.hpp"
#include "models/pop3/multiline.hpp"
#include "models/pop3/server.hpp"
#include "sim/actors.hpp"
#include "sim/context.hpp"
#include "sim/maillog.hpp"

XBT_LOG_NEW_DEFAULT_SUBCATEGORY(dovecot, mailsim, "dovecot, the POP3 server");

namespace sg4 = simgrid::s4u;

namespace mailsim::sim {
namespace {

constexpr double kAuthFailureDelay = 2;  // Dovecot's auth_failure_delay default, seconds

class Pop3Hooks : public pop3::ServerHooks {
 public:
  explicit Pop3Hooks(HostState& host) : host_(host) {}

  bool authenticate(const std::string& user, const std::string& password) override {
    const UserSpec* u = host_.spec->user(user);
    return u && !u->password.empty() && u->password == password;
  }

  mailbox::Mailbox& open_maildrop(const std::string& user) override {
    std::string path = inbox_path(user);
    opened_path_ = path;
    // Dovecot creates an empty INBOX view when the file does not exist yet.
    return host_.spool[path].box;
  }

  std::int64_t now() override { return world().wall_now(); }

  std::string inbox_path(const std::string& user) const {
    const auto& location = host_.dovecot.mail_location;
    std::string home = "/home/" + user;
    if (location) {
      std::string p = location->inbox_path(user, home);
      if (!p.empty()) return p;
    }
    return "/var/mail/" + user;
  }

  const std::string& opened_path() const { return opened_path_; }

 private:
  HostState& host_;
  std::string opened_path_;
};

// Dovecot's 16-character session id (base64 of 12 bytes) and the mail
// process id, drawn from the host's random stream.
struct SessionIds {
  std::string session;
  unsigned mpid = 0;
  double start = 0;
};

SessionIds new_session_ids(HostState& host) {
  static const char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  SessionIds ids;
  for (int i = 0; i < 16; ++i) ids.session += kBase64[host.random() % 64];
  ids.mpid = host.new_pid();
  ids.start = world().now();
  return ids;
}

// Dovecot's Login:, Disconnected: and auth-failure lines for a POP3 session.
void log_pop3_events(HostState& host, const Connection& conn, const SessionIds& ids,
                     const std::vector<pop3::ServerEvent>& events) {
  World& w = world();
  std::string addresses = fmt::format("rip={}, lip={}{}", conn.peer_ip(), conn.local_ip(),
                                      conn.peer_ip() == conn.local_ip() ? ", secured" : "");
  long secs = static_cast<long>(w.now() - ids.start + 0.5);
  for (const auto& e : events) {
    switch (e.type) {
      case pop3::ServerEventType::LOGIN:
        mail_log(host.name, "dovecot",
                 fmt::format("pop3-login: Login: user=<{}>, method={}, {}, mpid={}, session=<{}>", e.user, e.method,
                             addresses, ids.mpid, ids.session));
        break;
      case pop3::ServerEventType::LOGOUT:
        mail_log(host.name, "dovecot",
                 fmt::format("pop3({})<{}><{}>: Disconnected: {} {}", e.user, ids.mpid, ids.session, e.reason,
                             pop3::format_counters(e.counters)));
        break;
      case pop3::ServerEventType::LOGIN_DISCONNECTED: {
        std::string attempts = e.auth_attempts > 0
                                   ? fmt::format("auth failed, {} attempts in {} secs", e.auth_attempts, secs)
                                   : fmt::format("no auth attempts in {} secs", secs);
        std::string method = e.auth_attempts > 0 ? ", method=PLAIN" : "";
        mail_log(host.name, "dovecot",
                 fmt::format("pop3-login: Disconnected: {} ({}): user=<{}>{}, {}, session=<{}>", e.reason, attempts,
                             e.user, method, addresses, ids.session));
        break;
      }
      default:
        break;
    }
  }
}

// The trace tag of the message at `index` in the mailbox at `path`, or ""
// when it is not a traced delivery.
std::string trace_tag(HostState& host, const std::string& path, std::size_t index) {
  SpoolMailbox& spool = host.spool[path];
  if (index >= spool.box.count()) return "";
  auto it = host.traced.find({path, spool.box.message(index).content.shared.get()});
  return it == host.traced.end() ? "" : it->second.trace_id + "\n" + it->second.recipient;
}

// A session's reply: bytes, then for a POP3 RETR the message by reference. The IMAP engine
// replies with bytes only.
using SessionWrite = pop3::ServerWrite;

std::vector<SessionWrite> feed_writes(pop3::ServerSession& s, const std::string& input) {
  return s.feed_writes(input);
}
std::vector<SessionWrite> feed_writes(imap::ServerSession& s, const std::string& input) {
  return {SessionWrite{s.feed(input), std::nullopt}};
}

// Sends a reply in one transfer, as the daemon writes it in one go. A message goes by reference
// when it ends the reply.
void send_writes(Connection& conn, std::vector<SessionWrite> writes, const std::string& tag) {
  if (writes.size() == 1 && writes[0].message) {
    auto payload = std::make_shared<const WirePayload>(
        WirePayload{std::move(*writes[0].message), WirePayload::Encoding::DOT_STUFFED});
    conn.send(std::move(writes[0].bytes), std::move(payload), tag);
    return;
  }
  // NOTE: replies to commands pipelined after a RETR follow its message in the same transfer,
  // so the message is encoded into a copy here.
  std::string bytes;
  for (SessionWrite& write : writes) {
    bytes += write.bytes;
    if (write.message) bytes += pop3::encode_multiline(*write.message);
  }
  if (!bytes.empty()) conn.send(std::move(bytes), tag);
}

bool holds_failed_login(const pop3::ServerSession& s) { return s.state() == pop3::ServerState::AUTH_FAILED_DELAY; }
bool holds_failed_login(const imap::ServerSession& s) { return s.state() == imap::ServerState::AUTH_FAILED_DELAY; }

// Runs a Dovecot session engine (POP3 or IMAP) over a connection until
// either side closes. A failed login's reply waits auth_failure_delay, as
// in Dovecot. `tag_of` names the traced message a reply carries, and
// `farewell` is sent when the engine meets a command it does not model.
template <typename Session, typename LogEvents, typename TagOf>
void drive_session(HostState& host, Connection& conn, Session& session, double idle_timeout,
                   const std::string& farewell, LogEvents log_events, TagOf tag_of) {
  conn.send(session.greeting());
  std::string input;
  while (!session.closed()) {
    bool open = false;
    try {
      open = conn.recv(input, idle_timeout);
    } catch (const ConnectionTimedOut&) {
      open = false;
    }
    if (!open) {
      session.connection_lost();
      break;
    }

    std::vector<SessionWrite> writes;
    try {
      writes = feed_writes(session, input);
    } catch (const std::logic_error& e) {
      world().warnings.push_back(
          fmt::format("{}: {} session from {} closed: {}", host.name, conn.protocol(), conn.peer_ip(), e.what()));
      conn.send(farewell);
      break;
    }
    if (holds_failed_login(session)) {
      // NOTE: the per-address penalty that lengthens later delays is not modelled.
      send_writes(conn, std::move(writes), "");
      sg4::this_actor::sleep_for(kAuthFailureDelay);
      writes = {SessionWrite{session.release_delayed_reply(), std::nullopt}};
    }

    auto events = session.take_events();
    log_events(events);
    std::string tag;
    for (const auto& e : events) {
      std::string t = tag_of(e);
      if (!t.empty()) tag = t;
    }
    send_writes(conn, std::move(writes), tag);
  }
  log_events(session.take_events());
  conn.close();
  world().changed();
}

void run_pop3_session(HostState& host, std::shared_ptr<Connection> conn) {
  conn->attach();
  SessionIds ids = new_session_ids(host);
  Pop3Hooks hooks(host);
  pop3::ServerConfig config;
  config.disable_plaintext_auth = host.dovecot.disable_plaintext_auth;
  // The lab runs without TLS; with disable_plaintext_auth = yes Dovecot then
  // rejects USER/PASS, as the real one does on an unencrypted connection.
  config.secured = conn->peer_ip().rfind("127.", 0) == 0;
  config.hostname = host.name.substr(0, host.name.find('.'));
  pop3::ServerSession session(config, hooks);
  drive_session(
      host, *conn, session, 600,  // Dovecot disconnects idle POP3 clients after 10 minutes
      "-ERR [SYS/PERM] mailsim does not model this command\r\n",
      [&](const std::vector<pop3::ServerEvent>& events) { log_pop3_events(host, *conn, ids, events); },
      [&](const pop3::ServerEvent& e) {
        if (e.type != pop3::ServerEventType::RETR || e.message == 0) return std::string();
        return trace_tag(host, hooks.opened_path(), e.message - 1);
      });
}

class ImapHooks : public imap::ServerHooks {
 public:
  explicit ImapHooks(HostState& host) : host_(host), pop3_(host) {}
  bool authenticate(const std::string& user, const std::string& password) override {
    return pop3_.authenticate(user, password);
  }
  mailbox::Mailbox* open_mailbox(const std::string& user, const std::string& name) override {
    if (!config::text::iequals(name, "INBOX")) return nullptr;  // only INBOX is modelled
    opened_path_ = pop3_.inbox_path(user);
    return &host_.spool[opened_path_].box;
  }
  std::vector<std::string> list_mailboxes(const std::string&) override { return {"INBOX"}; }
  std::int64_t now() override { return world().wall_now(); }
  const std::string& opened_path() const { return opened_path_; }

 private:
  HostState& host_;
  Pop3Hooks pop3_;
  std::string opened_path_;
};

void log_imap_events(HostState& host, const Connection& conn, const SessionIds& ids,
                     const std::vector<imap::ServerEvent>& events) {
  std::string addresses = fmt::format("rip={}, lip={}{}", conn.peer_ip(), conn.local_ip(),
                                      conn.peer_ip() == conn.local_ip() ? ", secured" : "");
  for (const auto& e : events) {
    if (e.type == imap::ServerEventType::LOGIN) {
      mail_log(host.name, "dovecot",
               fmt::format("imap-login: Login: user=<{}>, method={}, {}, mpid={}, session=<{}>", e.user, e.method,
                           addresses, ids.mpid, ids.session));
    } else if (e.type == imap::ServerEventType::LOGOUT) {
      mail_log(host.name, "dovecot",
               fmt::format("imap({})<{}><{}>: Disconnected: {} {}", e.user, ids.mpid, ids.session, e.reason,
                           imap::format_counters(e.counters)));
    } else if (e.type == imap::ServerEventType::LOGIN_DISCONNECTED) {
      mail_log(host.name, "dovecot",
               fmt::format("imap-login: Disconnected: {}: {}, session=<{}>", e.reason, addresses, ids.session));
    }
  }
}

void run_imap_session(HostState& host, std::shared_ptr<Connection> conn) {
  conn->attach();
  SessionIds ids = new_session_ids(host);
  ImapHooks hooks(host);
  imap::ServerConfig config;
  config.disable_plaintext_auth = host.dovecot.disable_plaintext_auth;
  config.secured = conn->peer_ip().rfind("127.", 0) == 0;
  config.hostname = host.name.substr(0, host.name.find('.'));
  imap::ServerSession session(config, hooks);
  drive_session(
      host, *conn, session, 1800,  // Dovecot's IMAP idle limit is 30 minutes
      "* BYE mailsim does not model this command\r\n",
      [&](const std::vector<imap::ServerEvent>& events) { log_imap_events(host, *conn, ids, events); },
      [&](const imap::ServerEvent& e) {
        if (e.type != imap::ServerEventType::FETCH) return std::string();
        return trace_tag(host, hooks.opened_path(), host.spool[hooks.opened_path()].box.index_of(e.uid));
      });
}

// Starts one Dovecot listener (pop3 on 110 or imap on 143) and its sessions.
void start_listener(HostState& host, const std::string& bind, int port, const std::string& protocol,
                    void (*session)(HostState&, std::shared_ptr<Connection>)) {
  HostState* h = &host;
  // SimGrid keeps copies of an actor's function until the engine ends, so
  // the socket is handed over through a shared slot that the actor empties.
  auto initial = std::make_shared<std::shared_ptr<Listener>>();
  if (host.spec->services.at("dovecot").running_at(0)) *initial = world().net.listen(host.name, bind, port, protocol);
  sg4::Actor::create("dovecot", world().platform.hosts.at(host.name), [h, bind, port, protocol, session, initial] {
    sg4::Actor::self()->daemonize();
    World& w = world();
    run_while_up(h->spec->services.at("dovecot"), [&](double stop) {
      std::shared_ptr<Listener> listener = std::move(*initial);
      if (!listener) listener = w.net.listen(h->name, bind, port, protocol);
      while (w.now() < stop) {
        std::unique_ptr<Connection> accepted = listener->accept(std::isinf(stop) ? -1 : stop - w.now());
        if (!accepted) break;
        std::shared_ptr<Connection> conn(accepted.release());
        spawn_session(protocol, h->name, std::move(conn),
                      [h, session](std::shared_ptr<Connection> c) { session(*h, c); });
      }
    });
  });
}

}  // namespace

void start_dovecot(HostState& host) {
  bool any = false;
  for (const auto& l : host.dovecot.listen) any |= l == "*" || l == "0.0.0.0" || l == host.ip;
  std::string bind = any ? "0.0.0.0" : "127.0.0.1";
  if (host.dovecot.has_protocol("pop3")) start_listener(host, bind, 110, "pop3", &run_pop3_session);
  if (host.dovecot.has_protocol("imap")) start_listener(host, bind, 143, "imap", &run_imap_session);
}

}  // namespace mailsim::sim
