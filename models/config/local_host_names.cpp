#include "models/config/local_host_names.hpp"

#include "models/common/error.hpp"
#include "models/config/text.hpp"

namespace mailsim::config {

std::vector<std::string> parse_local_host_names(std::string_view text, const std::string& file) {
  std::vector<std::string> names;
  for (const text::Line& line : text::split_lines(text)) {
    std::string_view content = line.text.substr(0, line.text.find('#'));
    for (const text::Word& word : text::split_words(content)) {
      std::string_view name = word.text;
      bool literal = name.size() > 2 && name.front() == '[' && name.back() == ']' &&
                     text::is_ipv4(name.substr(1, name.size() - 2));
      if (!literal && !text::is_host_name(name)) {
        throw InputError(SourcePos{file, line.number, word.column},
                         "invalid host name \"" + std::string(name) +
                             "\"; expected a name such as naver.com or a literal such as "
                             "[10.0.2.100]");
      }
      names.push_back(text::to_lower(name));
    }
  }
  return names;
}

}  // namespace mailsim::config
