#pragma once
// Requests the harness sends to the plugin on `$flexhil/cmd/…` (JSON payloads):
//   $flexhil/cmd/c2d      {"device":"D","body_b64":"…","props":{"k":"v","flag":null},"ttl_s":60,"request":"r1"}
//   $flexhil/cmd/desired  {"device":"D","patch":{…},"request":"r2"}
//   $flexhil/cmd/method   {"device":"D","method":"reboot","rid":"1","payload":<any JSON>}
//   $flexhil/cmd/devices  {"request":"r3"}  (answered by a `device_status` event)
//   $flexhil/cmd/ping     {"id":7}   (liveness probe of the hub launcher; answered by a `pong` event)
// `request` (optional, a string) is echoed in the events the command causes, so a sender (the
// bench commands of `flexhil hub`) finds its answer in the audit stream; `ttl_s` (optional, 1 to
// 172800) is the C2D message's time to live.
// Pure parsing; the plugin executes them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/event.hpp"

namespace flexhil::broker {

struct C2dCommand {
  std::string device;
  std::string body;  // decoded bytes
  std::vector<std::pair<std::string, std::optional<std::string>>> props;
  std::optional<std::int64_t> ttl_s;  // unset: the hub's default TTL
  std::string request;
};
struct DesiredCommand {
  std::string device;
  Json patch;  // object
  std::string request;
};
struct DevicesCommand {
  std::string request;
};
struct MethodCommand {
  std::string device;
  std::string method;
  std::string rid;
  std::string payload;  // JSON text sent as the request body
};
struct PingCommand {
  std::int64_t id = 0;
};
using HarnessCommand = std::variant<C2dCommand, DesiredCommand, MethodCommand, PingCommand, DevicesCommand>;

// nullopt with *error set when the topic is unknown or the payload malformed.
std::optional<HarnessCommand> parse_harness_command(std::string_view topic, std::string_view payload,
                                                    std::string* error);

}  // namespace flexhil::broker
