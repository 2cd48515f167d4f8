#pragma once
// The provisioning bundle of `flexhil hub --bundle DIR`: everything a real Flexy needs in /usr/
// to connect to the running hub, named as the reference Azure publisher program expects — the
// hub's CA as ca.pem (its CAFile, in place of the Azure root), each X.509 device's certificate and
// key as <DeviceId>.crt / <DeviceId>.key (its CertFile/KeyFile) — and a README.txt with the FTP
// upload steps to /usr. A device's files are found where the registry names its certificate (or
// <DeviceId>.crt next to the registry), the key next to the certificate (same name, .key); the
// certificate must be the one registered (thumbprint) and the key must match it.
//
//   const auto bundle = flexhil::broker::write_device_bundle("bench/usr", hub, {});  // every X.509 device
//   bundle.readme;  // the README.txt path; bundle.files: what to upload
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "broker/hub_process.hpp"
#include "broker/registry.hpp"

namespace flexhil::broker {

// One device of the registry and what the bundle holds for it.
struct BundledDevice {
  std::string id;
  AuthKind auth = AuthKind::sas;
  std::string certificate;  // source files ("" = not bundled)
  std::string key;
  std::string missing;      // why an X.509 device has no files in the bundle ("" = bundled)
};

// Where the bundle's files come from: pure, from the registry and the file system's answers
// (`exists` tells whether a path is a regular file). `only`: the device ids asked for (empty =
// every device of the registry).
std::vector<BundledDevice> plan_bundle(const Registry& registry, const std::vector<std::string>& only,
                                       const std::function<bool(const std::string&)>& exists);

// The README.txt: the files, their Flexy paths (MQTT SETPARAM names), the FTP steps to /usr/,
// the host name and port to connect to, SAS devices' password command, what is not bundled.
std::string bundle_readme(const std::string& hub_host, const std::string& hub_name, std::uint16_t port,
                          const std::vector<BundledDevice>& devices);

struct DeviceBundle {
  std::string dir;
  std::vector<std::string> files;  // written, README.txt last
  std::vector<BundledDevice> devices;
};

// Writes the bundle into `dir` (created; keys 0600). A device named in `only` that cannot be
// bundled (not in the registry, files missing, certificate not the registered one, key not its
// key) is a ConfigError; with `only` empty such devices are listed in the README as not bundled.
DeviceBundle write_device_bundle(const std::string& dir, const HubProcess& hub, const std::vector<std::string>& only);

}  // namespace flexhil::broker
