#pragma once
// The user's real CA bundle, judged before the run's own CA takes its place: the emulated Flexy
// trusts the harness's CA for the run, so a bundle that fails on today's Azure IoT Hub (only the
// retired Baltimore root, say) would otherwise pass unnoticed. The verdict becomes a `ca_bundle`
// event, which the rules turn into TLS-CA-BUNDLE-OUTDATED / TLS-CA-BUNDLE-MISSING-G2.
#include <cstdint>
#include <optional>
#include <string>

#include "certs/ca_bundle_check.hpp"
#include "common/event.hpp"
#include "harness/scenario/scenario.hpp"

namespace flexhil::run {

struct UserCaBundle {
  std::string path;    // the file judged
  std::string source;  // "user_ca_file" ([dut] user_ca_file) or "usr_dir" (the file at ca_file in the usr folder)
};

// Which bundle a scenario gives: [dut] user_ca_file, else (emulated devices) a file already at
// [dut] ca_file in the scenario's [dut.flexy] usr_dir; nullopt when neither.
std::optional<UserCaBundle> user_ca_bundle(const scenario::Scenario& s);

// The `ca_bundle` event (docs/events.md) of a judged bundle, judged at `at` (seconds since 1970 UTC).
Json ca_bundle_event(const scenario::Scenario& s, const UserCaBundle& bundle, const certs::BundleCheck& check,
                     std::int64_t at);

// Reads and judges the scenario's bundle, if any, at `at`: the event to emit once the capture's
// clock runs. Throws ConfigError for a bundle that is not PEM (the user's input: exit 2) and
// InfrastructureError when the reference roots are not installed (exit 3).
std::optional<Json> check_user_ca_bundle(const scenario::Scenario& s, std::int64_t at,
                                         const std::string& reference_dir = certs::default_reference_roots_dir);

}  // namespace flexhil::run
