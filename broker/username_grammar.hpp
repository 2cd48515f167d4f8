#pragma once
// The MQTT username IoT Hub expects, in every form seen in the field
// (docs/hub-behaviour.md "CONNECT"):
//   current  {host}/{deviceId}/?api-version=2021-04-12
//   sdk      {host}/{deviceId}/?api-version=…&DeviceClientType=…[&model-id=…]
//   legacy   {host}/{deviceId}/api-version=2016-11-14          (no '?', eWON scripts)
//   none     {host}/{deviceId}                                 (accepted; finding)
//   module   {host}/{deviceId}/{moduleId}/?api-version=…       (ClientId deviceId/moduleId)
// The host part must equal the hub host name (case-insensitive), the device part the ClientId
// (case-sensitive). Pure: no mosquitto types.
#include <optional>
#include <string>
#include <string_view>

namespace flexhil::broker {

enum class UsernameForm { current, sdk, legacy, none, module, invalid };
std::string_view to_string(UsernameForm form);  // "current", "sdk", …

struct UsernameVerdict {
  bool accepted = false;
  UsernameForm form = UsernameForm::invalid;
  std::string reason;     // one line; empty when accepted without remark
  std::string reason_id;  // AUTH-USERNAME-FORMAT | AUTH-USERNAME-HOST | AUTH-USERNAME-DEVICE
  // Accepted, but the harness should report it (e.g. AUTH-USERNAME-NO-API-VERSION).
  std::string finding_id;
  std::string api_version;         // "" when absent
  std::string device_client_type;  // decoded; "" when absent
  std::string model_id;            // decoded; "" when absent
};

// `username` nullopt = the CONNECT carried no username.
UsernameVerdict judge_username(const std::optional<std::string>& username, std::string_view client_id,
                               std::string_view hub_host);

}  // namespace flexhil::broker
