#include "harness/run/run_registry.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>

#include "certs/pki.hpp"
#include "common/error.hpp"
#include "common/toml_reader.hpp"
#include "sim/flexy/runtime/flexy_config.hpp"

namespace flexhil::run {
namespace fs = std::filesystem;

namespace {
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
    const auto dir = fs::path(s.hub.registry_file).parent_path().string();
    absolutize(reg, dir.empty() ? "." : dir);
  }
  if (!reg.contains("hub")) reg.insert("hub", s.hub.name);

  if (s.dut.kind == scenario::DutKind::emulated && !s.dut.device_cert.empty()) {
    certs::CertificateSpec spec;
    spec.common_name = s.dut.device;
    spec.client_auth = true;
    const auto pair = certs::make_self_signed(spec);
    p.device_cert_file = flexy::map_usr_path(usr_dir, s.dut.device_cert);
    p.device_key_file = flexy::map_usr_path(usr_dir, s.dut.device_key);
    fs::create_directories(fs::path(p.device_cert_file).parent_path());
    fs::create_directories(fs::path(p.device_key_file).parent_path());
    {
      std::ofstream c(p.device_cert_file, std::ios::binary | std::ios::trunc);
      std::ofstream k(p.device_key_file, std::ios::binary | std::ios::trunc);
      c << pair.cert_pem;
      k << pair.key_pem;
      if (!c || !k) throw InfrastructureError(fmt::format("cannot write the device certificate into {}", usr_dir));
    }
    fs::permissions(p.device_key_file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
    auto* devices = reg["device"].as_array();
    bool registered = !s.dut.register_certificate;
    if (devices && s.dut.register_certificate) {
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
  std::ofstream f(p.path, std::ios::trunc);
  f << reg << '\n';
  if (!f) throw InfrastructureError(fmt::format("cannot write {}", p.path));
  return p;
}

}  // namespace flexhil::run
