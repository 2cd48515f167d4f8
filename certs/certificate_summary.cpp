#include "certs/certificate_summary.hpp"

#include "certs/pki.hpp"

namespace flexhil::certs {

void print_thumbprints(std::ostream& out, const std::string& cert_pem) {
  out << "SHA-1   thumbprint: " << sha1_thumbprint(cert_pem) << '\n'
      << "SHA-256 thumbprint: " << sha256_thumbprint(cert_pem) << '\n';
}

void print_registry_entry(std::ostream& out, const std::string& device_id, const std::string& cert_pem,
                          bool self_signed) {
  out << "\n# device registry entry (devices.toml):\n[[device]]\nid = \"" << device_id << "\"\n";
  if (self_signed) {
    out << "auth = \"x509-selfsigned\"\nprimary_thumbprint = \"" << sha1_thumbprint(cert_pem)
        << "\"\n# or the SHA-256 form:\n# primary_thumbprint = \"" << sha256_thumbprint(cert_pem) << "\"\n";
  } else {
    out << "auth = \"x509-ca\"\n";
  }
}

namespace {
// A TOML basic string: the path of a certificate may hold a backslash or a quote.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}
}  // namespace

std::string registry_block(const RegistryBlock& b) {
  std::string out = "# device registry (devices.toml); paths are relative to this file\n";
  out += b.hub.empty() ? "# hub = \"<your hub name>\"  (or: flexhil hub --hub NAME)\n" : "hub = " + quoted(b.hub) + "\n";
  if (!b.self_signed)
    out += "\n[[ca]]\nname = \"flexhil-bench-ca\"\ncertificate = " + quoted(b.ca_certificate_path) + "\n";
  out += "\n[[device]]\nid = " + quoted(b.device_id) + "\n";
  if (b.self_signed) {
    out += "auth = \"x509-selfsigned\"\ncertificate = " + quoted(b.certificate_path) + "\nprimary_thumbprint = \"" +
           sha1_thumbprint(b.cert_pem) + "\"\n";
  } else {
    out += "auth = \"x509-ca\"\n# certificate: " + b.certificate_path + " (CN = " + common_name(b.cert_pem) +
           ", accepted because it chains to the [[ca]] above)\n";
  }
  return out;
}

}  // namespace flexhil::certs
