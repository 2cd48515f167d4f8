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

}  // namespace flexhil::certs
