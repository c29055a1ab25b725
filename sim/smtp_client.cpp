#include "sim/smtp_client.hpp"

#include <simgrid/s4u.hpp>

#include "models/smtp/client_session.hpp"
#include "sim/context.hpp"

namespace mailsim::sim {

SmtpOutcome run_smtp_client(Connection& conn, ClientRole role, const std::string& helo_name,
                            const message::Envelope& envelope, message::SharedMessage message_lf,
                            std::uint64_t size_param, const std::string& tag, double timeout) {
  World& w = world();
  smtp::ClientConfig config{helo_name, role == ClientRole::MTA ? smtp::ClientStyle::MTA : smtp::ClientStyle::MUA};
  smtp::ClientSession session(config, {smtp::Transaction{envelope, std::move(message_lf), size_param}});
  SmtpOutcome out;
  std::string input;
  int writes = 0;
  while (!session.done()) {
    bool open = false;
    try {
      open = conn.recv(input, timeout);
    } catch (const ConnectionTimedOut&) {
      open = false;
    }
    if (!open) {
      session.connection_closed();
      out.broken = true;
      break;
    }
    if (out.greeted < 0) out.greeted = w.now();
    smtp::ClientWrite write = session.feed_write(input);
    std::string& reply = write.bytes;
    if (session.done() && reply.empty() && !write.message) break;
    if (reply.empty() && !write.message) continue;
    // The second write after the banner is MAIL: the EHLO exchange is over.
    if (++writes == 2) out.mail_sent = w.now();
    bool before_final = session.state() == smtp::ClientState::AWAIT_QUIT;
    if (before_final && out.finished < 0) out.finished = w.now();
    if (write.message) {
      conn.send(reply, std::make_shared<const WirePayload>(WirePayload{*write.message, WirePayload::Encoding::DOT_STUFFED}), tag);
    } else {
      conn.send(reply, tag);
    }
  }
  if (out.finished < 0) out.finished = w.now();

  const auto& results = session.results();
  if (!results.empty()) {
    const smtp::TransactionResult& r = results.front();
    for (const auto& rr : r.recipients)
      out.recipients.push_back(RecipientOutcome{rr.address, rr.reply.code, rr.reply.enhanced, rr.reply.text});
    if (r.has_data_reply) {
      out.data_code = r.data_reply.code;
      out.data_enhanced = r.data_reply.enhanced;
      out.data_text = r.data_reply.text;
    }
    if (r.failed_stage != smtp::ClientStage::NONE && r.failed_stage != smtp::ClientStage::RCPT) {
      out.failure_code = r.failure.code;
      out.failure_enhanced = r.failure.enhanced;
      out.failure_text = r.failure.text;
      if (r.failed_stage == smtp::ClientStage::CONNECTION) out.broken = true;
    }
    if (out.broken && r.delivered()) out.broken = false;
    out.loops_back = r.loops_back;
  }
  return out;
}

}  // namespace mailsim::sim
