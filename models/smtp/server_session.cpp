#include "models/smtp/server_session.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include <fmt/format.h>

#include "models/common/timefmt.hpp"
#include "models/smtp/data_codec.hpp"

namespace mailsim::smtp {
namespace {

// Sendmail's MAXNAME: a longer address token draws "prescan: token too long".
constexpr std::size_t kMaxName = 256;
// Sendmail's MAXSHORTSTR: longer command text is shortened in replies.
constexpr std::size_t kMaxShortString = 203;
// Sendmail's MAXTIMEOUT and MAXSHIFT bound the checksmtpattack() sleeps.
constexpr long kMaxTimeout = 4 * 60;
constexpr unsigned kMaxShift = 8;

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return lower(a) == lower(b);
}

std::string_view skip_space(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  return text;
}

// Sendmail's shortenstring(): keeps the first and last 100 characters.
std::string shorten(std::string_view text) {
  if (text.size() < kMaxShortString) return std::string(text);
  std::size_t keep = (kMaxShortString - 3) / 2;
  return fmt::format("{}...{}", text.substr(0, keep), text.substr(text.size() - keep));
}

// The result of splitting MAIL/RCPT arguments the way Sendmail's prescan()
// does with ' ' as the delimiter.
struct ParsedPath {
  std::string as_typed;  // echoed in replies, e.g. "<lee@naver.com>"
  std::string address;   // without brackets and source route
  std::string_view parameters;
  std::string error;  // complete reply when the address is unusable
};

// Strips angle brackets and an RFC 5321 section 4.1.2 source route
// ("<@a,@b:user@c>" -> "user@c").
std::string bare_address(std::string_view text) {
  std::size_t open = text.find('<');
  std::size_t close = text.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
    text = text.substr(open + 1, close - open - 1);
  }
  if (!text.empty() && text.front() == '@') {
    std::size_t colon = text.find(':');
    if (colon != std::string_view::npos) text.remove_prefix(colon + 1);
  }
  return std::string(text);
}

bool is_address_special(char c) {
  return std::string_view("()<>,;:\\\"[]@.").find(c) != std::string_view::npos || is_space(c);
}

ParsedPath parse_path(std::string_view text) {
  ParsedPath result;
  int angles = 0;
  bool quoted = false;
  bool escaped = false;
  std::size_t end = 0;
  for (; end < text.size(); ++end) {
    char c = text[end];
    if (escaped) {
      escaped = false;
      continue;
    }
    if (c == '\\') {
      escaped = true;
    } else if (quoted) {
      if (c == '"') quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '<') {
      ++angles;
    } else if (c == '>') {
      if (angles == 0) {
        result.error = fmt::format("553 5.0.0 {}... Unbalanced '>'", text);
        return result;
      }
      --angles;
    } else if (is_space(c) && angles <= 0) {
      break;
    }
  }
  if (quoted) {
    result.error = fmt::format("553 5.0.0 {}... Unbalanced '\"'", text);
    return result;
  }
  if (angles > 0) {
    result.error = fmt::format("553 5.0.0 {}... Unbalanced '<'", text);
    return result;
  }
  result.as_typed = std::string(text.substr(0, end));
  result.parameters = skip_space(text.substr(end));

  // prescan() refuses any token of MAXNAME characters or more.
  std::size_t run = 0;
  for (char c : result.as_typed) {
    run = is_address_special(c) ? 0 : run + 1;
    if (run >= kMaxName) {
      result.error = fmt::format("553 5.1.0 {}... prescan: token too long", result.as_typed);
      return result;
    }
  }
  result.address = bare_address(result.as_typed);
  return result;
}

struct EsmtpParameter {
  std::string keyword;
  std::optional<std::string> value;
};

// Splits "SIZE=165 BODY=8BITMIME" as Sendmail's parse_esmtp_args() does: a
// keyword of letters, digits and "-", then an optional "=value".
std::vector<EsmtpParameter> parse_parameters(std::string_view text) {
  std::vector<EsmtpParameter> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    if (i >= text.size()) break;
    std::size_t start = i;
    while (i < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '-')) {
      ++i;
    }
    EsmtpParameter parameter;
    parameter.keyword = std::string(text.substr(start, i - start));
    if (i < text.size() && text[i] == '=') {
      std::size_t value_start = ++i;
      while (i < text.size() && !is_space(text[i]) && text[i] != '=' &&
             !std::iscntrl(static_cast<unsigned char>(text[i]))) {
        ++i;
      }
      parameter.value = std::string(text.substr(value_start, i - value_start));
    }
    // Sendmail cuts the parameter at the first character it cannot use.
    while (i < text.size() && !is_space(text[i])) ++i;
    out.push_back(std::move(parameter));
  }
  return out;
}

// Sendmail's skipword(): checks "FROM:"/"TO:" and returns the rest, or the
// word it choked on (quoted in the 501 reply).
struct SkipWordResult {
  bool ok = false;
  std::string_view rest;
  std::string_view word;
};

SkipWordResult skip_word(std::string_view argument, std::string_view expected) {
  SkipWordResult result;
  std::string_view p = skip_space(argument);
  std::size_t end = 0;
  while (end < p.size() && p[end] != ':' && !is_space(p[end])) ++end;
  result.word = p.substr(0, end);
  std::string_view after = skip_space(p.substr(end));
  if (after.empty() || after.front() != ':') return result;
  after = skip_space(after.substr(1));
  if (after.empty() || !iequals(result.word, expected)) return result;
  result.ok = true;
  result.rest = after;
  return result;
}

