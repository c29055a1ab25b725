#include "models/workload/faults.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include "models/common/units.hpp"

namespace mailsim::workload {
namespace {

struct Token {
  std::string_view text;
  int column = 0;  // 1-based
};

std::vector<Token> split_tokens(std::string_view line) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size() || line[i] == '#') break;
    std::size_t begin = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '#') ++i;
    tokens.push_back({line.substr(begin, i - begin), static_cast<int>(begin) + 1});
  }
  return tokens;
}

bool is_name(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
  });
}

// Reads one line's tokens in order and reports the first one that does not fit.
class LineReader {
 public:
  // `pos` is the line's position; token columns are shifted by first_column - 1.
  LineReader(std::vector<Token> tokens, std::string_view line, SourcePos pos, int first_column)
      : tokens_(std::move(tokens)), line_(line), pos_(std::move(pos)), shift_(first_column - 1) {}

  [[noreturn]] void fail(const std::string& expected) const {
    if (next_ < tokens_.size())
      throw InputError(here(), fmt::format("expected {}, got '{}'", expected, tokens_[next_].text));
    SourcePos at = pos_;
    at.column = static_cast<int>(line_.find_last_not_of(" \t\r") + 2) + shift_;
    throw InputError(at, fmt::format("expected {} at the end of the line", expected));
  }

  // Position of the next token, or of the end of the line after the last one.
  SourcePos here() const {
    SourcePos at = pos_;
    at.column = (next_ < tokens_.size() ? tokens_[next_].column
                                        : static_cast<int>(line_.find_last_not_of(" \t\r") + 2)) +
                shift_;
    return at;
  }

  std::string_view peek() const { return next_ < tokens_.size() ? tokens_[next_].text : ""; }

  void keyword(std::string_view word) {
    if (peek() != word) fail(fmt::format("'{}'", word));
    ++next_;
  }

  // Returns the index of the keyword found among `words`.
  std::size_t one_of(std::initializer_list<std::string_view> words, const std::string& expected) {
    std::size_t index = 0;
    for (std::string_view word : words) {
      if (peek() == word) {
        ++next_;
        return index;
      }
      ++index;
    }
    fail(expected);
  }

  std::string name(const char* what) {
    if (!is_name(peek())) fail(fmt::format("a {} name (letters, digits, '-', '.', '_')", what));
    return std::string(tokens_[next_++].text);
  }

  double duration(const char* what, bool zero_ok) {
    std::optional<double> value = parse_compound_duration(peek());
    if (!value || (!zero_ok && *value <= 0)) fail(fmt::format("{} such as 90s, 10m or 1h5m", what));
    ++next_;
    return *value;
  }

  void end() {
    if (next_ < tokens_.size()) fail("the end of the line (or a '#' comment)");
  }

 private:
  std::vector<Token> tokens_;
  std::string_view line_;
  SourcePos pos_;
  int shift_;
  std::size_t next_ = 0;
};

Fault parse_line(LineReader& reader) {
  Fault fault;
  fault.pos = reader.here();
  reader.keyword("at");
  fault.time_pos = reader.here();
  fault.at = reader.duration("a time", true);
  fault.target_pos = reader.here();
  switch (reader.one_of({"link", "host", "dns", "domain"}, "'link', 'host', 'dns' or 'domain'")) {
    case 0:
      fault.kind = FaultKind::LINK;
      fault.target_pos = reader.here();
      fault.target = reader.name("link");
      fault.action_pos = reader.here();
      fault.action = reader.one_of({"down", "up"}, "'down' or 'up'") == 0 ? FaultAction::DOWN
                                                                          : FaultAction::UP;
      break;
    case 1:
      fault.kind = FaultKind::HOST;
      fault.target_pos = reader.here();
      fault.target = reader.name("host");
      fault.action_pos = reader.here();
      fault.action = reader.one_of({"crash", "restart"}, "'crash' or 'restart'") == 0
                         ? FaultAction::CRASH
                         : FaultAction::RESTART;
      break;
    case 2:
      fault.kind = FaultKind::DNS;
      fault.action_pos = reader.here();
      reader.keyword("outage");
      fault.action = FaultAction::OUTAGE;
      reader.keyword("for");
      fault.duration_pos = reader.here();
      fault.duration = reader.duration("a positive duration", false);
      break;
    default:
      fault.kind = FaultKind::DOMAIN;
      fault.target_pos = reader.here();
      fault.target = reader.name("domain");
      fault.action_pos = reader.here();
      reader.keyword("tempfail");
      fault.action = FaultAction::TEMPFAIL;
      reader.keyword("for");
      fault.duration_pos = reader.here();
      fault.duration = reader.duration("a positive duration", false);
      break;
  }
  reader.end();
  return fault;
}

// The action that must come before `action` on the same link or host.
FaultAction required_before(FaultAction action) {
  switch (action) {
    case FaultAction::UP:
      return FaultAction::DOWN;
    case FaultAction::DOWN:
      return FaultAction::UP;
    case FaultAction::RESTART:
      return FaultAction::CRASH;
    default:
      return FaultAction::RESTART;
  }
}

