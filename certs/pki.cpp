// The test PKI: keys, X.509 v3 certificates (self-signed and CA-signed), key files written with
// safe modes, and thumbprints — all through the OpenSSL 3 C API.
#include "certs/pki.hpp"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "certs/openssl_handles.hpp"
#include "common/error.hpp"
#include "common/error_barrier.hpp"
#include "common/private_file.hpp"

namespace flexhil::certs {
namespace {

using namespace ossl;

PKey generate_key(KeyType type) {
  PKey key(type == KeyType::rsa2048
               ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048))
               : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  check(key != nullptr, "key generation");
  return key;
}

// A random positive 127-bit serial: unique enough that two test certificates never collide.
void set_random_serial(X509* cert) {
  BigNum bn(BN_new());
  check(bn && BN_rand(bn.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1, "BN_rand");
  Asn1Integer serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  check(serial && X509_set_serialNumber(cert, serial.get()) == 1, "X509_set_serialNumber");
}

void set_common_name(X509_NAME* name, const std::string& cn) {
  if (cn.empty()) throw std::invalid_argument("certificate common name must not be empty");
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()),
                                   static_cast<int>(cn.size()), -1, 0) == 1,
        "X509_NAME_add_entry_by_txt(CN)");
}

// An extension from its configuration text (e.g. "critical,CA:TRUE"); `ctx` gives the subject
// and issuer certificates the key identifiers are computed from.
void add_conf_extension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  Extension ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
  check(ext != nullptr, OBJ_nid2sn(nid));
  check(X509_add_ext(cert, ext.get(), -1) == 1, "X509_add_ext");
}

// subjectAltName built element by element (not from "DNS:a,IP:b" text, so a name containing a
// comma cannot smuggle in another entry).
void add_subject_alt_names(X509* cert, const std::vector<std::string>& dns_names,
                           const std::vector<std::string>& ip_addresses) {
  if (dns_names.empty() && ip_addresses.empty()) return;
  GeneralNames names(sk_GENERAL_NAME_new_null());
  check(names != nullptr, "sk_GENERAL_NAME_new_null");
  for (const auto& dns : dns_names) {
    if (dns.empty()) throw std::invalid_argument("empty DNS name in subjectAltName");
    GeneralName gn(GENERAL_NAME_new());
    ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
    check(gn && ia5 && ASN1_STRING_set(ia5, dns.data(), static_cast<int>(dns.size())) == 1,
          "subjectAltName DNS");
    GENERAL_NAME_set0_value(gn.get(), GEN_DNS, ia5);
    check(sk_GENERAL_NAME_push(names.get(), gn.get()) > 0, "sk_GENERAL_NAME_push");
    gn.release();
  }
  for (const auto& ip : ip_addresses) {
    ASN1_OCTET_STRING* octets = a2i_IPADDRESS(ip.c_str());
    if (octets == nullptr) throw std::invalid_argument("not an IP address: '" + ip + "'");
    GeneralName gn(GENERAL_NAME_new());
    if (!gn) {
      ASN1_OCTET_STRING_free(octets);
      check(false, "GENERAL_NAME_new");
    }
    GENERAL_NAME_set0_value(gn.get(), GEN_IPADD, octets);
    check(sk_GENERAL_NAME_push(names.get(), gn.get()) > 0, "sk_GENERAL_NAME_push");
    gn.release();
  }
  check(X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) == 1,
        "subjectAltName");
}

// Builds and signs a certificate for `spec`; `issuer_cert`/`issuer_key` are null for a
// self-signed one.
KeyPair build(const CertificateSpec& spec, X509* issuer_cert, EVP_PKEY* issuer_key) {
  PKey key = generate_key(spec.key);
  Cert cert(X509_new());
  check(cert != nullptr, "X509_new");
  check(X509_set_version(cert.get(), X509_VERSION_3) == 1, "X509_set_version");
  set_random_serial(cert.get());
  set_common_name(X509_get_subject_name(cert.get()), spec.common_name);
  X509* issuer = issuer_cert != nullptr ? issuer_cert : cert.get();
  EVP_PKEY* signing_key = issuer_key != nullptr ? issuer_key : key.get();
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer)) == 1, "X509_set_issuer_name");
  check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(spec.not_before_offset.count())) != nullptr,
        "notBefore");
  check(X509_gmtime_adj(X509_getm_notAfter(cert.get()),
                        static_cast<long>((spec.not_before_offset + spec.lifetime).count())) != nullptr,
        "notAfter");
  check(X509_set_pubkey(cert.get(), key.get()) == 1, "X509_set_pubkey");

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert.get(), nullptr, nullptr, 0);
  add_conf_extension(cert.get(), &ctx, NID_basic_constraints, spec.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  // A CA also gets digitalSignature: a self-signed device certificate with CA:TRUE (what
  // `openssl req -x509` makes) is used as a TLS client certificate, and OpenSSL's client
  // purpose check rejects a keyUsage without digitalSignature.
  add_conf_extension(cert.get(), &ctx, NID_key_usage,
                     spec.is_ca ? "critical,keyCertSign,cRLSign,digitalSignature"
                                : "critical,digitalSignature,keyEncipherment");
  // The subject key id first: a self-signed certificate's authority key id is taken from it.
  add_conf_extension(cert.get(), &ctx, NID_subject_key_identifier, "hash");
  add_conf_extension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");
  add_subject_alt_names(cert.get(), spec.dns_names, spec.ip_addresses);
  std::string eku;
  if (spec.server_auth) eku += "serverAuth";
  if (spec.client_auth) eku += eku.empty() ? "clientAuth" : ",clientAuth";
  if (!eku.empty()) add_conf_extension(cert.get(), &ctx, NID_ext_key_usage, eku);

  check(X509_sign(cert.get(), signing_key, EVP_sha256()) > 0, "X509_sign");
  return KeyPair{to_pem(key.get()), to_pem(cert.get())};
}

