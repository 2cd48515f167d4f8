#pragma once
// The test PKI (OpenSSL 3 C API; never shells out to `openssl`): a root CA, the hub's server
// certificate, device certificates of every kind the spec needs (self-signed RSA/ECDSA with
// CA:TRUE or CA:FALSE, CA-signed leaves, expired and not-yet-valid variants) and thumbprints.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace flexhil::certs {

enum class KeyType { rsa2048, ecdsa_p256 };

// A private key and certificate held in memory (PEM); written to files on request.
struct KeyPair {
  std::string key_pem;   // PKCS#8 PEM
  std::string cert_pem;  // X.509 PEM
  // Writes <dir>/<stem>.crt (0644) and <dir>/<stem>.key (created with mode 0600, replacing any
  // existing file); creates <dir> if needed; returns {crt, key} paths. Throws
  // InfrastructureError when a file cannot be written.
  std::pair<std::string, std::string> write(const std::string& dir, const std::string& stem) const;
};

struct CertificateSpec {
  std::string common_name;
  KeyType key = KeyType::rsa2048;
  bool is_ca = false;                        // basicConstraints CA:TRUE/FALSE (critical)
  std::vector<std::string> dns_names;        // subjectAltName DNS entries
  std::vector<std::string> ip_addresses;     // subjectAltName IP entries
  // Validity relative to now: [now + not_before_offset, now + not_before_offset + lifetime].
  std::chrono::seconds not_before_offset{-3600};
  std::chrono::seconds lifetime{std::chrono::hours(24 * 365)};
  bool server_auth = false;                  // extendedKeyUsage serverAuth
  bool client_auth = false;                  // extendedKeyUsage clientAuth
};

// Self-signed certificate (what `openssl req -x509` makes).
KeyPair make_self_signed(const CertificateSpec& spec);
// Certificate signed by `issuer` (a CA KeyPair).
KeyPair make_signed(const CertificateSpec& spec, const KeyPair& issuer);

// "eWONPROJECT" -> "eWONPROJECT.azure-devices.net"; a name that already contains a dot is
// returned unchanged (a full host name was given).
std::string hub_host_name(const std::string& hub);

// The hub's server certificate: CN=*.azure-devices.net (as IoT Hub's; CN=hub_host_name(hub_host)
// for a host outside azure-devices.net), SANs for the wildcard, that name, localhost,
// 127.0.0.1, ::1 and the extra names/addresses given (a lab bench maps the hub name to its PC):
// an extra that parses as an IPv4/IPv6 address becomes an IP SAN, anything else a DNS SAN.
// extendedKeyUsage serverAuth; signed by `ca`.
KeyPair make_hub_server_certificate(const std::string& hub_host, const KeyPair& ca,
                                    const std::vector<std::string>& extra_names = {});

// Upper-case hex without separators, as the Azure portal shows them, of the DER certificate.
std::string sha1_thumbprint(const std::string& cert_pem);
std::string sha256_thumbprint(const std::string& cert_pem);
// Same, for a DER-encoded certificate (what the broker plugin gets from the TLS session).
std::string sha1_thumbprint_der(const std::string& cert_der);
std::string sha256_thumbprint_der(const std::string& cert_der);

// Reads a PEM file (throws ConfigError naming the file when unreadable or not a certificate).
std::string read_certificate_file(const std::string& path);
// The subject CN of a PEM certificate ("" when absent).
std::string common_name(const std::string& cert_pem);

// Loads <crt> and <key> (PEM) into a KeyPair, e.g. the CA written by `flexhil certs ca`;
// throws ConfigError naming the file when unreadable or malformed, or when they do not match.
KeyPair load_key_pair(const std::string& crt_path, const std::string& key_path);

// The DER encoding of a PEM certificate (throws std::invalid_argument if not a certificate).
std::string certificate_der(const std::string& cert_pem);

}  // namespace flexhil::certs
