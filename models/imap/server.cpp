// Dovecot 2.3.19 IMAP server session: login and dispatch; see server.hpp for scope.
#include "models/imap/server.hpp"

#include "models/message/compose.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace mailsim::imap {
namespace {

constexpr std::string_view kBadBeforeLogin = "Error in IMAP command received by server.";
constexpr std::string_view kAuthFailed = "NO [AUTHENTICATIONFAILED] Authentication failed.";

// RFC 3501 commands that Dovecot implements and this model does not. They fail loudly
// instead of getting Dovecot's `Unknown command` reply, which would mislead a caller.
bool is_unmodelled_command(const std::string& name) {
  static const char* const kNames[] = {"CREATE",      "DELETE", "RENAME",   "SUBSCRIBE",
                                       "UNSUBSCRIBE", "COPY",   "MOVE",     "NAMESPACE",
                                       "STARTTLS",    "SORT",   "THREAD",   "GETQUOTAROOT",
                                       "GETQUOTA",    "NOTIFY", "GETMETADATA"};
  for (const char* known : kNames) {
    if (name == known) return true;
  }
  return false;
}

}  // namespace

bool decode_base64(std::string_view text, std::string& out) {
  return message::base64_decode_line(text, out, true);
}

std::string encode_base64(std::string_view data) { return message::base64_encode(data, 0); }

std::string format_counters(const LogoutCounters& c) {
  return fmt::format(
      "in={} out={} deleted={} expunged={} trashed=0 hdr_count={} hdr_bytes={} body_count={} "
      "body_bytes={}",
      c.in, c.out, c.deleted, c.expunged, c.hdr_count, c.hdr_bytes, c.body_count, c.body_bytes);
}

ServerSession::ServerSession(ServerConfig config, ServerHooks& hooks)
    : config_(std::move(config)), hooks_(hooks) {}

std::string ServerSession::greeting() {
  std::string capability = config_.pre_login_capability;
  return fmt::format("* OK [CAPABILITY {}] {}\r\n", capability, config_.greeting);
}

void ServerSession::set_state(ServerState state) {
  state_ = state;
}

std::vector<ServerEvent> ServerSession::take_events() {
  std::vector<ServerEvent> events;
  events.swap(events_);
  return events;
}

std::string ServerSession::feed(std::string_view bytes) {
  framer_.append(bytes);
  bool logged_in = state_ != ServerState::NOT_AUTHENTICATED &&
                   state_ != ServerState::AUTH_CONTINUATION &&
                   state_ != ServerState::AUTH_FAILED_DELAY;
  if (logged_in && state_ != ServerState::LOGOUT) counters_.in += bytes.size();
  std::string out = process_input();
  counters_.out += out.size();
  return out;
}

std::string ServerSession::release_delayed_reply() {
  if (state_ != ServerState::AUTH_FAILED_DELAY) return "";
  std::string out = std::move(delayed_reply_);
  delayed_reply_.clear();
  set_state(ServerState::NOT_AUTHENTICATED);
  return out + process_input();
}

void ServerSession::connection_lost() {
  if (state_ == ServerState::LOGOUT) return;
  ServerEvent event;
  if (user_.empty()) {
    event.type = ServerEventType::LOGIN_DISCONNECTED;
    event.reason = "Disconnected";
  } else {
    if (mailbox_ != nullptr) close_mailbox(false);
    event.type = ServerEventType::LOGOUT;
    event.user = user_;
    event.reason = "Connection closed";
    event.counters = counters_;
  }
  events_.push_back(std::move(event));
  set_state(ServerState::LOGOUT);
}

std::string ServerSession::process_input() {
  std::string out;
  while (state_ != ServerState::LOGOUT && state_ != ServerState::AUTH_FAILED_DELAY) {
    if (state_ == ServerState::AUTH_CONTINUATION || state_ == ServerState::IDLING) {
      std::optional<std::string> line = framer_.next_line();
      if (!line) break;
      if (state_ == ServerState::AUTH_CONTINUATION) {
        out += handle_auth_response(*line);
      } else if (to_upper(*line) == "DONE") {
        // RFC 2177 §3: DONE ends the IDLE command, which then gets its tagged reply.
        set_state(idle_return_state_);
        out += tagged(idle_tag_, "OK Idle completed.");
      } else {
        set_state(idle_return_state_);
        out += tagged(idle_tag_, "BAD Expected DONE.");
      }
      continue;
    }
    std::optional<std::string> command = framer_.next_command(out);
    if (!command) break;
    out += handle_command(*command);
  }
  return out;
}