// The helpfile that Sendmail 8.17 installs, topic "smtp" (HELP without argument).
// NOTE: this text was not captured from the lab; it follows the stock helpfile.
const char* const kHelpLines[] = {
    "This is sendmail version {}",
    "Topics:",
    "\tHELO\tEHLO\tMAIL\tRCPT\tDATA",
    "\tRSET\tNOOP\tQUIT\tHELP\tVRFY",
    "\tEXPN\tVERB\tETRN\tDSN\tAUTH",
    "\tSTARTTLS",
    "For more info use \"HELP <topic>\".",
    "To report bugs in the implementation see",
    "\thttp://www.sendmail.org/email-addresses.html",
    "For local information send email to Postmaster at your site.",
};

const char* const kHelpTopics[] = {"helo", "ehlo", "mail", "rcpt",    "data", "rset",
                                   "noop", "quit", "help", "vrfy",    "expn", "verb",
                                   "etrn", "dsn",  "auth", "starttls"};

}  // namespace

ServerConfig ServerConfig::debian(std::string hostname) {
  ServerConfig config;
  config.hostname = std::move(hostname);
  config.version = "8.17.1.9/8.17.1.9/Debian-2+deb12u2";
  config.debian_banner = true;
  config.privacy_novrfy = false;
  config.privacy_noexpn = false;
  config.privacy_needmailhelo = true;
  config.privacy_needvrfyhelo = true;
  config.privacy_needexpnhelo = true;
  config.bad_rcpt_throttle = 3;
  config.max_daemon_children = 0;
  config.reject_nul = true;
  return config;
}

std::string ServerHooks::accept_shared_message(const message::Envelope& envelope,
                                              const message::SharedMessage& message,
                                              const SessionInfo& session) {
  return accept_message(envelope, message.flatten(), session);
}

message::QueueingInfo queueing_info(const ServerConfig& config, const SessionInfo& session,
                                    const message::Envelope& envelope,
                                    const std::string& queue_id) {
  message::QueueingInfo q;
  q.received.helo = session.helo_name;
  q.received.peer_name = session.peer.ptr_name;
  q.received.peer_ip = session.peer.ip;
  q.received.by_host = config.hostname;
  q.received.version = config.version;
  q.received.esmtp = session.esmtp;
  q.received.queue_id = queue_id;
  q.received.recipients = envelope.rcpt_to;
  q.received.when = session.mail_time;
  q.envelope_start = session.envelope_start;
  q.mail_from = envelope.mail_from;
  q.authentication_warnings = session.authentication_warnings;
  return q;
}

std::string client_text(const PeerInfo& peer) {
  if (peer.ptr_name.empty()) return fmt::format("[{}]", peer.ip);
  return fmt::format("{} [{}]", peer.ptr_name, peer.ip);
}

std::optional<std::string> ServerHooks::check_mail(const std::string&, const std::string&) {
  return std::nullopt;
}

std::optional<std::string> ServerHooks::rcpt_access(const std::string&, const std::string&) {
  return std::nullopt;
}

std::string ServerHooks::recipient_key(const std::string& address) {
  return lower(address);
}

std::optional<std::vector<VerifiedAddress>> ServerHooks::verify(const std::string& address,
                                                                bool expand) {
  throw NotModelledError(
      fmt::format("{} {}: address verification is not modelled by this "
                  "ServerHooks; override ServerHooks::verify()",
                  expand ? "EXPN" : "VRFY", address));
}

const char* to_string(ServerState state) {
  switch (state) {
    case ServerState::CONNECTED:
      return "CONNECTED";
    case ServerState::READY:
      return "READY";
    case ServerState::HELLO_RECEIVED:
      return "HELLO_RECEIVED";
    case ServerState::MAIL_RECEIVED:
      return "MAIL_RECEIVED";
    case ServerState::RCPT_RECEIVED:
      return "RCPT_RECEIVED";
    case ServerState::RECEIVING_DATA:
      return "RECEIVING_DATA";
    case ServerState::CLOSED:
      return "CLOSED";
  }
  return "?";
}

ServerSession::ServerSession(ServerConfig config, PeerInfo peer, ServerHooks& hooks)
    : config_(std::move(config)), peer_(std::move(peer)), hooks_(hooks) {}

void ServerSession::set_state(ServerState next) {
  if (next == state_) return;
  if (!config_.record_events) {
    state_ = next;
    return;
  }
  ServerEvent e{ServerEventKind::STATE_CHANGED, to_string(next)};
  e.old_state = state_;
  e.new_state = next;
  e.reply_offset = out_.size();
  events_.push_back(std::move(e));
  state_ = next;
}

void ServerSession::reply(const std::string& line) {
  out_.reserve(out_.size() + line.size() + 2);
  out_ += line;
  out_ += "\r\n";
}

void ServerSession::event(ServerEventKind kind, std::string detail, std::uint64_t size) {
  if (!config_.record_events) return;
  ServerEvent e{kind, std::move(detail)};
  e.old_state = e.new_state = state_;
  e.reply_offset = out_.size();
  e.size = size;
  events_.push_back(std::move(e));
}

std::vector<ServerEvent> ServerSession::take_events() {
  std::vector<ServerEvent> out;
  out.swap(events_);
  return out;
}

