#pragma once
// The bench user's second terminal to a running hub (`flexhil hub c2d|desired|method|devices`,
// like `az iot device c2d-message send` and friends): reads `<dir>/hub-access.json`
// (hub_access.hpp), connects to the hub's internal listener with those credentials and sends
// harness commands; the plugin's answers are read from the hub's events file (the capture.jsonl
// the running hub or run writes, hub-access.json's `events_file`), from where it ended when the
// command was sent.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "broker/hub_access.hpp"
#include "broker/hub_internal_client.hpp"
#include "broker/registry.hpp"
#include "common/event.hpp"

namespace flexhil::broker {

class HubBenchClient {
 public:
  // `dir`: what a running `flexhil hub` (--out) or `flexhil run` writes. Throws ConfigError when
  // `dir` is no directory (exit 2), InfrastructureError when no hub runs there or its internal
  // listener does not answer (exit 3). Nothing secret is put in a message.
  explicit HubBenchClient(const std::string& dir);
  ~HubBenchClient();
  HubBenchClient(const HubBenchClient&) = delete;
  HubBenchClient& operator=(const HubBenchClient&) = delete;

  const HubAccess& access() const { return access_; }
  const Registry& registry() const { return registry_; }
  // A fresh id for a command's "request" (or a method's $rid): "bench-<pid>-<n>-<random>".
  std::string new_request_id();
  // Publishes `command` (QoS 1, PUBACKed); events written from now on are what wait_for sees.
  void send(const std::string& topic, const Json& command);
  // The first hub event since send() (or the previous match) for which `match` holds; nullopt
  // after `timeout`.
  std::optional<Json> wait_for(const std::function<bool(const Json&)>& match, std::chrono::milliseconds timeout);

 private:
  std::optional<Json> next_event();

  HubAccess access_;
  Registry registry_;
  std::unique_ptr<HubInternalClient> client_;
  std::uint64_t offset_ = 0;  // events file bytes already looked at
  std::string partial_;
  std::uint64_t counter_ = 0;
};

}  // namespace flexhil::broker
