#include "models/config/sendmail_cf.hpp"

#include <cctype>
#include <limits>

namespace mailsim::config {
namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

InputError value_error(const SourcePos& pos, std::string_view option, std::string_view value,
                       std::string_view expected) {
  return InputError(pos, "invalid " + std::string(option) + " value \"" + std::string(value) +
                             "\"; expected " + std::string(expected));
}

int parse_int(std::string_view value, const SourcePos& pos, std::string_view option) {
  if (!all_digits(value) || value.size() > 9) {
    throw value_error(pos, option, value, "a whole number");
  }
  return std::stoi(std::string(value));
}

// A logical cf line: the physical line plus any continuation lines.
struct CfLine {
  int number = 0;
  std::string text;
};

// readcf() drops `#` comments after text (unless escaped as `\#` or `$#`)
// and trailing white space.
std::string strip_comment(std::string_view line) {
  std::string out;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '#' && i > 0) {
      if (line[i - 1] == '\\') {
        out.back() = '#';
        continue;
      }
      if (line[i - 1] != '$') break;
    }
    out.push_back(c);
  }
  return std::string(text::trim_right(out));
}

std::vector<CfLine> fold_lines(std::string_view text) {
  std::vector<CfLine> lines;
  for (const text::Line& line : text::split_lines(text)) {
    std::string_view raw = line.text;
    if (!raw.empty() && text::is_space(raw.front())) {
      // A continuation of the previous line (fgetfolded); blank lines too.
      if (!lines.empty() && !text::trim(raw).empty()) {
        lines.back().text += " ";
        lines.back().text += std::string(text::trim(raw));
      }
      continue;
    }
    lines.push_back(CfLine{line.number, std::string(raw)});
  }
  return lines;
}

// Reads a macro or class name: one character, or `{long name}`. Returns the
// name and advances `rest` past it.
std::string parse_name(std::string_view& rest, const SourcePos& pos, const char* what) {
  if (rest.empty() || text::is_space(rest.front())) {
    throw InputError(pos, std::string("missing ") + what + " name");
  }
  if (rest.front() != '{') {
    std::string name(1, rest.front());
    rest.remove_prefix(1);
    return name;
  }
  size_t close = rest.find('}');
  if (close == std::string_view::npos || close == 1) {
    throw InputError(pos, std::string("invalid ") + what + " name \"" + std::string(rest) +
                              "\"; expected {name}");
  }
  std::string name(rest.substr(1, close - 1));
  rest.remove_prefix(close + 1);
  return name;
}