void ServerSession::close_session() {
  if (state_ == ServerState::CLOSED) return;
  if (log_null_connection_ && !null_server_) {
    event(ServerEventKind::NULL_CONNECTION,
          fmt::format("{} did not issue MAIL/EXPN/VRFY/ETRN", client_text(peer_)));
  }
  set_state(ServerState::CLOSED);
}

void ServerSession::peer_closed() {
  close_session();
}

void ServerSession::clear_transaction() {
  got_mail_ = false;
  envelope_ = message::Envelope{};
  recipient_spellings_.clear();
  recipient_keys_.clear();
  size_param_ = 0;
  warnings_.clear();
  envelope_start_ = hooks_.now();
  set_state(got_hello_ ? ServerState::HELLO_RECEIVED : ServerState::READY);
}

bool ServerSession::count_repeated(unsigned& counter, int limit, const char* command) {
  if (limit <= 0) return true;
  unsigned max = static_cast<unsigned>(limit);
  if (++counter < max) return true;
  if (counter == max) event(ServerEventKind::ATTACK_SUSPECTED, command, counter);

  // checksmtpattack(): sleep count/limit seconds, then 2^(count-limit) minus
  // what was already slept, both bounded by MAXTIMEOUT.
  unsigned shift = counter - max;
  long wait = shift > kMaxShift ? kMaxTimeout : (1L << shift);
  if (wait >= kMaxTimeout) wait = kMaxTimeout;
  long first = counter / max;
  wait -= first;
  if (wait >= kMaxTimeout || wait < 0) wait = kMaxTimeout;
  ServerEvent e{ServerEventKind::REPLY_DELAYED, command};
  e.old_state = e.new_state = state_;
  e.delay_seconds = static_cast<double>(first + wait);
  e.reply_offset = out_.size();
  events_.push_back(std::move(e));

  if (config_.max_daemon_children > 0 && counter >= 2 * max) {
    reply(fmt::format("421 4.7.0 {} Too many bad commands; closing connection", config_.hostname));
    close_session();
    return false;
  }
  return true;
}

std::string ServerSession::greeting(bool pre_greeting_input) {
  if (state_ != ServerState::CONNECTED) {
    throw std::logic_error("ServerSession::greeting() called twice");
  }
  out_.clear();
  envelope_start_ = hooks_.now();
  if (pre_greeting_input) {
    // Sendmail's greet_pause: traffic before the banner turns the session
    // into a "null server" that greets with 554 (RFC 5321 section 3.1).
    null_server_ = true;
    event(ServerEventKind::PROTOCOL_VIOLATION,
          fmt::format("rejecting commands from {} [{}] due to pre-greeting traffic",
                      peer_.ptr_name.empty() ? "[" + peer_.ip + "]" : peer_.ptr_name, peer_.ip));
    reply(fmt::format("554 {} ESMTP not accepting messages", config_.hostname));
  } else {
    std::string banner = fmt::format("220 {} ESMTP Sendmail {}; {}", config_.hostname,
                                     config_.version, timefmt::rfc5322(envelope_start_));
    if (config_.debian_banner) {
      bool resolved = !peer_.ptr_name.empty();
      banner += fmt::format("; (No UCE/UBE) logging access from: {}({})-{}",
                            resolved ? peer_.ptr_name : "[" + peer_.ip + "]",
                            resolved ? "OK" : "FAIL", client_text(peer_));
    }
    reply(banner);
  }
  set_state(ServerState::READY);
  std::string out;
  out.swap(out_);
  return out;
}

std::string ServerSession::feed(std::string_view bytes) {
  if (state_ == ServerState::CONNECTED) {
    throw std::logic_error("ServerSession::feed() called before greeting()");
  }
  out_.clear();
  if (state_ == ServerState::CLOSED) return {};
  in_.append(bytes);

  std::size_t pos = 0;
  while (pos < in_.size() && state_ != ServerState::CLOSED) {
    if (state_ == ServerState::RECEIVING_DATA) {
      pos = consume_data(pos);
      continue;
    }
    std::size_t lf = in_.find('\n', pos);
    if (lf == std::string::npos) {
      // Sendmail's sfgets() returns a full buffer as one line; such a line
      // can only be over-long.
      if (in_.size() - pos >= config_.max_input_line - 1) {
        std::size_t length = in_.size() - pos;
        pos = in_.size();
        handle_line(std::string_view(in_).substr(pos - length, length), length);
      }
      break;
    }
    std::size_t length = lf + 1 - pos;
    std::string_view line(in_.data() + pos, lf - pos);
    pos = lf + 1;
    // Sendmail's fixcrlf() drops the CR before LF; a bare LF also ends a command.
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    handle_line(line, length);
  }
  in_.erase(0, pos);
  if (state_ == ServerState::CLOSED) in_.clear();

  std::string out;
  out.swap(out_);
  return out;
}

