#include "models/queue/spec.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "models/common/error.hpp"
#include "models/common/units.hpp"

namespace mailsim::queue::spec {
namespace {

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

// True when `text` starts with `Name=`, i.e. a new setting.
bool starts_setting(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  size_t start = i;
  while (i < text.size() && is_name_char(text[i])) ++i;
  return i > start && i < text.size() && text[i] == '=';
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  return out;
}

}  // namespace

void fail(int column, const std::string& message) {
  throw InputError(SourcePos{kSpecFile, 1, column}, message);
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

SplitSpec split_policy_name(const std::string& spec) {
  SplitSpec out;
  size_t colon = spec.find(':');
  out.policy = spec.substr(0, colon);
  if (out.policy.empty()) {
    fail(1, "missing queue policy name; expected sendmail, postfix, exim or fifo");
  }
  if (colon != std::string::npos) {
    out.has_colon = true;
    out.rest = spec.substr(colon + 1);
    out.rest_column = static_cast<int>(colon) + 2;
  }
  return out;
}

std::vector<Setting> split_settings(const SplitSpec& split,
                                    const std::vector<std::string>& list_valued) {
  std::vector<Setting> settings;
  if (!split.has_colon) return settings;

  // Pieces between commas, each with the column where it starts.
  std::vector<std::pair<std::string, int>> pieces;
  size_t start = 0;
  while (true) {
    size_t comma = split.rest.find(',', start);
    size_t end = comma == std::string::npos ? split.rest.size() : comma;
    pieces.emplace_back(split.rest.substr(start, end - start),
                        split.rest_column + static_cast<int>(start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }

  for (const auto& [text, column] : pieces) {
    bool continues_list = false;
    if (!settings.empty() && !starts_setting(text)) {
      for (const std::string& name : list_valued) {
        if (settings.back().name == name) continues_list = true;
      }
    }
    if (continues_list) {
      settings.back().value += "," + text;
      continue;
    }
    if (text.empty()) fail(column, "empty setting; expected Setting=value");
    size_t eq = text.find('=');
    if (eq == std::string::npos) {
      Setting bare{text, "", column, column + static_cast<int>(text.size())};
      bare.has_value = false;
      settings.push_back(bare);
      continue;
    }
    if (eq == 0) fail(column, "missing setting name before '='");
    settings.push_back(Setting{text.substr(0, eq), text.substr(eq + 1), column,
                               column + static_cast<int>(eq) + 1});
  }
  return settings;
}

double duration_value(const Setting& setting) {
  std::optional<double> seconds = units::parse_duration(setting.value);
  if (!seconds || *seconds < 0) {
    fail(setting.value_column, "invalid " + setting.name + " value \"" + setting.value +
                                   "\"; expected a duration such as 300s, 30m, 2h or 5d");
  }
  return *seconds;
}

long integer_value(const Setting& setting, long min) {
  const std::string& text = setting.value;
  size_t i = text.empty() || text[0] != '-' ? 0 : 1;
  bool digits = i < text.size() && text.size() - i <= 12;
  for (size_t j = i; j < text.size(); ++j) {
    if (!std::isdigit(static_cast<unsigned char>(text[j]))) digits = false;
  }
  long value = digits ? std::strtol(text.c_str(), nullptr, 10) : 0;
  if (!digits || value < min) {
    fail(setting.value_column, "invalid " + setting.name + " value \"" + text +
                                   "\"; expected a whole number of at least " +
                                   std::to_string(min));
  }
  return value;
}

void check_setting(const std::string& policy, const Setting& setting,
                   const std::vector<std::string>& accepted, bool ignore_case) {
  bool known = false;
  for (const std::string& name : accepted) {
    if (ignore_case ? lower(name) == lower(setting.name) : name == setting.name) known = true;
  }
  if (!known) unknown_setting(policy, setting, accepted);
  if (!setting.has_value) {
    fail(setting.name_column,
         "setting \"" + setting.name + "\" has no value; expected " + setting.name + "=VALUE");
  }
}

void unknown_setting(const std::string& policy, const Setting& setting,
                     const std::vector<std::string>& accepted) {
  fail(setting.name_column, "unknown " + policy + " setting \"" + setting.name +
                                "\"; expected one of: " + join(accepted));
}

}  // namespace mailsim::queue::spec
