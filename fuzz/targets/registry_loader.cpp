// The device registry loader on TOML text (parsed from memory, as for an inline [hub.registry]).
// Only ConfigError may come out. Anchored in fixtures/registry/ so that certificate paths of
// seeds resolve like those of the real registry.
#include "broker/registry.hpp"
#include "common/error.hpp"
#include "common/toml_reader.hpp"
#include "fuzz/support/fuzz_target.hpp"

using namespace flexhil;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string file = FLEXHIL_FUZZ_SOURCE_DIR "/fixtures/registry/fuzz.toml";
  try {
    const auto table = parse_toml_string(fuzz::as_text(data, size), file);
    const auto registry = broker::load_registry(table, file);
    for (const auto& device : registry.devices) {
      fuzz::require(broker::is_valid_device_id(device.id));
      fuzz::require(registry.find_device(device.id) != nullptr);
    }
    for (const auto& policy : registry.policies) fuzz::require(registry.find_policy(policy.name) != nullptr);
    (void)registry.host();
  } catch (const ConfigError& e) {
    fuzz::require(!e.message().empty());
  }
  return 0;
}