void ServerSession::handle_line(std::string_view line, std::size_t raw_length) {
  if (raw_length > config_.max_command_line) {
    reply(fmt::format("421 4.7.0 {} Command too long, possible attack {}", config_.hostname,
                      client_text(peer_)));
    event(ServerEventKind::PROTOCOL_VIOLATION,
          fmt::format("{}: SMTP violation, input too long: {}", client_text(peer_), raw_length),
          raw_length);
    close_session();
    return;
  }

  if (first_line_) {
    first_line_ = false;
    // An HTTP or POP3 request as first line means an open-proxy probe.
    for (const char* probe : {"GET", "POST", "CONNECT", "USER"}) {
      std::string_view word(probe);
      if (line.size() >= word.size() && iequals(line.substr(0, word.size()), word) &&
          (line.size() == word.size() || is_space(line[word.size()]))) {
        reply(fmt::format("421 4.7.0 {} Rejecting open proxy {}", config_.hostname,
                          client_text(peer_)));
        event(ServerEventKind::PROTOCOL_VIOLATION,
              fmt::format("{}: probable open proxy: command={}", client_text(peer_),
                          line.substr(0, 40)));
        close_session();
        return;
      }
    }
  }

  std::string_view rest = skip_space(line);
  std::size_t end = 0;
  while (end < rest.size() && !is_space(rest[end])) ++end;
  dispatch(line, rest.substr(0, end), skip_space(rest.substr(end)));
}

void ServerSession::dispatch(std::string_view line, std::string_view command,
                             std::string_view argument) {
  std::string name = lower(command);

  if (null_server_ && name != "quit" && name != "helo" && name != "ehlo" && name != "noop" &&
      name != "rset") {
    bool known = name == "mail" || name == "rcpt" || name == "data" || name == "vrfy" ||
                 name == "expn" || name == "help" || name == "etrn" || name == "verb" ||
                 name == "send" || name == "saml" || name == "soml" || name == "turn" ||
                 name == "auth" || name == "starttls";
    if (known) {
      if (++counters_.bad_commands > static_cast<unsigned>(config_.max_bad_commands)) {
        reply(fmt::format("421 4.7.0 {} Too many bad commands; closing connection",
                          config_.hostname));
        close_session();
        return;
      }
      reply("550 5.0.0 Command rejected");
      return;
    }
  }

  if (name == "helo" || name == "ehlo") {
    cmd_hello(command, argument, name == "ehlo");
  } else if (name == "mail") {
    cmd_mail(argument);
  } else if (name == "rcpt") {
    cmd_rcpt(argument);
  } else if (name == "data") {
    cmd_data();
  } else if (name == "rset") {
    reply("250 2.0.0 Reset state");
    clear_transaction();
  } else if (name == "vrfy" || name == "expn") {
    cmd_verify(argument, name == "expn");
  } else if (name == "etrn") {
    cmd_etrn(argument);
  } else if (name == "help") {
    cmd_help(argument);
  } else if (name == "noop") {
    if (!count_repeated(counters_.noop_commands, config_.max_noop_commands, "NOOP")) return;
    reply("250 2.0.0 OK");
  } else if (name == "quit") {
    reply(fmt::format("221 2.0.0 {} closing connection", config_.hostname));
    close_session();
  } else if (name == "verb") {
    if (config_.privacy_noexpn || config_.privacy_noverb) {
      reply("502 5.7.0 Verbose unavailable");
      return;
    }
    if (!count_repeated(counters_.noop_commands, config_.max_noop_commands, "VERB")) return;
    // NOTE: Sendmail then delivers while the client waits and sends 050
    // transcript lines; only the reply is modelled.
    reply("250 2.0.0 Verbose mode");
  } else if (name == "starttls") {
    if (!argument.empty()) {
      reply("501 5.5.2 Syntax error (no parameters allowed)");
    } else {
      // The recorded Debian build has STARTTLS compiled in but no
      // certificate; the Red Hat build is assumed to answer the same.
      reply("454 4.3.3 TLS not available after start");
    }
  } else if (name == "auth") {
    cmd_auth(argument);
  } else if (name == "send" || name == "saml" || name == "soml" || name == "turn") {
    reply(fmt::format("502 5.5.1 Command not implemented: \"{}\"", shorten(line)));
  } else {
    cmd_unknown(line);
  }
}

void ServerSession::cmd_unknown(std::string_view line) {
  // MAXBADCOMMANDS counts only unrecognized commands.
  if (++counters_.bad_commands > static_cast<unsigned>(config_.max_bad_commands)) {
    reply(fmt::format("421 4.7.0 {} Too many bad commands; closing connection", config_.hostname));
    close_session();
    return;
  }
  reply(fmt::format("500 5.5.1 Command unrecognized: \"{}\"", shorten(line)));
}

