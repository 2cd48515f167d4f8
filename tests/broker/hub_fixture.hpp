#pragma once
// A running impersonated hub for integration tests (test_broker, and other suites that need a
// hub: topics, the emulated Flexy's runtime). It owns a TempDir with a PKI (hub CA, a device CA),
// device certificates and a registry; devices are added first, then start() launches a
// HubProcess on ephemeral loopback ports with a MemorySink for its audit stream.
//
//   flexhil::testing::HubFixture f;                      // TempDir + hub CA
//   auto sas = f.add_sas_device("FlexySas");              // keys in sas.primary_key/secondary_key
//   auto dev = f.add_self_signed_device("Flexy1");        // dev.crt / dev.key on disk
//   f.start();                                            // or f.start([](auto& b) { b.websocket_port(0); })
//   const auto since = f.mark();
//   mqtt::async_client c(f.mqtts_uri(), "FlexySas");        // trust f.ca_file(); user f.username("FlexySas");
//   …                                                     // password f.sas_token("FlexySas")
//   auto ev = f.wait_for_connect("FlexySas", since);      // the plugin's verdict (std::optional<Json>)
//   f.hub().send_c2d("FlexySas", "hi");                   // the HubProcess itself
// Link `flexhil_hub_fixture`; the test target should depend on flexhil_iothub (the plugin).
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/hub_process.hpp"
#include "certs/pki.hpp"
#include "certs/sas_token.hpp"
#include "common/event.hpp"
#include "tests/support/temp_dir.hpp"

namespace flexhil::testing {

struct SasDevice {
  std::string id;
  std::string primary_key;    // base64
  std::string secondary_key;  // base64
};

// A device certificate on disk (what a client presents).
struct DeviceCert {
  std::string id;
  certs::KeyPair pair;
  std::string crt;  // path
  std::string key;  // path (0600)
  std::string sha1;    // upper-case hex
  std::string sha256;  // upper-case hex
};

struct SelfSignedOptions {
  certs::KeyType key = certs::KeyType::rsa2048;
  bool is_ca = true;                 // what `openssl req -x509` makes
  bool sha256 = false;               // register the SHA-256 thumbprint instead of SHA-1
  bool lower_case = false;           // register the thumbprint in lower case
  bool as_secondary = false;         // this certificate is the secondary one (a dummy is primary)
  bool register_certificate_file = true;  // false: thumbprint only (enough: the handshake takes any certificate)
  bool expired = false;              // validity ended yesterday
  bool enabled = true;
};

class HubFixture {
 public:
  explicit HubFixture(std::string hub_name = "flexhiltest");
  ~HubFixture();
  HubFixture(const HubFixture&) = delete;
  HubFixture& operator=(const HubFixture&) = delete;

  // --- before start(): the registry --------------------------------------------------------
  SasDevice add_sas_device(const std::string& id, bool enabled = true);
  // A SAS module identity of the device added just before ([[device.module]]); its id for
  // sas_token()/username() is "{device_id}/{module_id}". `extra_toml`: more keys of the table.
  SasDevice add_sas_module(const std::string& device_id, const std::string& module_id,
                           const std::string& extra_toml = {});
  DeviceCert add_self_signed_device(const std::string& id, const SelfSignedOptions& options = {});
  // A device CA is registered on first use; the leaf has CN = cn (default: the id).
  DeviceCert add_ca_signed_device(const std::string& id, const std::string& cn = {});
  // A policy with the permissions given ("DeviceConnect", "RegistryRead", …); returns its key.
  std::string add_policy(const std::string& name, const std::vector<std::string>& permissions);
  // Raw TOML appended to the registry (extra tables for special cases).
  void append_registry(const std::string& toml);

  // Certificates that are NOT registered (negative tests).
  DeviceCert make_unregistered_self_signed(const std::string& id, bool expired = false);
  DeviceCert make_ca_signed(const std::string& cn);  // by the registered device CA

