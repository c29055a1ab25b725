// Dovecot 2.3.19 POP3 server session; see server.hpp for scope.
#include "models/pop3/server.hpp"

#include "models/message/compose.hpp"
#include "models/pop3/multiline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace mailsim::pop3 {
namespace {

constexpr std::string_view kCapabilities =
    "CAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\n";
constexpr std::string_view kPlaintextDisallowed =
    "-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.\r\n";

std::string to_upper(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return upper;
}

ServerEvent make_event(ServerEventType type, std::string user, std::string method = "",
                       std::string reason = "", unsigned message = 0, std::uint64_t bytes = 0) {
  ServerEvent event;
  event.type = type;
  event.user = std::move(user);
  event.method = std::move(method);
  event.reason = std::move(reason);
  event.message = message;
  event.bytes = bytes;
  return event;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Parses leading digits. Returns false if the value does not fit in 64 bits.
bool parse_digits(std::string_view& text, std::uint64_t& value) {
  value = 0;
  std::size_t i = 0;
  bool fits = true;
  for (; i < text.size() && is_digit(text[i]); ++i) {
    auto digit = static_cast<std::uint64_t>(text[i] - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) fits = false;
    value = value * 10 + digit;
  }
  text.remove_prefix(i);
  return fits;
}

}  // namespace

bool decode_base64(std::string_view text, std::string& out) {
  return message::base64_decode_line(text, out, false);
}

std::string format_counters(const LogoutCounters& c) {
  return fmt::format("top={}/{}, retr={}/{}, del={}/{}, size={}", c.top_count, c.top_bytes,
                     c.retr_count, c.retr_bytes, c.deleted, c.messages, c.size);
}

ServerSession::ServerSession(ServerConfig config, ServerHooks& hooks)
    : config_(std::move(config)), hooks_(hooks) {}

std::string ServerSession::greeting() const {
  return "+OK " + config_.greeting + "\r\n";
}

void ServerSession::set_state(ServerState state) {
  state_ = state;
}

std::vector<ServerEvent> ServerSession::take_events() {
  std::vector<ServerEvent> events;
  events.swap(events_);
  return events;
}

namespace {

std::string join_writes(std::vector<ServerWrite> writes) {
  std::string out;
  for (ServerWrite& write : writes) {
    out += write.bytes;
    if (write.message) out += encode_multiline(*write.message);
  }
  return out;
}

}  // namespace

std::string ServerSession::feed(std::string_view bytes) {
  return join_writes(feed_writes(bytes));
}

std::vector<ServerWrite> ServerSession::feed_writes(std::string_view bytes) {
  input_.append(bytes);
  return process_input();
}

std::string ServerSession::release_delayed_reply() {
  if (state_ != ServerState::AUTH_FAILED_DELAY) return "";
  std::string out = std::move(delayed_reply_);
  delayed_reply_.clear();
  set_state(ServerState::AUTHORIZATION);
  return out + join_writes(process_input());
}

void ServerSession::connection_lost() {
  if (state_ == ServerState::CLOSED) return;
  ServerEvent event;
  event.reason = "Connection closed";
  if (state_ == ServerState::TRANSACTION) {
    // RFC 1939 §6: without QUIT the session never enters UPDATE, so nothing is deleted.
    event.type = ServerEventType::LOGOUT;
    event.user = user_;
    event.counters = counters_;
  } else {
    event.type = ServerEventType::LOGIN_DISCONNECTED;
    event.user = auth_user_;
    event.auth_attempts = auth_attempts_;
  }
  events_.push_back(std::move(event));
  set_state(ServerState::CLOSED);
}

std::vector<ServerWrite> ServerSession::process_input() {
  std::vector<ServerWrite> out(1);
  // Pipelined commands (RFC 2449 PIPELINING) wait while a failure reply is held back, as
  // Dovecot stops reading during authentication.
  while (state_ != ServerState::CLOSED && state_ != ServerState::AUTH_FAILED_DELAY) {
    std::size_t lf = input_.find('\n');
    if (lf == std::string::npos) break;
    std::string line = input_.substr(0, lf);
    input_.erase(0, lf + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string reply = handle_line(line);
    // Bytes after a message start a write of their own, because a write's bytes come first.
    if (out.back().message) out.emplace_back();
    out.back().bytes += reply;
    if (retrieved_) {
      out.back().message = std::move(retrieved_);
      retrieved_.reset();
    }
  }
  return out;
}

std::string ServerSession::handle_line(std::string_view line) {
  if (state_ == ServerState::AUTH_CONTINUATION) return handle_auth_response(line);
  std::size_t space = line.find(' ');
  std::string command = to_upper(line.substr(0, space));
  std::string_view args;
  if (space != std::string_view::npos) {
    args = line.substr(space);
    args.remove_prefix(std::min(args.find_first_not_of(' '), args.size()));
  }
  if (state_ == ServerState::AUTHORIZATION) return handle_authorization(command, args);

  bool ok = true;
  std::string reply = handle_transaction(command, args, ok);
  if (state_ != ServerState::TRANSACTION) return reply;
  if (ok) {
    bad_commands_ = 0;
  } else if (++bad_commands_ > config_.max_bad_commands) {
    reply += "-ERR Too many bad commands.\r\n";
    mailbox_->rollback();
    ServerEvent event = make_event(ServerEventType::LOGOUT, user_, "", "Too many bad commands");
    event.counters = counters_;
    events_.push_back(std::move(event));
    set_state(ServerState::CLOSED);
  }
  return reply;
}

std::string ServerSession::bad_command_before_login() {
  std::string reply = "-ERR Unknown command.\r\n";
  if (++bad_commands_ >= config_.max_bad_commands_before_login) {
    reply += "-ERR Too many invalid bad commands.\r\n";
    ServerEvent event = make_event(ServerEventType::LOGIN_DISCONNECTED, auth_user_, "",
                                   "Disconnected: Too many bad commands");
    event.auth_attempts = auth_attempts_;
    events_.push_back(std::move(event));
    set_state(ServerState::CLOSED);
  }
  return reply;
}

std::string ServerSession::handle_authorization(const std::string& command, std::string_view args) {
  bool plaintext_allowed = !config_.disable_plaintext_auth || config_.secured;
  // pop3-login resets its bad-command counter on every command it implements.
  if (command == "CAPA") {
    bad_commands_ = 0;
    // NOTE: the CAPA reply with plaintext authentication disallowed was not recorded.
    std::string reply = "+OK\r\n" + std::string(kCapabilities);
    reply += plaintext_allowed ? "USER\r\nSASL PLAIN\r\n" : "SASL\r\n";
    return reply + ".\r\n";
  }
  if (command == "USER") {
    bad_commands_ = 0;
    if (!plaintext_allowed) return std::string(kPlaintextDisallowed);
    // Dovecot accepts any user name here, even an empty or unknown one.
    user_ = std::string(args);
    have_user_ = true;
    return "+OK\r\n";
  }
  if (command == "PASS") {
    bad_commands_ = 0;
    if (!plaintext_allowed) return std::string(kPlaintextDisallowed);
    if (!have_user_) return "-ERR No username given.\r\n";
    return try_login(user_, std::string(args));
  }
  if (command == "AUTH") {
    bad_commands_ = 0;
    if (args.empty()) return plaintext_allowed ? "+OK\r\nPLAIN\r\n.\r\n" : "+OK\r\n.\r\n";
    std::size_t space = args.find(' ');
    std::string mechanism = to_upper(args.substr(0, space));
    if (mechanism != "PLAIN" || !plaintext_allowed) {
      return "-ERR [AUTH] Unsupported authentication mechanism.\r\n";
    }
    if (space == std::string_view::npos) {
      // RFC 5034 §4: an empty challenge requests the response on the next line.
      set_state(ServerState::AUTH_CONTINUATION);
      return "+ \r\n";
    }
    std::string_view initial = args.substr(space + 1);
    return handle_auth_response(initial);
  }
  if (command == "APOP") {
    bad_commands_ = 0;
    return "-ERR APOP not enabled.\r\n";
  }
  if (command == "QUIT") {
    ServerEvent event = make_event(ServerEventType::LOGIN_DISCONNECTED, auth_user_, "",
                                   "Aborted login by logging out");
    event.auth_attempts = auth_attempts_;
    events_.push_back(std::move(event));
    set_state(ServerState::CLOSED);
    return "+OK Logging out\r\n";
  }
  // NOTE: STLS is treated as unknown because TLS is not modelled.
  return bad_command_before_login();
}

std::string ServerSession::handle_auth_response(std::string_view line) {
  set_state(ServerState::AUTHORIZATION);
  if (line == "*") return "-ERR Authentication aborted by client.\r\n";
  std::string decoded;
  // RFC 5034 §4: `=` is an empty initial response.
  if (line != "=" && !decode_base64(line, decoded)) {
    return "-ERR [AUTH] Invalid base64 in response\r\n";
  }
  // RFC 4616 §2: message = [authzid] NUL authcid NUL passwd.
  std::size_t first = decoded.find('\0');
  std::size_t second = first == std::string::npos ? first : decoded.find('\0', first + 1);
  if (second == std::string::npos || decoded.find('\0', second + 1) != std::string::npos) {
    return try_login("", std::string("\0", 1));
  }
  std::string authzid = decoded.substr(0, first);
  std::string authcid = decoded.substr(first + 1, second - first - 1);
  std::string password = decoded.substr(second + 1);
  if (!authzid.empty() && authzid != authcid) return try_login(authcid, std::string("\0", 1));
  return try_login(authcid, password);
}

std::string ServerSession::try_login(const std::string& user, const std::string& password) {
  ++auth_attempts_;
  bool valid = !user.empty() && password.find('\0') == std::string::npos &&
               hooks_.authenticate(user, password);
  if (!valid) {
    auth_user_ = user;
    events_.push_back(make_event(ServerEventType::AUTH_FAILED, user, "PLAIN"));
    delayed_reply_ = "-ERR [AUTH] Authentication failed.\r\n";
    set_state(ServerState::AUTH_FAILED_DELAY);
    return "";
  }
  user_ = user;
  mailbox_ = &hooks_.open_maildrop(user);
  mailbox_->open(static_cast<std::uint32_t>(hooks_.now()));
  messages_.clear();
  for (std::size_t i = 0; i < mailbox_->count(); ++i) {
    const mailbox::Message& message = mailbox_->message(i);
    messages_.push_back(Snapshot{message.dovecot.uid, message.content, message.size});
    counters_.size += message.size;
  }
  counters_.messages = static_cast<unsigned>(messages_.size());
  bad_commands_ = 0;
  events_.push_back(make_event(ServerEventType::LOGIN, user, "PLAIN"));
  set_state(ServerState::TRANSACTION);
  return "+OK Logged in.\r\n";
}

bool ServerSession::parse_message_number(std::string_view& args, bool size_follows,
                                         std::string& error, unsigned& number) const {
  if (args.empty() || !is_digit(args[0])) {
    error = fmt::format("-ERR Invalid message number: {}\r\n", args);
    return false;
  }
  std::string_view rest = args;
  std::uint64_t value = 0;
  if (!parse_digits(rest, value)) {
    error = fmt::format("-ERR Message number too large: {}\r\n", args);
    return false;
  }
  if (value > std::numeric_limits<std::uint32_t>::max()) {
    error = fmt::format("-ERR Message number too large: {}\r\n", rest);
    return false;
  }
  if (size_follows ? (rest.empty() || rest[0] != ' ') : !rest.empty()) {
    error = fmt::format("-ERR Noise after message number: {}\r\n", rest);
    return false;
  }
  rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));
  number = static_cast<unsigned>(value);
  if (number == 0 || number > messages_.size()) {
    error = fmt::format("-ERR There's no message {}.\r\n", number);
    return false;
  }
  if (messages_[number - 1].deleted) {
    error = "-ERR Message is deleted.\r\n";
    return false;
  }
  args = rest;
  return true;
}