void ServerSession::cmd_hello(std::string_view command, std::string_view argument, bool extended) {
  if (!count_repeated(counters_.helo_commands, config_.max_helo_commands, "HELO/EHLO")) return;

  // RFC 1123 section 5.2.5: the argument is the client's domain name.
  if (argument.empty() && !config_.allow_bogus_helo) {
    reply(fmt::format("501 5.0.0 {} requires domain address", command));
    return;
  }
  if (argument.size() > kMaxName) {
    reply("501 5.0.0 Invalid domain name");
    return;
  }
  std::string_view name = argument;
  bool valid = true;
  for (std::size_t i = 0; i < argument.size(); ++i) {
    char c = argument[i];
    if (std::isalnum(static_cast<unsigned char>(c)) ||
        std::string_view("[].-_#:").find(c) != std::string_view::npos) {
      continue;
    }
    if (is_space(c) && skip_space(argument.substr(i)).empty()) {
      name = argument.substr(0, i);  // trailing whitespace is allowed
    } else {
      valid = false;
    }
    break;
  }
  if (!valid && !config_.allow_bogus_helo) {
    reply("501 5.0.0 Invalid domain name");
    return;
  }

  if (got_hello_ || got_mail_) clear_transaction();
  got_hello_ = true;
  esmtp_ = extended;
  sending_host_ = std::string(name);
  set_state(ServerState::HELLO_RECEIVED);

  // The name shown is the PTR name or [ip], never the argument.
  std::string hello = fmt::format("{} Hello {}, {}", config_.hostname, client_text(peer_),
                                  valid ? "pleased to meet you" : "accepting invalid domain name");
  if (!extended) {
    reply("250 " + hello);
    return;
  }
  reply("250-" + hello);
  if (null_server_) {
    reply("250 ENHANCEDSTATUSCODES");
    return;
  }
  reply("250-ENHANCEDSTATUSCODES");
  reply("250-PIPELINING");
  if (!config_.privacy_noexpn) {
    reply("250-EXPN");
    if (!config_.privacy_noverb) reply("250-VERB");
  }
  reply("250-8BITMIME");
  // RFC 1870 section 4: SIZE with no number means no fixed limit.
  reply(config_.max_message_size > 0 ? fmt::format("250-SIZE {}", config_.max_message_size)
                                     : std::string("250-SIZE"));
  if (!config_.privacy_noreceipts) reply("250-DSN");
  if (!config_.privacy_noetrn) reply("250-ETRN");
  if (!config_.auth_mechanisms.empty()) reply("250-AUTH " + config_.auth_mechanisms);
  reply("250-DELIVERBY");
  reply("250 HELP");
}

void ServerSession::cmd_mail(std::string_view argument) {
  if (!got_hello_ && config_.privacy_needmailhelo) {
    reply("503 5.0.0 Polite people say HELO first");
    return;
  }
  if (got_mail_) {
    reply("503 5.5.0 Sender already specified");
    return;
  }
  SkipWordResult from = skip_word(argument, "from");
  if (!from.ok) {
    reply(fmt::format("501 5.5.2 Syntax error in parameters scanning \"{}\"", shorten(from.word)));
    return;
  }
  log_null_connection_ = false;

  ParsedPath path = parse_path(from.rest);
  if (!path.error.empty()) {
    reply(path.error);
    return;
  }

  std::uint64_t size = 0;
  for (const EsmtpParameter& p : parse_parameters(path.parameters)) {
    std::string keyword = lower(p.keyword);
    if (keyword == "size") {
      if (!p.value) {
        reply("501 5.5.2 SIZE requires a value");
        return;
      }
      // strtol(): leading digits count, "abc" and "" give 0.
      std::string_view v = *p.value;
      bool negative = !v.empty() && v.front() == '-';
      if (negative || (!v.empty() && v.front() == '+')) v.remove_prefix(1);
      std::size_t digits = 0;
      while (digits < v.size() && std::isdigit(static_cast<unsigned char>(v[digits]))) ++digits;
      if (negative && v.substr(0, digits).find_first_not_of('0') != std::string_view::npos) {
        reply("552 5.2.3 Message size invalid");
        return;
      }
      // strtol() overflows past LONG_MAX (9223372036854775807), which Sendmail
      // refuses.
      std::string_view number = v.substr(0, digits);
      while (number.size() > 1 && number.front() == '0') number.remove_prefix(1);
      if (!negative &&
          (number.size() > 19 || (number.size() == 19 && number > "9223372036854775807"))) {
        reply("552 5.2.3 Message size exceeds maximum value");
        return;
      }
      size = digits == 0 || negative ? 0 : std::stoull(std::string(number));
    } else if (keyword == "body") {
      if (!p.value) {
        reply("501 5.5.2 BODY requires a value");
        return;
      }
      if (!iequals(*p.value, "8bitmime") && !iequals(*p.value, "7bit")) {
        reply(fmt::format("501 5.5.4 Unknown BODY type {}", *p.value));
        return;
      }
    } else if (keyword == "envid" || keyword == "ret") {
      std::string upper = keyword == "envid" ? "ENVID" : "RET";
      if (config_.privacy_noreceipts) {
        reply(fmt::format("504 5.7.0 Sorry, {} not supported, we do not allow DSN", upper));
        return;
      }
      if (!p.value) {
        reply(fmt::format("501 5.5.2 {} requires a value", upper));
        return;
      }
      if (keyword == "ret" && !iequals(*p.value, "hdrs") && !iequals(*p.value, "full")) {
        reply(fmt::format("501 5.5.2 Bad argument \"{}\" to RET", *p.value));
        return;
      }
    } else if (keyword == "by") {
      // NOTE: DELIVERBY (RFC 2852) values are accepted without checks.
    } else {
      reply(fmt::format("555 5.5.4 {} parameter unrecognized", p.keyword));
      return;
    }
  }
  // RFC 1870 section 6.1: refuse at MAIL what exceeds the fixed limit.
  if (config_.max_message_size > 0 && size > config_.max_message_size) {
    reply(fmt::format("552 5.2.3 Message size exceeds fixed maximum message size ({})",
                      config_.max_message_size));
    return;
  }

  if (!got_hello_) {
    sending_host_ = peer_.ptr_name.empty() ? "[" + peer_.ip + "]" : peer_.ptr_name;
    if (config_.privacy_authwarnings) {
      warnings_.push_back(
          fmt::format("{}: {} didn't use HELO protocol", config_.hostname, client_text(peer_)));
    }
  }
  if (auto refused = hooks_.check_mail(path.address, path.as_typed)) {
    reply(*refused);
    event(ServerEventKind::SENDER_REJECTED, *refused);
    return;
  }
  got_mail_ = true;
  envelope_.mail_from = path.address;
  size_param_ = size;
  mail_time_ = hooks_.now();
  counters_.bad_rcpts = 0;
  reply(fmt::format("250 2.1.0 {}... Sender ok", path.as_typed));
  set_state(ServerState::MAIL_RECEIVED);
}

