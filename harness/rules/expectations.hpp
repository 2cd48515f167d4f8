#pragma once
// What the scenario expects of the device under test, as plain data for the pure rules
// (filled by the scenario loader from `[expect]`, `[hub]` and `[dut]`; built by hand in tests).
// All durations are scenario seconds: the rules convert event times with the run's time scale.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace flexhil::rules {

// One selected tag of the DUT and where its value comes from (for the VALUE-… rules).
struct TagExpectation {
  enum class Type { number, integer, boolean, string };
  std::string name;   // key in the telemetry JSON
  std::string point;  // PLC point name; "" = no end-to-end value check
  int unit = -1;      // Modbus unit id of the point; -1 = any
  double coef = 1.0;  // published = raw × coef + offset (the Flexy's tag scaling)
  double offset = 0.0;
  Type type = Type::number;
};

enum class TimestampFormat { any, iso8601, flexy };
// What the device publishes to: the impersonated Azure IoT Hub, or a plain MQTT broker (where the
// Azure-only rules do not apply, catalogue.hpp).
enum class Target { hub, broker };
enum class HubTier { none, S1, S2, S3 };

struct Expectations {
  std::vector<std::string> devices;  // device ids that must connect (CONN-NOT-CONNECTED-WITHIN)
  double time_scale = 1.0;           // used when the capture has no run_start event
  std::optional<double> connect_within_s = 30.0;
  double reconnect_within_s = 60.0;

  std::string timestamp_key = "time";  // "" = payloads carry no timestamp
  TimestampFormat timestamp_format = TimestampFormat::iso8601;
  double max_clock_skew_s = 5.0;
  std::optional<double> utc_offset_s;  // the DUT's offset from UTC, for zone-less timestamps

  std::optional<double> full_push_period_s;
  std::optional<double> change_push_period_s;
  double period_tolerance_s = 1.0;

  bool numbers_as_strings_ok = false;
  std::optional<double> max_change_latency_s;
  double value_window_s = 5.0;
  std::vector<std::string> required_keys;
  bool content_type_required = true;
  std::vector<TagExpectation> tags;  // the selected tags; empty = inferred from the payloads
  // A fleet member whose tags poll other PLC points (its own unit): its own list, same names.
  std::map<std::string, std::vector<TagExpectation>> device_tags;
  const std::vector<TagExpectation>& tags_for(const std::string& device) const {
    const auto it = device_tags.find(device);
    return it == device_tags.end() ? tags : it->second;
  }

  Target target = Target::hub;
  // Plain broker: the MQTT filter that selects telemetry among the device's publishes ("#" =
  // every publish). The hub's telemetry is its devices/{id}/messages/events/ topic.
  std::string telemetry_topic = "#";

  HubTier tier = HubTier::none;
  int units = 1;
  std::size_t max_message_bytes = 256 * 1024;
  // --- events and outbound actions ---
  std::vector<std::string> actions;  // dut_action kinds the DUT must start (DUT-ACTION-MISSING)
};

// Which findings decide the verdict (from `[expect]` must_find / must_not_find / exact_findings).
struct FindingExpectations {
  std::optional<std::vector<std::string>> exact;  // the run passes iff these ids, no more, no less
  std::vector<std::string> must_find;
  std::vector<std::string> must_not_find;
};

}  // namespace flexhil::rules
