#include "models/smtp/client_session.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "models/smtp/data_codec.hpp"

namespace mailsim::smtp {
namespace {

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Reply synthetic(int code, std::string enhanced, std::string text) {
  Reply r;
  r.code = code;
  r.enhanced = std::move(enhanced);
  r.text = std::move(text);
  r.lines.push_back(r.enhanced.empty() ? r.text : r.enhanced + " " + r.text);
  return r;
}

}  // namespace

const char* to_string(ClientStage stage) {
  switch (stage) {
    case ClientStage::NONE:
      return "NONE";
    case ClientStage::GREETING:
      return "GREETING";
    case ClientStage::HELLO:
      return "HELLO";
    case ClientStage::MAIL:
      return "MAIL";
    case ClientStage::RCPT:
      return "RCPT";
    case ClientStage::DATA:
      return "DATA";
    case ClientStage::END_OF_DATA:
      return "END_OF_DATA";
    case ClientStage::CONNECTION:
      return "CONNECTION";
  }
  return "?";
}

const char* to_string(ClientState state) {
  switch (state) {
    case ClientState::AWAIT_GREETING:
      return "AWAIT_GREETING";
    case ClientState::AWAIT_HELLO:
      return "AWAIT_HELLO";
    case ClientState::AWAIT_MAIL:
      return "AWAIT_MAIL";
    case ClientState::AWAIT_RCPT:
      return "AWAIT_RCPT";
    case ClientState::AWAIT_DATA:
      return "AWAIT_DATA";
    case ClientState::AWAIT_END_OF_DATA:
      return "AWAIT_END_OF_DATA";
    case ClientState::AWAIT_RSET:
      return "AWAIT_RSET";
    case ClientState::AWAIT_QUIT:
      return "AWAIT_QUIT";
    case ClientState::IDLE:
      return "IDLE";
    case ClientState::CLOSED:
      return "CLOSED";
  }
  return "?";
}

bool TransactionResult::temporary_failure() const {
  if (failed_stage != ClientStage::NONE) return failure.code == 0 || failure.transient();
  return has_data_reply && data_reply.transient();
}

bool TransactionResult::permanent_failure() const {
  if (failed_stage != ClientStage::NONE) return failure.permanent();
  return has_data_reply && data_reply.permanent();
}

ClientSession::ClientSession(ClientConfig config, std::vector<Transaction> transactions)
    : config_(std::move(config)), transactions_(std::move(transactions)) {
  for (const Transaction& t : transactions_) {
    TransactionResult result;
    for (const std::string& rcpt : t.envelope.rcpt_to) result.recipients.push_back({rcpt, {}});
    results_.push_back(std::move(result));
  }
  pending_.push_back({Expect::GREETING});
}

void ClientSession::set_state(ClientState next) {
  if (next == state_) return;
  if (config_.record_events) events_.push_back({state_, next});
  state_ = next;
}

std::vector<ClientEvent> ClientSession::take_events() {
  std::vector<ClientEvent> out;
  out.swap(events_);
  return out;
}

void ClientSession::send(std::string line, Expect expect, std::size_t recipient) {
  out_.reserve(out_.size() + line.size() + 2);
  out_ += line;
  out_ += "\r\n";
  pending_.push_back({expect, recipient});
}

std::string ClientSession::feed(std::string_view server_bytes) {
  ClientWrite write = feed_write(server_bytes);
  if (write.message) write.bytes += encode_data(write.message->flatten());
  return std::move(write.bytes);
}

ClientWrite ClientSession::feed_write(std::string_view server_bytes) {
  out_.clear();
  data_follows_ = false;
  if (state_ != ClientState::CLOSED) {
    for (const Reply& reply : reader_.feed(server_bytes)) {
      if (state_ == ClientState::CLOSED) break;
      on_reply(reply);
    }
  }
  ClientWrite write;
  write.bytes.swap(out_);
  if (data_follows_) write.message = &transactions_[current_].message_lf;
  return write;
}

void ClientSession::close() {
  pending_.clear();
  set_state(ClientState::CLOSED);
}

void ClientSession::connection_closed() {
  if (state_ == ClientState::CLOSED) return;
  if (state_ != ClientState::AWAIT_QUIT) {
    fail_remaining(ClientStage::CONNECTION, synthetic(0, "", "connection closed by server"));
  }
  close();
}

void ClientSession::fail_current(ClientStage stage, const Reply& reply) {
  if (current_ >= results_.size()) return;
  TransactionResult& r = results_[current_];
  if (r.failed_stage == ClientStage::NONE && !r.has_data_reply) {
    r.failed_stage = stage;
    r.failure = reply;
  }
}

void ClientSession::fail_remaining(ClientStage stage, const Reply& reply) {
  for (std::size_t i = current_; i < results_.size(); ++i) {
    TransactionResult& r = results_[i];
    if (r.failed_stage == ClientStage::NONE && !r.has_data_reply) {
      r.failed_stage = stage;
      r.failure = reply;
    }
  }
}

std::string ClientSession::add_transaction(Transaction transaction) {
  if (state_ != ClientState::IDLE) throw std::logic_error("add_transaction on a session that is not idle");
  TransactionResult result;
  for (const std::string& rcpt : transaction.envelope.rcpt_to) result.recipients.push_back({rcpt, {}});
  results_.push_back(std::move(result));
  transactions_.push_back(std::move(transaction));
  send("RSET", Expect::RSET);
  set_state(ClientState::AWAIT_RSET);
  std::string out;
  out.swap(out_);
  return out;
}

std::string ClientSession::quit() {
  if (state_ != ClientState::IDLE) throw std::logic_error("quit on a session that is not idle");
  send("QUIT", Expect::QUIT);
  set_state(ClientState::AWAIT_QUIT);
  std::string out;
  out.swap(out_);
  return out;
}

void ClientSession::start_transaction() {
  if (current_ >= transactions_.size() && config_.keep_open) {
    set_state(ClientState::IDLE);
    return;
  }
  if (current_ >= transactions_.size()) {
    send("QUIT", Expect::QUIT);
    set_state(ClientState::AWAIT_QUIT);
    return;
  }
  const Transaction& t = transactions_[current_];
  bool mta = config_.style == ClientStyle::MTA;
  std::string line = fmt::format("{}:<{}>", mta ? "MAIL From" : "MAIL FROM", t.envelope.mail_from);
  if (mta && extensions_.count("SIZE")) {
    // RFC 1870 section 6: the client states its size estimate with SIZE=.
    std::uint64_t size = t.size_param ? t.size_param : t.message_lf.size();
    line += fmt::format(" SIZE={}", size);
  }
  if (mta && extensions_.count("8BITMIME") && (has_8bit(t.message_lf.head) || has_8bit(*t.message_lf.shared))) {
    line += " BODY=8BITMIME";  // RFC 6152 section 3
  }
  send(std::move(line), Expect::MAIL);
  set_state(ClientState::AWAIT_MAIL);
}

void ClientSession::finish_transaction(bool failed) {
  ++current_;
  bool more = current_ < transactions_.size();
  // Sendmail separates transactions on one connection with RSET; smtplib
  // sends RSET after a failed transaction.
  if (more && (config_.style == ClientStyle::MTA || failed)) {
    send("RSET", Expect::RSET);
    set_state(ClientState::AWAIT_RSET);
  } else if (!more && failed && config_.style == ClientStyle::MUA) {
    send("RSET", Expect::RSET);
    set_state(ClientState::AWAIT_RSET);
  } else {
    start_transaction();
  }
}

void ClientSession::send_next_rcpt() {
  const Transaction& t = transactions_[current_];
  std::size_t index = rcpt_order_[next_rcpt_++];
  std::string keyword = config_.style == ClientStyle::MTA ? "RCPT To" : "RCPT TO";
  send(fmt::format("{}:<{}>", keyword, t.envelope.rcpt_to[index]), Expect::RCPT, index);
}

void ClientSession::after_recipients() {
  if (accepted_ > 0) {
    send("DATA", Expect::DATA);
    set_state(ClientState::AWAIT_DATA);
    return;
  }
  // RFC 5321 section 3.3: no valid recipient, so no DATA.
  finish_transaction(true);
}

void ClientSession::on_hello_accepted(const Reply& reply) {
  extensions_.clear();
  for (std::size_t i = 1; i < reply.lines.size(); ++i) {
    std::string_view line = reply.lines[i];
    extensions_.insert(upper(line.substr(0, line.find(' '))));
  }
  if (config_.style == ClientStyle::MTA && !reply.lines.empty()) {
    // Sendmail's smtpinit(): if the greeting names this host, the MX points
    // back here and delivering would loop.
    std::string_view first = reply.lines.front();
    std::string_view name = first.substr(0, first.find(' '));
    if (upper(name) == upper(config_.helo_name)) {
      Reply loop = synthetic(553, "5.3.5", "system config error");
      fail_remaining(ClientStage::HELLO, loop);
      for (std::size_t i = current_; i < results_.size(); ++i) results_[i].loops_back = true;
      current_ = transactions_.size();
      send("QUIT", Expect::QUIT);
      set_state(ClientState::AWAIT_QUIT);
      return;
    }
  }
  start_transaction();
}

void ClientSession::on_reply(const Reply& reply) {
  if (pending_.empty()) return;  // an unsolicited reply; Sendmail would ignore it too
  Pending p = pending_.front();
  pending_.pop_front();

  if (reply.code == 0) {
    // The server sent something that is not an SMTP reply, so the
    // connection is given up.
    fail_remaining(ClientStage::CONNECTION, synthetic(0, "", "invalid reply: " + reply.text));
    close();
    return;
  }
  // RFC 5321 section 3.8: after 421 the server closes the channel.
  if (reply.code == 421 && p.expect != Expect::QUIT) {
    ClientStage stage = ClientStage::CONNECTION;
    switch (p.expect) {
      case Expect::GREETING:
        stage = ClientStage::GREETING;
        break;
      case Expect::EHLO:
      case Expect::HELO:
        stage = ClientStage::HELLO;
        break;
      case Expect::MAIL:
        stage = ClientStage::MAIL;
        break;
      case Expect::RCPT:
        stage = ClientStage::RCPT;
        break;
      case Expect::DATA:
        stage = ClientStage::DATA;
        break;
      case Expect::END_OF_DATA:
        stage = ClientStage::END_OF_DATA;
        break;
      default:
        break;
    }
    if (p.expect == Expect::RCPT && current_ < results_.size()) {
      results_[current_].recipients[p.recipient].reply = reply;
    }
    fail_remaining(stage, reply);
    close();
    return;
  }

  switch (p.expect) {
    case Expect::GREETING:
      if (reply.code / 100 == 2) {
        send("EHLO " + config_.helo_name, Expect::EHLO);
        set_state(ClientState::AWAIT_HELLO);
      } else {
        fail_remaining(ClientStage::GREETING, reply);
        current_ = transactions_.size();
        send("QUIT", Expect::QUIT);
        set_state(ClientState::AWAIT_QUIT);
      }
      return;

    case Expect::EHLO:
      if (reply.code / 100 == 2) {
        on_hello_accepted(reply);
      } else if (reply.permanent()) {
        // RFC 5321 section 3.2: a server without EHLO gets HELO.
        send("HELO " + config_.helo_name, Expect::HELO);
      } else {
        fail_remaining(ClientStage::HELLO, reply);
        current_ = transactions_.size();
        send("QUIT", Expect::QUIT);
        set_state(ClientState::AWAIT_QUIT);
      }
      return;

    case Expect::HELO:
      if (reply.code / 100 == 2) {
        extensions_.clear();
        start_transaction();
      } else {
        fail_remaining(ClientStage::HELLO, reply);
        current_ = transactions_.size();
        send("QUIT", Expect::QUIT);
        set_state(ClientState::AWAIT_QUIT);
      }
      return;

    case Expect::MAIL: {
      if (reply.code / 100 != 2) {
        fail_current(ClientStage::MAIL, reply);
        finish_transaction(true);
        return;
      }
      const Transaction& t = transactions_[current_];
      std::size_t n = t.envelope.rcpt_to.size();
      rcpt_order_.clear();
      for (std::size_t i = 0; i < n; ++i) rcpt_order_.push_back(i);
      // Sendmail's recipient list holds the envelope in reverse order.
      if (config_.style == ClientStyle::MTA) std::reverse(rcpt_order_.begin(), rcpt_order_.end());
      next_rcpt_ = 0;
      accepted_ = 0;
      answered_ = 0;
      empty_data_ = false;
      pipelined_ = config_.style == ClientStyle::MTA && extensions_.count("PIPELINING") > 0;
      if (n == 0) {
        after_recipients();
        return;
      }
      set_state(ClientState::AWAIT_RCPT);
      if (pipelined_) {
        // RFC 2920 section 3.1: RCPTs and DATA go in one write.
        while (next_rcpt_ < n) send_next_rcpt();
        send("DATA", Expect::DATA);
      } else {
        send_next_rcpt();
      }
      return;
    }

    case Expect::RCPT: {
      TransactionResult& r = results_[current_];
      r.recipients[p.recipient].reply = reply;
      ++answered_;
      if (reply.code / 100 == 2) ++accepted_;
      if (pipelined_) {
        if (answered_ == rcpt_order_.size()) set_state(ClientState::AWAIT_DATA);
        return;
      }
      if (reply.code / 100 != 2 && accepted_ == 0 && next_rcpt_ == rcpt_order_.size()) {
        fail_current(ClientStage::RCPT, reply);
      }
      if (next_rcpt_ < rcpt_order_.size()) {
        send_next_rcpt();
      } else {
        after_recipients();
      }
      return;
    }

    case Expect::DATA: {
      TransactionResult& r = results_[current_];
      if (reply.code == 354) {
        if (accepted_ == 0) {
          // RFC 2920 section 3.1: DATA was accepted though every RCPT failed;
          // an empty message closes it.
          empty_data_ = true;
          out_ += ".\r\n";
        } else {
          // The stream is the last thing in this write: the next bytes wait for the reply
          // to the final ".".
          data_follows_ = true;
        }
        pending_.push_back({Expect::END_OF_DATA});
        set_state(ClientState::AWAIT_END_OF_DATA);
        return;
      }
      if (accepted_ == 0) {
        // The usual pipelined case: DATA gets 503 after every RCPT failed.
        const RecipientResult& last = r.recipients[rcpt_order_.back()];
        fail_current(ClientStage::RCPT, last.reply);
      } else {
        fail_current(ClientStage::DATA, reply);
      }
      finish_transaction(true);
      return;
    }

    case Expect::END_OF_DATA: {
      TransactionResult& r = results_[current_];
      bool failed = empty_data_ || reply.code / 100 != 2;
      if (empty_data_) {
        fail_current(ClientStage::RCPT, r.recipients[rcpt_order_.back()].reply);
      } else {
        r.has_data_reply = true;
        r.data_reply = reply;
      }
      finish_transaction(failed);
      return;
    }

    case Expect::RSET:
      if (reply.code / 100 != 2) {
        // The connection is no good for more mail, cached or not.
        fail_remaining(ClientStage::CONNECTION, reply);
        current_ = transactions_.size();
        send("QUIT", Expect::QUIT);
        set_state(ClientState::AWAIT_QUIT);
        return;
      }
      start_transaction();
      return;

    case Expect::QUIT:
      close();
      return;
  }
}

}  // namespace mailsim::smtp
