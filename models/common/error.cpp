#include "models/common/error.hpp"

#include <fmt/format.h>

namespace mailsim {

std::string format_pos(const SourcePos& pos) {
  std::string out = pos.file;
  if (pos.line > 0) {
    out += fmt::format(":{}", pos.line);
    if (pos.column > 0) out += fmt::format(":{}", pos.column);
  }
  return out;
}

static std::string compose(const SourcePos& pos, const std::string& message) {
  std::string where = format_pos(pos);
  return where.empty() ? message : where + ": " + message;
}

InputError::InputError(SourcePos pos, const std::string& message)
    : std::runtime_error(compose(pos, message)), pos_(std::move(pos)), message_(message) {}

}  // namespace mailsim