std::string ServerSession::tagged(const std::string& tag, const std::string& text) const {
  bool logged_in = !user_.empty();
  // Dovecot's imap process, not imap-login, replaces a final `.` with its timing.
  if (logged_in && !config_.timing.empty() && !text.empty() && text.back() == '.') {
    return fmt::format("{} {} ({}).\r\n", tag, text.substr(0, text.size() - 1), config_.timing);
  }
  return fmt::format("{} {}\r\n", tag, text);
}

std::string ServerSession::bad_arguments(const Command& command, const std::string& reason) const {
  return tagged(command.tag, fmt::format("BAD Error in IMAP command {}: {}.", command.name, reason));
}

std::string ServerSession::handle_command(const std::string& line) {
  ArgumentReader args(line);
  Command command;
  std::optional<std::string> tag = args.atom(true);
  // RFC 3501 §9: a tag is an astring character sequence without `+`.
  bool valid = tag && tag->find('+') == std::string::npos && args.space();
  std::optional<std::string> name = valid ? args.atom() : std::nullopt;
  command.tag = tag && tag->find('+') == std::string::npos ? *tag : "*";
  if (name) command.name = to_upper(*name);
  bool logged_in = !user_.empty();
  if (!name) {
    if (!logged_in) return bad_command_before_login(command.tag);
    return tagged(command.tag, std::string("BAD ") + std::string(kBadBeforeLogin));
  }
  if (!args.at_end() && !args.space()) {
    if (!logged_in) return bad_command_before_login(command.tag);
    return bad_arguments(command, "Invalid arguments");
  }
  if (!logged_in) return handle_before_login(command, args);
  return handle_after_login(command, args);
}

std::string ServerSession::bad_command_before_login(const std::string& tag) {
  if (++bad_commands_ >= config_.max_bad_commands_before_login) {
    ServerEvent event;
    event.type = ServerEventType::LOGIN_DISCONNECTED;
    event.reason = "Too many invalid commands";
    events_.push_back(std::move(event));
    set_state(ServerState::LOGOUT);
    return "* BYE Too many invalid IMAP commands.\r\n";
  }
  return tagged(tag, std::string("BAD ") + std::string(kBadBeforeLogin));
}