Cert require_certificate(const std::string& pem) {
  Cert cert = parse_pem_certificate(pem);
  if (!cert) throw std::invalid_argument("not a PEM certificate");
  return cert;
}

std::string upper_hex(const unsigned char* data, std::size_t n) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 15];
  }
  return out;
}

std::string digest_hex(const std::string& bytes, const EVP_MD* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  check(EVP_Digest(bytes.data(), bytes.size(), out, &n, md, nullptr) == 1, "EVP_Digest");
  return upper_hex(out, n);
}

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError({path}, std::string("cannot read file: ") + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool is_ip_address(const std::string& text) {
  Asn1OctetString octets(a2i_IPADDRESS(text.c_str()));
  ERR_clear_error();
  return octets != nullptr;
}

}  // namespace

std::pair<std::string, std::string> KeyPair::write(const std::string& dir, const std::string& stem) const {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  // A path the user gave that cannot be a folder is their input error (exit 2), not ours.
  if (ec && is_input_path_error(ec)) throw ConfigError({dir}, "cannot create directory: " + ec.message());
  if (ec) throw InfrastructureError("cannot create directory " + dir + ": " + ec.message());
  const std::string crt = (std::filesystem::path(dir) / (stem + ".crt")).string();
  const std::string key = (std::filesystem::path(dir) / (stem + ".key")).string();
  write_new_file(crt, cert_pem, 0644);
  write_new_file(key, key_pem, 0600);
  return {crt, key};
}

KeyPair make_self_signed(const CertificateSpec& spec) { return build(spec, nullptr, nullptr); }

KeyPair make_signed(const CertificateSpec& spec, const KeyPair& issuer) {
  Cert issuer_cert = require_certificate(issuer.cert_pem);
  PKey issuer_key = parse_pem_private_key(issuer.key_pem);
  if (!issuer_key) throw std::invalid_argument("issuer key is not a PEM private key");
  return build(spec, issuer_cert.get(), issuer_key.get());
}

std::string hub_host_name(const std::string& hub) {
  return hub.find('.') == std::string::npos ? hub + ".azure-devices.net" : hub;
}

KeyPair make_hub_server_certificate(const std::string& hub_host, const KeyPair& ca,
                                    const std::vector<std::string>& extra_names) {
  CertificateSpec spec;
  // Like IoT Hub's own certificate: CN and a SAN *.azure-devices.net, so a client that checks
  // the name the way it would against Azure sees the same; the hub's full name is a SAN too.
  const std::string host = hub_host_name(hub_host);
  constexpr std::string_view suffix = ".azure-devices.net";
  const bool azure = host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
  spec.common_name = azure ? "*.azure-devices.net" : host;
  spec.key = KeyType::rsa2048;
  spec.is_ca = false;
  spec.server_auth = true;
  spec.dns_names = {spec.common_name};
  if (azure) spec.dns_names.push_back(host);
  spec.dns_names.push_back("localhost");
  spec.ip_addresses = {"127.0.0.1", "::1"};
  for (const auto& extra : extra_names) {
    auto& list = is_ip_address(extra) ? spec.ip_addresses : spec.dns_names;
    bool present = false;
    for (const auto& existing : list) present = present || existing == extra;
    if (!present) list.push_back(extra);
  }
  return make_signed(spec, ca);
}

std::string certificate_der(const std::string& cert_pem) {
  Cert cert = require_certificate(cert_pem);
  return to_der(cert.get());
}

std::string sha1_thumbprint(const std::string& cert_pem) { return sha1_thumbprint_der(certificate_der(cert_pem)); }
std::string sha256_thumbprint(const std::string& cert_pem) {
  return sha256_thumbprint_der(certificate_der(cert_pem));
}
std::string sha1_thumbprint_der(const std::string& cert_der) { return digest_hex(cert_der, EVP_sha1()); }
std::string sha256_thumbprint_der(const std::string& cert_der) { return digest_hex(cert_der, EVP_sha256()); }

std::string read_certificate_file(const std::string& path) {
  const std::string content = read_whole_file(path);
  if (Cert cert = parse_pem_certificate(content)) return to_pem(cert.get());
  // Windows tools and the Azure portal often hand out DER (.cer); accept it too.
  const auto* p = reinterpret_cast<const unsigned char*>(content.data());
  Cert der(d2i_X509(nullptr, &p, static_cast<long>(content.size())));
  ERR_clear_error();
  if (der) return to_pem(der.get());
  throw ConfigError({path}, "not an X.509 certificate (expected PEM '-----BEGIN CERTIFICATE-----' or DER)");
}

std::string common_name(const std::string& cert_pem) {
  Cert cert = require_certificate(cert_pem);
  X509_NAME* name = X509_get_subject_name(cert.get());
  const int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (index < 0) return {};
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, data);
  if (n < 0) return {};
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

KeyPair load_key_pair(const std::string& crt_path, const std::string& key_path) {
  KeyPair pair;
  pair.cert_pem = read_certificate_file(crt_path);
  pair.key_pem = read_whole_file(key_path);
  PKey key = parse_pem_private_key(pair.key_pem);
  if (!key) throw ConfigError({key_path}, "not an unencrypted PEM private key");
  pair.key_pem = to_pem(key.get());
  Cert cert = require_certificate(pair.cert_pem);
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    throw ConfigError({key_path}, "private key does not match the certificate " + crt_path);
  }
  return pair;
}

}  // namespace flexhil::certs
