#include "broker/registry.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fmt/format.h>
#include <set>
#include <sstream>

#include "certs/pki.hpp"
#include "common/toml_reader.hpp"

namespace flexhil::broker {

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// TOML values of [device.twin.*] as JSON: tables → objects, arrays → arrays, dates as strings.
Json to_json(const toml::node& node, const std::string& file) {
  if (const auto* t = node.as_table()) {
    Json obj = Json::object();
    for (auto&& [k, v] : *t) {
      if (!k.str().empty() && k.str().front() == '$')
        throw ConfigError(position_of(v, file),
                          fmt::format("twin property '{}' may not start with '$' (reserved by IoT Hub)",
                                      k.str()));
      obj[std::string(k.str())] = to_json(v, file);
    }
    return obj;
  }
  if (const auto* a = node.as_array()) {
    Json arr = Json::array();
    for (const auto& e : *a) arr.push_back(to_json(e, file));
    return arr;
  }
  if (const auto* s = node.as_string()) return s->get();
  if (const auto* i = node.as_integer()) return i->get();
  if (const auto* f = node.as_floating_point()) return f->get();
  if (const auto* b = node.as_boolean()) return b->get();
  std::ostringstream text;
  if (const auto* d = node.as_date()) text << *d;
  else if (const auto* tm = node.as_time()) text << *tm;
  else if (const auto* dt = node.as_date_time()) text << *dt;
  return text.str();
}

std::string resolve(const std::string& registry_file, const std::string& path) {
  std::filesystem::path p(path);
  if (p.is_absolute()) return p.string();
  return (std::filesystem::path(registry_file).parent_path() / p).lexically_normal().string();
}

// Reads a certificate named by `key`; errors point at the key's value.
std::string read_certificate(TomlTable& t, std::string_view key, const std::string& resolved) {
  try {
    return certs::read_certificate_file(resolved);
  } catch (const ConfigError& e) {
    t.fail(key, fmt::format("cannot use certificate '{}': {}", resolved, e.message()));
  } catch (const std::exception& e) {
    t.fail(key, fmt::format("cannot use certificate '{}': {}", resolved, e.what()));
  }
}

std::string thumbprint_for(const std::string& pem, std::size_t length) {
  return length == 40 ? certs::sha1_thumbprint(pem) : certs::sha256_thumbprint(pem);
}

void read_sas_keys(TomlTable& t, Device& d) {
  d.primary_key = t.required_string("primary_key");
  if (!is_valid_sas_key(d.primary_key))
    t.fail("primary_key", "'primary_key' must be base64 of 16 to 64 bytes (as the Azure portal generates)");
  d.secondary_key = t.string("secondary_key", "");
  if (t.has("secondary_key") && !is_valid_sas_key(d.secondary_key))
    t.fail("secondary_key", "'secondary_key' must be base64 of 16 to 64 bytes (as the Azure portal generates)");
}

std::string read_thumbprint(TomlTable& t, std::string_view key) {
  auto raw = t.string(key);
  if (!raw) return "";
  auto norm = normalize_thumbprint(*raw);
  if (!norm)
    t.fail(key, fmt::format("'{}' must be 40 (SHA-1) or 64 (SHA-256) hex characters without colons or "
                            "spaces, got '{}' ({} characters)",
                            key, *raw, raw->size()));
  return *norm;
}

void read_selfsigned(TomlTable& t, Device& d, const std::string& file) {
  d.primary_thumbprint = read_thumbprint(t, "primary_thumbprint");
  d.secondary_thumbprint = read_thumbprint(t, "secondary_thumbprint");
  std::string primary_pem, secondary_pem;
  if (auto c = t.string("certificate")) {
    d.certificate = resolve(file, *c);
    primary_pem = read_certificate(t, "certificate", d.certificate);
  }
  if (auto c = t.string("secondary_certificate")) {
    d.secondary_certificate = resolve(file, *c);
    secondary_pem = read_certificate(t, "secondary_certificate", d.secondary_certificate);
  }
  if (d.primary_thumbprint.empty() && primary_pem.empty())
    t.fail("auth = \"x509-selfsigned\" needs 'primary_thumbprint' or 'certificate' (to compute it from)");
  // The length both thumbprints share: the one given, else SHA-1 like the Azure portal shows.
  std::size_t length = 40;
  if (!d.primary_thumbprint.empty()) length = d.primary_thumbprint.size();
  else if (!d.secondary_thumbprint.empty()) length = d.secondary_thumbprint.size();

  auto check_or_fill = [&](std::string& thumb, const std::string& pem, std::string_view thumb_key,
                           std::string_view cert_key) {
    if (pem.empty()) return;
    const auto computed = thumbprint_for(pem, thumb.empty() ? length : thumb.size());
    if (thumb.empty()) {
      thumb = computed;
    } else if (thumb != computed) {
      t.fail(thumb_key, fmt::format("'{}' {} does not match '{}' (its thumbprint is {}); remove one of them",
                                    thumb_key, thumb, cert_key, computed));
    }
  };
  check_or_fill(d.primary_thumbprint, primary_pem, "primary_thumbprint", "certificate");
  check_or_fill(d.secondary_thumbprint, secondary_pem, "secondary_thumbprint", "secondary_certificate");
  if (!d.secondary_thumbprint.empty() && d.secondary_thumbprint.size() != d.primary_thumbprint.size())
    t.fail("secondary_thumbprint",
           fmt::format("primary and secondary thumbprints must have the same length (both SHA-1 or both "
                       "SHA-256): {} vs {} characters",
                       d.primary_thumbprint.size(), d.secondary_thumbprint.size()));
}

void reject_other_auth_keys(TomlTable& t, AuthKind kind) {
  static const std::vector<std::pair<std::string_view, AuthKind>> owned = {
      {"primary_key", AuthKind::sas},
      {"secondary_key", AuthKind::sas},
      {"primary_thumbprint", AuthKind::x509_selfsigned},
      {"secondary_thumbprint", AuthKind::x509_selfsigned},
      {"certificate", AuthKind::x509_selfsigned},
      {"secondary_certificate", AuthKind::x509_selfsigned},
  };
  for (const auto& [key, owner] : owned)
    if (owner != kind && t.has(key))
      t.fail(key, fmt::format("'{}' is only valid with auth = \"{}\" (this device has auth = \"{}\")", key,
                              to_string(owner), to_string(kind)));
}

// `parent`: the device a [[device.module]] table belongs to (null for a [[device]]).
Device read_device(TomlTable& t, const std::string& file, const Device* parent = nullptr) {
  Device d;
  d.where = t.where();
  d.id = t.required_string("id");
  if (!is_valid_device_id(d.id))
    t.fail("id", fmt::format("invalid {} id '{}': 1 to 128 characters of letters, digits and "
                             "- : . + % _ # * ? ! ( ) , = @ ; $ '",
                             parent ? "module" : "device", d.id));
  if (parent) {
    d.module_id = d.id;
    d.device_id = parent->id;
    d.id = parent->id + "/" + d.module_id;
  }
  const auto auth = parent ? t.choice("auth", {"sas", "x509-selfsigned"}, "")
                           : t.choice("auth", {"sas", "x509-selfsigned", "x509-ca"}, "");
  if (auth.empty())
    t.fail("auth", parent ? "missing required key 'auth' (one of: sas, x509-selfsigned; a module has no "
                            "CA-signed authentication here)"
                          : "missing required key 'auth' (one of: sas, x509-selfsigned, x509-ca)");
  d.auth = auth == "sas" ? AuthKind::sas : auth == "x509-selfsigned" ? AuthKind::x509_selfsigned : AuthKind::x509_ca;
  d.enabled = t.boolean("enabled", true);
  reject_other_auth_keys(t, d.auth);
  if (d.auth == AuthKind::sas) read_sas_keys(t, d);
  if (d.auth == AuthKind::x509_selfsigned) read_selfsigned(t, d, file);
  if (auto twin = t.table("twin")) {
    for (auto key : {"desired", "reported"}) {
      if (auto props = twin->table(key)) {
        (std::string_view(key) == "desired" ? d.twin_desired : d.twin_reported) = to_json(props->raw(), file);
      }
    }
    twin->finish();
  }
  t.finish();
  return d;
}

Policy read_policy(TomlTable& t) {
  Policy p;
  p.where = t.where();
  p.name = t.required_string("name");
  if (p.name.empty() || p.name.size() > 64 ||
      !std::all_of(p.name.begin(), p.name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
      }))
    t.fail("name", fmt::format("invalid policy name '{}': 1 to 64 letters, digits, '-', '_' or '.'", p.name));
  p.key = t.required_string("key");
  if (!is_valid_sas_key(p.key)) t.fail("key", "'key' must be base64 of 16 to 64 bytes");
  static const std::vector<std::pair<std::string, Permission>> names = {
      {"DeviceConnect", Permission::device_connect},
      {"RegistryRead", Permission::registry_read},
      {"RegistryWrite", Permission::registry_write},
      {"ServiceConnect", Permission::service_connect},
  };
  for (const auto& name : t.strings("permissions")) {
    auto it = std::find_if(names.begin(), names.end(), [&](const auto& n) { return n.first == name; });
    if (it == names.end())
      t.fail("permissions", fmt::format("unknown permission '{}' (expected one of: DeviceConnect, RegistryRead, "
                                        "RegistryWrite, ServiceConnect)",
                                        name));
    if (!p.has(it->second)) p.permissions.push_back(it->second);
  }
  t.finish();
  return p;
}

}  // namespace

