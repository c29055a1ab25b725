// Helpers shared by the workload tests.
#pragma once

#include <optional>

#include "models/common/error.hpp"

namespace mailsim::workload {

/// Runs a call that must fail and returns its InputError, or nullopt when it did not throw one.
template <typename Call>
std::optional<InputError> catch_input_error(Call call) {
  try {
    call();
  } catch (const InputError& error) {
    return error;
  }
  return std::nullopt;
}

}  // namespace mailsim::workload
