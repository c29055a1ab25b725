#include "models/dns/named_conf.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "models/dns/message.hpp"

namespace mailsim::dns {
namespace {

struct Token {
  enum class Kind { WORD, STRING, OPEN, CLOSE, SEMICOLON, END };
  Kind kind = Kind::END;
  std::string text;
  int line = 0;
  int column = 0;
};

class Lexer {
 public:
  Lexer(std::string_view text, const std::string& file) : text_(text), file_(file) {}

  std::vector<Token> tokens() {
    std::vector<Token> out;
    while (true) {
      skip_space_and_comments();
      Token t;
      t.line = line_;
      t.column = column_;
      if (pos_ >= text_.size()) {
        out.push_back(t);
        return out;
      }
      char c = text_[pos_];
      if (c == '{' || c == '}' || c == ';') {
        t.kind = c == '{'   ? Token::Kind::OPEN
                 : c == '}' ? Token::Kind::CLOSE
                            : Token::Kind::SEMICOLON;
        t.text = std::string(1, c);
        advance();
      } else if (c == '"') {
        t.kind = Token::Kind::STRING;
        advance();
        while (true) {
          if (pos_ >= text_.size()) throw error(t.line, t.column, "unterminated string");
          char s = text_[pos_];
          if (s == '"') break;
          if (s == '\\' && pos_ + 1 < text_.size()) {
            advance();
            s = text_[pos_];
          }
          t.text.push_back(s);
          advance();
        }
        advance();
      } else {
        t.kind = Token::Kind::WORD;
        while (pos_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[pos_])) &&
               std::string_view("{};\"").find(text_[pos_]) == std::string_view::npos &&
               !comment_starts()) {
          t.text.push_back(text_[pos_]);
          advance();
        }
      }
      out.push_back(t);
    }
  }

  InputError error(int line, int column, const std::string& message) const {
    return InputError(SourcePos{file_, line, column}, message);
  }

 private:
  bool comment_starts() const {
    if (text_[pos_] == '#') return true;
    return text_[pos_] == '/' && pos_ + 1 < text_.size() &&
           (text_[pos_ + 1] == '/' || text_[pos_ + 1] == '*');
  }

  void skip_space_and_comments() {
    while (pos_ < text_.size()) {
      if (std::isspace(static_cast<unsigned char>(text_[pos_]))) {
        advance();
      } else if (text_[pos_] == '#' || text_.substr(pos_, 2) == "//") {
        while (pos_ < text_.size() && text_[pos_] != '\n') advance();
      } else if (text_.substr(pos_, 2) == "/*") {
        int line = line_;
        int column = column_;
        std::size_t end = text_.find("*/", pos_ + 2);
        if (end == std::string_view::npos) throw error(line, column, "unterminated comment");
        while (pos_ < end + 2) advance();
      } else {
        return;
      }
    }
  }

  void advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    ++pos_;
  }

  std::string_view text_;
  const std::string& file_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

// Builds the generic statement tree: words, an optional block, then ';'.
class StatementParser {
 public:
  StatementParser(std::vector<Token> tokens, const std::string& file)
      : tokens_(std::move(tokens)), file_(file) {}

  std::vector<ConfStatement> parse_all() {
    std::vector<ConfStatement> out = statements(/*nested=*/false);
    return out;
  }

 private:
  const Token& peek() const { return tokens_[i_]; }
  InputError error(const Token& t, const std::string& message) const {
    return InputError(SourcePos{file_, t.line, t.column}, message);
  }
  static std::string describe(const Token& t) {
    return t.kind == Token::Kind::END ? "end of file" : "'" + t.text + "'";
  }

  std::vector<ConfStatement> statements(bool nested) {
    std::vector<ConfStatement> out;
    while (true) {
      const Token& t = peek();
      if (t.kind == Token::Kind::END) {
        if (nested) throw error(t, "unexpected end of input: missing '}'");
        return out;
      }
      if (t.kind == Token::Kind::CLOSE) {
        if (!nested) throw error(t, "unexpected '}'");
        return out;
      }
      out.push_back(statement());
    }
  }

