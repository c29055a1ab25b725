// Description of one modelled setting, for --help style listings and docs.
#pragma once

namespace mailsim::config {

struct SettingInfo {
  const char* name;
  const char* default_value;  ///< as the configuration file would spell it
  const char* unit;           ///< empty when the value has no unit
  const char* help;
};

}  // namespace mailsim::config
