#include "harness/run/run_registry.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "certs/pki.hpp"
#include "common/error.hpp"
#include "common/private_file.hpp"
#include "common/toml_reader.hpp"
#include "sim/flexy/runtime/flexy_config.hpp"

namespace flexhil::run {
namespace fs = std::filesystem;

namespace {
constexpr const char* kGeneratedCaName = "flexhil-run-device-ca";

// The `auth` of `device` in a registry table ("" when absent).
std::string registered_auth(const toml::table& reg, const std::string& device) {
  const auto* devices = reg["device"].as_array();
  if (!devices) return {};
  for (const auto& d : *devices) {
    const auto* t = d.as_table();
    if (t && t->get_as<std::string>("id") && t->get_as<std::string>("id")->get() == device)
      return t->get_as<std::string>("auth") ? t->get_as<std::string>("auth")->get() : std::string{};
  }
  return {};
}

void absolutize(toml::table& reg, const std::string& dir) {
  for (const char* list : {"device", "ca"}) {
    auto* arr = reg[list].as_array();
    if (!arr) continue;
    for (auto& item : *arr)
      if (auto* tbl = item.as_table())
        for (const char* key : {"certificate", "secondary_certificate"})
          if (auto* s = tbl->get_as<std::string>(key); s && !fs::path(s->get()).is_absolute())
            s->get() = (fs::path(dir) / s->get()).lexically_normal().string();
  }
}
}  // namespace

PreparedRegistry prepare_registry(const scenario::Scenario& s, const std::string& out_dir,
                                  const std::string& usr_dir) {
  PreparedRegistry p;
  toml::table reg;
  if (s.hub.inline_registry) {
    reg = *s.hub.inline_registry;
  } else {
    reg = parse_toml_file(s.hub.registry_file);
    // Absolute: the copy is read from the run folder, where a path relative to the working
    // directory (a scenario given as a relative path) would point into the run folder instead.
    absolutize(reg, fs::absolute(s.hub.registry_file).parent_path().string());
  }
  if (!reg.contains("hub")) reg.insert("hub", s.hub.name);

  if (s.dut.kind == scenario::DutKind::emulated && !s.dut.device_cert.empty()) {
    // An x509-ca device gets a leaf (CN = device id) signed by a device CA made for this run;
    // any other device a self-signed certificate.
    const bool ca_signed = registered_auth(reg, s.dut.device) == "x509-ca";
    certs::CertificateSpec spec;
    spec.common_name = s.dut.device;
    spec.client_auth = true;
    certs::KeyPair pair;
    if (ca_signed) {
      certs::CertificateSpec ca_spec;
      ca_spec.common_name = "flexhil device CA";
      ca_spec.is_ca = true;
      const auto ca = certs::make_self_signed(ca_spec);
      const auto [ca_crt, ca_key] = ca.write(out_dir, "device-ca");
      (void)ca_key;
      p.device_ca_file = ca_crt;
      pair = certs::make_signed(spec, ca);
    } else {
      pair = certs::make_self_signed(spec);
    }
    p.device_cert_file = flexy::map_usr_path(usr_dir, s.dut.device_cert);
    p.device_key_file = flexy::map_usr_path(usr_dir, s.dut.device_key);
    fs::create_directories(fs::path(p.device_cert_file).parent_path());
    fs::create_directories(fs::path(p.device_key_file).parent_path());
    write_new_file(p.device_cert_file, pair.cert_pem, 0644);
    write_new_file(p.device_key_file, pair.key_pem, 0600);  // born private, never chmodded afterwards
    auto* devices = reg["device"].as_array();
    bool registered = !s.dut.register_certificate;
    if (ca_signed) {
      // The device stays x509-ca; registering means registering its CA (the hub trusts it).
      if (s.dut.register_certificate) {
        if (!reg.contains("ca")) reg.insert("ca", toml::array{});
        reg["ca"].as_array()->push_back(
            toml::table{{"name", kGeneratedCaName}, {"certificate", p.device_ca_file}});
      }
      registered = true;
    } else if (devices && s.dut.register_certificate) {
      for (auto& d : *devices) {
        auto* t = d.as_table();
        if (!t || !t->get_as<std::string>("id") || t->get_as<std::string>("id")->get() != s.dut.device) continue;
        for (const char* key : {"primary_thumbprint", "secondary_thumbprint", "secondary_certificate", "certificate",
                                "primary_key", "secondary_key"})
          t->erase(key);
        t->insert_or_assign("auth", "x509-selfsigned");
        t->insert_or_assign("certificate", p.device_cert_file);
        registered = true;
      }
    }
    if (!registered)
      throw ConfigError({s.file, 0, 0}, fmt::format("device '{}' is not in the hub's registry", s.dut.device));
  }
  p.path = (fs::path(out_dir) / "registry.toml").string();
  // It holds the devices' and policies' SAS keys.
  std::ostringstream text;
  text << reg << '\n';
  write_new_file(p.path, text.str(), 0600);
  return p;
}

}  // namespace flexhil::run