// A link may only come up after it went down, and a host may only restart after a crash.
// Both start up, so a first `up` or `restart` is an error too. The error points at the action.
void check_order(const std::vector<Fault>& faults) {
  std::map<std::pair<FaultKind, std::string>, const Fault*>
      down;  // target -> the fault that took it down
  for (const Fault& fault : faults) {
    if (fault.kind != FaultKind::LINK && fault.kind != FaultKind::HOST) continue;
    const bool going_down = fault.action == FaultAction::DOWN || fault.action == FaultAction::CRASH;
    const Fault*& taken_down_by = down[{fault.kind, fault.target}];
    if (going_down && taken_down_by != nullptr) {
      throw InputError(
          fault.action_pos,
          fmt::format("{} {} is already down at {} (since '{}' at {}, line {}), so "
                      "'{}' needs an earlier '{}'",
                      to_string(fault.kind), fault.target, units::format_duration(fault.at),
                      to_string(taken_down_by->action), units::format_duration(taken_down_by->at),
                      taken_down_by->pos.line, to_string(fault.action),
                      to_string(required_before(fault.action))));
    }
    if (!going_down && taken_down_by == nullptr) {
      throw InputError(
          fault.action_pos,
          fmt::format("{} {} is not down at {}, so '{}' needs an earlier '{}'",
                      to_string(fault.kind), fault.target, units::format_duration(fault.at),
                      to_string(fault.action), to_string(required_before(fault.action))));
    }
    taken_down_by = going_down ? &fault : nullptr;
  }
}

// A DNS outage, or a domain's tempfail period, that starts before the previous one of the same
// target ends would cut the earlier one short, because each sets when its target recovers.
// The error points at the later one's time.
void check_overlaps(const std::vector<Fault>& faults) {
  std::map<std::pair<FaultKind, std::string>, const Fault*> last;
  for (const Fault& fault : faults) {
    if (fault.kind != FaultKind::DNS && fault.kind != FaultKind::DOMAIN) continue;
    const Fault*& previous = last[{fault.kind, fault.target}];
    if (previous != nullptr && fault.at < previous->at + previous->duration) {
      const std::string outage_name = fault.kind == FaultKind::DNS
                                          ? std::string("dns outage")
                                          : fmt::format("domain {} tempfail", fault.target);
      throw InputError(fault.time_pos,
                       fmt::format("{} at {} overlaps the one at {} (line {}), which lasts until "
                                   "{}; start it later or merge the two",
                                   outage_name, units::format_duration(fault.at),
                                   units::format_duration(previous->at), previous->pos.line,
                                   units::format_duration(previous->at + previous->duration)));
    }
    previous = &fault;
  }
}

}  // namespace

const char* to_string(FaultKind value) {
  switch (value) {
    case FaultKind::LINK:
      return "link";
    case FaultKind::HOST:
      return "host";
    case FaultKind::DNS:
      return "dns";
    case FaultKind::DOMAIN:
      return "domain";
  }
  return "?";
}

const char* to_string(FaultAction value) {
  switch (value) {
    case FaultAction::DOWN:
      return "down";
    case FaultAction::UP:
      return "up";
    case FaultAction::CRASH:
      return "crash";
    case FaultAction::RESTART:
      return "restart";
    case FaultAction::OUTAGE:
      return "outage";
    case FaultAction::TEMPFAIL:
      return "tempfail";
  }
  return "?";
}

std::optional<double> parse_compound_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double total = 0;
  std::size_t begin = 0;
  double previous_unit = std::numeric_limits<double>::infinity();
  while (begin < text.size()) {
    // A piece is a number and the letters after it. The next digit starts a new piece.
    std::size_t i = begin;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    std::size_t number_end = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    if (number_end == begin) return std::nullopt;
    std::string_view piece = text.substr(begin, i - begin);
    std::string_view unit = text.substr(number_end, i - number_end);
    // A bare number may only stand alone: in `1h30` the unit of 30 would be a guess.
    if (unit.empty() && (begin != 0 || i != text.size())) return std::nullopt;
    std::optional<double> value = units::parse_duration(piece);
    if (!value) return std::nullopt;
    // Units must get smaller, so `5m1h` and `1h1h` are rejected as typing mistakes.
    std::optional<double> unit_seconds = units::parse_duration(fmt::format("1{}", unit));
    if (!unit_seconds || *unit_seconds >= previous_unit) return std::nullopt;
    previous_unit = *unit_seconds;
    total += *value;
    begin = i;
  }
  if (!std::isfinite(total)) return std::nullopt;
  return total;
}

std::vector<Fault> parse_faults(std::string_view text, const std::string& file, int first_line,
                                int first_column, const std::function<void(const Fault&)>& check_target) {
  std::vector<Fault> faults;
  int line_number = first_line - 1;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++line_number;
    begin = end + 1;

    std::vector<Token> tokens = split_tokens(line);
    if (tokens.empty()) continue;
    LineReader reader(std::move(tokens), line, SourcePos{file, line_number, 0}, first_column);
    faults.push_back(parse_line(reader));
  }
  std::stable_sort(faults.begin(), faults.end(),
                   [](const Fault& a, const Fault& b) { return a.at < b.at; });
  if (check_target) {
    for (const Fault& fault : faults) check_target(fault);
  }
  check_order(faults);
  check_overlaps(faults);
  return faults;
}

}  // namespace mailsim::workload
