#include "harness/run/run_registry.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>
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

namespace {

// A fleet member the registry does not list, added as the template says it authenticates: SAS
// with the key the loader generated, X.509 self-signed (its certificate registered below).
void add_harness_registered(toml::table& reg, const scenario::DutSpec& dut) {
  if (!reg.contains("device")) reg.insert("device", toml::array{});
  toml::table entry{{"id", dut.device}};
  if (!dut.generated_sas_key.empty()) {
    entry.insert("auth", "sas");
    entry.insert("primary_key", dut.generated_sas_key);
  } else {
    entry.insert("auth", "x509-selfsigned");
    // A certificate the member does not present: its own is registered when register_certificate.
    entry.insert("primary_thumbprint", std::string(40, '0'));
  }
  reg["device"].as_array()->push_back(std::move(entry));
}

// A device's generated certificate: self-signed, or for an x509-ca device a leaf (CN = device
// id) signed by a device CA made for this run.
struct GeneratedCertificate {
  certs::KeyPair pair;
  std::optional<certs::KeyPair> ca;
};

GeneratedCertificate generate_certificate(const std::string& device, bool ca_signed) {
  certs::CertificateSpec spec;
  spec.common_name = device;
  spec.client_auth = true;
  GeneratedCertificate g;
  if (ca_signed) {
    certs::CertificateSpec ca_spec;
    ca_spec.common_name = "flexhil device CA";
    ca_spec.is_ca = true;
    g.ca = certs::make_self_signed(ca_spec);
    g.pair = certs::make_signed(spec, *g.ca);
  } else {
    g.pair = certs::make_self_signed(spec);
  }
  return g;
}

// RSA keys take tens of milliseconds each: a fleet's are made on every core.
std::vector<GeneratedCertificate> generate_certificates(const std::vector<std::pair<std::string, bool>>& wanted) {
  std::vector<GeneratedCertificate> out(wanted.size());
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&] {
    for (std::size_t i = next++; i < wanted.size(); i = next++) {
      try {
        out[i] = generate_certificate(wanted[i].first, wanted[i].second);
      } catch (...) {
        const std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
      }
    }
  };
  const std::size_t n = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
  std::vector<std::thread> workers;
  for (std::size_t i = 1; i < std::min(n, wanted.size()); ++i) workers.emplace_back(worker);
  worker();
  for (auto& t : workers) t.join();
  if (error) std::rethrow_exception(error);
  return out;
}

// The device's generated certificate written into its usr folder and registered as the scenario
// asks (for x509-ca: its run's device CA registered as a [[ca]]).
void register_generated_certificate(toml::table& reg, const scenario::Scenario& s, const scenario::DutSpec& dut,
                                    const GeneratedCertificate& generated, const std::string& out_dir,
                                    const std::string& usr_dir, PreparedRegistry& p, bool first) {
  const bool ca_signed = generated.ca.has_value();
  const auto& pair = generated.pair;
  std::string device_ca_file;
  if (ca_signed) {
    const auto [ca_crt, ca_key] = generated.ca->write(out_dir, first ? "device-ca" : "device-ca-" + dut.device);
    (void)ca_key;
    device_ca_file = ca_crt;
  }
  const auto cert_file = flexy::map_usr_path(usr_dir, dut.device_cert);
  const auto key_file = flexy::map_usr_path(usr_dir, dut.device_key);
  fs::create_directories(fs::path(cert_file).parent_path());
  fs::create_directories(fs::path(key_file).parent_path());
  write_new_file(cert_file, pair.cert_pem, 0644);
  write_new_file(key_file, pair.key_pem, 0600);  // born private, never chmodded afterwards
  if (first) {
    p.device_cert_file = cert_file;
    p.device_key_file = key_file;
    p.device_ca_file = device_ca_file;
  }
  auto* devices = reg["device"].as_array();
  bool registered = !dut.register_certificate;
  if (ca_signed) {
    // The device stays x509-ca; registering means registering its CA (the hub trusts it).
    if (dut.register_certificate) {
      if (!reg.contains("ca")) reg.insert("ca", toml::array{});
      reg["ca"].as_array()->push_back(toml::table{
          {"name", first ? std::string(kGeneratedCaName) : std::string(kGeneratedCaName) + "-" + dut.device},
          {"certificate", device_ca_file}});
    }
    registered = true;
  } else if (devices && dut.register_certificate) {
    for (auto& d : *devices) {
      auto* t = d.as_table();
      if (!t || !t->get_as<std::string>("id") || t->get_as<std::string>("id")->get() != dut.device) continue;
      for (const char* key : {"primary_thumbprint", "secondary_thumbprint", "secondary_certificate", "certificate",
                              "primary_key", "secondary_key"})
        t->erase(key);
      t->insert_or_assign("auth", "x509-selfsigned");
      t->insert_or_assign("certificate", cert_file);
      registered = true;
    }
  }
  if (!registered)
    throw ConfigError({s.file, 0, 0}, fmt::format("device '{}' is not in the hub's registry", dut.device));
}

}  // namespace

std::string member_usr_dir(const std::string& usr_dir, const scenario::DutSpec& dut) {
  return dut.usr_subdir.empty() ? usr_dir : (fs::path(usr_dir) / dut.usr_subdir).string();
}

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

  std::vector<const scenario::DutSpec*> with_certificate;
  std::vector<std::pair<std::string, bool>> wanted;
  for (const auto* dut : s.devices_under_test()) {
    if (dut->harness_registered) add_harness_registered(reg, *dut);
    if (dut->kind != scenario::DutKind::emulated || dut->device_cert.empty()) continue;
    with_certificate.push_back(dut);
    wanted.emplace_back(dut->device, registered_auth(reg, dut->device) == "x509-ca");
  }
  const auto generated = generate_certificates(wanted);
  for (std::size_t i = 0; i < with_certificate.size(); ++i)
    register_generated_certificate(reg, s, *with_certificate[i], generated[i], out_dir,
                                   member_usr_dir(usr_dir, *with_certificate[i]), p, i == 0);
  p.path = (fs::path(out_dir) / "registry.toml").string();
  // It holds the devices' and policies' SAS keys.
  std::ostringstream text;
  text << reg << '\n';
  write_new_file(p.path, text.str(), 0600);
  return p;
}

}  // namespace flexhil::run
