#pragma once
// What `flexhil certs` tells a registry author about a certificate it made or read: the
// thumbprints Azure IoT Hub registers and the devices.toml entry to paste. Written to any stream
// so the CLI, a test or a report can use it.
#include <ostream>
#include <string>

namespace flexhil::certs {

// "SHA-1   thumbprint: …" and "SHA-256 thumbprint: …", one line each.
void print_thumbprints(std::ostream& out, const std::string& cert_pem);

// The [[device]] entry of a device registry for a certificate made for `device_id`: by
// thumbprint when it is self-signed, by CA otherwise.
void print_registry_entry(std::ostream& out, const std::string& device_id, const std::string& cert_pem,
                          bool self_signed);

// A complete, pasteable registry (devices.toml) for one device certificate: `hub = "…"` when a
// hub name is given, the [[device]] with its `certificate` line (a path as the registry file will
// see it, e.g. "Flexy205.crt" next to it) and, self-signed, the SHA-1 thumbprint the hub checks
// it against; CA-signed, the [[ca]] that signed it (`ca_certificate`, same convention).
struct RegistryBlock {
  std::string hub;               // "" = no `hub =` line (a comment says where it goes)
  std::string device_id;
  std::string cert_pem;
  std::string certificate_path;  // as written into `certificate = "…"`
  bool self_signed = true;
  std::string ca_certificate_path;  // CA-signed: the [[ca]]'s `certificate`
};
std::string registry_block(const RegistryBlock& block);

}  // namespace flexhil::certs