std::optional<std::uint16_t> port_number(std::string_view port) {
  if (all_digits(port)) {
    if (port.size() > 5) return std::nullopt;
    int value = std::stoi(std::string(port));
    if (value > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(value);
  }
  // The service names of /etc/services that mail daemons use.
  if (text::iequals(port, "smtp")) return 25;
  if (text::iequals(port, "submission")) return 587;
  if (text::iequals(port, "smtps") || text::iequals(port, "submissions")) return 465;
  return std::nullopt;
}

using TimeoutField = std::int64_t SendmailTimeouts::*;

struct TimeoutName {
  const char* name;
  TimeoutField field;
};

constexpr TimeoutName kTimeouts[] = {
    {"initial", &SendmailTimeouts::initial},
    {"connect", &SendmailTimeouts::connect},
    {"aconnect", &SendmailTimeouts::aconnect},
    {"iconnect", &SendmailTimeouts::iconnect},
    {"helo", &SendmailTimeouts::helo},
    {"mail", &SendmailTimeouts::mail},
    {"rcpt", &SendmailTimeouts::rcpt},
    {"datainit", &SendmailTimeouts::datainit},
    {"datablock", &SendmailTimeouts::datablock},
    {"datafinal", &SendmailTimeouts::datafinal},
    {"rset", &SendmailTimeouts::rset},
    {"quit", &SendmailTimeouts::quit},
    {"misc", &SendmailTimeouts::misc},
    {"command", &SendmailTimeouts::command},
    {"ident", &SendmailTimeouts::ident},
    {"fileopen", &SendmailTimeouts::fileopen},
    {"control", &SendmailTimeouts::control},
    {"lhlo", &SendmailTimeouts::lhlo},
    {"auth", &SendmailTimeouts::auth},
    {"starttls", &SendmailTimeouts::starttls},
    {"hoststatus", &SendmailTimeouts::hoststatus},
};

struct PriorityName {
  const char* name;
  PriorityClass priority;
};

constexpr PriorityName kPriorities[] = {
    {"normal", PriorityClass::NORMAL},
    {"urgent", PriorityClass::URGENT},
    {"non-urgent", PriorityClass::NON_URGENT},
    {"dsn", PriorityClass::DSN},
};

void set_timeout(SendmailConfig& config, std::string_view sub, std::string_view value,
                 const SourcePos& name_pos, const SourcePos& pos) {
  std::string name = text::to_lower(sub);
  for (const TimeoutName& t : kTimeouts) {
    if (name == t.name) {
      // Sendmail reads a bare number in these timeouts as minutes.
      std::optional<std::int64_t> seconds = parse_sendmail_time(value, 'm');
      if (!seconds) throw value_error(pos, "Timeout." + name, value, "a time such as 5m or 1h30m");
      config.timeouts.*(t.field) = *seconds;
      return;
    }
  }
  for (const char* queue : {"queuewarn", "queuereturn"}) {
    std::string prefix = queue;
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    std::string_view rest = std::string_view(name).substr(prefix.size());
    bool warn = prefix == "queuewarn";
    // A bare number is hours for queuewarn and days for queuereturn.
    std::optional<std::int64_t> seconds = parse_sendmail_time(value, warn ? 'h' : 'd');
    if (!seconds) throw value_error(pos, "Timeout." + name, value, "a time such as 4h or 5d");
    auto& slots = warn ? config.timeouts.queuewarn : config.timeouts.queuereturn;
    if (rest.empty() || rest == ".*") {
      slots.fill(*seconds);
      return;
    }
    for (const PriorityName& p : kPriorities) {
      if (rest.size() > 1 && rest[0] == '.' && rest.substr(1) == p.name) {
        slots[static_cast<int>(p.priority)] = *seconds;
        return;
      }
    }
  }
  if (name.compare(0, 9, "resolver.") == 0) {
    config.warnings.push_back(
        Warning{name_pos, "option Timeout." + std::string(sub) + " is not modelled"});
    return;
  }
  throw InputError(name_pos, "invalid timeout Timeout." + std::string(sub) +
                                 "; expected a name such as mail, rcpt, queuewarn or "
                                 "queuereturn.normal");
}

void set_privacy(PrivacyOptions& privacy, std::string_view value, const SourcePos& pos) {
  // Sendmail accepts any punctuation or white space between the flags.
  size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && !std::isalnum(static_cast<unsigned char>(value[i]))) ++i;
    size_t start = i;
    while (i < value.size() && std::isalnum(static_cast<unsigned char>(value[i]))) ++i;
    if (i == start) break;
    std::string flag = text::to_lower(value.substr(start, i - start));
    if (flag == "public") continue;
    if (flag == "goaway") {
      // Sendmail 8.17 defines goaway as every flag below 0x10000: these seven.
      privacy.needmailhelo = privacy.needexpnhelo = privacy.needvrfyhelo = true;
      privacy.noexpn = privacy.novrfy = privacy.noverb = privacy.authwarnings = true;
      continue;
    }
    struct Flag {
      const char* name;
      bool PrivacyOptions::*field;
    };
    static constexpr Flag kFlags[] = {
        {"needmailhelo", &PrivacyOptions::needmailhelo},
        {"needexpnhelo", &PrivacyOptions::needexpnhelo},
        {"needvrfyhelo", &PrivacyOptions::needvrfyhelo},
        {"noexpn", &PrivacyOptions::noexpn},
        {"novrfy", &PrivacyOptions::novrfy},
        {"noverb", &PrivacyOptions::noverb},
        {"noetrn", &PrivacyOptions::noetrn},
        {"authwarnings", &PrivacyOptions::authwarnings},
        {"restrictmailq", &PrivacyOptions::restrictmailq},
        {"restrictqrun", &PrivacyOptions::restrictqrun},
        {"restrictexpand", &PrivacyOptions::restrictexpand},
        {"noreceipts", &PrivacyOptions::noreceipts},
        {"nobodyreturn", &PrivacyOptions::nobodyreturn},
        {"noactualrecipient", &PrivacyOptions::noactualrecipient},
    };
    bool known = false;
    for (const Flag& f : kFlags) {
      if (flag == f.name) {
        privacy.*(f.field) = true;
        known = true;
      }
    }
    if (!known) {
      throw InputError(pos, "unknown PrivacyOptions flag \"" + flag +
                                "\"; expected flags such as novrfy, noexpn, goaway, "
                                "authwarnings or restrictqrun");
    }
  }
}