std::string_view to_string(AuthKind kind) {
  switch (kind) {
    case AuthKind::sas: return "sas";
    case AuthKind::x509_selfsigned: return "x509-selfsigned";
    case AuthKind::x509_ca: return "x509-ca";
  }
  return "sas";
}

std::string_view to_string(Permission permission) {
  switch (permission) {
    case Permission::device_connect: return "DeviceConnect";
    case Permission::registry_read: return "RegistryRead";
    case Permission::registry_write: return "RegistryWrite";
    case Permission::service_connect: return "ServiceConnect";
  }
  return "DeviceConnect";
}

bool Policy::has(Permission p) const {
  return std::find(permissions.begin(), permissions.end(), p) != permissions.end();
}

std::string Registry::host() const { return hub + std::string(kHostSuffix); }

const Device* Registry::find_device(std::string_view id) const {
  for (const auto& d : devices)
    if (d.id == id) return &d;
  return nullptr;
}

Device* Registry::find_device(std::string_view id) {
  for (auto& d : devices)
    if (d.id == id) return &d;
  return nullptr;
}

const Device* Registry::find_identity(std::string_view client_id) const {
  if (client_id.find('/') == std::string_view::npos) return find_device(client_id);
  for (const auto& m : modules)
    if (m.id == client_id) return &m;
  return nullptr;
}

