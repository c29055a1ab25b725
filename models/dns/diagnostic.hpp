// Warnings and errors found while checking DNS configuration (zone files, named.conf), each
// tied to the place in the input that caused it.
#pragma once

#include <string>
#include <vector>

#include "models/common/error.hpp"

namespace mailsim::dns {

enum class Severity { WARNING, ERROR };

struct Diagnostic {
  SourcePos pos;  // line 0 when the finding concerns the whole zone
  Severity severity = Severity::WARNING;
  std::string text;
};

/// Tells whether any diagnostic is an error, which is when BIND refuses to load the zone.
bool has_errors(const std::vector<Diagnostic>& diagnostics);

/// Formats a diagnostic as `file:line: warning: text` (the position is left out if unknown).
std::string format_diagnostic(const Diagnostic& diagnostic);

}  // namespace mailsim::dns
