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

}  // namespace flexhil::certs