  // Writes the registry file (start() does it too) and returns its path — for tests that run
  // `flexhil hub` themselves.
  std::string write_registry();

  // --- the hub -----------------------------------------------------------------------------
  // Writes the registry and starts the hub; `tweak` may change options (ports, plugin, …).
  void start(const std::function<void(broker::HubOptionsBuilder&)>& tweak = {});
  // Before start(): the hub's events go to `sink` (which must outlive the fixture) instead of
  // events() — benchmarks measure a run's own capture path; wait_for_* and mark() then see nothing.
  void capture_to(EventSink& sink) { capture_to_ = &sink; }
  broker::HubProcess& hub();
  MemorySink& events() { return sink_; }
  const TempDir& dir() const { return dir_; }
  const std::string& registry_path() const { return registry_path_; }
  const certs::KeyPair& hub_ca() const { return ca_; }
  const std::string& hub_name() const { return hub_name_; }
  std::string hub_host() const;                    // "<hub>.azure-devices.net"

  // Connection helpers.
  std::string mqtts_uri() const;                   // "ssl://127.0.0.1:<mqtts port>" (SAS and X.509)
  std::string ca_file() const;                     // the hub CA a device trusts
  // "{hub}.azure-devices.net/{id}/?api-version=2021-04-12"
  std::string username(const std::string& device_id) const;
  // A device-key SAS token for `id` (its primary key unless `key` is given), valid for `ttl`.
  std::string sas_token(const std::string& id, std::chrono::seconds ttl = std::chrono::hours(1),
                        certs::SrSpelling spelling = certs::SrSpelling::percent_upper,
                        std::optional<std::string> key = std::nullopt) const;
  const SasDevice& sas_device(const std::string& id) const;

  // --- the audit stream --------------------------------------------------------------------
  // Index of the next event; pass it as `since` to ignore what happened before.
  std::size_t mark() const;
  std::optional<Json> wait_for_event(const std::function<bool(const Json&)>& predicate,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(5),
                                     std::size_t since = 0) const;
  // The `connect` event of `device` (after `since`).
  std::optional<Json> wait_for_connect(const std::string& device, std::size_t since = 0,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
  std::optional<Json> wait_for_kind(const std::string& kind, std::size_t since = 0,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

 private:
  const certs::KeyPair& device_ca();
  std::string registry_text() const;

  TempDir dir_;
  std::string hub_name_;
  certs::KeyPair ca_;
  std::optional<certs::KeyPair> device_ca_;
  std::vector<std::string> registry_blocks_;
  std::map<std::string, SasDevice> sas_devices_;
  std::string registry_path_;
  MemorySink sink_;
  EventSink* capture_to_ = nullptr;
  std::unique_ptr<broker::HubProcess> hub_;
};

// A fresh random base64 key of 32 bytes, like the Azure portal's.
std::string random_sas_key();

// Runs a program to completion (mosquitto_pub, flexhil …), output captured.
struct ProgramResult {
  int exit_status = -1;  // exit code, 128 + signal, or -1 when it timed out (then killed)
  std::string output;    // stdout and stderr merged
};
ProgramResult run_program(const std::vector<std::string>& argv, const TempDir& dir,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));

// `kind` event of `device`.
inline bool is_event(const Json& e, const std::string& kind, const std::string& device) {
  return e.value("kind", "") == kind && e.value("device", "") == device;
}

// mosquitto_pub as the SAS device `id` on the hub's MQTTS port (a third-party client, and much
// quicker to connect than paho's TLS state machine): its exit status and output.
inline ProgramResult mosquitto_pub_sas(HubFixture& f, const std::string& id, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(f.hub().ports().mqtts),
                                "--cafile", f.ca_file(), "-i", id, "-u", f.username(id), "-P", f.sas_token(id),
                                "-V", "mqttv311"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, f.dir());
}

}  // namespace flexhil::testing
