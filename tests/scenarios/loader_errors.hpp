#pragma once
// What the scenario loader says about a scenario text, for the loader's tests.
#include <string>

#include "common/error.hpp"
#include "harness/scenario/scenario.hpp"

namespace flexhil::testing {

// The ConfigError message of loading `text` as "s.toml" ("" when it loads).
inline std::string error_of(const std::string& text) {
  try {
    scenario::load_scenario_string(text, "s.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace flexhil::testing
