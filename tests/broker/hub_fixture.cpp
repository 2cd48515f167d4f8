#include "tests/broker/hub_fixture.hpp"

#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/net.hpp"
#include "common/process.hpp"

namespace flexhil::testing {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

certs::KeyPair make_device_pair(const std::string& cn, certs::KeyType key, bool is_ca, bool expired) {
  certs::CertificateSpec spec;
  spec.common_name = cn;
  spec.key = key;
  spec.is_ca = is_ca;
  spec.client_auth = true;
  if (expired) {
    spec.not_before_offset = -std::chrono::hours(48);
    spec.lifetime = std::chrono::hours(24);
  }
  return certs::make_self_signed(spec);
}

}  // namespace

std::string random_sas_key() {
  std::string raw(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), 32) != 1) throw std::runtime_error("RAND_bytes failed");
  return base64_encode(raw);
}

HubFixture::HubFixture(std::string hub_name) : dir_("flexhil-hub"), hub_name_(std::move(hub_name)) {
  certs::CertificateSpec spec;
  spec.common_name = "flexhil test hub CA";
  spec.is_ca = true;
  ca_ = certs::make_self_signed(spec);
  ca_.write(dir_.file("pki"), "ca");
  registry_path_ = dir_.file("devices.toml");
}

HubFixture::~HubFixture() { hub_.reset(); }

SasDevice HubFixture::add_sas_device(const std::string& id, bool enabled) {
  SasDevice d{id, random_sas_key(), random_sas_key()};
  std::ostringstream t;
  t << "[[device]]\nid = " << toml_string(id) << "\nauth = \"sas\"\nprimary_key = \"" << d.primary_key
    << "\"\nsecondary_key = \"" << d.secondary_key << "\"\nenabled = " << (enabled ? "true" : "false") << "\n";
  registry_blocks_.push_back(t.str());
  sas_devices_[id] = d;
  return d;
}

SasDevice HubFixture::add_sas_module(const std::string& device_id, const std::string& module_id,
                                     const std::string& extra_toml) {
  const std::string id = device_id + "/" + module_id;
  SasDevice d{id, random_sas_key(), random_sas_key()};
  std::ostringstream t;
  t << "[[device.module]]\nid = " << toml_string(module_id) << "\nauth = \"sas\"\nprimary_key = \"" << d.primary_key
    << "\"\nsecondary_key = \"" << d.secondary_key << "\"\n" << extra_toml;
  registry_blocks_.push_back(t.str());
  sas_devices_[id] = d;
  return d;
}

DeviceCert HubFixture::add_self_signed_device(const std::string& id, const SelfSignedOptions& o) {
  DeviceCert c;
  c.id = id;
  c.pair = make_device_pair(id, o.key, o.is_ca, o.expired);
  std::tie(c.crt, c.key) = c.pair.write(dir_.file("devices"), id);
  c.sha1 = certs::sha1_thumbprint(c.pair.cert_pem);
  c.sha256 = certs::sha256_thumbprint(c.pair.cert_pem);
  auto thumb = [&](const DeviceCert& cert) {
    const std::string t = o.sha256 ? cert.sha256 : cert.sha1;
    return o.lower_case ? lower(t) : t;
  };

  std::ostringstream t;
  t << "[[device]]\nid = " << toml_string(id) << "\nauth = \"x509-selfsigned\"\nenabled = "
    << (o.enabled ? "true" : "false") << "\n";
  if (o.as_secondary) {
    // The primary slot holds another certificate of the same device, as after a key rollover.
    DeviceCert other;
    other.pair = make_device_pair(id, o.key, o.is_ca, false);
    std::tie(other.crt, other.key) = other.pair.write(dir_.file("devices"), id + "-primary");
    other.sha1 = certs::sha1_thumbprint(other.pair.cert_pem);
    other.sha256 = certs::sha256_thumbprint(other.pair.cert_pem);
    t << "primary_thumbprint = \"" << thumb(other) << "\"\n";
    t << "secondary_thumbprint = \"" << thumb(c) << "\"\n";
    if (o.register_certificate_file)
      t << "certificate = " << toml_string(other.crt) << "\nsecondary_certificate = " << toml_string(c.crt) << "\n";
  } else {
    t << "primary_thumbprint = \"" << thumb(c) << "\"\n";
    if (o.register_certificate_file) t << "certificate = " << toml_string(c.crt) << "\n";
  }
  registry_blocks_.push_back(t.str());
  return c;
}

const certs::KeyPair& HubFixture::device_ca() {
  if (!device_ca_) {
    certs::CertificateSpec spec;
    spec.common_name = "flexhil test device CA";
    spec.is_ca = true;
    device_ca_ = certs::make_self_signed(spec);
    const auto [crt, key] = device_ca_->write(dir_.file("devices"), "device-ca");
    registry_blocks_.push_back("[[ca]]\nname = \"device-ca\"\ncertificate = " + toml_string(crt) + "\n");
  }
  return *device_ca_;
}

DeviceCert HubFixture::make_ca_signed(const std::string& cn) {
  DeviceCert c;
  c.id = cn;
  certs::CertificateSpec spec;
  spec.common_name = cn;
  spec.client_auth = true;
  c.pair = certs::make_signed(spec, device_ca());
  std::tie(c.crt, c.key) = c.pair.write(dir_.file("devices"), "ca-signed-" + cn);
  c.sha1 = certs::sha1_thumbprint(c.pair.cert_pem);
  c.sha256 = certs::sha256_thumbprint(c.pair.cert_pem);
  return c;
}