void set_option(SendmailConfig& config, std::string_view name, std::string_view value,
                const SourcePos& name_pos, const SourcePos& pos) {
  std::string lower = text::to_lower(name);
  if (lower == "daemonportoptions") {
    config.daemons.push_back(parse_daemon_port_options(
        value, pos, static_cast<int>(config.daemons.size()), config.warnings));
  } else if (lower == "maxmessagesize") {
    if (!all_digits(value) || value.size() > 18) {
      throw value_error(pos, name, value, "a size in bytes such as 10000 (0 for no limit)");
    }
    config.max_message_size = std::stoull(std::string(value));
  } else if (lower == "queuedirectory") {
    // An empty value selects "mqueue" relative to the working directory.
    config.queue_directory = value.empty() ? "mqueue" : std::string(value);
  } else if (lower.compare(0, 8, "timeout.") == 0) {
    set_timeout(config, std::string_view(name).substr(8), value, name_pos, pos);
  } else if (lower == "minqueueage") {
    std::optional<std::int64_t> seconds = parse_sendmail_time(value, 'm');
    if (!seconds) throw value_error(pos, name, value, "a time such as 30m");
    config.min_queue_age = *seconds;
  } else if (lower == "queuesortorder") {
    char first = value.empty() ? '\0' : static_cast<char>(std::tolower(value[0]));
    switch (first) {
      case 'p':
        config.queue_sort_order = QueueSortOrder::PRIORITY;
        break;
      case 'h':
        config.queue_sort_order = QueueSortOrder::HOST;
        break;
      case 'f':
        config.queue_sort_order = QueueSortOrder::FILENAME;
        break;
      case 't':
        config.queue_sort_order = QueueSortOrder::TIME;
        break;
      case 'r':
        config.queue_sort_order = QueueSortOrder::RANDOM;
        break;
      case 'm':
        config.queue_sort_order = QueueSortOrder::MODIFICATION;
        break;
      case 'n':
        config.queue_sort_order = QueueSortOrder::NONE;
        break;
      default:
        throw value_error(pos, name, value,
                          "priority, host, filename, time, random, modification or none");
    }
  } else if (lower == "queuela") {
    config.queue_la = parse_int(value, pos, name);
  } else if (lower == "refusela") {
    config.refuse_la = parse_int(value, pos, name);
  } else if (lower == "maxdaemonchildren") {
    config.max_daemon_children = parse_int(value, pos, name);
  } else if (lower == "loglevel") {
    config.log_level = parse_int(value, pos, name);
  } else if (lower == "deliverymode") {
    char first = value.empty() ? 'i' : value[0];
    switch (first) {
      case 'i':
        config.delivery_mode = DeliveryMode::INTERACTIVE;
        break;
      case 'b':
        config.delivery_mode = DeliveryMode::BACKGROUND;
        break;
      case 'q':
        config.delivery_mode = DeliveryMode::QUEUE_ONLY;
        break;
      case 'd':
        config.delivery_mode = DeliveryMode::DEFERRED;
        break;
      default:
        throw value_error(pos, name, value, "background, interactive, queueonly or deferred");
    }
  } else if (lower == "privacyoptions") {
    set_privacy(config.privacy, value, pos);
  } else if (lower == "smtpgreetingmessage") {
    config.smtp_greeting_message = std::string(value);
  } else {
    config.warnings.push_back(
        Warning{name_pos, "option " + std::string(name) + " is not modelled"});
  }
}

