#pragma once
// The harness's own MQTT connection to the hub: plain TCP on the loopback-only internal listener
// with the per-run credentials. It publishes harness commands ($flexhil/cmd/…) and the liveness
// pings; the plugin's audit events do not come back this way (they are written to the audit
// file, see audit_tailer.hpp), so the capture never depends on this connection.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/event.hpp"

namespace flexhil::broker {

inline constexpr const char* kCmdC2dTopic = "$flexhil/cmd/c2d";
inline constexpr const char* kCmdDesiredTopic = "$flexhil/cmd/desired";
inline constexpr const char* kCmdMethodTopic = "$flexhil/cmd/method";
inline constexpr const char* kCmdPingTopic = "$flexhil/cmd/ping";

class HubInternalClient {
 public:
  // Connects before returning; throws InfrastructureError saying why not.
  HubInternalClient(std::uint16_t port, const std::string& client_id, const std::string& username,
                    const std::string& password, std::chrono::milliseconds timeout);
  ~HubInternalClient();
  HubInternalClient(const HubInternalClient&) = delete;
  HubInternalClient& operator=(const HubInternalClient&) = delete;

  // Publishes a command at QoS 1 and waits for the broker's PUBACK.
  void publish_command(const std::string& topic, const Json& command);
  // A liveness ping at QoS 0, not waited for: a frozen broker must not block the prober; the
  // answer is the plugin's `pong` event in the audit file. False when it could not be sent.
  bool send_ping(std::int64_t id);
  bool connected() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flexhil::broker
