// The scenario loader on TOML text. Only ConfigError may come out. The text is anchored in the
// source tree's scenarios/pass/ folder so that seeds can name the real registry, programs and Flexy
// configurations and reach the loader's deeper checks.
#include "common/error.hpp"
#include "fuzz/support/fuzz_target.hpp"
#include "harness/scenario/scenario.hpp"

using namespace flexhil;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto s = scenario::load_scenario_string(fuzz::as_text(data, size), FLEXHIL_FUZZ_SOURCE_DIR "/scenarios/pass/fuzz.toml");
    fuzz::require(s.plain_broker() ? s.hub.name.empty() : !s.hub.name.empty());  // a plain broker has no hub
  } catch (const ConfigError& e) {
    fuzz::require(!e.message().empty());
  }
  return 0;
}