void parse_option_line(SendmailConfig& config, const CfLine& line, const std::string& file) {
  SourcePos pos{file, line.number, 1};
  std::string_view body = std::string_view(line.text).substr(1);
  if (body.empty() || !text::is_space(body.front())) {
    config.warnings.push_back(
        Warning{pos, "option " + std::string(body.substr(0, 1)) +
                         " (one-letter form) is not modelled; write O LongName=value"});
    return;
  }
  std::string_view setting = text::trim(body);
  size_t equals = setting.find('=');
  std::string_view name = text::trim(setting.substr(0, equals));
  std::string_view value = equals == std::string_view::npos
                               ? std::string_view()
                               : text::trim(setting.substr(equals + 1));
  if (name.empty()) throw InputError(pos, "missing option name after O");
  SourcePos name_pos{file, line.number, text::column_of(line.text, name)};
  SourcePos value_pos{
      file, line.number,
      value.empty() ? static_cast<int>(line.text.size()) + 1 : text::column_of(line.text, value)};
  set_option(config, name, value, name_pos, value_pos);
}

void parse_class_line(SendmailConfig& config, const CfLine& line, const std::string& file) {
  SourcePos pos{file, line.number, 2};
  std::string_view rest = std::string_view(line.text).substr(1);
  std::string name = parse_name(rest, pos, "class");
  std::vector<std::string> words;
  for (const text::Word& word : text::split_words(rest)) words.emplace_back(word.text);
  config.add_to_class(name, words);
}

void parse_file_class_line(SendmailConfig& config, const CfLine& line, const std::string& file) {
  SourcePos pos{file, line.number, 2};
  std::string_view rest = std::string_view(line.text).substr(1);
  FileClass file_class;
  file_class.pos = pos;
  file_class.class_name = parse_name(rest, pos, "class");
  std::vector<text::Word> words = text::split_words(rest);
  size_t next = 0;
  if (next < words.size() && words[next].text.substr(0, 2) == "-o") {
    file_class.optional = true;
    ++next;
  }
  if (next >= words.size()) throw InputError(pos, "missing file name in F line");
  file_class.path = std::string(words[next].text);
  std::string_view after = words[next].text;
  std::string_view remainder =
      text::trim(rest.substr(static_cast<size_t>(after.data() - rest.data()) + after.size()));
  file_class.format = std::string(remainder);
  config.file_classes.push_back(std::move(file_class));
}

void parse_macro_line(SendmailConfig& config, const CfLine& line, const std::string& file) {
  SourcePos pos{file, line.number, 2};
  std::string_view rest = std::string_view(line.text).substr(1);
  std::string name = parse_name(rest, pos, "macro");
  config.macros[name] = std::string(rest);
}

}  // namespace

std::optional<std::int64_t> parse_sendmail_time(std::string_view text, char default_unit) {
  text = text::trim(text);
  if (text.empty()) return std::nullopt;
  std::int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start || i - start > 12) return std::nullopt;
    std::int64_t number = std::stoll(std::string(text.substr(start, i - start)));
    char unit = i < text.size() ? text[i++] : default_unit;
    std::int64_t factor = 0;
    switch (unit) {
      case 's':
        factor = 1;
        break;
      case 'm':
        factor = 60;
        break;
      case 'h':
        factor = 3600;
        break;
      case 'd':
        factor = 86400;
        break;
      case 'w':
        factor = 7 * 86400;
        break;
      default:
        return std::nullopt;
    }
    total += number * factor;
  }
  return total;
}

