#include "broker/device_bundle.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "certs/pki.hpp"
#include "common/error.hpp"
#include "common/private_file.hpp"

namespace flexhil::broker {
namespace fs = std::filesystem;

namespace {

constexpr const char* kCaName = "ca.pem";  // the reference program's CAFile is /usr/ca.pem

bool is_x509(AuthKind a) { return a != AuthKind::sas; }

std::string read_bundle_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in.is_open()) text << in.rdbuf();
  if (!in.is_open() || in.bad()) throw InfrastructureError(fmt::format("cannot read {} for the bundle", path));
  return text.str();
}

// A self-signed device is accepted only with the certificate whose thumbprint is registered.
bool registered_thumbprint(const Device& d, const std::string& pem) {
  for (const auto& t : {d.primary_thumbprint, d.secondary_thumbprint})
    if (!t.empty() && (t == certs::sha1_thumbprint(pem) || t == certs::sha256_thumbprint(pem))) return true;
  return false;
}

// Checks the files of a planned device: the registered certificate, its own key. Sets `missing`.
void verify(BundledDevice& b, const Device& d) {
  try {
    const auto pair = certs::load_key_pair(b.certificate, b.key);  // throws when the key is not the certificate's
    if (d.auth == AuthKind::x509_selfsigned && !registered_thumbprint(d, pair.cert_pem))
      b.missing = fmt::format("{} is not the certificate registered for {} (thumbprint differs)", b.certificate, d.id);
    else if (d.auth == AuthKind::x509_ca && certs::common_name(pair.cert_pem) != d.id)
      b.missing = fmt::format("{} has CN '{}', not the device id", b.certificate, certs::common_name(pair.cert_pem));
  } catch (const ConfigError& e) {
    b.missing = e.message();
  }
}

}  // namespace

std::vector<BundledDevice> plan_bundle(const Registry& registry, const std::vector<std::string>& only,
                                       const std::function<bool(const std::string&)>& exists) {
  std::vector<BundledDevice> plan;
  const auto registry_dir = fs::path(registry.file).parent_path();
  for (const auto& d : registry.devices) {
    if (!only.empty() && std::find(only.begin(), only.end(), d.id) == only.end()) continue;
    BundledDevice b;
    b.id = d.id;
    b.auth = d.auth;
    if (is_x509(d.auth)) {
      const std::string crt = !d.certificate.empty() ? d.certificate : (registry_dir / (d.id + ".crt")).string();
      const std::string key = fs::path(crt).replace_extension(".key").string();
      if (!exists(crt))
        b.missing = fmt::format("no certificate file: register `certificate = \"{}.crt\"` or put {} next to the registry",
                                d.id, fs::path(crt).filename().string());
      else if (!exists(key))
        b.missing = fmt::format("no key next to the certificate ({} not found)", key);
      else {
        b.certificate = crt;  // verified by write_device_bundle
        b.key = key;
      }
    }
    plan.push_back(std::move(b));
  }
  return plan;
}

