#pragma once
// What a bench user installs on a real Flexy for a run with `[dut] kind = "external"` and where
// it connects: host name to map, address and port, CA file, client id, username, the password
// form (SAS token or X.509 files), the PLC's address, port and unit ids for the Flexy's Modbus IO
// server, and warnings where the run differs from what the device dials (a hub port other than
// the reference program's 8883, listeners on loopback only). `install_facts` gathers the values
// from the running parts; `install_block` is pure text (unit-tested in tests/run). The run prints
// it and writes it to install.txt in the run folder.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/hub_process.hpp"
#include "harness/scenario/scenario.hpp"
#include "sim/plc/plc_server.hpp"

namespace flexhil::run {

// The port the reference Azure publisher (and IoT Hub) uses; a Flexy program usually fixes it.
inline constexpr std::uint16_t kReferenceHubPort = 8883;
// The Modbus TCP port a Flexy's IO server dials unless configured otherwise.
inline constexpr std::uint16_t kModbusPort = 502;

struct PlcFacts {
  std::string bind;             // the listener's address ("0.0.0.0" = every interface)
  std::uint16_t port = 0;
  std::vector<int> units;       // unit ids it serves
};

struct InstallFacts {
  bool plain = false;           // a plain MQTT broker ([broker]) instead of the hub
  bool tls = true;              // plain broker without TLS: false
  std::string hub_host;         // "<hub>.azure-devices.net" ("" for a plain broker)
  std::string hub_name;         // "<hub>" ("" for a plain broker)
  std::string advertise;        // [dut] advertise: the address the device dials ("" = none given)
  std::string bind;             // the MQTT listener's address
  std::uint16_t port = 0;       // the MQTT listener's port
  std::string ca_file;          // the CA certificate the device must trust
  std::string device;           // client id (device id)
  std::string auth;             // "sas", "x509-selfsigned", "x509-ca"; "" for a plain broker
  std::string certificate;      // the device's registered certificate file ("" = by thumbprint only)
  std::string key_file;         // its key next to it, when that file exists ("" = not found)
  bool broker_users = false;    // plain broker: a username and password are needed
  std::optional<PlcFacts> plc;
  double wait_s = 0;
};

// `link`: the fault points an external device reaches the hub and the PLC through (ports on the
// same addresses), when the scenario has link actions for it.
struct ExternalLinkPorts {
  std::optional<std::uint16_t> hub, plc;
};
InstallFacts install_facts(const scenario::Scenario& s, const broker::HubProcess& hub, const plc::PlcServer* plc,
                           const ExternalLinkPorts& link = {});

// The block, one item per line ("  CA certificate  /…/ca.crt …"), warnings as "  warning: …" lines.
std::string install_block(const InstallFacts& f);

// "<dir>/install.txt": where the run keeps the block for the bench user.
std::string install_file(const std::string& run_dir);

}  // namespace flexhil::run
