#include "models/config/dovecot_conf.hpp"

#include <cctype>

namespace mailsim::config {
namespace {

const std::map<std::string, std::string>& default_values() {
  static const std::map<std::string, std::string> kDefaults = {
      {"protocols", "imap pop3 lmtp"},   {"listen", "*, ::"},      {"mail_location", ""},
      {"disable_plaintext_auth", "yes"}, {"ssl", "yes"},           {"mail_access_groups", ""},
      {"mail_privileged_group", ""},     {"lock_method", "fcntl"}, {"auth_mechanisms", "plain"},
  };
  return kDefaults;
}

std::vector<std::string> split_list(std::string_view value, bool commas) {
  std::vector<std::string> items;
  std::string current;
  for (char c : value) {
    if (text::is_space(c) || (commas && c == ',')) {
      if (!current.empty()) items.push_back(current);
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) items.push_back(current);
  return items;
}

bool parse_bool(std::string_view value, const SourcePos& pos, std::string_view key) {
  std::string v = text::to_lower(value);
  if (v == "yes" || v == "y" || v == "1") return true;
  if (v == "no" || v == "n" || v == "0") return false;
  throw InputError(pos, "invalid boolean \"" + std::string(value) + "\" for " + std::string(key) +
                            "; expected yes or no");
}

// Drops a `#` comment that is outside quotes.
std::string_view strip_comment(std::string_view line) {
  char quote = '\0';
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote != '\0') {
      if (c == '\\')
        ++i;
      else if (c == quote)
        quote = '\0';
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#') {
      return line.substr(0, i);
    }
  }
  return line;
}

std::string unquote(std::string_view value) {
  if (value.size() < 2 || (value.front() != '"' && value.front() != '\'') ||
      value.back() != value.front()) {
    return std::string(value);
  }
  std::string out;
  for (size_t i = 1; i + 1 < value.size(); ++i) {
    if (value[i] == '\\' && i + 2 < value.size()) ++i;
    out.push_back(value[i]);
  }
  return out;
}

std::string directory_of(const std::string& file) {
  size_t slash = file.rfind('/');
  return slash == std::string::npos ? std::string() : file.substr(0, slash + 1);
}

bool is_key(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    unsigned char u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '_' && c != '-' && c != '.' && c != '/') return false;
  }
  return true;
}

class Parser {
 public:
  Parser(DovecotConfig& config, const IncludeResolver& resolve)
      : config_(config), resolve_(resolve) {}

  void parse(std::string_view text, const std::string& file) {
    size_t depth_at_start = open_.size();
    std::vector<text::Line> lines = text::split_lines(text);
    for (size_t i = 0; i < lines.size(); ++i) {
      int number = lines[i].number;
      std::string line(text::trim(strip_comment(lines[i].text)));
      // A backslash at the end of a line continues it on the next one.
      while (!line.empty() && line.back() == '\\' && i + 1 < lines.size()) {
        line.pop_back();
        line += " " + std::string(text::trim(strip_comment(lines[++i].text)));
      }
      if (line.empty()) continue;
      SourcePos pos{file, number, text::column_of(lines[i].text, text::trim(lines[i].text))};
      handle_line(line, pos, file);
    }
    if (open_.size() != depth_at_start) {
      // Point at the section that was never closed, where it was opened.
      throw InputError(open_.back()->pos, "missing '}' for section \"" + open_.back()->type +
                                              "\" opened here (the file ends inside it)");
    }
  }

 private:
  void handle_line(const std::string& line, const SourcePos& pos, const std::string& file) {
    if (line.compare(0, 9, "!include ") == 0 || line.compare(0, 13, "!include_try ") == 0) {
      bool optional = line.compare(0, 13, "!include_try ") == 0;
      include(unquote(text::trim(std::string_view(line).substr(optional ? 13 : 9))), optional, pos,
              file);
      return;
    }
    if (line == "}") {
      if (open_.empty()) throw InputError(pos, "unexpected '}' without an open section");
      open_.pop_back();
      return;
    }
    if (line.back() == '{') {
      open_section(text::trim(std::string_view(line).substr(0, line.size() - 1)), pos);
      return;
    }

    size_t equals = line.find('=');
    if (equals == std::string::npos) {
      throw InputError(pos, "expecting '=' in \"" + line + "\"; a setting is written key = value");
    }
    std::string key(text::trim(std::string_view(line).substr(0, equals)));
    if (!is_key(key)) throw InputError(pos, "invalid setting name \"" + key + "\"");
    std::string_view raw = text::trim(std::string_view(line).substr(equals + 1));
    if (!raw.empty() && raw.front() == '<') {
      config_.warnings.push_back(Warning{
          pos, "setting " + key + " read from a file (" + std::string(raw) + ") is not modelled"});
    }

    bool quoted = !raw.empty() && (raw.front() == '"' || raw.front() == '\'');
    std::string value = quoted ? unquote(raw) : expand_references(raw);
    if (!open_.empty()) {
      open_.back()->settings.emplace_back(key, value);
      return;
    }
    config_.settings[key] = value;
    apply(key, value, pos);
  }

