// Errors in user input (scenario files, configuration files, command-line
// values), reported once by main as `file:line:column: what is wrong`.
#pragma once

#include <stdexcept>
#include <string>

namespace mailsim {

/// Position of a mistake in an input file; line and column count from 1,
/// and 0 means "unknown" (the part is then left out of the message).
struct SourcePos {
  std::string file;
  int line = 0;
  int column = 0;
};

/// A mistake in user input. what() is the full `file:line:column: message`.
class InputError : public std::runtime_error {
 public:
  InputError(SourcePos pos, const std::string& message);
  explicit InputError(const std::string& message) : InputError(SourcePos{}, message) {}

  const SourcePos& pos() const { return pos_; }
  const std::string& message() const { return message_; }

 private:
  SourcePos pos_;
  std::string message_;
};

/// Formats a position as `file:line:column` (omitting unknown parts).
std::string format_pos(const SourcePos& pos);

}  // namespace mailsim
