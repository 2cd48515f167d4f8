// `flexhil certs …`: the test PKI and SAS tokens for users (lab bench, registry authors).
#include <cctype>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "broker/registry.hpp"
#include "certs/certificate_summary.hpp"
#include "certs/duration_text.hpp"
#include "certs/pki.hpp"
#include "certs/sas_token.hpp"
#include "common/error.hpp"
#include "harness/cli/commands.hpp"

namespace flexhil::cli {
namespace {

using namespace flexhil::certs;

struct CaOptions {
  std::string out;
  std::string cn = "flexhil Test Root CA";
  std::string key = "rsa";
};
struct HubOptions {
  std::string hub, ca_dir, out;
  std::vector<std::string> extra_names;
};
struct DeviceOptions {
  std::string id, ca_dir, out, key = "rsa", hub;
  bool self_signed = false, ca_true = false, expired = false, not_yet_valid = false, registry_block = false;
  int days = 365;
};
struct SasOptions {
  std::string hub, device, key, ttl = "1h", policy, spelling = "upper";
  std::optional<std::int64_t> expiry;
};

KeyType key_type(const std::string& name) { return name == "ecdsa" ? KeyType::ecdsa_p256 : KeyType::rsa2048; }

// Azure's rule for device ids: up to 128 characters from this set (also keeps file names safe).
void check_device_id(const std::string& id) {
  static const std::string kAllowed = "-.%_*?!(),:=@$'";
  if (id.empty() || id.size() > 128)
    throw CLI::ValidationError("--id", "device id must be 1 to 128 characters");
  for (const char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && kAllowed.find(c) == std::string::npos)
      throw CLI::ValidationError("--id", std::string("device id contains '") + c +
                                             "' (allowed: letters, digits and " + kAllowed + ")");
}

KeyPair load_ca(const std::string& dir) {
  const auto base = std::filesystem::path(dir);
  return load_key_pair((base / "ca.crt").string(), (base / "ca.key").string());
}

void add_ca(CLI::App& certs, int& exit_code) {
  auto opts = std::make_shared<CaOptions>();
  auto* cmd = certs.add_subcommand("ca", "Create a root CA (ca.crt, ca.key with mode 0600) for the hub and CA-signed devices.");
  cmd->add_option("--out", opts->out, "Directory to write ca.crt and ca.key into")->required();
  cmd->add_option("--cn", opts->cn, "Subject common name of the CA")->capture_default_str();
  cmd->add_option("--key", opts->key, "Key type")->check(CLI::IsMember({"rsa", "ecdsa"}))->capture_default_str();
  cmd->footer("Example: flexhil certs ca --out pki/");
  cmd->callback([opts, &exit_code] {
    // RFC 5280's upper bound for a common name; OpenSSL refuses longer ones.
    if (opts->cn.empty() || opts->cn.size() > 64)
      throw CLI::ValidationError("--cn", "the common name must be 1 to 64 characters");
    CertificateSpec spec;
    spec.common_name = opts->cn;
    spec.key = key_type(opts->key);
    spec.is_ca = true;
    spec.lifetime = std::chrono::hours(24 * 3650);
    const auto [crt, key] = make_self_signed(spec).write(opts->out, "ca");
    std::cout << "wrote " << crt << " and " << key << " (mode 0600)\n";
    print_thumbprints(std::cout, read_certificate_file(crt));
    exit_code = flexhil::exit_code::ok;
  });
}

void add_hub(CLI::App& certs, int& exit_code) {
  auto opts = std::make_shared<HubOptions>();
  auto* cmd = certs.add_subcommand("hub", "Create the hub's TLS server certificate (hub.crt, hub.key) signed by the CA in --ca-dir.");
  cmd->add_option("--hub", opts->hub, "Hub name (NAME.azure-devices.net) or full host name")->required();
  cmd->add_option("--ca-dir", opts->ca_dir, "Directory holding ca.crt and ca.key (from `flexhil certs ca`)")->required();
  cmd->add_option("--out", opts->out, "Directory to write hub.crt and hub.key into")->required();
  cmd->add_option("--extra-name", opts->extra_names,
                  "Extra subjectAltName: a DNS name, or an IP address (e.g. the bench PC's address); repeatable");
  cmd->footer("Example: flexhil certs hub --hub eWONPROJECT --ca-dir pki/ --out pki/ --extra-name 192.168.1.10");
  cmd->callback([opts, &exit_code] {
    if (opts->hub.empty()) throw CLI::ValidationError("--hub", "hub name must not be empty");
    for (const auto& extra : opts->extra_names)
      if (extra.empty()) throw CLI::ValidationError("--extra-name", "must not be empty");
    const KeyPair ca = load_ca(opts->ca_dir);
    const auto [crt, key] = make_hub_server_certificate(opts->hub, ca, opts->extra_names).write(opts->out, "hub");
    std::cout << "wrote " << crt << " and " << key << " (mode 0600)\n"
              << "host name: " << hub_host_name(opts->hub) << '\n';
    exit_code = flexhil::exit_code::ok;
  });
}

void add_device(CLI::App& certs, int& exit_code) {
  auto opts = std::make_shared<DeviceOptions>();
  auto* cmd = certs.add_subcommand(
      "device", "Create a device certificate ID.crt/ID.key and print its thumbprints for the device registry.");
  cmd->add_option("--id", opts->id, "Device id (becomes the certificate CN)")->required();
  auto* self = cmd->add_flag("--self-signed", opts->self_signed, "Self-signed certificate (registered by thumbprint)");
  auto* ca = cmd->add_option("--ca-dir", opts->ca_dir, "Sign with the CA in this directory (ca.crt, ca.key)");
  self->excludes(ca);
  ca->excludes(self);
  cmd->add_option("--key", opts->key, "Key type")->check(CLI::IsMember({"rsa", "ecdsa"}))->capture_default_str();
  cmd->add_flag("--ca-true", opts->ca_true, "basicConstraints CA:TRUE, as `openssl req -x509` makes it");
  cmd->add_option("--days", opts->days, "Validity in days")->check(CLI::Range(1, 36500))->capture_default_str();
  auto* expired = cmd->add_flag("--expired", opts->expired, "Make a certificate that expired yesterday (negative tests)");
  auto* future = cmd->add_flag("--not-yet-valid", opts->not_yet_valid, "Make a certificate valid from tomorrow (negative tests)");
  expired->excludes(future);
  cmd->add_option("--out", opts->out, "Directory to write ID.crt and ID.key into")->required();
  cmd->add_flag("--registry-block", opts->registry_block,
                "Print only a complete registry (devices.toml) for the device on stdout, with paths relative to "
                "--out (save it there); the other lines go to stderr");
  cmd->add_option("--hub", opts->hub, "Hub name for the registry block's `hub =` line (with --registry-block)");
  cmd->footer("Examples:\n  flexhil certs device --id Flexy1 --self-signed --out pki/\n"
              "  flexhil certs device --id Flexy2 --ca-dir pki/ --key ecdsa --out pki/\n"
              "  flexhil certs device --id Flexy205 --self-signed --out bench/ --registry-block --hub eWONPROJECT "
              "> bench/devices.toml");
  cmd->callback([opts, &exit_code] {
    check_device_id(opts->id);
    // The id becomes the certificate's CN, which RFC 5280 (and OpenSSL) bound to 64 characters.
    if (opts->id.size() > 64)
      throw CLI::ValidationError("--id", "a device certificate's common name (the id) holds at most 64 characters");
    if (!opts->self_signed && opts->ca_dir.empty())
      throw CLI::ValidationError("device", "give --self-signed or --ca-dir DIR");
    if (!opts->hub.empty() && !opts->registry_block)
      throw CLI::ValidationError("--hub", "--hub names the hub of the registry block: give --registry-block too");
    if (!opts->hub.empty() && !broker::is_valid_hub_name(opts->hub))
      throw CLI::ValidationError("--hub", "'" + opts->hub + "' is not a hub name (3 to 50 letters, digits and '-')");
    CertificateSpec spec;
    spec.common_name = opts->id;
    spec.key = key_type(opts->key);
    spec.is_ca = opts->ca_true;
    spec.client_auth = true;
    spec.lifetime = std::chrono::hours(24) * opts->days;
    if (opts->expired) spec.not_before_offset = -(spec.lifetime + std::chrono::hours(24));
    if (opts->not_yet_valid) spec.not_before_offset = std::chrono::hours(24);
    const KeyPair pair = opts->self_signed ? make_self_signed(spec) : make_signed(spec, load_ca(opts->ca_dir));
    const auto [crt, key] = pair.write(opts->out, opts->id);
    // With --registry-block stdout is the registry itself (`> devices.toml`); the rest is for the user.
    std::ostream& info = opts->registry_block ? std::cerr : std::cout;
    info << "wrote " << crt << " and " << key << " (mode 0600)\n";
    print_thumbprints(info, pair.cert_pem);
    if (!opts->registry_block) {
      print_registry_entry(std::cout, opts->id, pair.cert_pem, opts->self_signed);
    } else {
      namespace fs = std::filesystem;
      RegistryBlock block;
      block.hub = opts->hub;
      block.device_id = opts->id;
      block.cert_pem = pair.cert_pem;
      block.certificate_path = fs::path(crt).filename().string();
      block.self_signed = opts->self_signed;
      if (!opts->self_signed) {
        auto out_dir = fs::absolute(opts->out).lexically_normal();
        if (out_dir.filename().empty()) out_dir = out_dir.parent_path();  // "bench/" names the folder "bench"
        block.ca_certificate_path =
            fs::absolute(fs::path(opts->ca_dir) / "ca.crt").lexically_normal().lexically_relative(out_dir).string();
      }
      std::cout << registry_block(block);
    }
    exit_code = flexhil::exit_code::ok;
  });
}

void add_thumbprint(CLI::App& certs, int& exit_code) {
  auto file = std::make_shared<std::string>();
  auto* cmd = certs.add_subcommand("thumbprint", "Print the SHA-1 and SHA-256 thumbprints of a certificate (PEM or DER).");
  cmd->add_option("file", *file, "Certificate file")->required();
  cmd->footer("Example: flexhil certs thumbprint pki/Flexy1.crt");
  cmd->callback([file, &exit_code] {
    const std::string pem = read_certificate_file(*file);
    std::cout << "subject CN: " << common_name(pem) << '\n';
    print_thumbprints(std::cout, pem);
    std::cout << "primary_thumbprint = \"" << sha1_thumbprint(pem) << "\"\n";
    exit_code = flexhil::exit_code::ok;
  });
}

void add_sas(CLI::App& certs, int& exit_code) {
  auto opts = std::make_shared<SasOptions>();
  auto* cmd = certs.add_subcommand("sas", "Print a SAS token (the MQTT password) computed exactly as Azure IoT Hub checks it.");
  cmd->add_option("--hub", opts->hub, "Hub name (NAME.azure-devices.net) or full host name")->required();
  cmd->add_option("--device", opts->device, "Device id (resource {host}/devices/{id}); omit with --policy for a hub-wide token");
  cmd->add_option("--key", opts->key, "Device or policy key (base64)")->required();
  cmd->add_option("--ttl", opts->ttl, "Lifetime from now: 3600, 90s, 30m, 1h, 7d")->capture_default_str();
  cmd->add_option("--expiry", opts->expiry, "Absolute expiry, seconds since the Unix epoch (overrides --ttl)");
  cmd->add_option("--policy", opts->policy, "Shared access policy name (adds skn=)");
  cmd->add_option("--sr-spelling", opts->spelling, "How sr is spelled: unencoded, upper (%2F) or lower (%2f)")
      ->check(CLI::IsMember({"unencoded", "upper", "lower"}))
      ->capture_default_str();
  cmd->footer("Example: flexhil certs sas --hub eWONPROJECT --device FlexySas --key c2VjcmV0LWtleQ== --ttl 1h");
  cmd->callback([opts, &exit_code] {
    if (opts->hub.empty()) throw CLI::ValidationError("--hub", "hub name must not be empty");
    if (opts->device.empty() && opts->policy.empty())
      throw CLI::ValidationError("--device", "give --device ID (or --policy NAME for a hub-wide token)");
    if (!opts->device.empty()) check_device_id(opts->device);
    SasTokenRequest request;
    request.resource = hub_host_name(opts->hub);
    if (!opts->device.empty()) request.resource += "/devices/" + opts->device;
    request.key_base64 = opts->key;
    if (!opts->policy.empty()) request.policy_name = opts->policy;
    request.spelling = opts->spelling == "unencoded" ? SrSpelling::unencoded
                       : opts->spelling == "lower"   ? SrSpelling::percent_lower
                                                     : SrSpelling::percent_upper;
    if (opts->expiry) {
      request.expiry = *opts->expiry;
    } else {
      const auto ttl = parse_duration_text(opts->ttl);
      if (!ttl) throw CLI::ValidationError("--ttl", "'" + opts->ttl + "' is not a duration (examples: 3600, 90s, 30m, 1h, 7d)");
      request.expiry = static_cast<std::int64_t>(std::time(nullptr)) + ttl->count();
    }
    try {
      std::cout << make_sas_token(request) << '\n';
    } catch (const std::invalid_argument&) {
      throw CLI::ValidationError("--key", "'" + opts->key + "' is not valid base64");
    }
    exit_code = flexhil::exit_code::ok;
  });
}

}  // namespace

void add_certs_command(CLI::App& app, int& exit_code) {
  auto* certs = app.add_subcommand("certs", "Test PKI: CA, hub server certificate, device certificates, thumbprints, SAS tokens; a device CA bundle checked against Azure's roots.");
  certs->require_subcommand(1);
  certs->footer("Example: flexhil certs device --id Flexy1 --self-signed --out pki/");
  add_ca(*certs, exit_code);
  add_hub(*certs, exit_code);
  add_device(*certs, exit_code);
  add_thumbprint(*certs, exit_code);
  add_sas(*certs, exit_code);
  add_check_ca(*certs, exit_code);
}

}  // namespace flexhil::cli