  // `$key` stands for the setting's value so far, or its default.
  std::string expand_references(std::string_view raw) const {
    std::string out;
    for (const std::string& word : split_list(raw, false)) {
      std::string piece = word;
      if (word.size() > 1 && word[0] == '$') {
        std::string name = word.substr(1);
        auto set = config_.settings.find(name);
        auto fallback = default_values().find(name);
        if (set != config_.settings.end())
          piece = set->second;
        else if (fallback != default_values().end())
          piece = fallback->second;
      }
      if (!out.empty()) out += " ";
      out += piece;
    }
    return out;
  }

  void open_section(std::string_view header, const SourcePos& pos) {
    std::vector<text::Word> words = text::split_words(header);
    if (words.empty()) throw InputError(pos, "missing section name before '{'");
    DovecotSection section;
    section.type = std::string(words[0].text);
    section.pos = pos;
    if (words.size() > 1) {
      std::string_view rest = header.substr(static_cast<size_t>(words[1].column - 1));
      section.name = unquote(text::trim(rest));
    }
    if (open_.empty()) {
      config_.warnings.push_back(Warning{pos, "section " + section.type +
                                                  (section.name.empty() ? "" : " " + section.name) +
                                                  " is not modelled"});
      config_.sections.push_back(std::move(section));
      open_.push_back(&config_.sections.back());
    } else {
      DovecotSection* parent = open_.back();
      parent->sections.push_back(std::move(section));
      open_.push_back(&parent->sections.back());
    }
  }

  void include(const std::string& pattern, bool optional, const SourcePos& pos,
               const std::string& file) {
    std::string path =
        !pattern.empty() && pattern[0] == '/' ? pattern : directory_of(file) + pattern;
    if (!resolve_) {
      if (optional) {
        config_.warnings.push_back(
            Warning{pos, "!include_try " + path + " is not followed: no file resolver given"});
        return;
      }
      throw InputError(pos, "cannot read !include " + path + ": no file resolver given");
    }
    std::vector<std::pair<std::string, std::string>> files = resolve_(path);
    if (files.empty() && !optional) {
      throw InputError(pos, "!include " + path + " matches no file");
    }
    if (++include_depth_ > 20) throw InputError(pos, "!include nested more than 20 deep");
    for (const auto& [included_path, content] : files) parse(content, included_path);
    --include_depth_;
  }

  void apply(const std::string& key, const std::string& value, const SourcePos& pos) {
    if (key == "protocols") {
      std::vector<std::string> protocols;
      for (const std::string& p : split_list(value, false)) {
        std::string name = text::to_lower(p);
        if (name == "none") continue;
        if (name != "imap" && name != "pop3" && name != "lmtp" && name != "submission" &&
            name != "sieve") {
          throw InputError(pos, "unknown protocol \"" + p +
                                    "\" in protocols; expected imap, pop3, lmtp, submission "
                                    "or sieve");
        }
        protocols.push_back(name);
      }
      config_.protocols = protocols;
    } else if (key == "listen") {
      config_.listen = split_list(value, true);
    } else if (key == "mail_location") {
      if (value.empty())
        config_.mail_location.reset();
      else
        config_.mail_location = MailLocation::parse(value, pos);
    } else if (key == "disable_plaintext_auth") {
      config_.disable_plaintext_auth = parse_bool(value, pos, key);
    } else if (key == "ssl") {
      std::string v = text::to_lower(value);
      if (v == "required")
        config_.ssl = SslMode::REQUIRED;
      else
        config_.ssl = parse_bool(value, pos, key) ? SslMode::YES : SslMode::NO;
    } else if (key == "mail_access_groups") {
      config_.mail_access_groups = value;
    } else if (key == "mail_privileged_group") {
      config_.mail_privileged_group = value;
    } else if (key == "lock_method") {
      std::string v = text::to_lower(value);
      if (v == "fcntl")
        config_.lock_method = LockMethod::FCNTL;
      else if (v == "flock")
        config_.lock_method = LockMethod::FLOCK;
      else if (v == "dotlock")
        config_.lock_method = LockMethod::DOTLOCK;
      else
        throw InputError(pos,
                         "invalid lock_method \"" + value + "\"; expected fcntl, flock or dotlock");
    } else if (key == "auth_mechanisms") {
      std::vector<std::string> mechanisms;
      for (const std::string& m : split_list(value, true)) mechanisms.push_back(text::to_lower(m));
      config_.auth_mechanisms = mechanisms;
    } else {
      config_.warnings.push_back(Warning{pos, "setting " + key + " is not modelled"});
    }
  }

  DovecotConfig& config_;
  const IncludeResolver& resolve_;
  std::vector<DovecotSection*> open_;
  int include_depth_ = 0;
};

}  // namespace