std::string ServerSession::handle_before_login(const Command& command, ArgumentReader& args) {
  bool plaintext_allowed = !config_.disable_plaintext_auth || config_.secured;
  if (command.name == "CAPABILITY" && args.at_end()) {
    capability_requested_ = true;
    std::string capability = config_.pre_login_capability;
    if (!plaintext_allowed) {
      // RFC 3501 §6.2.3: LOGINDISABLED means the client must not send LOGIN.
      std::size_t plain = capability.find(" AUTH=PLAIN");
      if (plain != std::string::npos) capability.erase(plain, 11);
      capability += " LOGINDISABLED";
    }
    return "* CAPABILITY " + capability + "\r\n" +
           tagged(command.tag, "OK Pre-login capabilities listed, post-login capabilities have "
                               "more.");
  }
  if (command.name == "NOOP") return tagged(command.tag, "OK NOOP completed.");
  if (command.name == "LOGOUT" && args.at_end()) {
    ServerEvent event;
    event.type = ServerEventType::LOGIN_DISCONNECTED;
    event.reason = "Aborted login by logging out";
    events_.push_back(std::move(event));
    set_state(ServerState::LOGOUT);
    return "* BYE Logging out\r\n" + tagged(command.tag, "OK Logout completed.");
  }
  if (command.name == "ID") {
    // RFC 2971 §3.1: the argument is NIL or a parenthesized list of field-value pairs.
    std::string_view rest = args.rest();
    if (to_upper(rest) != "NIL" && (rest.empty() || rest.front() != '(' || rest.back() != ')')) {
      return bad_command_before_login(command.tag);
    }
    return "* ID (\"name\" \"Dovecot\")\r\n" + tagged(command.tag, "OK ID completed.");
  }
  if (command.name == "LOGIN") {
    std::optional<std::string> user = args.astring();
    std::optional<std::string> password =
        user && args.space() ? args.astring() : std::optional<std::string>();
    if (!password || !args.at_end()) return bad_command_before_login(command.tag);
    if (!plaintext_allowed) {
      // NOTE: reply texts from Dovecot 2.3's imap-login source; loopback counts as secured,
      // so the lab recordings cannot show them.
      return "* BAD [ALERT] Plaintext authentication not allowed without SSL/TLS, but your "
             "client did it anyway. If anyone was listening, the password was exposed.\r\n" +
             tagged(command.tag, "NO [PRIVACYREQUIRED] Plaintext authentication disallowed on "
                                 "non-secure (SSL/TLS) connections.");
    }
    return try_login(command.tag, *user, *password);
  }
  if (command.name == "AUTHENTICATE") {
    std::optional<std::string> mechanism = args.atom();
    if (!mechanism) return bad_command_before_login(command.tag);
    if (to_upper(*mechanism) != "PLAIN" || !plaintext_allowed) {
      return tagged(command.tag, "NO [ALERT] Unsupported authentication mechanism.");
    }
    auth_tag_ = command.tag;
    if (args.at_end()) {
      // RFC 3501 §6.2.2: an empty continuation request requests the initial response.
      set_state(ServerState::AUTH_CONTINUATION);
      return "+ \r\n";
    }
    // RFC 4959 §3: SASL-IR puts the initial response after the mechanism name.
    if (!args.space()) return bad_command_before_login(command.tag);
    std::string response(args.rest());
    return handle_auth_response(response);
  }
  if (is_unmodelled_command(command.name)) {
    throw std::logic_error("IMAP command " + command.name + " is not modelled");
  }
  return bad_command_before_login(command.tag);
}

std::string ServerSession::handle_auth_response(const std::string& line) {
  set_state(ServerState::NOT_AUTHENTICATED);
  // RFC 3501 §6.2.2: a `*` line cancels the exchange.
  if (line == "*") return tagged(auth_tag_, "BAD Authentication aborted by client.");
  std::string decoded;
  std::string user;
  std::string password;
  bool valid = line != "=" && decode_base64(line, decoded);
  if (valid) {
    // RFC 4616 §2: authzid NUL authcid NUL passwd.
    std::size_t first = decoded.find('\0');
    std::size_t second = first == std::string::npos ? first : decoded.find('\0', first + 1);
    if (second == std::string::npos) {
      valid = false;
    } else {
      std::string authzid = decoded.substr(0, first);
      user = decoded.substr(first + 1, second - first - 1);
      password = decoded.substr(second + 1);
      // NOTE: master users are not modelled, so an authzid other than the user fails.
      valid = authzid.empty() || authzid == user;
    }
  }
  if (!valid) {
    ServerEvent event;
    event.type = ServerEventType::AUTH_FAILED;
    event.method = "PLAIN";
    events_.push_back(std::move(event));
    delayed_reply_ = tagged(auth_tag_, std::string(kAuthFailed));
    set_state(ServerState::AUTH_FAILED_DELAY);
    return "";
  }
  return try_login(auth_tag_, user, password);
}

std::string ServerSession::try_login(const std::string& tag, const std::string& user,
                                     const std::string& password) {
  ServerEvent event;
  event.user = user;
  event.method = "PLAIN";
  if (!hooks_.authenticate(user, password)) {
    // Dovecot's auth process delays failure replies; the simulator decides for how long.
    event.type = ServerEventType::AUTH_FAILED;
    events_.push_back(std::move(event));
    delayed_reply_ = tagged(tag, std::string(kAuthFailed));
    set_state(ServerState::AUTH_FAILED_DELAY);
    return "";
  }
  event.type = ServerEventType::LOGIN;
  events_.push_back(std::move(event));
  user_ = user;
  set_state(ServerState::AUTHENTICATED);
  // The login reply still comes from imap-login, so it has no timing suffix.
  if (capability_requested_) {
    return "* CAPABILITY " + config_.capability + "\r\n" + tag + " OK Logged in\r\n";
  }
  return tag + " OK [CAPABILITY " + config_.capability + "] Logged in\r\n";
}

