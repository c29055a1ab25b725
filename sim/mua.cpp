// The mail client on a PC (the lab's Evolution and Thunderbird): composes a
// message and submits it to its SMTP server (step 1), or checks a mailbox
// over POP3 every few seconds, fetching each message (steps 8-9) into the
// PC user's local Inbox and deleting it on the server unless told to keep it.
//
// The server name is resolved through the PC's resolver (an A query), as a
// real client does. A refused or timed-out submission is not retried: the
// message counts as rejected at submission, as the user sees an error.
//
// Not modelled: SMTP AUTH, STARTTLS, a client-side outbox retry, IMAP.
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <simgrid/s4u.hpp>

#include "models/config/text.hpp"
#include "models/dns/message.hpp"
#include "models/message/compose.hpp"
#include "sim/actors.hpp"
#include "sim/context.hpp"
#include "sim/pop3_client.hpp"
#include "sim/resolver.hpp"
#include "sim/smtp_client.hpp"

XBT_LOG_NEW_DEFAULT_SUBCATEGORY(mua, mailsim, "mail clients on the PCs");

namespace sg4 = simgrid::s4u;

namespace mailsim::sim {
namespace {

constexpr double kClientConnectTimeout = 127;  // Linux gives up a connect after 127 s (tcp_syn_retries = 6)
constexpr double kClientReplyTimeout = 300;   // seconds a client waits for a reply

// Resolves a server name the way a client does; returns "" when it cannot.
std::string resolve_server(HostState& pc, const std::string& server, std::string& problem) {
  bool numeric = !server.empty() && server.find_first_not_of("0123456789.") == std::string::npos;
  if (numeric) return server;
  Resolver resolver(pc);
  LookupResult r = resolver.address_of(server);
  if (r.status != LookupStatus::ANSWER) {
    problem = fmt::format("cannot resolve {}: {}", server, r.detail);
    return "";
  }
  return std::get<dns::AData>(r.records.front().rdata).address;
}

// Step (1) through the webmail: the browser posts the message to Roundcube,
// which submits it over SMTP and replies whether it was sent.
void post_to_webmail(Connection& conn, const WorkloadItem& item, const SendSpec& send,
                     const std::shared_ptr<const std::string>& text, double start, const std::string& server_host) {
  World& w = world();
  conn.set_protocol("http");
  // The body travels by reference: Roundcube gets the same shared text.
  conn.send(fmt::format("POST /?_task=mail&_action=send HTTP/1.1\r\nHost: {}\r\nContent-Type: message/rfc822\r\n"
                        "Content-Length: {}\r\n\r\n",
                        send.server, text->size()),
            std::make_shared<const WirePayload>(WirePayload{text, WirePayload::Encoding::RAW}), item.name);
  std::string response, chunk;
  while (true) {
    bool open = false;
    try {
      open = conn.recv(chunk, kClientReplyTimeout);
    } catch (const ConnectionTimedOut&) {
      open = false;
    }
    if (!open) break;
    response += chunk;
  }
  conn.close();
  bool ok = false;
  std::string message = "no reply from the webmail";
  auto body = response.find("\r\n\r\n");
  if (body != std::string::npos) {
    auto reply = nlohmann::json::parse(response.substr(body + 4), nullptr, false);
    if (!reply.is_discarded() && reply.contains("ok")) {
      ok = reply["ok"].get<bool>();
      message = reply.value("message", "");
    }
  }
  MessageRecord& m = *w.trace.message(item.name);
  for (auto& r : m.recipients) {
    StepRecord s1{1, start, w.now(), item.pc, server_host + " (webmail)", "http", message, r.address};
    s1.outcome = ok ? "ok" : "rejected";
    w.trace.add_step(item.name, s1);
    if (!ok && r.status == MessageStatus::QUEUED) {
      r.status = MessageStatus::REJECTED;
      r.last_reply = message;
    }
  }
}

void submit(const WorkloadItem& item, size_t item_index) {
  World& w = world();
  HostState& pc = w.host(item.pc);
  const SendSpec& send = *item.send;

  message::Draft draft;
  draft.from = send.from;
  draft.to = send.to;
  draft.subject = send.subject;
  draft.body = send.body;
  for (size_t i = 0; i < send.attachments.size(); ++i) {
    const auto& a = send.attachments[i];
    draft.attachments.push_back(
        {a.filename, a.content_type, a.size, message::attachment_seed(w.scenario.seed, item_index, i)});
  }
  auto text = std::make_shared<const std::string>(message::compose(draft));

  MessageRecord& rec = w.trace.add_message(item.name);
  rec.from = send.from;
  rec.to = send.to;
  rec.size = text->size();
  rec.submitted = w.now();
  // Sendmail delivers one copy per distinct address (compared without case).
  for (const auto& r : send.to) {
    bool seen = false;
    for (const auto& existing : rec.recipients) seen |= config::text::iequals(existing.address, r);
    if (seen) continue;
    RecipientRecord rr;
    rr.address = r;
    rec.recipients.push_back(rr);
  }

  auto reject_all = [&](const std::string& why) {
    for (auto& r : w.trace.message(item.name)->recipients) {
      r.status = MessageStatus::REJECTED;
      r.last_reply = why;
    }
  };

  std::string problem;
  std::string ip = resolve_server(pc, send.server, problem);
  double start = w.now();
  std::unique_ptr<Connection> conn;
  bool webmail = send.via == "webmail";
  if (!ip.empty()) {
    try {
      conn = w.net.connect(pc.name, ip, webmail ? 80 : send.port, kClientConnectTimeout);
    } catch (const ConnectionRefused& e) {
      problem = e.what();
    } catch (const ConnectionTimedOut& e) {
      problem = e.what();
    }
  }
  std::string server_host = ip.empty() ? send.server : w.net.host_of_ip(ip);
  if (!conn) {
    StepRecord failed{1, start, w.now(), item.pc, server_host, "smtp", problem, ""};
    failed.outcome = problem.find("refused") != std::string::npos ? "refused" : "timeout";
    w.trace.add_step(item.name, failed);
    reject_all(problem);
    return;
  }

  if (webmail) {
    post_to_webmail(*conn, item, send, text, start, server_host);
    return;
  }

  message::Envelope envelope{send.from, send.to};
  SmtpOutcome out = run_smtp_client(*conn, ClientRole::MUA, item.pc, envelope, text, 0, item.name,
                                    kClientReplyTimeout);
  conn->close();

  MessageRecord& m = *w.trace.message(item.name);
  std::string detail;
  if (out.data_code >= 200 && out.data_code < 300) {
    detail = fmt::format("{} {}", out.data_code, out.data_text);
  } else if (out.failure_code) {
    detail = fmt::format("{} {} {}", out.failure_code, out.failure_enhanced, out.failure_text);
  } else if (out.data_code) {
    detail = fmt::format("{} {} {}", out.data_code, out.data_enhanced, out.data_text);
  } else if (!out.recipients.empty() && out.recipients.front().code >= 400) {
    // Every recipient was refused, so the client never sent DATA.
    const auto& first = out.recipients.front();
    detail = fmt::format("{} {} {}", first.code, first.enhanced, first.text);
  } else {
    detail = "connection lost";
  }
  for (auto& r : m.recipients) {
    StepRecord s1{1, start, out.finished >= 0 ? out.finished : w.now(), item.pc, server_host, "smtp", detail,
                  r.address};
    const RecipientOutcome* ro = nullptr;
    for (const auto& o : out.recipients)
      if (config::text::iequals(o.address, r.address)) ro = &o;
    int code = out.failure_code;
    if (out.data_code) code = out.data_code;
    if (ro && ro->code >= 400) code = ro->code;
    if (code >= 500) s1.outcome = "rejected";
    else if (code >= 400 || code == 0) s1.outcome = "deferred";
    if (ro && ro->code >= 400) s1.detail = fmt::format("{} {} {}", ro->code, ro->enhanced, ro->text);
    w.trace.add_step(item.name, s1);
  }
  bool accepted = out.data_code >= 200 && out.data_code < 300;
  for (auto& r : m.recipients) {
    const RecipientOutcome* ro = nullptr;
    for (const auto& o : out.recipients)
      if (o.address == r.address) ro = &o;
    if (!accepted) {
      r.status = MessageStatus::REJECTED;
      r.last_reply = detail;
    } else if (!ro || ro->code < 200 || ro->code >= 300) {
      r.status = MessageStatus::REJECTED;
      r.last_reply = ro ? fmt::format("{} {} {}", ro->code, ro->enhanced, ro->text) : "no reply";
    }
  }
}

void check_mailbox(const WorkloadItem& item) {
  World& w = world();
  HostState& pc = w.host(item.pc);
  const FetchSpec& fetch = *item.fetch;
  std::set<std::string> known_uids;  // what this client left on the server and already has
  while (true) {
    std::string problem;
    std::string ip = resolve_server(pc, fetch.server, problem);
    if (!ip.empty()) {
      double start = w.now();
      try {
        auto conn = w.net.connect(pc.name, ip, 110, kClientConnectTimeout);
        Pop3Fetch result = run_pop3_client(*conn, fetch.user, fetch.password, fetch.keep, kClientReplyTimeout,
                                           known_uids);
        conn->close();
        std::string server_host = w.net.host_of_ip(ip);
        double listed = result.messages.empty() ? w.now() : result.messages.front().requested;
        if (!result.failure.empty()) {
          w.trace.notes.push_back(fmt::format("{} s: {} fetching {}@{}: {}", w.now(), item.pc, fetch.user,
                                              fetch.server, result.failure));
        }
        for (const auto& got : result.messages) {
          auto& inbox = pc.inbox[fetch.local_user];
          inbox.push_back(InboxMessage{got.sender, got.received, got.content});
          MessageRecord* m = w.trace.message(got.trace_id);
          if (!m) continue;
          if (RecipientRecord* r = m->recipient(got.recipient)) {
            if (!r->retrieved) r->retrieved = got.received;
          }
          m->steps.push_back(StepRecord{8, start, listed, item.pc, server_host, "pop3",
                                        fmt::format("USER/PASS, STAT, LIST as {}", fetch.user), got.recipient});
          m->steps.push_back(StepRecord{9, got.requested, got.received, server_host, item.pc, "pop3",
                                        fmt::format("RETR {}: {} octets", got.number, got.octets), got.recipient});
        }
        w.changed();
      } catch (const ConnectionRefused&) {
      } catch (const ConnectionTimedOut&) {
      }
    }
    sg4::this_actor::sleep_for(fetch.every);
  }
}

}  // namespace

void start_workload_item(const WorkloadItem& item) {
  World& w = world();
  size_t index = static_cast<size_t>(&item - w.scenario.workload.data());
  const WorkloadItem* it = &item;
  sg4::Actor::create(item.send ? "mua-send" : "mua-fetch", w.platform.hosts.at(item.pc), [it, index] {
    sg4::Actor::self()->daemonize();
    World& w = world();
    sg4::this_actor::sleep_until(it->at);
    if (it->send) {
      submit(*it, index);
      --w.sends_pending;
      w.changed();
    } else {
      check_mailbox(*it);
    }
  });
}

}  // namespace mailsim::sim
