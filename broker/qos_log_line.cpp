#include "broker/qos_log_line.hpp"

namespace flexhil::broker {

std::optional<std::string> too_high_qos_publisher(std::string_view message) {
  constexpr std::string_view prefix = "Too high QoS in PUBLISH from ";
  constexpr std::string_view suffix = ", disconnecting.";
  if (message.substr(0, prefix.size()) != prefix) return std::nullopt;
  message.remove_prefix(prefix.size());
  if (message.size() < suffix.size() || message.substr(message.size() - suffix.size()) != suffix) return std::nullopt;
  message.remove_suffix(suffix.size());
  if (message.empty()) return std::nullopt;
  return std::string(message);
}

Json qos2_refused_publish_event(const std::string& client_id) {
  Json e = make_event("publish");
  e["device"] = client_id;
  e["topic"] = "";
  e["props"] = Json::object();
  e["qos"] = 2;
  e["retain"] = false;
  e["size"] = 0;
  e["payload_b64"] = "";
  e["verdict"] = "disconnected";
  e["reason_id"] = "TOPIC-QOS2";
  e["reason"] = "QoS 2 publish; IoT Hub supports QoS 0 and 1 (qos2_policy=disconnect: the listener's max_qos 1 "
                "dropped it before the plugin, so topic and payload are unknown)";
  return e;
}

}  // namespace flexhil::broker