DeviceCert HubFixture::add_ca_signed_device(const std::string& id, const std::string& cn) {
  DeviceCert c = make_ca_signed(cn.empty() ? id : cn);
  c.id = id;
  registry_blocks_.push_back("[[device]]\nid = " + toml_string(id) + "\nauth = \"x509-ca\"\n");
  return c;
}

DeviceCert HubFixture::make_unregistered_self_signed(const std::string& id, bool expired) {
  DeviceCert c;
  c.id = id;
  c.pair = make_device_pair(id, certs::KeyType::rsa2048, true, expired);
  std::tie(c.crt, c.key) = c.pair.write(dir_.file("unregistered"), id + (expired ? "-expired" : ""));
  c.sha1 = certs::sha1_thumbprint(c.pair.cert_pem);
  c.sha256 = certs::sha256_thumbprint(c.pair.cert_pem);
  return c;
}

std::string HubFixture::add_policy(const std::string& name, const std::vector<std::string>& permissions) {
  const std::string key = random_sas_key();
  std::string t = "[[policy]]\nname = " + toml_string(name) + "\nkey = \"" + key + "\"\npermissions = [";
  for (std::size_t i = 0; i < permissions.size(); ++i) t += (i ? ", " : "") + toml_string(permissions[i]);
  registry_blocks_.push_back(t + "]\n");
  return key;
}

void HubFixture::append_registry(const std::string& toml) { registry_blocks_.push_back(toml); }

std::string HubFixture::registry_text() const {
  std::string text = "hub = " + toml_string(hub_name_) + "\n";
  for (const auto& b : registry_blocks_) text += "\n" + b;
  return text;
}

std::string HubFixture::write_registry() { return dir_.write("devices.toml", registry_text()); }

void HubFixture::start(const std::function<void(broker::HubOptionsBuilder&)>& tweak) {
  write_registry();
  broker::HubOptionsBuilder b;
  b.registry(registry_path_).out_dir(dir_.file("hub")).pki_dir(dir_.file("pki")).port(0);
  if (tweak) tweak(b);
  hub_ = std::make_unique<broker::HubProcess>(b.finalize(), capture_to_ ? *capture_to_ : sink_);
}

broker::HubProcess& HubFixture::hub() {
  if (!hub_) throw std::logic_error("HubFixture::hub() before start()");
  return *hub_;
}

std::string HubFixture::hub_host() const { return hub_name_ + ".azure-devices.net"; }

std::string HubFixture::mqtts_uri() const { return "ssl://127.0.0.1:" + std::to_string(hub_->ports().mqtts); }
std::string HubFixture::ca_file() const { return hub_->ca_file(); }

std::string HubFixture::username(const std::string& device_id) const {
  return hub_host() + "/" + device_id + "/?api-version=2021-04-12";
}

const SasDevice& HubFixture::sas_device(const std::string& id) const {
  const auto it = sas_devices_.find(id);
  if (it == sas_devices_.end()) throw std::logic_error("no SAS device " + id + " in the fixture");
  return it->second;
}

std::string HubFixture::sas_token(const std::string& id, std::chrono::seconds ttl, certs::SrSpelling spelling,
                                  std::optional<std::string> key) const {
  certs::SasTokenRequest r;
  // A module ("{device}/{module}") signs {host}/devices/{device}/modules/{module}.
  const auto slash = id.find('/');
  r.resource = hub_host() + "/devices/" +
               (slash == std::string::npos ? id : id.substr(0, slash) + "/modules/" + id.substr(slash + 1));
  r.key_base64 = key ? *key : sas_device(id).primary_key;
  r.expiry = static_cast<std::int64_t>(std::time(nullptr)) + ttl.count();
  r.spelling = spelling;
  return certs::make_sas_token(r);
}

std::size_t HubFixture::mark() const { return sink_.events().size(); }

std::optional<Json> HubFixture::wait_for_event(const std::function<bool(const Json&)>& predicate,
                                               std::chrono::milliseconds timeout, std::size_t since) const {
  std::optional<Json> found;
  wait_until(
      [&] {
        const auto events = sink_.events();
        for (std::size_t i = since; i < events.size(); ++i)
          if (predicate(events[i])) {
            found = events[i];
            return true;
          }
        return false;
      },
      timeout);
  return found;
}

std::optional<Json> HubFixture::wait_for_connect(const std::string& device, std::size_t since,
                                                 std::chrono::milliseconds timeout) const {
  return wait_for_event(
      [&](const Json& e) { return e.value("kind", "") == "connect" && e.value("device", "") == device; }, timeout,
      since);
}

std::optional<Json> HubFixture::wait_for_kind(const std::string& kind, std::size_t since,
                                              std::chrono::milliseconds timeout) const {
  return wait_for_event([&](const Json& e) { return e.value("kind", "") == kind; }, timeout, since);
}

ProgramResult run_program(const std::vector<std::string>& argv, const TempDir& dir, std::chrono::milliseconds timeout) {
  std::string name = dir.file("program-output-XXXXXX");
  const int fd = ::mkstemp(name.data());
  if (fd < 0) throw std::runtime_error("mkstemp failed in " + dir.path().string());
  ::close(fd);
  ChildProcess::Options o;
  o.argv = argv;
  o.stdout_path = name;
  o.stderr_path = name;
  ProgramResult r;
  {
    auto child = ChildProcess::spawn(o);
    if (auto status = child.wait_for(timeout)) {
      r.exit_status = *status;
    } else {
      child.stop();
      r.exit_status = -1;
    }
  }
  std::ifstream in(name);
  std::ostringstream s;
  s << in.rdbuf();
  r.output = s.str();
  ::unlink(name.c_str());
  return r;
}

}  // namespace flexhil::testing