void ServerSession::cmd_rcpt(std::string_view argument) {
  if (config_.bad_rcpt_throttle > 0 &&
      counters_.bad_rcpts >= static_cast<unsigned>(config_.bad_rcpt_throttle)) {
    if (counters_.bad_rcpts == static_cast<unsigned>(config_.bad_rcpt_throttle)) {
      event(ServerEventKind::RCPT_FLOOD,
            fmt::format("{}: Possible SMTP RCPT flood, throttling.", client_text(peer_)));
      ++counters_.bad_rcpts;  // Sendmail's way of logging this only once
    }
    ServerEvent e{ServerEventKind::REPLY_DELAYED, "RCPT"};
    e.old_state = e.new_state = state_;
    e.delay_seconds = config_.bad_rcpt_throttle_delay;
    e.reply_offset = out_.size();
    events_.push_back(std::move(e));
  }
  if (!got_mail_) {
    reply("503 5.0.0 Need MAIL before RCPT");
    return;
  }
  SkipWordResult to = skip_word(argument, "to");
  if (!to.ok) {
    reply(fmt::format("501 5.5.2 Syntax error in parameters scanning \"{}\"", shorten(to.word)));
    ++counters_.bad_rcpts;
    return;
  }
  ParsedPath path = parse_path(to.rest);
  auto reject = [&](const std::string& text) {
    reply(text);
    event(ServerEventKind::RECIPIENT_REJECTED, text);
    ++counters_.bad_rcpts;
  };
  if (!path.error.empty()) {
    reject(path.error);
    return;
  }
  for (const EsmtpParameter& p : parse_parameters(path.parameters)) {
    std::string keyword = lower(p.keyword);
    if (keyword == "notify" || keyword == "orcpt") {
      std::string upper = keyword == "notify" ? "NOTIFY" : "ORCPT";
      if (config_.privacy_noreceipts) {
        reject(fmt::format("504 5.7.0 Sorry, {} not supported, we do not allow DSN", upper));
        return;
      }
      if (!p.value) {
        reject(fmt::format("501 5.5.2 {} requires a value", upper));
        return;
      }
      if (keyword == "orcpt" && p.value->find(';') == std::string::npos) {
        reject("501 5.5.4 Syntax error in ORCPT parameter value");
        return;
      }
    } else {
      reject(fmt::format("555 5.5.4 {} parameter unrecognized", p.keyword));
      return;
    }
  }

  // NOTE: RCPT TO:<> is answered as an unknown user; the real Sendmail reply
  // to an empty recipient was not recorded.
  if (!path.address.empty()) {
    if (auto refused = hooks_.rcpt_access(path.address, path.as_typed)) {
      reject(*refused);
      return;
    }
  }
  RcptVerdict verdict =
      path.address.empty() ? RcptVerdict::USER_UNKNOWN : hooks_.check_rcpt(path.address);
  switch (verdict) {
    case RcptVerdict::USER_UNKNOWN:
      reject(fmt::format("550 5.1.1 {}... User unknown", path.as_typed));
      return;
    case RcptVerdict::RELAY_DENIED:
      // Sendmail's check_rcpt adds the lookup failure when the peer has no PTR.
      reject(peer_.ptr_name.empty()
                 ? fmt::format("550 5.7.1 {}... Relaying denied. IP name lookup failed [{}]",
                               path.as_typed, peer_.ip)
                 : fmt::format("550 5.7.1 {}... Relaying denied", path.as_typed));
      return;
    case RcptVerdict::ACCEPT:
      break;
  }

  // A duplicate recipient is acknowledged with the first spelling.
  std::string key = hooks_.recipient_key(path.address);
  auto same = std::find(recipient_keys_.begin(), recipient_keys_.end(), key);
  if (same != recipient_keys_.end()) {
    reply(fmt::format("250 2.1.5 {}... Recipient ok",
                      recipient_spellings_[same - recipient_keys_.begin()]));
    return;
  }
  recipient_keys_.push_back(key);
  recipient_spellings_.push_back(path.as_typed);
  envelope_.rcpt_to.push_back(path.address);
  reply(fmt::format("250 2.1.5 {}... Recipient ok", path.as_typed));
  set_state(ServerState::RCPT_RECEIVED);
}

void ServerSession::cmd_data() {
  if (!got_mail_) {
    reply("503 5.0.0 Need MAIL command");
    return;
  }
  if (envelope_.rcpt_to.empty()) {
    reply("503 5.0.0 Need RCPT (recipient)");
    return;
  }
  reply("354 End data with <CR><LF>.<CR><LF>");
  data_state_ = DataState::BOL;
  data_.clear();
  // The size the client declared with SIZE= (RFC 1870) is a good first guess, up to 1 MiB.
  data_.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(size_param_, 1 << 20)));
  data_size_ = 0;
  data_too_big_ = false;
  data_has_nul_ = false;
  set_state(ServerState::RECEIVING_DATA);
}

