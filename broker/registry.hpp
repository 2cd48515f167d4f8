#pragma once
// The device registry of the impersonated IoT Hub: devices (SAS keys, X.509 thumbprints or
// CA-signed), registered CA certificates, shared-access policies and initial twin properties.
// Loaded from TOML (docs/registry.md); every error is a ConfigError with file:line:col.
//
//   auto reg = flexhil::broker::load_registry("fixtures/registry/devices.toml");
//   if (const auto* dev = reg.find_device("Flexy1")) { ... }
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "common/error.hpp"
#include "common/event.hpp"

namespace flexhil::broker {

enum class AuthKind { sas, x509_selfsigned, x509_ca };

// "sas", "x509-selfsigned", "x509-ca" (the registry's spelling, also used in events).
std::string_view to_string(AuthKind kind);

enum class Permission { device_connect, registry_read, registry_write, service_connect };
std::string_view to_string(Permission permission);

struct Device {
  // A device's id, or "{deviceId}/{moduleId}" for a module identity: what the identity's MQTT
  // ClientId is, and the key of its twin and events.
  std::string id;
  std::string module_id;  // "" for a device
  std::string device_id;  // the device a module belongs to ("" for a device)
  AuthKind auth = AuthKind::sas;
  bool enabled = true;
  // auth = sas: base64 keys (secondary may be empty).
  std::string primary_key;
  std::string secondary_key;
  // auth = x509-selfsigned: upper-case hex, 40 (SHA-1) or 64 (SHA-256) chars, both the same
  // length (secondary may be empty). Taken from the certificate files when not given.
  std::string primary_thumbprint;
  std::string secondary_thumbprint;
  // Absolute (or registry-relative resolved) paths of the registered certificates ("" = none).
  // The hub launcher trusts these for self-signed devices.
  std::string certificate;
  std::string secondary_certificate;
  // Initial twin properties (JSON objects, no "$version": the twin state adds it).
  Json twin_desired = Json::object();
  Json twin_reported = Json::object();
  SourcePosition where;  // the [[device]] table
};

// A CA certificate registered (and verified) in the hub, for auth = x509-ca devices.
struct RegisteredCa {
  std::string name;
  std::string certificate;  // resolved path
  SourcePosition where;
};

struct Policy {
  std::string name;
  std::string key;  // base64
  std::vector<Permission> permissions;
  bool has(Permission p) const;
  SourcePosition where;
};

struct Registry {
  std::string file;  // where it was loaded from
  std::string hub;   // hub name without ".azure-devices.net"; "" when the file gives none
  std::vector<Device> devices;
  // Module identities ([[device.module]]), each with its own credentials and twin; id
  // "{deviceId}/{moduleId}".
  std::vector<Device> modules;
  std::vector<RegisteredCa> cas;
  std::vector<Policy> policies;

  // "{hub}.azure-devices.net"
  std::string host() const;
  const Device* find_device(std::string_view id) const;
  Device* find_device(std::string_view id);
  // A device, or a module by "{deviceId}/{moduleId}" (an MQTT ClientId).
  const Device* find_identity(std::string_view client_id) const;
  const Policy* find_policy(std::string_view name) const;
};

// Loads and validates a registry file. Throws ConfigError (file:line:col) for anything wrong:
// unknown keys, bad ids, bad base64 keys, bad thumbprints, duplicates, unreadable certificates.
Registry load_registry(const std::string& path);
// Same, for a table that is already parsed (e.g. inline in a scenario); relative certificate
// paths are resolved against the directory of `file`.
Registry load_registry(const toml::table& table, const std::string& file);

// Device ids: 1..128 chars of alphanumerics and - : . + % _ # * ? ! ( ) , = @ ; $ '
bool is_valid_device_id(std::string_view id);
// Hub names: 3..50 chars of alphanumerics and '-'.
bool is_valid_hub_name(std::string_view name);
// Shared-access keys: base64 of 16..64 bytes.
bool is_valid_sas_key(std::string_view key);
// "0e:ea…" → nullopt (colons are not allowed); valid 40/64 hex → upper-case copy.
std::optional<std::string> normalize_thumbprint(std::string_view text);

inline constexpr std::string_view kHostSuffix = ".azure-devices.net";

}  // namespace flexhil::broker
