// Runs a parser call that must fail and returns its InputError for checks.
#pragma once

#include <gtest/gtest.h>

#include <optional>

#include "models/common/error.hpp"

namespace mailsim::config {

template <typename Call>
std::optional<InputError> catch_input_error(Call call) {
  try {
    call();
  } catch (const InputError& error) {
    return error;
  }
  return std::nullopt;
}

}  // namespace mailsim::config
