#include "models/dns/diagnostic.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace mailsim::dns {

bool has_errors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::ERROR; });
}

std::string format_diagnostic(const Diagnostic& diagnostic) {
  std::string where = format_pos(diagnostic.pos);
  const char* level = diagnostic.severity == Severity::ERROR ? "error" : "warning";
  if (where.empty()) return fmt::format("{}: {}", level, diagnostic.text);
  return fmt::format("{}: {}: {}", where, level, diagnostic.text);
}

}  // namespace mailsim::dns
