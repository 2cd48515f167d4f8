#pragma once
// The harness's own MQTT connection to the hub: plain TCP on the loopback-only internal listener
// with the per-run credentials. It receives the plugin's audit events ($flexhil/audit, one JSON
// object per message) and publishes harness commands ($flexhil/cmd/…).
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/event.hpp"

namespace flexhil::broker {

inline constexpr const char* kAuditTopic = "$flexhil/audit";
inline constexpr const char* kCmdC2dTopic = "$flexhil/cmd/c2d";
inline constexpr const char* kCmdDesiredTopic = "$flexhil/cmd/desired";
inline constexpr const char* kCmdMethodTopic = "$flexhil/cmd/method";

class HubInternalClient {
 public:
  // Connects and subscribes to the audit topic (QoS 1) before returning; throws
  // InfrastructureError saying which step failed.
  HubInternalClient(std::uint16_t port, const std::string& client_id, const std::string& username,
                    const std::string& password, EventSink& sink, std::chrono::milliseconds timeout);
  ~HubInternalClient();
  HubInternalClient(const HubInternalClient&) = delete;
  HubInternalClient& operator=(const HubInternalClient&) = delete;

  // Publishes a command at QoS 1 and waits for the broker's PUBACK.
  void publish_command(const std::string& topic, const Json& command);
  bool connected() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flexhil::broker
