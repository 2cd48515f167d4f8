#pragma once
// What the scenario loader says about a scenario text, for the loader's tests.
#include <algorithm>
#include <string>

#include <boost/test/unit_test.hpp>

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

// "s.toml:<line>:" of the first line holding `needle`.
inline std::string at_line_of(const std::string& text, const std::string& needle) {
  const auto pos = text.find(needle);
  BOOST_REQUIRE_MESSAGE(pos != std::string::npos, needle);
  return "s.toml:" + std::to_string(1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n')) + ":";
}

// The error starts with the position of `needle`'s line and says `what`.
inline void expect_error_at(const std::string& text, const std::string& needle, const std::string& what) {
  const auto e = error_of(text);
  BOOST_TEST(e.find(at_line_of(text, needle)) == 0u, e);
  BOOST_TEST(e.find(what) != std::string::npos, e);
}

}  // namespace flexhil::testing
