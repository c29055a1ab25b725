#include "sim/pop3_client.hpp"

#include "models/message/header.hpp"
#include "models/pop3/client.hpp"
#include "sim/context.hpp"

namespace mailsim::sim {

Pop3Fetch run_pop3_client(Connection& conn, const std::string& user, const std::string& password, bool keep,
                          double timeout, std::set<std::string>& known_uids) {
  World& w = world();
  pop3::ClientSession session(pop3::ClientConfig{user, password, keep, known_uids});
  Pop3Fetch out;
  std::string input;
  std::shared_ptr<const WirePayload> payload;
  double retr_sent = -1;
  size_t seen = 0;
  while (!session.done()) {
    bool open = false;
    try {
      open = conn.recv(input, payload, timeout);
    } catch (const ConnectionTimedOut&) {
      open = false;
    }
    if (!open) break;
    std::string next;
    try {
      next = session.feed(input);
      // A RETR response's message arrives by reference and is kept that way.
      if (payload && payload->encoding == WirePayload::Encoding::DOT_STUFFED) {
        next += session.feed_message(payload->text);
      } else if (payload) {
        next += session.feed(payload->render());
      }
    } catch (const std::runtime_error& e) {
      // A reply the client cannot parse ends its session, as a client would.
      out.failure = e.what();
      break;
    }

    // A message completed with this read: it arrived now, and the segment's
    // tag names the delivery it was.
    while (seen < session.messages().size()) {
      const auto& m = session.messages()[seen++];
      FetchedMessage f;
      f.number = static_cast<int>(m.number);
      f.octets = m.size;
      f.content = m.content;
      auto rp = message::find_header(m.content, "Return-Path");
      if (rp) {
        std::string s = *rp;
        if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
        f.sender = s.empty() ? "MAILER-DAEMON" : s;
      } else {
        f.sender = "MAILER-DAEMON";
      }
      f.requested = retr_sent;
      if (!m.uid.empty()) known_uids.insert(m.uid);
      f.received = w.now();
      const std::string& tag = conn.last_tag();
      auto nl = tag.find('\n');
      if (nl != std::string::npos) {
        f.trace_id = tag.substr(0, nl);
        f.recipient = tag.substr(nl + 1);
      }
      out.messages.push_back(std::move(f));
    }
    if (!next.empty()) {
      if (next.rfind("RETR ", 0) == 0) retr_sent = w.now();
      conn.send(next);
    }
  }
  out.logged_in = session.state() == pop3::ClientState::DONE && session.failure().empty();
  out.failure = session.failure();
  return out;
}

}  // namespace mailsim::sim
