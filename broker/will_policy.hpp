#pragma once
// The hub's verdict on a device's will (docs/hub-behaviour.md "Will"): its topic must be the
// device's telemetry topic `devices/{id}/messages/events/[bag]`. What the real hub answers to
// another topic is not documented; the inferred verdict is CONNACK 5 (IoT Hub answers every
// CONNECT it does not take with 5), and `will_policy accept` makes it a finding on an accepted
// connection instead. A will that goes out (the device dropped without DISCONNECT) is telemetry
// with the application property iothub-MessageType=Will. Pure.
#include <optional>
#include <string>
#include <string_view>

#include "broker/mqtt_connect_packet.hpp"
#include "broker/property_bag.hpp"

namespace flexhil::broker {

inline constexpr std::string_view kWillRuleId = "TOPIC-WILL-NOT-TELEMETRY";

struct WillVerdict {
  bool refuse = false;     // CONNACK 5 (will_policy refuse)
  std::string reason_id;   // empty: nothing to say
  std::string reason;
};

// `will` as read from the CONNECT (std::nullopt: no will). `refuse_policy`: will_policy refuse.
WillVerdict judge_will(std::string_view device_id, const std::optional<ConnectWill>& will, bool refuse_policy);

// The properties a delivered will carries: its topic's bag plus iothub-MessageType=Will (and
// mqtt-retain=true when the will had the retain flag, as for any retained publish).
PropertyBag will_properties(PropertyBag topic_bag, bool retain);

}  // namespace flexhil::broker
