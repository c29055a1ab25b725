// Command-line form of a queue policy: `name[:Setting=value,Setting=value...]`.
// Splits the text into settings that remember their columns, and parses the
// values, so that every mistake is reported as `<policy>:1:COLUMN: ...`.
// Does not know any policy's settings: each policy looks its own up.
#pragma once

#include <string>
#include <vector>

namespace mailsim::queue::spec {

/// File name used in InputError positions for policy specs.
inline constexpr const char* kSpecFile = "<policy>";

/// One `Setting=value` pair; columns count from 1 in the whole spec.
struct Setting {
  std::string name;
  std::string value;
  int name_column = 0;
  int value_column = 0;
  bool has_value = true;  ///< false when the text had no `=`
};

/// A spec split into the policy name and its settings.
struct SplitSpec {
  std::string policy;
  std::string rest;  ///< text after the colon, empty without one
  int rest_column = 0;
  bool has_colon = false;
};

/// Separates the policy name from the settings. Throws InputError for an
/// empty name.
SplitSpec split_policy_name(const std::string& spec);

/// Splits the settings text at commas. A comma inside the value of a
/// setting named in `list_valued` (Exim's `retry`) does not end the setting
/// unless the text after it starts a new `Name=`. Throws InputError for an
/// empty setting. A setting without `=` is kept with has_value false, so
/// that check_setting() can first report an unknown name before it.
std::vector<Setting> split_settings(const SplitSpec& split,
                                    const std::vector<std::string>& list_valued);

/// Throws InputError at `column` of the spec.
[[noreturn]] void fail(int column, const std::string& message);

/// Parses a non-negative duration (`30m`, `2h`, `300s`, `5d`, bare seconds).
double duration_value(const Setting& setting);

/// Parses a whole number of at least `min`.
long integer_value(const Setting& setting, long min);

/// Throws InputError when the setting's name is not in `accepted`
/// (compared ignoring case when `ignore_case`), or when it has no value.
void check_setting(const std::string& policy, const Setting& setting,
                   const std::vector<std::string>& accepted, bool ignore_case);

/// Throws InputError naming an unknown setting and the accepted names.
[[noreturn]] void unknown_setting(const std::string& policy, const Setting& setting,
                                  const std::vector<std::string>& accepted);

/// Lower-cases ASCII letters (Sendmail option names are case-insensitive).
std::string lower(std::string text);

}  // namespace mailsim::queue::spec