std::string bundle_readme(const std::string& hub_host, const std::string& hub_name, std::uint16_t port,
                          const std::vector<BundledDevice>& devices) {
  std::string out = fmt::format("flexhil provisioning bundle for the impersonated IoT Hub {}\n\n", hub_host);
  out += "Upload every file below to the Flexy's /usr/ folder by FTP, then restart the BASIC program.\n\n";
  out += fmt::format("  {:<24} the hub's CA, in place of the Azure root: MQTT \"SETPARAM\", \"CAFile\", \"/usr/{}\"\n",
                     kCaName, kCaName);
  std::vector<std::string> uploads{kCaName};
  for (const auto& d : devices) {
    if (!d.missing.empty() || d.certificate.empty()) continue;
    out += fmt::format("  {:<24} device certificate of {}: MQTT \"SETPARAM\", \"CertFile\", \"/usr/{}.crt\"\n",
                       d.id + ".crt", d.id, d.id);
    out += fmt::format("  {:<24} its private key: MQTT \"SETPARAM\", \"KeyFile\", \"/usr/{}.key\"\n", d.id + ".key", d.id);
    uploads.push_back(d.id + ".crt");
    uploads.push_back(d.id + ".key");
  }
  out += "\nFTP upload (the Flexy's FTP server; a Flexy user and password, adm/adm from the factory):\n";
  out += "  ftp <Flexy IP address>\n  ftp> binary\n  ftp> cd /usr\n";
  for (const auto& f : uploads) out += "  ftp> put " + f + "\n";
  out += "  ftp> bye\nor one file at a time with curl:\n";
  for (const auto& f : uploads) out += fmt::format("  curl -T {} ftp://<user>:<password>@<Flexy IP address>/usr/\n", f);
  out += fmt::format("\nThe program connects to {} port {}: map {} to this PC's address in the Flexy's\n"
                     "DNS or hosts settings (or connect by IP: the hub certificate names the addresses given\n"
                     "with --extra-name). Username: {}/<DeviceId>/?api-version=2021-04-12.\n",
                     hub_host, port, hub_host, hub_host);
  if (port != 8883)
    out += fmt::format("The hub listens on {}, not 8883 which the reference program dials: set MQTT \"SETPARAM\", "
                       "\"Port\", \"{}\".\n",
                       port, port);
  out += fmt::format("If the program's CAFile names the Azure root file (e.g. /usr/DigiCertGlobalRootG2.crt.pem),\n"
                     "upload {} under that name, and put the real Azure file back before the Flexy goes to site\n"
                     "(flexhil certs check-ca FILE checks it).\n",
                     kCaName);
  for (const auto& d : devices)
    if (d.auth == AuthKind::sas)
      out += fmt::format("\nSAS device {} (no files): its password is a SAS token,\n"
                         "  flexhil certs sas --hub {} --device {} --key <its primary_key in the registry> --ttl 24h\n",
                         d.id, hub_name, d.id);
  for (const auto& d : devices)
    if (!d.missing.empty()) out += fmt::format("\nNot bundled: {} ({})\n", d.id, d.missing);
  return out;
}

DeviceBundle write_device_bundle(const std::string& dir, const HubProcess& hub, const std::vector<std::string>& only) {
  const auto& registry = hub.registry();
  for (const auto& id : only)
    if (!registry.find_device(id))
      throw ConfigError({"--bundle-device"}, fmt::format("device '{}' is not in the registry {}", id, registry.file));
  auto plan = plan_bundle(registry, only, [](const std::string& p) { return fs::is_regular_file(p); });
  for (auto& b : plan)
    if (b.missing.empty() && !b.certificate.empty()) verify(b, *registry.find_device(b.id));
  for (const auto& b : plan)
    if (!only.empty() && !b.missing.empty())
      throw ConfigError({"--bundle-device"}, fmt::format("cannot bundle device '{}': {}", b.id, b.missing));

  DeviceBundle bundle;
  bundle.dir = dir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw InfrastructureError(fmt::format("cannot create the bundle directory {}: {}", dir, ec.message()));
  auto copy = [&](const std::string& from, const std::string& name, mode_t mode) {
    const auto to = (fs::path(dir) / name).string();
    write_new_file(to, read_bundle_file(from), mode);
    bundle.files.push_back(to);
  };
  copy(hub.ca_file(), kCaName, 0644);
  for (const auto& b : plan) {
    if (!b.missing.empty() || b.certificate.empty()) continue;
    copy(b.certificate, b.id + ".crt", 0644);
    copy(b.key, b.id + ".key", 0600);  // born private
  }
  const auto readme = (fs::path(dir) / "README.txt").string();
  write_new_file(readme, bundle_readme(hub.hub_host(), hub.hub_name(), hub.ports().mqtts, plan), 0644);
  bundle.files.push_back(readme);
  bundle.devices = std::move(plan);
  return bundle;
}

}  // namespace flexhil::broker
