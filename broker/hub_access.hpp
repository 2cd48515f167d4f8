#pragma once
// `<out>/hub-access.json`: how another process on this machine reaches a running hub's internal
// listener — the bench commands of `flexhil hub` (c2d, desired, method, devices) read it. It holds
// the per-start internal password, so HubProcess writes it 0600 (common/private_file.hpp) after
// every start and removes it at a clean stop. Pure rendering and parsing here.
#include <cstdint>
#include <string>
#include <string_view>

namespace flexhil::broker {

inline constexpr const char* kHubAccessFile = "hub-access.json";

struct HubAccess {
  std::string hub;            // hub name ("eWONPROJECT")
  std::uint16_t internal_port = 0;  // 127.0.0.1, plain MQTT
  std::string username;
  std::string password;
  // Absolute: a JSONL file holding the hub's events as they happen (the run's capture.jsonl), where
  // the answers to commands appear; "" = none (a hub embedded in a test without a capture file).
  std::string events_file;
  std::string registry;       // absolute path of the device registry
  int mosquitto_pid = 0;
};

std::string render_hub_access(const HubAccess& access);
// Throws std::invalid_argument naming the missing or malformed field.
HubAccess parse_hub_access(std::string_view text);

}  // namespace flexhil::broker
