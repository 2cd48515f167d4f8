#pragma once
// The registry file the hub of a run loads: the scenario's (inline or by path), plus — when the
// scenario asks the harness to generate the emulated device's certificate — that certificate
// registered for the device (x509-selfsigned), or a device CA generated for the run registered
// as a [[ca]] and the device's leaf (CN = device id) signed by it (x509-ca). Written into the run folder so the run is reproducible.
#include <string>

#include "harness/scenario/scenario.hpp"

namespace flexhil::run {

struct PreparedRegistry {
  std::string path;              // registry file for HubProcess
  // The first device under test's generated files (a fleet's other members: in their usr folders).
  std::string device_cert_file;  // generated device certificate ("" = none)
  std::string device_key_file;
  std::string device_ca_file;    // generated device CA of an x509-ca device ("" = none)
};

// The /usr folder of one device under test: `usr_dir` itself, or its member folder in a fleet.
std::string member_usr_dir(const std::string& usr_dir, const scenario::DutSpec& dut);

// `usr_dir`: the run's copy of the Flexy /usr/ folder (generated certificate goes there).
PreparedRegistry prepare_registry(const scenario::Scenario& s, const std::string& out_dir,
                                  const std::string& usr_dir);

}  // namespace flexhil::run