void ServerSession::store_data_byte(char c) {
  // Sendmail counts the message as stored: LF line ends, dots removed.
  ++data_size_;
  if (config_.max_message_size > 0 && data_size_ > config_.max_message_size) {
    data_too_big_ = true;
  }
  if (c == '\0') data_has_nul_ = true;
  if (!data_too_big_) data_ += c;
}

void ServerSession::store_data_run(std::size_t from, std::size_t to) {
  // Does what store_data_byte() does for each byte of in_[from, to), which contains no CR or LF.
  std::size_t count = to - from;
  data_size_ += count;
  if (config_.max_message_size > 0 && data_size_ > config_.max_message_size) data_too_big_ = true;
  if (std::memchr(in_.data() + from, '\0', count) != nullptr) data_has_nul_ = true;
  if (!data_too_big_) data_.append(in_, from, count);
}

void ServerSession::bare_line_end(bool linefeed) {
  std::string text = linefeed ? "421 4.5.0 Bare linefeed (LF) not allowed"
                              : "421 4.5.0 Bare carriage return (CR) not allowed";
  reply(text);
  event(ServerEventKind::PROTOCOL_VIOLATION, text.substr(10), data_size_);
  data_.clear();
  close_session();
}

std::size_t ServerSession::consume_data(std::size_t pos) {
  bool strict = config_.reject_bare_line_ends;
  while (pos < in_.size()) {
    if (data_state_ == DataState::NORMAL) {
      // Inside a line every byte is stored as it is: take the run up to the next line end at once.
      const char* begin = in_.data() + pos;
      const char* limit = in_.data() + in_.size();
      const auto* lf = static_cast<const char*>(std::memchr(begin, '\n', static_cast<std::size_t>(limit - begin)));
      if (lf == nullptr) lf = limit;
      const auto* cr = static_cast<const char*>(std::memchr(begin, '\r', static_cast<std::size_t>(lf - begin)));
      std::size_t end = static_cast<std::size_t>((cr != nullptr ? cr : lf) - in_.data());
      if (end > pos) {
        store_data_run(pos, end);
        pos = end;
        continue;
      }
    }
    char c = in_[pos++];
    if (strict && c == '\n' && data_state_ != DataState::CR && data_state_ != DataState::DOT_CR) {
      bare_line_end(true);
      return in_.size();
    }
    switch (data_state_) {
      case DataState::BOL:
        if (c == '.') {
          data_state_ = DataState::DOT;
          continue;
        }
        break;
      case DataState::DOT:
        if (c == '\r') {
          data_state_ = DataState::DOT_CR;
          continue;
        }
        if (c == '\n') {  // lax mode only: "<LF>.<LF>" ends the message
          finish_data();
          return pos;
        }
        break;  // RFC 5321 section 4.5.2: drop the leading dot
      case DataState::DOT_CR:
        if (c == '\n') {
          finish_data();
          return pos;
        }
        if (strict) {
          bare_line_end(false);
          return in_.size();
        }
        store_data_byte('\r');
        break;
      case DataState::CR:
        if (c == '\n') {
          store_data_byte('\n');
          data_state_ = DataState::BOL;
          continue;
        }
        if (strict) {
          bare_line_end(false);
          return in_.size();
        }
        store_data_byte('\r');
        break;
      case DataState::NORMAL:
        break;
    }
    if (c == '\r') {
      data_state_ = DataState::CR;
      continue;
    }
    store_data_byte(c);
    data_state_ = c == '\n' ? DataState::BOL : DataState::NORMAL;
  }
  return pos;
}

std::string ServerSession::feed_message(const message::SharedMessage& message) {
  bool decodes_unchanged = !message.contains('\r') && (message.empty() || message.back() == '\n');
  if (state_ != ServerState::RECEIVING_DATA || !in_.empty() || data_state_ != DataState::BOL ||
      !decodes_unchanged) {
    return feed(encode_data(message.flatten()));
  }
  out_.clear();
  // What store_data_byte() would have recorded for each byte of the decoded stream.
  data_size_ = message.size();
  data_too_big_ = config_.max_message_size > 0 && data_size_ > config_.max_message_size;
  data_has_nul_ = message.contains('\0');
  finish_data(&message);
  std::string out;
  out.swap(out_);
  return out;
}

void ServerSession::finish_data(const message::SharedMessage* shared) {
  std::uint64_t size = data_size_;
  if (data_too_big_) {
    std::string text =
        fmt::format("552 5.2.3 Message exceeds maximum fixed size ({})", config_.max_message_size);
    reply(text);
    event(ServerEventKind::MESSAGE_REJECTED,
          fmt::format("message size ({}) exceeds maximum ({})", size, config_.max_message_size),
          size);
  } else if (data_has_nul_ && config_.reject_nul) {
    std::string text = "554 5.6.1 NUL byte not allowed";
    reply(text);
    event(ServerEventKind::MESSAGE_REJECTED, text, size);
  } else {
    SessionInfo info;
    info.helo_name = sending_host_;
    info.esmtp = esmtp_;
    info.peer = peer_;
    info.envelope_start = envelope_start_;
    info.mail_time = mail_time_;
    info.size_param = size_param_;
    info.authentication_warnings = warnings_;
    std::string qid = shared ? hooks_.accept_shared_message(envelope_, *shared, info)
                             : hooks_.accept_message(envelope_, std::move(data_), info);
    reply(fmt::format("250 2.0.0 {} Message accepted for delivery", qid));
    event(ServerEventKind::MESSAGE_ACCEPTED, qid, size);
  }
  data_.clear();
  clear_transaction();
}