const Policy* Registry::find_policy(std::string_view name) const {
  for (const auto& p : policies)
    if (p.name == name) return &p;
  return nullptr;
}

bool is_valid_device_id(std::string_view id) {
  static constexpr std::string_view extra = "-:.+%_#*?!(),=@;$'";
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 128 && std::isalnum(u)) || extra.find(c) != std::string_view::npos;
  });
}

bool is_valid_hub_name(std::string_view name) {
  if (name.size() < 3 || name.size() > 50) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 128 && std::isalnum(u)) || c == '-';
  });
}

bool is_valid_sas_key(std::string_view key) {
  std::string bytes;
  if (!base64_decode(key, bytes)) return false;
  if (key.size() % 4 != 0) return false;
  return bytes.size() >= 16 && bytes.size() <= 64;
}

std::optional<std::string> normalize_thumbprint(std::string_view text) {
  if (text.size() != 40 && text.size() != 64) return std::nullopt;
  for (char c : text)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
  return upper(text);
}

Registry load_registry(const std::string& path) {
  const auto doc = parse_toml_file(path);
  return load_registry(doc, path);
}

Registry load_registry(const toml::table& table, const std::string& file) {
  Registry reg;
  reg.file = file;
  TomlTable top(table, file);
  if (auto hub = top.string("hub")) {
    std::string name = *hub;
    // Accept the host name too: "eWONPROJECT.azure-devices.net" means hub "eWONPROJECT".
    if (name.size() > kHostSuffix.size() &&
        upper(name.substr(name.size() - kHostSuffix.size())) == upper(kHostSuffix))
      name.resize(name.size() - kHostSuffix.size());
    if (!is_valid_hub_name(name))
      top.fail("hub", fmt::format("invalid hub name '{}': 3 to 50 letters, digits or '-' (the part before "
                                  ".azure-devices.net)",
                                  *hub));
    reg.hub = name;
  }
  for (auto& t : top.tables("device")) {
    auto modules = t.tables("module");
    auto d = read_device(t, file);
    if (const auto* prev = reg.find_device(d.id))
      t.fail("id", fmt::format("duplicate device id '{}' (first defined at {})", d.id, prev->where.to_string()));
    for (auto& m : modules) {
      auto mod = read_device(m, file, &d);
      if (const auto* prev = reg.find_identity(mod.id))
        m.fail("id", fmt::format("duplicate module id '{}' of device '{}' (first defined at {})", mod.module_id, d.id,
                                 prev->where.to_string()));
      reg.modules.push_back(std::move(mod));
    }
    reg.devices.push_back(std::move(d));
  }
  for (auto& t : top.tables("ca")) {
    RegisteredCa ca;
    ca.where = t.where();
    ca.name = t.required_string("name");
    if (ca.name.empty()) t.fail("name", "'name' must not be empty");
    for (const auto& prev : reg.cas)
      if (prev.name == ca.name)
        t.fail("name", fmt::format("duplicate CA name '{}' (first defined at {})", ca.name, prev.where.to_string()));
    ca.certificate = resolve(file, t.required_string("certificate"));
    (void)read_certificate(t, "certificate", ca.certificate);
    t.finish();
    reg.cas.push_back(std::move(ca));
  }
  for (auto& t : top.tables("policy")) {
    auto p = read_policy(t);
    if (const auto* prev = reg.find_policy(p.name))
      t.fail("name", fmt::format("duplicate policy '{}' (first defined at {})", p.name, prev->where.to_string()));
    reg.policies.push_back(std::move(p));
  }
  top.finish();
  return reg;
}

}  // namespace flexhil::broker