DaemonPortOptions parse_daemon_port_options(std::string_view value, const SourcePos& pos, int index,
                                            std::vector<Warning>& warnings) {
  DaemonPortOptions daemon;
  daemon.pos = pos;
  std::string_view port_text;
  std::string_view addr_text;
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    std::string_view item = text::trim(value.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    start = comma == std::string_view::npos ? value.size() + 1 : comma + 1;
    size_t equals = item.find('=');
    if (item.empty() || equals == std::string_view::npos) continue;  // Sendmail skips these
    std::string_view key = text::trim(item.substr(0, equals));
    std::string_view v = text::trim(item.substr(equals + 1));
    // Sendmail identifies each parameter by its first letter only.
    switch (key.empty() ? '\0' : key[0]) {
      case 'A':
      case 'a':
        addr_text = v;
        break;
      case 'P':
      case 'p':
        port_text = v;
        break;
      case 'N':
      case 'n':
        daemon.name = std::string(v);
        break;
      case 'M':
      case 'm':
        daemon.modifiers = std::string(v);
        break;
      case 'F':
      case 'f':
        if (text::iequals(v, "inet")) {
          daemon.family = AddressFamily::INET;
        } else if (text::iequals(v, "inet6")) {
          daemon.family = AddressFamily::INET6;
        } else {
          throw InputError(pos, "unknown address family \"" + std::string(v) +
                                    "\" in DaemonPortOptions; expected inet or inet6");
        }
        break;
      case 'c':
      case 'D':
      case 'd':
      case 'I':
      case 'i':
      case 'L':
      case 'l':
      case 'q':
      case 'R':
      case 'r':
      case 'S':
      case 's':
        warnings.push_back(Warning{
            pos, "option DaemonPortOptions parameter " + std::string(key) + " is not modelled"});
        break;
      default:
        throw InputError(pos, "unknown DaemonPortOptions parameter \"" + std::string(key) +
                                  "\"; expected Port, Addr, Family, Name or M");
    }
  }
  if (daemon.name.empty()) daemon.name = "Daemon" + std::to_string(index);
  if (!port_text.empty()) {
    std::optional<std::uint16_t> port = port_number(port_text);
    if (!port) {
      throw InputError(pos, "unknown port \"" + std::string(port_text) +
                                "\" in DaemonPortOptions; expected a number or smtp, "
                                "submission, smtps");
    }
    daemon.port = *port;
  }
  if (!addr_text.empty()) {
    bool valid =
        daemon.family == AddressFamily::INET ? text::is_ipv4(addr_text) : text::is_ipv6(addr_text);
    if (!valid) {
      throw InputError(pos, "invalid Addr \"" + std::string(addr_text) + "\" for Family=" +
                                (daemon.family == AddressFamily::INET ? "inet" : "inet6") +
                                "; give a numeric address (host name lookup is not modelled)");
    }
    daemon.addr = std::string(addr_text);
  }
  return daemon;
}

std::vector<DaemonPortOptions> SendmailConfig::effective_daemons() const {
  if (!daemons.empty()) return daemons;
  DaemonPortOptions fallback;
  fallback.name = "Daemon0";
  return {fallback};
}

const std::set<std::string>& SendmailConfig::class_w() const {
  static const std::set<std::string> kEmpty;
  auto it = classes.find("w");
  return it == classes.end() ? kEmpty : it->second;
}

void SendmailConfig::add_to_class(const std::string& class_name,
                                  const std::vector<std::string>& words) {
  std::set<std::string>& members = classes[class_name];
  for (const std::string& word : words) members.insert(text::to_lower(word));
}

bool SendmailConfig::in_class(const std::string& class_name, std::string_view word) const {
  auto it = classes.find(class_name);
  return it != classes.end() && it->second.count(text::to_lower(word)) > 0;
}

SendmailConfig parse_sendmail_cf(std::string_view text, const std::string& file) {
  SendmailConfig config;
  for (CfLine& line : fold_lines(text)) {
    if (line.text.empty() || line.text.front() == '#') continue;
    line.text = strip_comment(line.text);
    if (line.text.empty()) continue;
    switch (line.text.front()) {
      case 'O':
        parse_option_line(config, line, file);
        break;
      case 'C':
        parse_class_line(config, line, file);
        break;
      case 'F':
        parse_file_class_line(config, line, file);
        break;
      case 'D':
        parse_macro_line(config, line, file);
        break;
      // Rulesets, rules, headers, mailers, precedences, queue groups, the
      // version, maps, environment, trusted users and milters: not modelled.
      case 'S':
      case 'R':
      case 'H':
      case 'M':
      case 'P':
      case 'Q':
      case 'V':
      case 'K':
      case 'E':
      case 'T':
      case 'X':
        break;
      default:
        throw InputError(SourcePos{file, line.number, 1},
                         "unknown configuration line \"" + line.text + "\"");
    }
  }
  return config;
}