std::string ServerSession::send_top(const Snapshot& message, std::uint64_t body_lines) {
  std::string out = "+OK\r\n";
  append_stuffed(out, message.content, false, body_lines);
  // Dovecot counts the status line and the message, not the terminating dot line.
  ++counters_.top_count;
  counters_.top_bytes += out.size();
  out += ".\r\n";
  return out;
}

std::string ServerSession::handle_transaction(const std::string& command, std::string_view args,
                                              bool& ok) {
  std::string error;
  unsigned number = 0;
  auto fail = [&]() {
    ok = false;
    return error;
  };
  if (command == "CAPA") return "+OK\r\n" + std::string(kCapabilities) + ".\r\n";
  if (command == "NOOP") return "+OK\r\n";
  if (command == "STAT") {
    unsigned count = 0;
    std::uint64_t size = 0;
    for (const Snapshot& m : messages_) {
      if (m.deleted) continue;
      ++count;
      size += m.size;
    }
    return fmt::format("+OK {} {}\r\n", count, size);
  }
  if (command == "LIST" || command == "UIDL") {
    bool uidl = command == "UIDL";
    auto value = [&](const Snapshot& m) {
      // Dovecot's pop3_uidl_format %08Xu%08Xv: UID then UIDVALIDITY.
      return uidl ? fmt::format("{:08x}{:08x}", m.uid, mailbox_->uid_validity())
                  : fmt::format("{}", m.size);
    };
    if (!args.empty()) {
      if (!parse_message_number(args, false, error, number)) return fail();
      return fmt::format("+OK {} {}\r\n", number, value(messages_[number - 1]));
    }
    std::string out;
    unsigned count = 0;
    for (std::size_t i = 0; i < messages_.size(); ++i) {
      if (messages_[i].deleted) continue;
      ++count;
      out += fmt::format("{} {}\r\n", i + 1, value(messages_[i]));
    }
    std::string status = uidl ? "+OK\r\n" : fmt::format("+OK {} messages:\r\n", count);
    return status + out + ".\r\n";
  }
  if (command == "RETR") {
    if (!parse_message_number(args, false, error, number)) return fail();
    Snapshot& message = messages_[number - 1];
    std::string out = fmt::format("+OK {} octets\r\n", message.size);
    // The message follows by reference (see process_input()). Dovecot counts the status line
    // and the message, not the terminating dot line.
    std::uint64_t bytes = out.size() + stuffed_size(message.content);
    ++counters_.retr_count;
    counters_.retr_bytes += bytes;
    retrieved_ = message.content;
    message.seen = true;
    events_.push_back(make_event(ServerEventType::RETR, user_, "", "", number, bytes));
    return out;
  }
  if (command == "TOP") {
    if (!parse_message_number(args, true, error, number)) return fail();
    if (args.empty() || !is_digit(args[0])) {
      error = fmt::format("-ERR Invalid size: {}\r\n", args);
      return fail();
    }
    std::string_view rest = args;
    std::uint64_t lines = 0;
    if (!parse_digits(rest, lines)) {
      error = fmt::format("-ERR Size too large: {}\r\n", args);
      return fail();
    }
    if (!rest.empty()) {
      error = fmt::format("-ERR Noise after size: {}\r\n", rest);
      return fail();
    }
    std::uint64_t before = counters_.top_bytes;
    std::string out = send_top(messages_[number - 1], lines);
    events_.push_back(
        make_event(ServerEventType::TOP, user_, "", "", number, counters_.top_bytes - before));
    return out;
  }
  if (command == "DELE") {
    if (!parse_message_number(args, false, error, number)) return fail();
    messages_[number - 1].deleted = true;
    events_.push_back(make_event(ServerEventType::DELE, user_, "", "", number));
    return "+OK Marked to be deleted.\r\n";
  }
  if (command == "RSET") {
    // Dovecot also clears the \Seen flags that RETR would have set.
    for (Snapshot& m : messages_) {
      m.deleted = false;
      m.seen = false;
    }
    return "+OK\r\n";
  }
  if (command == "QUIT") return quit();
  ok = false;
  return fmt::format("-ERR Unknown command: {}\r\n", command);
}

std::string ServerSession::quit() {
  set_state(ServerState::UPDATE);
  unsigned deleted = 0;
  for (const Snapshot& m : messages_) {
    if (m.deleted) {
      ++deleted;
      mailbox_->set_deleted(m.uid, true);
    } else if (m.seen) {
      mailbox_->set_seen(m.uid, true);
    }
  }
  // RFC 1939 §6: deletions take effect only now.
  mailbox_->commit(hooks_.now(), config_.hostname);
  counters_.deleted = deleted;
  ServerEvent event = make_event(ServerEventType::LOGOUT, user_, "", "Logged out");
  event.counters = counters_;
  events_.push_back(std::move(event));
  set_state(ServerState::CLOSED);
  return deleted > 0 ? "+OK Logging out, messages deleted.\r\n" : "+OK Logging out.\r\n";
}

}  // namespace mailsim::pop3