std::string ServerSession::handle_after_login(const Command& command, ArgumentReader& args) {
  const std::string& name = command.name;
  bool selected = state_ == ServerState::SELECTED;
  if (name == "CAPABILITY") {
    return "* CAPABILITY " + config_.capability + "\r\n" +
           tagged(command.tag, "OK Capability completed.");
  }
  if (name == "NOOP") return tagged(command.tag, "OK NOOP completed.");
  if (name == "LOGOUT") return logout(command.tag);
  if (name == "ID") return "* ID (\"name\" \"Dovecot\")\r\n" + tagged(command.tag, "OK ID completed.");
  if (name == "ENABLE") {
    if (!args.atom()) return bad_arguments(command, "Invalid arguments");
    // NOTE: no ENABLE-able extension (CONDSTORE, QRESYNC, UTF8=ACCEPT) is modelled, so
    // nothing is enabled and no `* ENABLED` line is sent (RFC 5161 §3.1 allows that).
    return tagged(command.tag, "OK Enabled.");
  }
  if (name == "SELECT" || name == "EXAMINE") return select(command, args, name == "EXAMINE");
  if (name == "LIST" || name == "LSUB") return list(command, args);
  if (name == "STATUS") return status(command, args);
  if (name == "APPEND") return append(command, args);
  if (name == "IDLE") {
    idle_tag_ = command.tag;
    idle_return_state_ = state_;
    set_state(ServerState::IDLING);
    return "+ idling\r\n";
  }
  Command effective = command;
  if (name == "UID") {
    std::optional<std::string> sub = args.atom();
    if (!sub || !args.space()) return bad_arguments(command, "Invalid arguments");
    effective.name = to_upper(*sub);
    effective.uid = true;
    if (effective.name != "FETCH" && effective.name != "STORE" && effective.name != "SEARCH") {
      if (is_unmodelled_command(effective.name) || effective.name == "EXPUNGE") {
        throw std::logic_error("IMAP command UID " + effective.name + " is not modelled");
      }
      return bad_arguments(command, "Unknown command");
    }
  }
  const std::string& real = effective.name;
  bool needs_mailbox = real == "CHECK" || real == "CLOSE" || real == "UNSELECT" ||
                       real == "EXPUNGE" || real == "SEARCH" || real == "FETCH" ||
                       real == "STORE";
  if (needs_mailbox && !selected) return tagged(command.tag, "BAD No mailbox selected.");
  if (real == "CHECK") return tagged(command.tag, "OK Check completed.");
  if (real == "CLOSE") {
    close_mailbox(!read_only_);
    return tagged(command.tag, "OK Close completed.");
  }
  if (real == "UNSELECT") {
    close_mailbox(false);
    return tagged(command.tag, "OK Unselect completed.");
  }
  if (real == "EXPUNGE") return expunge(true) + tagged(command.tag, "OK Expunge completed.");
  if (real == "FETCH") return fetch(effective, args);
  if (real == "STORE") return store(effective, args);
  if (real == "SEARCH") return search(effective, args);
  if (is_unmodelled_command(real)) {
    throw std::logic_error("IMAP command " + real + " is not modelled");
  }
  return bad_arguments(command, "Unknown command");
}

std::string ServerSession::logout(const std::string& tag) {
  if (mailbox_ != nullptr) close_mailbox(false);
  set_state(ServerState::LOGOUT);
  std::string reply = "* BYE Logging out\r\n" + tagged(tag, "OK Logout completed.");
  ServerEvent event;
  event.type = ServerEventType::LOGOUT;
  event.user = user_;
  event.reason = "Logged out";
  event.counters = counters_;
  event.counters.out += reply.size();
  events_.push_back(std::move(event));
  return reply;
}

}  // namespace mailsim::imap