const std::vector<SettingInfo>& sendmail_settings() {
  static const std::vector<SettingInfo> kSettings = {
      {"DaemonPortOptions", "Port=smtp", "",
       "listening socket: Port=, Addr=, Family=inet|inet6, Name=, M=; may repeat"},
      {"MaxMessageSize", "0", "bytes", "largest message accepted; 0 means no limit"},
      {"QueueDirectory", "/var/spool/mqueue", "", "directory holding the qf/df queue files"},
      {"Timeout.queuewarn", "4h", "time, bare number in hours",
       "queue age at which the sender gets a delay warning (.normal/.urgent/.non-urgent/.dsn)"},
      {"Timeout.queuereturn", "5d", "time, bare number in days",
       "queue age at which the message bounces (.normal/.urgent/.non-urgent/.dsn)"},
      {"Timeout.<name>", "see SendmailTimeouts", "time, bare number in minutes",
       "SMTP and connection timeouts: initial, helo, mail, rcpt, datainit, datablock, "
       "datafinal, rset, quit, misc, command, connect, iconnect, aconnect, ident, ..."},
      {"MinQueueAge", "0", "time, bare number in minutes",
       "minimum time between delivery attempts of one queued message"},
      {"QueueSortOrder", "priority", "",
       "queue run order: priority, host, filename, time, random, modification, none"},
      {"QueueLA", "8", "load average", "load at which new mail is queued, not delivered"},
      {"RefuseLA", "12", "load average", "load at which SMTP connections are refused"},
      {"MaxDaemonChildren", "0", "processes", "most concurrent SMTP children; 0 means no limit"},
      {"DeliveryMode", "background", "",
       "interactive, background, queueonly or deferred (first letter counts)"},
      {"PrivacyOptions", "public", "",
       "comma list: needmailhelo, noexpn, novrfy, goaway, authwarnings, restrictqrun, ..."},
      {"SmtpGreetingMessage", "$j Sendmail $v/$Z; $b", "", "text after 220 in the banner"},
      {"LogLevel", "9", "", "syslog detail; 9 logs one line per message and delivery"},
  };
  return kSettings;
}

SendmailCommandLine parse_sendmail_command_line(std::string_view command_line,
                                                const std::string& source) {
  SendmailCommandLine result;
  std::vector<text::Word> words = text::split_words(command_line);
  size_t i = 0;
  if (i < words.size() && words[i].text.front() != '-') ++i;  // the program name
  for (; i < words.size(); ++i) {
    std::string_view arg = words[i].text;
    SourcePos pos{source, 1, words[i].column};
    if (arg.size() < 2 || arg[0] != '-') {
      result.warnings.push_back(
          Warning{pos, "argument " + std::string(arg) + " (a recipient) is not modelled"});
      continue;
    }
    char flag = arg[1];
    std::string_view attached = arg.substr(2);
    if (flag == 'b') {
      if (attached == "d" || attached == "D") {
        result.daemon = true;
      } else {
        result.warnings.push_back(Warning{pos, "option " + std::string(arg) + " is not modelled"});
      }
      continue;
    }
    if (flag == 'q') {
      if (attached.empty()) {
        result.queue_run_once = true;
        continue;
      }
      if (!std::isdigit(static_cast<unsigned char>(attached[0]))) {
        // -qf, -qp, -qI, -qR, -qS, -qQ, -qG select or persist queue runs.
        result.warnings.push_back(Warning{pos, "option " + std::string(arg) + " is not modelled"});
        continue;
      }
      // The -q interval reads a bare number as minutes, like option timeouts.
      std::optional<std::int64_t> seconds = parse_sendmail_time(attached, 'm');
      if (!seconds) {
        throw InputError(pos, "invalid queue interval \"" + std::string(arg) +
                                  "\"; expected a form such as -q30m or -q1h");
      }
      result.queue_interval = *seconds;
      continue;
    }
    // Flags that take an argument, attached or as the next word.
    static constexpr std::string_view kWithArgument = "BCFLNORVXfhopr";
    if (kWithArgument.find(flag) != std::string_view::npos && attached.empty()) {
      if (i + 1 >= words.size()) {
        throw InputError(pos, "option " + std::string(arg) + " needs an argument");
      }
      ++i;
    }
    result.warnings.push_back(Warning{pos, "option " + std::string(arg) + " is not modelled"});
  }
  return result;
}

}  // namespace mailsim::config
