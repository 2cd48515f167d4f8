#pragma once
// HubProcess: the impersonated Azure IoT Hub as a running process — real mosquitto 2.0.11 with
// the iothub plugin, started from a generated mosquitto.conf, supervised, ready only when it
// really answers (TCP on the internal listener, a completed TLS handshake on every device port,
// the harness's client connected and a ping answered in the audit file), supervised while it
// runs (exit and liveness), stopped by its PID. mosquitto runs with the TLS shim preloaded
// (broker/tls_shim): one MQTTS port serves SAS and X.509 devices like IoT Hub's 8883.
//
//   flexhil::MemorySink events;
//   flexhil::broker::HubProcess hub(flexhil::broker::HubOptionsBuilder()
//                                       .registry("devices.toml")
//                                       .out_dir("/tmp/run")
//                                       .port(0)   // 0 = ephemeral
//                                       .finalize(),
//                                   events);
//   hub.ports().mqtts; hub.ca_file(); hub.hub_host();
//   hub.send_c2d("Flexy1", "hello", {{"k", "v"}});
//
// Every audit event of the plugin (connect verdicts, publishes, …; read from the audit file the
// plugin appends to, checked for gaps by src_seq), every failed TLS handshake (from mosquitto's
// log) and every unrequested failure (`hub_error`) is emitted to the EventSink given to the
// constructor.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/hub_config.hpp"
#include "broker/plain_broker.hpp"
#include "broker/registry.hpp"
#include "common/event.hpp"

namespace flexhil::broker {

// A plain MQTT broker instead of the impersonated hub (the plugin's `mode plain`): one device
// listener, credentials from `users` (empty = anonymous allowed), no registry, no Azure rules.
struct PlainBrokerOptions {
  std::uint16_t port = 0;              // 0 = ephemeral
  bool tls = false;                    // true: server certificate from the run's CA (SANs: extra_names)
  std::vector<PlainUser> users;
  std::string telemetry_filter = "#";  // publishes matching it are marked `telemetry` in the audit
};

struct HubOptions {
  std::string hub;                        // "" = the registry's `hub`
  std::string registry;                   // path of the device registry (required)
  std::string out_dir;                    // mosquitto.conf, broker.log, ca.crt, … (required)
  std::string pki_dir;                    // CA (ca.crt/ca.key), created if absent; "" = <out_dir>/pki
  std::vector<std::string> extra_names;   // extra SANs of the hub certificate (lab bench)
  std::string bind_address = "127.0.0.1";  // device listeners (the internal one is always loopback)
  std::uint16_t port = 8883;              // the MQTTS port of SAS and X.509 devices; 0 = ephemeral
  std::optional<std::uint16_t> websocket_port;  // set = enabled; 0 = ephemeral
  bool tls13 = false;                     // offer TLS 1.3 too (IoT Hub: preview hosts only)
  std::vector<std::string> trust_files;   // extra PEM CA certificates device chains may verify to
  std::string plugin_path;                // "" = find flexhil_iothub.so (FLEXHIL_IOTHUB_PLUGIN, build tree)
  std::string tls_shim_path;              // "" = find libflexhil_tls_shim.so (FLEXHIL_TLS_SHIM, build tree)
  bool with_plugin = true;                // false: plain mosquitto, anonymous (tests of TLS alone)
  PluginOptions plugin;
  std::optional<PlainBrokerOptions> plain;  // set: a plain broker (registry, hub, x509/sas ports unused)
  // The plugin's audit stream goes through <out_dir>/audit.pipe, a FIFO (fast: the pipe's pages
  // are reused; bench/README.md, hub_overhead). true: <out_dir>/audit.jsonl, a file the plugin
  // appends to and that stays on disk (the plugin's own words, for debugging it).
  bool audit_to_file = false;
  // Where the EventSink given to the constructor writes the hub's events (the run's capture.jsonl):
  // named in hub-access.json, so the bench commands (broker/hub_bench_client.hpp) find the answers
  // to their commands there. "" = the audit file with audit_to_file, else none (no bench commands).
  std::string events_file;
  std::chrono::milliseconds startup_timeout{10000};
  // Supervision while running: a liveness ping through the plugin every `liveness_interval`;
  // no `pong` in the audit file for `unresponsive_after` → hub_error cause "unresponsive".
  std::chrono::milliseconds liveness_interval{1000};
  std::chrono::milliseconds unresponsive_after{5000};
};

// Builder in the style of paho's connect_options_builder.
class HubOptionsBuilder {
 public:
  HubOptionsBuilder& hub(std::string name) { o_.hub = std::move(name); return *this; }
  HubOptionsBuilder& registry(std::string path) { o_.registry = std::move(path); return *this; }
  HubOptionsBuilder& out_dir(std::string dir) { o_.out_dir = std::move(dir); return *this; }
  HubOptionsBuilder& pki_dir(std::string dir) { o_.pki_dir = std::move(dir); return *this; }
  HubOptionsBuilder& extra_name(std::string name) { o_.extra_names.push_back(std::move(name)); return *this; }
  HubOptionsBuilder& bind(std::string address) { o_.bind_address = std::move(address); return *this; }
  HubOptionsBuilder& port(std::uint16_t port) { o_.port = port; return *this; }
  // Of the two-port hub: both name the one MQTTS port now.
  HubOptionsBuilder& x509_port(std::uint16_t p) { return port(p); }
  HubOptionsBuilder& sas_port(std::uint16_t p) { return port(p); }
  HubOptionsBuilder& websocket_port(std::uint16_t port) { o_.websocket_port = port; return *this; }
  HubOptionsBuilder& tls13(bool on = true) { o_.tls13 = on; return *this; }
  HubOptionsBuilder& tls_shim_path(std::string path) { o_.tls_shim_path = std::move(path); return *this; }
  HubOptionsBuilder& trust(std::string pem_file) { o_.trust_files.push_back(std::move(pem_file)); return *this; }
  HubOptionsBuilder& plugin_path(std::string path) { o_.plugin_path = std::move(path); return *this; }
  HubOptionsBuilder& without_plugin() { o_.with_plugin = false; return *this; }
  HubOptionsBuilder& plugin_options(PluginOptions p) { o_.plugin = std::move(p); return *this; }
  HubOptionsBuilder& plain(PlainBrokerOptions p) { o_.plain = std::move(p); return *this; }
  HubOptionsBuilder& audit_to_file(bool on = true) { o_.audit_to_file = on; return *this; }
  HubOptionsBuilder& events_file(std::string path) { o_.events_file = std::move(path); return *this; }
  HubOptionsBuilder& startup_timeout(std::chrono::milliseconds t) { o_.startup_timeout = t; return *this; }
  HubOptionsBuilder& liveness_interval(std::chrono::milliseconds t) { o_.liveness_interval = t; return *this; }
  HubOptionsBuilder& unresponsive_after(std::chrono::milliseconds t) { o_.unresponsive_after = t; return *this; }
  HubOptions finalize() const { return o_; }

