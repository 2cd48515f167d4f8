#pragma once
// The impersonated hub's mosquitto.conf, generated from options (pure: no files, no sockets).
//
// Two (optionally three) listeners, like IoT Hub's one 8883:
//   mqtts     TLS, SAS and X.509 devices alike: require_certificate false, but the TLS shim
//             preloaded into mosquitto (broker/tls_shim) requests an optional client
//             certificate and lets any through; the plugin judges it at CONNECT (CONNACK 5).
//             cafile = the trust bundle (its CA names go into the CertificateRequest).
//   websocket TLS websockets (SAS only), optional
//   internal  plain TCP on 127.0.0.1 for the harness's own client (random per-run password)
// The iothub plugin judges every CONNECT, topic and message; its options are passed as
// `plugin_opt_*` lines (broker/README.md, "Plugin options").
#include <cstdint>
#include <optional>
#include <string>

namespace flexhil::broker {

// The hub's TLS like the real one: TLS 1.2 minimum and only the hub's four RSA suites for 1.2
// (the maximum, 1.2 unless tls13, is set by the TLS shim: mosquitto's tls_version is a minimum).
inline constexpr const char* kHubTlsVersion = "tlsv1.2";
inline constexpr const char* kHubCiphers =
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384";

// Policies and limits handed to the plugin; unset = the plugin's documented default.
struct PluginOptions {
  std::optional<std::string> qos2_policy;          // "disconnect" | "accept"
  std::optional<std::uint64_t> max_message_bytes;  // D2C limit (256 KB on the real hub)
  std::optional<int> max_subscriptions;            // 5 on the real hub
  std::optional<int> sas_skew_seconds;             // 300 on the real hub
  std::optional<std::string> mqtt5_policy;         // what to do with MQTT 5 CONNECTs
  std::optional<std::string> will_policy;          // "refuse" | "accept": a will off the telemetry topic
  std::optional<int> sas_expiry_check_seconds;     // how often expired SAS sessions are dropped
  std::optional<std::string> c2d_clean_session;    // "drop" | "deliver": queued C2D at a CleanSession=1 connect
};

// Plain mode: a generic MQTT broker on one device listener (plain TCP or TLS with the run's server
// certificate, no client certificate) judged by the plugin in `mode plain`.
struct PlainListenerConfig {
  std::uint16_t port = 0;
  bool tls = false;
  std::string users_file;               // "" = anonymous allowed
  std::string telemetry_filter = "#";
};

struct HubConfig {
  std::string hub_name;                  // e.g. "eWONPROJECT"
  std::string bind_address = "127.0.0.1";
  std::uint16_t mqtts_port = 0;           // SAS and X.509 devices (8883 on the real hub)
  std::uint16_t internal_port = 0;        // always bound to 127.0.0.1
  std::optional<std::uint16_t> websocket_port;
  std::string server_cert_file;           // hub certificate (PEM, chain leaf first)
  std::string server_key_file;
  std::string client_trust_file;          // cafile of the mqtts listener (never empty)
  std::string ca_trust_file;              // plugin_opt_ca_file: extra CAs the plugin verifies chains against ("" = none)
  std::string log_file;
  std::string run_as_user;                // `user` line; mosquitto drops root to it ("" = omit)
  std::string plugin_path;                // "" = no plugin (tests of the process alone)
  std::string registry_path;
  std::string internal_username;
  std::string internal_password;
  std::string audit_file;    // where the plugin appends its audit stream ("" = not written)
  std::string audit_stream;  // the stream id of this broker start ("" = the plugin makes one)
  PluginOptions plugin;
  // Set: a plain broker — this listener and the internal one only; x509/sas ports, registry and
  // trust bundle are not used.
  std::optional<PlainListenerConfig> plain;
};

// The complete mosquitto.conf text. Throws std::invalid_argument when a value would break the
// file's line structure (a newline in a path or name) or a port is 0.
std::string render_mosquitto_conf(const HubConfig& config);

}  // namespace flexhil::broker
