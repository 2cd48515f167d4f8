#pragma once
// With `max_qos 1` on the device listeners (hub_config.cpp) mosquitto drops a QoS 2 PUBLISH
// itself, before the plugin's ACL check, and only its log says so:
//   Too high QoS in PUBLISH from Flexy1, disconnecting.
// This turns that line into the `publish` event the plugin would have written (verdict
// `disconnected`, reason_id TOPIC-QOS2; topic and payload are not in the log). Pure.
#include <optional>
#include <string>
#include <string_view>

#include "common/event.hpp"

namespace flexhil::broker {

// The ClientId of a "Too high QoS in PUBLISH" line (without its timestamp), else std::nullopt.
std::optional<std::string> too_high_qos_publisher(std::string_view message);

Json qos2_refused_publish_event(const std::string& client_id);

}  // namespace flexhil::broker
