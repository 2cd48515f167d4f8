#pragma once
// The scenario model: one TOML file describes a run (docs/scenarios.md). The loader is strict:
// unknown keys, wrong types and out-of-range values are ConfigErrors with file:line:col and the
// valid choices (exit code 2). `[plc]` is delegated to sim/plc's load_plc_config and `[dut.flexy]`
// to sim/flexy's load_flexy_config; the device registry to broker's load_registry.
//
//   auto s = flexhil::scenario::load_scenario("scenarios/demo.toml");
//   s.expect;   // rules::Expectations for the rules
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "broker/plain_broker.hpp"
#include "broker/registry.hpp"
#include "common/error.hpp"
#include "common/event.hpp"
#include "harness/rules/expectations.hpp"
#include "harness/scenario/fleet.hpp"
#include "sim/endpoints/ftp_endpoint_config.hpp"
#include "sim/endpoints/http_endpoint_config.hpp"
#include "sim/endpoints/smtp_endpoint_config.hpp"
#include "sim/flexy/runtime/flexy_config.hpp"
#include "sim/link/link_shaper.hpp"
#include "sim/plc/plc_config.hpp"

namespace flexhil::scenario {

struct HubSpec {
  std::string name;                  // "" = the registry's hub name
  std::uint16_t port = 0;            // the MQTTS port of SAS and X.509 devices; 0 = ephemeral
  std::optional<std::uint16_t> ws_port;  // set = MQTT over WebSocket enabled; 0 = ephemeral
  bool tls13 = false;                // offer TLS 1.3 too (IoT Hub: preview hosts only)
  std::string bind = "127.0.0.1";    // device listeners (a lab bench needs the LAN address)
  std::string registry_file;         // resolved path; "" when inline
  std::optional<toml::table> inline_registry;  // [hub.registry], certificate paths made absolute
  broker::Registry registry;         // validated
  rules::HubTier tier = rules::HubTier::none;
  int units = 1;
  std::optional<std::string> qos2_policy;  // "disconnect" | "accept"
  std::optional<std::uint64_t> max_message_bytes;
  // Clock skew the hub allows on a SAS token's expiry (scenario seconds; the hub judges in wall
  // seconds, so the run passes sas_skew / time_scale, rounded). Unset: the plugin's 300 s.
  std::optional<double> sas_skew_s;
  // The hub CA's directory (ca.crt/ca.key, made when absent), resolved against the scenario's
  // folder; `flexhil run --pki` replaces it. "" = a new CA in every run folder. A bench keeps one,
  // so the CA file installed on the Flexy stays valid across runs.
  std::string pki_dir;
  // Extra subjectAltNames of the hub certificate (DNS names or IP addresses the bench device
  // dials); `flexhil run --extra-name` adds to them, [dut] advertise is one too.
  std::vector<std::string> extra_names;
};

// `[broker]`: a plain MQTT broker (real mosquitto with the plugin in plain mode) instead of the
// impersonated IoT Hub — for programs that publish to any MQTT broker (1883/8883, username and
// password). Exclusive with `[hub]`.
struct BrokerSpec {
  bool tls = false;                  // true: TLS with a server certificate from the run's CA
  std::uint16_t port = 0;            // 0 = ephemeral (the program's own port is routed anyway)
  std::string bind = "127.0.0.1";
  std::vector<broker::PlainUser> users;  // empty: anonymous allowed
  SourcePosition where;
};

// Which of the run's parts a name the program dials stands for (`[dut.flexy.hosts]`): the MQTT
// server, the PLC, or one of the run's local endpoints that the outbound actions really reach:
// HTTP (`[endpoints.http]`: PUTHTTP, GETHTTP, REQUESTHTTPX), SMTP (`[endpoints.smtp]`: SENDMAIL
// to the device's configured mail server) or FTP (`[endpoints.ftp]`: PUTFTP/GETFTP).
enum class HostTarget { broker, plc, hub, http, smtp, ftp };
std::string_view to_string(HostTarget target);  // "broker", "plc", "hub", "http", "smtp", "ftp"

// One `[dut.flexy.hosts]` entry: "mqtt.example.com" = "broker", "192.168.0.23:1883" = "broker",
// "api.example.com" = "http".
struct HostRoute {
  std::string host;                  // lower-case host name or IPv4 literal
  std::optional<std::uint16_t> port; // set for a "host:port" key
  HostTarget target = HostTarget::broker;
  SourcePosition where;
  std::string key() const;           // as the scenario wrote it, lower-case ("host" or "host:port")
};

// A SAS token the harness signs when the run starts and puts into a Flexy tag (the program
// reads the password from it): a token with a fixed expiry that lies in the run.
struct GeneratedSasToken {
  std::string tag;                   // Flexy tag (string) that receives the whole password
  std::string policy;                // registry [[policy]] name ("" = the device's primary key)
  bool hub_wide = false;             // sr={hub}.azure-devices.net instead of …/devices/{id}
  double expires_after_s = 0;        // scenario seconds after the device under test starts
  SourcePosition where;
};

enum class DutKind { emulated, external };

struct DutSpec {
  DutKind kind = DutKind::emulated;
  std::string device;                // device id the DUT connects as
  // The user's real CA bundle (what the Flexy trusts on site), resolved; "" = none given. The
  // harness judges it against Azure IoT Hub's roots before the run's own CA replaces it
  // (harness/run/user_ca_check.hpp; when "" the file at ca_file in the usr folder is judged).
  std::string user_ca_file;
  // emulated
  std::string program_file;          // resolved path of program.bas
  std::optional<flexy::FlexyConfig> flexy;
  std::string ca_file = "/usr/ca.pem";  // where the harness installs the hub's CA certificate
  // When set, the harness generates a self-signed certificate and key for the device at these
  // Flexy paths and registers the certificate for the device in the hub's registry.
  std::string device_cert;
  std::string device_key;
  // false: the generated certificate is trusted by the hub's TLS listener but NOT registered for
  // the device (the registry keeps its thumbprints) — a device presenting the wrong certificate.
  bool register_certificate = true;
  std::optional<GeneratedSasToken> sas_token;
  std::vector<HostRoute> hosts;      // [dut.flexy.hosts], "host:port" keys after "host" keys
  // A member of a fleet ([fleet] or [[dut]]): when it starts (scenario seconds) and its folder
  // under the run's usr/ ("" = usr/ itself, a scenario with one device).
  double start_s = 0;
  std::string usr_subdir;
  // The harness registers this member in the run's registry (a fleet member the registry does
  // not list): X.509 with its generated certificate, or SAS with this generated key.
  bool harness_registered = false;
  std::string generated_sas_key;
  // external
  double wait_s = 300;               // how long to wait for the real device's first CONNECT
  std::string advertise;             // host/IP the real device must connect to ("" = bind address)
};

enum class ActionKind { c2d, desired, method, broker_restart, plc_fault, sms, wan, link };
// "c2d", "desired", "method", "broker-restart", "plc-fault", "sms", "wan", "link"
std::string_view to_string(ActionKind kind);

struct Action {
  double at_s = 0;  // scenario seconds
  ActionKind kind = ActionKind::c2d;
  std::string device;
  std::string body;                            // c2d
  std::map<std::string, std::string> properties;  // c2d
  Json patch = Json::object();                 // desired
  std::string method;                          // method
  Json payload = Json::object();               // method
  plc::FaultSpec fault;                        // plc_fault
  std::string from;                            // sms: the sender's number
  std::string text;                            // sms: the message
  bool wan_up = true;                          // wan: the link goes up (true) or down
  // link: the fault between device and hub from at_s on (delay, jitter, period in scenario
  // seconds, rate in bytes per scenario second; the run converts them to real time). A
  // `duration` adds a second action at at_s + duration with fault none.
  link::LinkFault link_fault;
  double link_duration_s = 0;
  // link: which of the device's links — to the hub (MQTT) or to the PLC (its Modbus TCP polls).
  enum class LinkPath { hub, plc } link_path = LinkPath::hub;
  SourcePosition where;
};

// `[endpoints]`: local servers that stand for what the device's outbound actions reach.
struct EndpointsSpec {
  std::optional<endpoints::HttpEndpointConfig> http;  // [endpoints.http]
  std::optional<endpoints::SmtpEndpointConfig> smtp;  // [endpoints.smtp]
  std::optional<endpoints::FtpEndpointConfig> ftp;    // [endpoints.ftp]
};

struct MetricsSpec {
  std::optional<std::string> listen;  // "127.0.0.1:9464"
  bool device_labels = true;
  // Real seconds /metrics stays up after the run with its final state (flexhil_run_finished 1),
  // so the last scrape sees the outcome; Ctrl-C ends it sooner. `--metrics-linger` overrides.
  double linger_s = 30;
};

struct Scenario {
  std::string file;
  std::string dir;                    // relative paths are resolved against it
  std::string name;
  double duration_s = 60;             // scenario seconds
  double time_scale = 1;              // scenario seconds per real second
  HubSpec hub;                        // [hub]; unused (default) with [broker]
  std::optional<BrokerSpec> broker;   // [broker]: a plain MQTT broker instead of the hub
  bool plain_broker() const { return broker.has_value(); }
  std::optional<plc::PlcConfig> plc;
  DutSpec dut;                        // the device under test; in a fleet its first member
  // A fleet ([fleet] template or [[dut]] array): every member, members[0] == dut. Empty: one device.
  std::vector<DutSpec> members;
  std::optional<FleetSpec> fleet;     // [fleet]
  bool is_fleet() const { return !members.empty(); }
  // Every device under test: the members, or the one [dut].
  std::vector<const DutSpec*> devices_under_test() const;
  const DutSpec* find_dut(std::string_view device) const;
  rules::Expectations expect;
  rules::FindingExpectations findings;
  std::vector<Action> actions;        // sorted by at_s
  EndpointsSpec endpoints;
  MetricsSpec metrics;
};

Scenario load_scenario(const std::string& path);
// From text (tests); `file` names it in errors and anchors relative paths.
Scenario load_scenario_string(std::string_view text, const std::string& file);

}  // namespace flexhil::scenario
