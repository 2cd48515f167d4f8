#pragma once
// The options of the mosquitto plugin `iothub` (flexhil_iothub.so), given in mosquitto.conf as
// `plugin_opt_<name> <value>`. This is the contract between the hub launcher (hub_config.*)
// and the plugin; docs: broker/README.md.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace flexhil::broker {

struct IothubOptions {
  std::string registry;           // registry          <path> (required)
  std::string hub;                // hub               <name> (overrides the registry's hub)
  std::string internal_username;  // internal_username <u>   the harness's own connection
  std::string internal_password;  // internal_password <p>
  bool qos2_accept = false;       // qos2_policy       disconnect|accept (default disconnect)
  std::int64_t max_message_bytes = 262144;  // max_message_bytes (default 256 KB)
  int max_subscriptions = 5;                // max_subscriptions (default 5)
  std::int64_t sas_skew_seconds = 300;      // sas_skew_seconds (default 300)
  bool mqtt5_accept = false;                // mqtt5_policy refuse|accept (default refuse)
  // will_policy refuse|accept (default refuse): a will topic other than the device's telemetry
  // topic → CONNACK 5 (inferred), or accepted with reason_id TOPIC-WILL-NOT-TELEMETRY.
  bool will_accept = false;
  std::int64_t sas_expiry_check_seconds = 1;  // sas_expiry_check_seconds (default 1)
  std::string audit_file;    // audit_file   <path>: the audit stream, appended (required with internal_*)
  std::string audit_stream;  // audit_stream <id>: `src` of every audit event ("" = hub-<pid>-<start ns>)
  // audit_flush_ms <n> (default 10, 0..1000): how long an audit line may wait to be written with
  // the next ones (broker/plugin/audit_log.hpp); 0 = on every tick of mosquitto's loop.
  std::int64_t audit_flush_ms = 10;
  // mode hub|plain (default hub). plain: a generic MQTT broker — users_file instead of the
  // registry, no Azure judgement (broker/plain_broker.hpp).
  bool plain = false;
  std::string users_file;               // users_file <path> (plain; absent = anonymous allowed)
  std::string telemetry_filter = "#";   // telemetry_filter <MQTT filter> (plain): publishes marked telemetry
  // ca_file <path>: PEM CA certificates trusted besides the registry's [[ca]] (the hub's --trust)
  std::string ca_file;
  // c2d_clean_session drop|deliver (default drop): what a CleanSession=1 connect does to the
  // device's queued C2D messages (broker/plugin/README.md, "C2D").
  bool c2d_clean_session_deliver = false;
};

// Parses `name → value` pairs (without the plugin_opt_ prefix). Unknown names and bad values
// throw std::invalid_argument with a message naming the option and its valid values.
IothubOptions parse_iothub_options(const std::vector<std::pair<std::string, std::string>>& options);

// The plugin's internal topics (harness ⇄ plugin); only the internal client may use them.
namespace internal_topics {
inline constexpr const char* command_c2d = "$flexhil/cmd/c2d";     // harness → plugin
inline constexpr const char* command_desired = "$flexhil/cmd/desired";
inline constexpr const char* command_method = "$flexhil/cmd/method";
inline constexpr const char* command_ping = "$flexhil/cmd/ping";  // answered by a `pong` audit event
inline constexpr const char* command_devices = "$flexhil/cmd/devices";  // answered by a `device_status` event
}  // namespace internal_topics

}  // namespace flexhil::broker