 private:
  HubOptions o_;
};

// Why the hub stopped working without being asked to (the `hub_error` event says the same).
struct HubFailure {
  std::string cause;   // "exited", "unresponsive", "not-ready" (a requested restart did not come up)
  std::string detail;  // pid, exit status or signal, broker.log path
};

struct HubPorts {
  std::uint16_t mqtts = 0;     // SAS and X.509 devices
  std::uint16_t internal = 0;  // the harness's own client (127.0.0.1, plain)
  std::optional<std::uint16_t> websocket;
  std::uint16_t broker = 0;  // plain mode: the devices' listener (x509/sas are 0 then)
};

// flexhil_iothub.so: $FLEXHIL_IOTHUB_PLUGIN, else <dir>/broker/plugin/flexhil_iothub.so for the
// executable's directory and its parents (build tree). Throws InfrastructureError when absent.
std::string find_iothub_plugin();

// libflexhil_tls_shim.so: $FLEXHIL_TLS_SHIM, else <dir>/broker/tls_shim/libflexhil_tls_shim.so
// for the executable's directory and its parents. Throws InfrastructureError when absent.
std::string find_tls_shim();

// The environment of mosquitto: the TLS shim preloaded with its policy (an optional client
// certificate; TLS 1.2 at most unless tls13). In a sanitizer build the ASan runtime comes first
// in LD_PRELOAD (the broker is not instrumented, the plugin is). With a WebSocket port the shim
// gates its upgrade requests (path /$iothub/websocket, subprotocol mqtt; FLEXHIL_TLS_WS_PORT).
std::map<std::string, std::string> mosquitto_environment(const std::string& tls_shim, bool tls13,
                                                         std::optional<std::uint16_t> websocket_port = std::nullopt);

class HubProcess {
 public:
  // Loads the registry, prepares the PKI and files, starts mosquitto and waits until it is
  // ready. Throws ConfigError (registry, hub name) or InfrastructureError (naming the port and
  // broker.log) — nothing is left running then.
  HubProcess(HubOptions options, EventSink& sink);
  ~HubProcess();  // stop()
  HubProcess(const HubProcess&) = delete;
  HubProcess& operator=(const HubProcess&) = delete;

  const HubPorts& ports() const noexcept;
  const std::string& hub_name() const noexcept;   // "eWONPROJECT" ("" for a plain broker)
  const std::string& hub_host() const noexcept;   // "eWONPROJECT.azure-devices.net" ("" for a plain broker)
  bool plain() const noexcept;                    // a plain MQTT broker (HubOptions::plain)
  const std::string& ca_file() const noexcept;    // <out>/ca.crt: the CA a device must trust
  const std::string& out_dir() const noexcept;
  const std::string& log_file() const noexcept;   // <out>/broker.log
  const std::string& config_file() const noexcept;  // <out>/mosquitto.conf
  const std::string& trust_bundle_file() const noexcept;  // <out>/client-trust.pem
  const std::string& bind_address() const noexcept;
  const Registry& registry() const noexcept;
  bool tls13() const noexcept;  // TLS 1.3 offered (else 1.2 only)
  int pid() const noexcept;

  // Harness requests, carried out by the plugin (each also appears as an audit event).
  // C2D: queued by the hub until the device takes it (broker/plugin/README.md, "C2D"); `ttl`
  // unset = the hub's default (1 h, no $.exp on the topic). A refusal (over 64 KB, 50 pending,
  // unknown device) is a `c2d_refused` event.
  void send_c2d(const std::string& device, std::string_view body,
                const std::map<std::string, std::string>& props = {},
                std::optional<std::chrono::seconds> ttl = std::nullopt);
  void update_desired(const std::string& device, const Json& patch);
  // Returns the request id ($rid); the device's answer arrives as a `method_response` event.
  std::string call_method(const std::string& device, const std::string& method, const Json& payload);

  // Stops and starts mosquitto again on the same ports (devices see the connection drop). A
  // requested restart is never a failure; one that does not come up is (cause "not-ready").
  void restart();
  void stop();
  bool running();
  // Set once mosquitto died or froze without a request (a `hub_error` event was emitted then).
  std::optional<HubFailure> failure() const;
  // <out>/audit.pipe (a FIFO: read by this process only) or, with audit_to_file, <out>/audit.jsonl.
  const std::string& audit_file() const noexcept;
  // Audit events lost so far (gaps in src_seq; each was also a `capture_gap` event).
  std::uint64_t audit_missing() const;
  std::uint64_t audit_received() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flexhil::broker