void ServerSession::cmd_verify(std::string_view argument, bool expand) {
  const char* name = expand ? "EXPN" : "VRFY";
  log_null_connection_ = false;
  // Sendmail counts VRFY/EXPN and sleeps later (waitnow is false for them).
  if (!count_repeated(counters_.vrfy_commands, config_.max_vrfy_commands, name)) return;
  if (!expand && config_.privacy_novrfy) {
    reply("252 2.5.2 Cannot VRFY user; try RCPT to attempt delivery (or try finger)");
    return;
  }
  if (expand && config_.privacy_noexpn) {
    reply("502 5.7.0 Sorry, we do not allow this operation");
    return;
  }
  bool need_helo = expand ? config_.privacy_needexpnhelo : config_.privacy_needvrfyhelo;
  if (!got_hello_ && need_helo) {
    reply("503 5.0.0 I demand that you introduce yourself first");
    return;
  }
  if (argument.empty()) {
    reply("501 5.5.2 Argument required");
    return;
  }
  std::string typed(argument);
  auto found = hooks_.verify(bare_address(typed), expand);
  if (!found) {
    reply(fmt::format("550 5.1.1 {}... User unknown", typed));
    return;
  }
  if (found->empty()) {
    reply(fmt::format("554 5.5.2 Nothing to {}", name));
    return;
  }
  for (std::size_t i = 0; i < found->size(); ++i) {
    const VerifiedAddress& a = (*found)[i];
    int code = !expand && !a.local ? 252 : 250;
    char separator = i + 1 == found->size() ? ' ' : '-';
    std::string entry = a.address.find('@') == std::string::npos
                            ? fmt::format("<{}@{}>", a.address, config_.hostname)
                            : fmt::format("<{}>", a.address);
    if (!a.full_name.empty()) entry = a.full_name + " " + entry;
    reply(fmt::format("{}{}2.1.5 {}", code, separator, entry));
  }
}

void ServerSession::cmd_etrn(std::string_view argument) {
  if (config_.privacy_noetrn) {
    reply("502 5.7.0 Sorry, we do not allow this operation");
    return;
  }
  if (argument.empty()) {
    reply("500 5.5.2 Parameter required");
    return;
  }
  if (!count_repeated(counters_.etrn_commands, config_.max_etrn_commands, "ETRN")) return;
  log_null_connection_ = false;
  // RFC 1985: "#name" names a queue group; the lab has only Sendmail's default one.
  if (argument.front() == '#') {
    std::string_view group = argument.substr(1);
    if (group != "mqueue") {
      reply(fmt::format("459 4.5.4 Queue {} unknown", group));
      return;
    }
    event(ServerEventKind::QUEUE_RUN_REQUESTED, std::string(argument));
    reply(fmt::format("250 2.0.0 Queuing for queue group {} started", group));
    return;
  }
  event(ServerEventKind::QUEUE_RUN_REQUESTED, std::string(argument));
  reply(fmt::format("250 2.0.0 Queuing for node {} started", argument));
}

void ServerSession::cmd_help(std::string_view argument) {
  if (argument.empty()) {
    std::string version = config_.version.substr(0, config_.version.find('/'));
    for (const char* line : kHelpLines) {
      reply("214-2.0.0 " + fmt::format(fmt::runtime(line), version));
    }
    reply("214 2.0.0 End of HELP info");
    return;
  }
  std::string topic = lower(argument);
  for (const char* known : kHelpTopics) {
    if (topic == known) {
      throw NotModelledError(
          fmt::format("HELP {}: the helpfile text of single topics is not "
                      "modelled",
                      argument));
    }
  }
  reply(fmt::format("504 5.3.0 HELP topic \"{}\" unknown", topic.substr(0, 10)));
}

void ServerSession::cmd_auth(std::string_view argument) {
  if (config_.auth_mechanisms.empty()) {
    reply("503 5.3.3 AUTH not available");
    return;
  }
  if (got_mail_) {
    reply("503 5.5.0 AUTH not permitted during a mail transaction");
    return;
  }
  std::size_t mechanisms = 1;
  for (char c : config_.auth_mechanisms) mechanisms += c == ' ';
  if (!count_repeated(counters_.auth_commands, static_cast<int>(mechanisms) + 1, "AUTH")) return;
  std::size_t end = 0;
  while (end < argument.size() && !is_space(argument[end])) ++end;
  std::string_view mechanism = argument.substr(0, end);
  if (mechanism.empty()) {
    reply("501 5.5.2 AUTH mechanism must be specified");
    return;
  }
  std::string offered = " " + lower(config_.auth_mechanisms) + " ";
  if (offered.find(" " + lower(mechanism) + " ") == std::string::npos) {
    reply(fmt::format("504 5.3.3 AUTH mechanism {} not available", mechanism.substr(0, 32)));
    return;
  }
  throw NotModelledError(fmt::format("AUTH {}: SASL authentication is not modelled", mechanism));
}

}  // namespace mailsim::smtp