  ConfStatement statement() {
    ConfStatement s;
    s.pos = SourcePos{file_, peek().line, peek().column};
    while (peek().kind == Token::Kind::WORD || peek().kind == Token::Kind::STRING) {
      s.words.push_back(peek().text);
      ++i_;
    }
    if (peek().kind == Token::Kind::OPEN) {
      ++i_;
      s.has_block = true;
      s.block = statements(/*nested=*/true);
      ++i_;  // the '}'
      // Words may follow a block (`listen-on { ... } ;` has none; kept for generality).
      while (peek().kind == Token::Kind::WORD || peek().kind == Token::Kind::STRING) {
        s.words.push_back(peek().text);
        ++i_;
      }
    }
    if (peek().kind != Token::Kind::SEMICOLON) {
      throw error(peek(), fmt::format("missing ';' before {}", describe(peek())));
    }
    if (s.words.empty() && !s.has_block) throw error(peek(), "unexpected ';'");
    ++i_;
    return s;
  }

  std::vector<Token> tokens_;
  const std::string& file_;
  std::size_t i_ = 0;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class ConfInterpreter {
 public:
  explicit ConfInterpreter(const std::string& file) : file_(file) {}

  NamedConf run(const std::vector<ConfStatement>& statements) {
    for (const auto& s : statements) {
      std::string keyword = lower(s.words.empty() ? "" : s.words[0]);
      if (keyword == "options") {
        options(s);
      } else if (keyword == "zone") {
        zone(s);
      } else {
        ignore(s, fmt::format("statement '{}' is not modelled; ignored", keyword));
      }
    }
    return std::move(conf_);
  }

 private:
  InputError error(const ConfStatement& s, const std::string& message) const {
    return InputError(s.pos, message);
  }

  void ignore(const ConfStatement& s, const std::string& text) {
    conf_.ignored.push_back(s);
    conf_.warnings.push_back(Diagnostic{s.pos, Severity::WARNING, text});
  }

  void expect_words(const ConfStatement& s, std::size_t count, bool block) const {
    if (s.words.size() != count || s.has_block != block) {
      throw error(s, fmt::format("invalid '{}' statement: expected {} value{}{}", s.words[0],
                                 count - 1, count == 2 ? "" : "s", block ? " and a block" : ""));
    }
  }

  bool boolean(const ConfStatement& s) const {
    expect_words(s, 2, false);
    std::string v = lower(s.words[1]);
    if (v == "yes" || v == "true" || v == "1") return true;
    if (v == "no" || v == "false" || v == "0") return false;
    throw error(s, fmt::format("boolean expected near '{}'", s.words[1]));
  }

  std::vector<std::string> address_list(const ConfStatement& s) const {
    if (!s.has_block) throw error(s, fmt::format("'{}' needs a {{ ... }} list", s.words[0]));
    std::vector<std::string> out;
    for (const auto& element : s.block) {
      if (element.has_block || element.words.empty()) {
        throw error(element, "nested address match lists are not modelled");
      }
      std::string joined = element.words[0];
      for (std::size_t k = 1; k < element.words.size(); ++k) joined += " " + element.words[k];
      out.push_back(joined);
    }
    return out;
  }

  ListenOn listen_on(const ConfStatement& s) const {
    ListenOn l;
    if (s.words.size() == 3 && lower(s.words[1]) == "port") {
      const std::string& text = s.words[2];
      bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      });
      if (!digits || text.size() > 5 || std::stoul(text) > 65535) {
        throw error(s, fmt::format("invalid port '{}'", text));
      }
      l.port = static_cast<std::uint16_t>(std::stoul(text));
    } else if (s.words.size() != 1) {
      throw error(s,
                  fmt::format("invalid '{}' statement: expected [port N] {{ list }}", s.words[0]));
    }
    l.addresses = address_list(s);
    return l;
  }

  void options(const ConfStatement& s) {
    if (seen_options_) throw error(s, "'options' redefined");
    seen_options_ = true;
    expect_words(s, 1, true);
    ServerOptions& o = conf_.options;
    bool listen_seen = false;
    bool listen_v6_seen = false;
    for (const auto& option : s.block) {
      std::string name = lower(option.words.empty() ? "" : option.words[0]);
      if (name == "directory") {
        expect_words(option, 2, false);
        o.directory = option.words[1];
      } else if (name == "listen-on" || name == "listen-on-v6") {
        bool& seen = name == "listen-on" ? listen_seen : listen_v6_seen;
        auto& list = name == "listen-on" ? o.listen_on : o.listen_on_v6;
        if (!seen) list.clear();  // the first statement replaces BIND's default
        seen = true;
        list.push_back(listen_on(option));
      } else if (name == "recursion") {
        o.recursion = boolean(option);
      } else if (name == "notify") {
        o.notify = boolean(option);
      } else if (name == "allow-query") {
        o.allow_query = address_list(option);
      } else if (name == "allow-transfer") {
        o.allow_transfer = address_list(option);
      } else if (name == "dnssec-validation") {
        expect_words(option, 2, false);
        std::string v = lower(option.words[1]);
        if (v != "yes" && v != "no" && v != "auto") {
          throw error(option, fmt::format("invalid dnssec-validation '{}': expected yes, no or "
                                          "auto",
                                          option.words[1]));
        }
        o.dnssec_validation = v;
      } else {
        ignore(option, fmt::format("option '{}' is not modelled; ignored", name));
      }
    }
  }

  void zone(const ConfStatement& s) {
    // zone "name" [class] { ... };
    if (s.words.size() < 2 || s.words.size() > 3 || !s.has_block) {
      throw error(s, "invalid 'zone' statement: expected zone \"name\" [class] { ... }");
    }
    ZoneConfig z;
    z.name = s.words[1];
    z.pos = s.pos;
    if (z.name.size() > 1 && z.name.back() == '.') z.name.pop_back();
    try {
      name_labels(z.name);
    } catch (const std::invalid_argument& e) {
      throw error(s, fmt::format("invalid zone name '{}': {}", s.words[1], e.what()));
    }
    if (s.words.size() == 3 && lower(s.words[2]) != "in") {
      throw error(s, fmt::format("zone '{}': class '{}' is not modelled", z.name, s.words[2]));
    }
    std::string key = canonical_name(z.name);
    auto previous = zone_positions_.find(key);
    if (previous != zone_positions_.end()) {
      throw error(s, fmt::format("zone '{}': already exists previous definition: {}", z.name,
                                 format_pos(previous->second)));
    }
    zone_positions_.emplace(key, s.pos);

    bool have_type = false;
    for (const auto& option : s.block) {
      std::string name = lower(option.words.empty() ? "" : option.words[0]);
      if (name == "type") {
        expect_words(option, 2, false);
        z.type = zone_type(option);
        have_type = true;
      } else if (name == "file") {
        expect_words(option, 2, false);
        z.file = option.words[1];
      } else if (name == "allow-update") {
        z.allow_update = address_list(option);
      } else if (name == "masters" || name == "primaries") {
        z.primaries = address_list(option);
      } else {
        ignore(option,
               fmt::format("zone '{}': option '{}' is not modelled; ignored", z.name, name));
      }
    }
    if (!have_type) throw error(s, fmt::format("zone '{}': type not present", z.name));
    if (z.type == ZoneType::PRIMARY && z.file.empty()) {
      throw error(s, fmt::format("zone '{}': missing 'file' entry", z.name));
    }
    conf_.zones.push_back(z);
  }

  ZoneType zone_type(const ConfStatement& option) const {
    static const std::map<std::string, ZoneType> kTypes = {
        {"master", ZoneType::PRIMARY},  {"primary", ZoneType::PRIMARY},
        {"slave", ZoneType::SECONDARY}, {"secondary", ZoneType::SECONDARY},
        {"stub", ZoneType::STUB},       {"forward", ZoneType::FORWARD},
        {"hint", ZoneType::HINT},
    };
    auto found = kTypes.find(lower(option.words[1]));
    if (found == kTypes.end()) {
      throw error(option, fmt::format("zone type '{}' is not modelled", option.words[1]));
    }
    return found->second;
  }

  const std::string& file_;
  NamedConf conf_;
  bool seen_options_ = false;
  std::map<std::string, SourcePos> zone_positions_;
};

}  // namespace

NamedConf parse_named_conf(std::string_view text, const std::string& file) {
  std::vector<Token> tokens = Lexer(text, file).tokens();
  std::vector<ConfStatement> statements = StatementParser(std::move(tokens), file).parse_all();
  return ConfInterpreter(file).run(statements);
}

std::string zone_file_path(const NamedConf& conf, const ZoneConfig& zone) {
  if (zone.file.empty() || zone.file[0] == '/') return zone.file;
  const std::string& dir = conf.options.directory;
  if (dir.empty() || dir == ".") return zone.file;
  return dir.back() == '/' ? dir + zone.file : dir + "/" + zone.file;
}

}  // namespace mailsim::dns