std::optional<std::string> expand_mail_variables(std::string_view pattern, std::string_view user,
                                                 std::string_view home) {
  size_t at = user.find('@');
  std::string_view username = user.substr(0, at);
  std::string_view domain = at == std::string_view::npos ? std::string_view() : user.substr(at + 1);
  std::string out;
  size_t i = 0;
  if (pattern.substr(0, 2) == "~/" || pattern == "~") {
    out = std::string(home);
    i = 1;
  }
  for (; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c != '%') {
      out.push_back(c);
      continue;
    }
    if (i + 1 >= pattern.size()) return std::nullopt;
    std::string_view name;
    if (pattern[i + 1] == '{') {
      size_t close = pattern.find('}', i + 2);
      if (close == std::string_view::npos) return std::nullopt;
      name = pattern.substr(i + 2, close - i - 2);
      i = close;
    } else {
      name = pattern.substr(i + 1, 1);
      ++i;
    }
    if (name == "%")
      out.push_back('%');
    else if (name == "u" || name == "user")
      out += std::string(user);
    else if (name == "n" || name == "username")
      out += std::string(username);
    else if (name == "d" || name == "domain")
      out += std::string(domain);
    else if (name == "h" || name == "home")
      out += std::string(home);
    else
      return std::nullopt;
  }
  return out;
}

MailLocation MailLocation::parse(std::string_view value, const SourcePos& pos) {
  // Fields are separated by ':'; Dovecot reads "::" as a literal colon.
  std::vector<std::string> fields(1);
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == ':' && i + 1 < value.size() && value[i + 1] == ':') {
      fields.back().push_back(':');
      ++i;
    } else if (value[i] == ':') {
      fields.emplace_back();
    } else {
      fields.back().push_back(value[i]);
    }
  }

  MailLocation location;
  location.driver = text::to_lower(fields[0]);
  if (fields.size() < 2 || location.driver.empty()) {
    throw InputError(pos, "invalid mail_location \"" + std::string(value) +
                              "\"; expected driver:path[:KEY=VALUE...] such as "
                              "mbox:~/mail:INBOX=/var/mail/%u");
  }
  if (location.driver != "mbox") {
    throw InputError(pos, "mail_location driver " + location.driver +
                              " is not modelled; mailsim stores mail in mbox");
  }

  location.root = fields[1];
  if (location.root.empty()) throw InputError(pos, "mail_location has an empty mailbox root");
  for (size_t i = 2; i < fields.size(); ++i) {
    size_t equals = fields[i].find('=');
    if (equals == std::string::npos) {
      throw InputError(pos, "invalid mail_location parameter \"" + fields[i] +
                                "\"; expected KEY=VALUE such as INBOX=/var/mail/%u");
    }
    std::string key = fields[i].substr(0, equals);
    for (char& c : key) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    location.parameters[key] = fields[i].substr(equals + 1);
  }

  auto inbox = location.parameters.find("INBOX");
  if (inbox != location.parameters.end()) location.inbox = inbox->second;
  for (const std::string* pattern : {&location.root, &location.inbox}) {
    if (!expand_mail_variables(*pattern, "user@example.org", "/home/user")) {
      throw InputError(pos, "unsupported variable in mail_location path \"" + *pattern +
                                "\"; expected %u, %n, %d, %h or ~");
    }
  }
  return location;
}

std::string MailLocation::inbox_path(std::string_view user, std::string_view home) const {
  return expand_mail_variables(inbox, user, home).value_or(std::string());
}

std::string MailLocation::root_path(std::string_view user, std::string_view home) const {
  return expand_mail_variables(root, user, home).value_or(std::string());
}

bool DovecotConfig::has_protocol(std::string_view protocol) const {
  for (const std::string& p : protocols) {
    if (text::iequals(p, protocol)) return true;
  }
  return false;
}

DovecotConfig parse_dovecot_conf(std::string_view text, const std::string& file,
                                 const IncludeResolver& resolve_include) {
  DovecotConfig config;
  Parser(config, resolve_include).parse(text, file);
  return config;
}

const std::vector<SettingInfo>& dovecot_settings() {
  static const std::vector<SettingInfo> kSettings = {
      {"protocols", "imap pop3 lmtp", "", "protocols served: imap, pop3, lmtp, submission"},
      {"listen", "*, ::", "", "addresses to listen on; * is every IPv4, :: every IPv6 address"},
      {"mail_location", "", "",
       "mailbox format and paths, e.g. mbox:~/mail:INBOX=/var/mail/%u; empty autodetects"},
      {"disable_plaintext_auth", "yes", "",
       "reject USER/PASS and LOGIN over connections without TLS (localhost excepted)"},
      {"ssl", "yes", "", "TLS support: yes, no or required"},
      {"mail_access_groups", "", "", "extra groups the mail processes run with"},
      {"mail_privileged_group", "", "", "group used to lock the INBOX in /var/mail"},
      {"lock_method", "fcntl", "", "index file locking: fcntl, flock or dotlock"},
      {"auth_mechanisms", "plain", "", "SASL mechanisms offered, space separated"},
  };
  return kSettings;
}

}  // namespace mailsim::config
