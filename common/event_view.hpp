#pragma once
// The one way to read an event's fields (docs/events.md), for the rules, the reports, the metrics,
// the hub console and the orchestrator. A capture may come from another version, be hand-edited
// or be cut short, and events come from other processes: no accessor throws on a missing field,
// a wrong type or a non-object event — it answers "absent" (nullopt, empty text, 0) instead, so
// every reader of an event agrees on what it says.
//
// Also the one classification of events (what an event is about), including the single test
// "is this publish telemetry of its device?".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/event.hpp"

namespace flexhil {

class EventView {
 public:
  explicit EventView(const Json& event) noexcept : event_(event) {}

  const Json& json() const noexcept { return event_; }
  // The field, or nullptr when absent (or the event is not an object).
  const Json* field(std::string_view key) const noexcept;
  bool has(std::string_view key) const noexcept { return field(key) != nullptr; }

  // A string field as it is; `fallback` when absent or not a string. The view lives as long as
  // the event (`fallback` must outlive the call: use literals).
  std::string_view text(std::string_view key, std::string_view fallback = {}) const noexcept;
  // The same, as an owned string.
  std::string string(std::string_view key, std::string_view fallback = {}) const { return std::string(text(key, fallback)); }
  // Any field for display: strings as they are, absent/null as "", anything else as compact JSON.
  std::string display(std::string_view key) const;
  // Numbers (integer or floating); booleans and numeric strings are not numbers.
  std::optional<double> number(std::string_view key) const noexcept;
  // Integral numbers, and floating ones with an integral value within int64 (3.0, not 3.5).
  std::optional<std::int64_t> integer(std::string_view key) const noexcept;
  std::optional<bool> boolean(std::string_view key) const noexcept;
  // True only for a boolean field that is true (structured flags such as
  // `publish_while_disconnected`).
  bool flag(std::string_view key) const noexcept { return boolean(key).value_or(false); }
  // An object field, or nullptr when absent or not an object.
  const Json* object(std::string_view key) const noexcept;

  std::string_view kind() const noexcept { return text("kind"); }
  std::uint64_t seq() const noexcept;        // 0 when missing or invalid
  std::int64_t mono_ns() const noexcept;     // 0 when missing
  std::string_view device() const noexcept { return text("device"); }
  std::string_view wall() const noexcept { return text("wall"); }
  std::optional<double> scenario_s() const noexcept { return number("scenario_s"); }

 private:
  const Json& event_;
};

// What an event is about. Publishes are split by topic: telemetry (the device's own
// devices/{id}/messages/events/…), twin and method-response traffic, anything else.
enum class EventClass {
  telemetry,      // publish on the device's own telemetry topic
  twin,           // twin GET/PATCH publishes, twin_get, twin_patch_reported, desired_update
  method,         // method response publishes, method_request, method_response
  c2d,            // c2d_sent, c2d_delivered, c2d_expired, c2d_refused, c2d_dropped
  other_publish,  // a publish on any other topic (forbidden, another device's, …)
  connect,        // connect
  tls,            // tls_failure
  disconnect,     // disconnect
  subscribe,      // subscribe
  plc,            // plc_change, plc_fault
  dut,            // dut_console, dut_log, dut_action, dut_alarm, dut_sms_received
  harness,        // run_start, run_end, action, ca_bundle, endpoint_request, endpoint_error
  hub,            // hub_error, command_rejected, device_status
  unknown,        // a kind this version does not know
};

EventClass classify(const EventView& event);
std::string_view to_string(EventClass c);

// `devices/{id}/messages/events/` (or `devices/{d}/modules/{m}/messages/events/` for "d/m").
std::string telemetry_prefix(std::string_view device);
// Is `topic` a telemetry topic of `device` (with or without properties after the prefix)?
bool is_telemetry_topic(std::string_view device, std::string_view topic);
// A publish event on the telemetry topic of the device that sent it (any verdict), or one a plain
// broker marked `"telemetry": true`.
bool is_telemetry(const EventView& event);

}  // namespace flexhil
