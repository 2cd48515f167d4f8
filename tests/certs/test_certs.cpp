#define BOOST_TEST_MODULE test_certs
#include <boost/test/unit_test.hpp>

#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "certs/certificate_summary.hpp"
#include "certs/duration_text.hpp"
#include "certs/openssl_handles.hpp"
#include "certs/pki.hpp"
#include "certs/sas_token.hpp"
#include "common/error.hpp"
#include "common/event.hpp"
#include "common/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_env.hpp"
#include "tests/support/file_text.hpp"

using flexhil::testing::read_text;

using namespace flexhil::certs;
using flexhil::testing::TempDir;

namespace {

ossl::Cert cert_of(const KeyPair& pair) {
  auto cert = ossl::parse_pem_certificate(pair.cert_pem);
  BOOST_REQUIRE(cert);
  return cert;
}

ossl::PKey key_of(const KeyPair& pair) {
  auto key = ossl::parse_pem_private_key(pair.key_pem);
  BOOST_REQUIRE(key);
  return key;
}

CertificateSpec device_spec(const std::string& cn, KeyType key, bool is_ca) {
  CertificateSpec spec;
  spec.common_name = cn;
  spec.key = key;
  spec.is_ca = is_ca;
  spec.client_auth = true;
  return spec;
}

KeyPair make_ca(const std::string& cn = "Test CA") {
  CertificateSpec spec;
  spec.common_name = cn;
  spec.is_ca = true;
  return make_self_signed(spec);
}

// basicConstraints of `cert`: {present, critical, ca}.
struct Constraints {
  bool present = false, critical = false, ca = false;
};
Constraints basic_constraints(X509* cert) {
  Constraints c;
  int crit = -1;
  auto* bc = static_cast<BASIC_CONSTRAINTS*>(X509_get_ext_d2i(cert, NID_basic_constraints, &crit, nullptr));
  if (bc == nullptr) return c;
  c.present = true;
  c.critical = crit == 1;
  c.ca = bc->ca != 0;
  BASIC_CONSTRAINTS_free(bc);
  return c;
}

// Verifies `leaf` against a store holding only `ca`; X509_V_OK on success.
int verify_with_store(const KeyPair& leaf, const KeyPair& ca) {
  ossl::Store store(X509_STORE_new());
  auto ca_cert = cert_of(ca);
  BOOST_REQUIRE(X509_STORE_add_cert(store.get(), ca_cert.get()) == 1);
  ossl::StoreCtx ctx(X509_STORE_CTX_new());
  auto leaf_cert = cert_of(leaf);
  BOOST_REQUIRE(X509_STORE_CTX_init(ctx.get(), store.get(), leaf_cert.get(), nullptr) == 1);
  const int ok = X509_verify_cert(ctx.get());
  const int err = X509_STORE_CTX_get_error(ctx.get());
  ERR_clear_error();
  return ok == 1 ? X509_V_OK : (err == X509_V_OK ? -1 : err);
}

bool has_dns_san(X509* cert, const std::string& name) {
  return X509_check_host(cert, name.c_str(), name.size(), X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, nullptr) == 1;
}
bool has_ip_san(X509* cert, const std::string& ip) { return X509_check_ip_asc(cert, ip.c_str(), 0) == 1; }

bool has_eku(X509* cert, int nid) {
  auto* ekus = static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr));
  if (ekus == nullptr) return false;
  bool found = false;
  for (int i = 0; i < sk_ASN1_OBJECT_num(ekus); ++i) found = found || OBJ_obj2nid(sk_ASN1_OBJECT_value(ekus, i)) == nid;
  EXTENDED_KEY_USAGE_free(ekus);
  return found;
}

std::string x509_digest_hex(const KeyPair& pair, const EVP_MD* md) {
  auto cert = cert_of(pair);
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  BOOST_REQUIRE(X509_digest(cert.get(), md, buf, &n) == 1);
  std::ostringstream ss;
  for (unsigned int i = 0; i < n; ++i) {
    static const char* hex = "0123456789ABCDEF";
    ss << hex[buf[i] >> 4] << hex[buf[i] & 15];
  }
  return ss.str();
}

bool is_upper_hex(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'A' && c <= 'F'); });
}

}  // namespace

// ---------------------------------------------------------------- certificates

BOOST_AUTO_TEST_CASE(self_signed_rsa_and_ecdsa_with_ca_true_and_false_verify_and_carry_basic_constraints) {
  for (const KeyType type : {KeyType::rsa2048, KeyType::ecdsa_p256}) {
    for (const bool is_ca : {true, false}) {
      BOOST_TEST_CONTEXT("key " << (type == KeyType::rsa2048 ? "rsa" : "ecdsa") << " CA " << is_ca) {
        const KeyPair pair = make_self_signed(device_spec("Flexy1", type, is_ca));
        auto cert = cert_of(pair);
        auto key = key_of(pair);
        BOOST_TEST(X509_verify(cert.get(), key.get()) == 1);
        BOOST_TEST(X509_get_version(cert.get()) == X509_VERSION_3);
        BOOST_TEST(EVP_PKEY_get_base_id(key.get()) == (type == KeyType::rsa2048 ? EVP_PKEY_RSA : EVP_PKEY_EC));
        if (type == KeyType::rsa2048) BOOST_TEST(EVP_PKEY_get_bits(key.get()) == 2048);
        const Constraints bc = basic_constraints(cert.get());
        BOOST_TEST(bc.present);
        BOOST_TEST(bc.critical);
        BOOST_TEST(bc.ca == is_ca);
        BOOST_TEST(common_name(pair.cert_pem) == "Flexy1");
        BOOST_TEST(has_eku(cert.get(), NID_client_auth));
        BOOST_TEST(X509_get0_subject_key_id(cert.get()) != nullptr);
        BOOST_TEST(X509_get0_authority_key_id(cert.get()) != nullptr);
        BOOST_TEST(pair.key_pem.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);  // PKCS#8
        // A self-signed device certificate is its own trust anchor (how the hub trusts it).
        BOOST_TEST(verify_with_store(pair, pair) == X509_V_OK);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(two_certificates_get_different_random_serials) {
  auto a = cert_of(make_self_signed(device_spec("A", KeyType::ecdsa_p256, false)));
  auto b = cert_of(make_self_signed(device_spec("A", KeyType::ecdsa_p256, false)));
  BOOST_TEST(ASN1_INTEGER_cmp(X509_get0_serialNumber(a.get()), X509_get0_serialNumber(b.get())) != 0);
}

BOOST_AUTO_TEST_CASE(ca_signed_leaf_verifies_against_its_ca_and_fails_against_another_ca) {
  const KeyPair ca = make_ca("Device CA");
  const KeyPair other = make_ca("Other CA");
  for (const KeyType type : {KeyType::rsa2048, KeyType::ecdsa_p256}) {
    const KeyPair leaf = make_signed(device_spec("Flexy2", type, false), ca);
    BOOST_TEST(common_name(leaf.cert_pem) == "Flexy2");
    BOOST_TEST(verify_with_store(leaf, ca) == X509_V_OK);
    const int err = verify_with_store(leaf, other);
    BOOST_TEST(err != X509_V_OK);
    BOOST_TEST((err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT));
  }
}

BOOST_AUTO_TEST_CASE(expired_and_not_yet_valid_certificates_have_those_dates) {
  CertificateSpec expired = device_spec("Old", KeyType::ecdsa_p256, false);
  expired.not_before_offset = -std::chrono::hours(48);
  expired.lifetime = std::chrono::hours(24);
  CertificateSpec future = device_spec("Future", KeyType::ecdsa_p256, false);
  future.not_before_offset = std::chrono::hours(24);
  auto old_cert = cert_of(make_self_signed(expired));
  auto future_cert = cert_of(make_self_signed(future));
  auto good_cert = cert_of(make_self_signed(device_spec("Now", KeyType::ecdsa_p256, false)));
  BOOST_TEST(X509_cmp_current_time(X509_get0_notAfter(old_cert.get())) < 0);
  BOOST_TEST(X509_cmp_current_time(X509_get0_notBefore(future_cert.get())) > 0);
  BOOST_TEST(X509_cmp_current_time(X509_get0_notBefore(good_cert.get())) < 0);
  BOOST_TEST(X509_cmp_current_time(X509_get0_notAfter(good_cert.get())) > 0);

  const KeyPair ca = make_ca();
  BOOST_TEST(verify_with_store(make_signed(expired, ca), ca) == X509_V_ERR_CERT_HAS_EXPIRED);
  BOOST_TEST(verify_with_store(make_signed(future, ca), ca) == X509_V_ERR_CERT_NOT_YET_VALID);
}

BOOST_AUTO_TEST_CASE(thumbprints_equal_x509_digest_in_upper_case_hex) {
  const KeyPair pair = make_self_signed(device_spec("Flexy1", KeyType::rsa2048, true));
  const std::string sha1 = sha1_thumbprint(pair.cert_pem);
  const std::string sha256 = sha256_thumbprint(pair.cert_pem);
  BOOST_TEST(sha1.size() == 40u);
  BOOST_TEST(sha256.size() == 64u);
  BOOST_TEST(is_upper_hex(sha1));
  BOOST_TEST(is_upper_hex(sha256));
  BOOST_TEST(sha1 == x509_digest_hex(pair, EVP_sha1()));
  BOOST_TEST(sha256 == x509_digest_hex(pair, EVP_sha256()));
  const std::string der = certificate_der(pair.cert_pem);
  BOOST_TEST(sha1_thumbprint_der(der) == sha1);
  BOOST_TEST(sha256_thumbprint_der(der) == sha256);
}

BOOST_AUTO_TEST_CASE(hub_certificate_names_the_azure_wildcard_hub_localhost_loopback_and_extras) {
  const KeyPair ca = make_ca();
  const KeyPair hub = make_hub_server_certificate("eWONPROJECT", ca, {"bench-pc.lan", "192.168.1.10", "fe80::1"});
  auto cert = cert_of(hub);
  BOOST_TEST(common_name(hub.cert_pem) == "*.azure-devices.net");  // as IoT Hub's own certificate
  BOOST_TEST(has_dns_san(cert.get(), "*.azure-devices.net"));
  BOOST_TEST(has_dns_san(cert.get(), "eWONPROJECT.azure-devices.net"));
  BOOST_TEST(has_dns_san(cert.get(), "localhost"));
  BOOST_TEST(has_dns_san(cert.get(), "bench-pc.lan"));
  BOOST_TEST(has_ip_san(cert.get(), "127.0.0.1"));
  BOOST_TEST(has_ip_san(cert.get(), "::1"));
  BOOST_TEST(has_ip_san(cert.get(), "192.168.1.10"));
  BOOST_TEST(has_ip_san(cert.get(), "fe80::1"));
  BOOST_TEST(!has_dns_san(cert.get(), "192.168.1.10"));  // an address is never a DNS entry
  // The wildcard covers every hub name, as IoT Hub's own certificate does; nothing outside it.
  BOOST_TEST(has_dns_san(cert.get(), "otherhub.azure-devices.net"));
  BOOST_TEST(!has_dns_san(cert.get(), "eWONPROJECT.example.org"));
  BOOST_TEST(has_eku(cert.get(), NID_server_auth));
  BOOST_TEST(!basic_constraints(cert.get()).ca);
  BOOST_TEST(verify_with_store(hub, ca) == X509_V_OK);
  // A full host name is taken as given.
  BOOST_TEST(common_name(make_hub_server_certificate("hub.example.org", ca).cert_pem) == "hub.example.org");
}

BOOST_AUTO_TEST_CASE(write_creates_key_with_mode_0600_and_certificate_0644_even_over_an_existing_file) {
  TempDir dir;
  const KeyPair pair = make_self_signed(device_spec("Flexy1", KeyType::ecdsa_p256, false));
  // A pre-existing world-readable key file must not keep its mode.
  { std::ofstream(dir.file("Flexy1.key")) << "old"; }
  ::chmod(dir.file("Flexy1.key").c_str(), 0644);
  const auto [crt, key] = pair.write(dir.path().string(), "Flexy1");
  struct stat st {};
  BOOST_REQUIRE(::stat(key.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 07777) == 0600u);
  BOOST_REQUIRE(::stat(crt.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0600) == 0600u);
  BOOST_TEST((st.st_mode & 0022) == 0u);
  BOOST_TEST(read_text(key) == pair.key_pem);
  BOOST_TEST(read_certificate_file(crt) == pair.cert_pem);
  const KeyPair loaded = load_key_pair(crt, key);
  BOOST_TEST(loaded.cert_pem == pair.cert_pem);
}

BOOST_AUTO_TEST_CASE(read_certificate_file_names_the_file_when_missing_or_not_a_certificate) {
  TempDir dir;
  const std::string junk = dir.write("junk.crt", "hello");
  try {
    read_certificate_file(junk);
    BOOST_FAIL("no error for a non-certificate");
  } catch (const flexhil::ConfigError& e) {
    BOOST_TEST(std::string(e.what()).find(junk) != std::string::npos);
  }
  try {
    read_certificate_file(dir.file("missing.crt"));
    BOOST_FAIL("no error for a missing file");
  } catch (const flexhil::ConfigError& e) {
    BOOST_TEST(std::string(e.what()).find("missing.crt") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(read_certificate_file_accepts_der) {
  TempDir dir;
  const KeyPair pair = make_self_signed(device_spec("Flexy1", KeyType::ecdsa_p256, false));
  const std::string path = dir.write("flexy.cer", certificate_der(pair.cert_pem));
  BOOST_TEST(read_certificate_file(path) == pair.cert_pem);
}

BOOST_AUTO_TEST_CASE(load_key_pair_refuses_a_key_that_does_not_match_the_certificate) {
  TempDir dir;
  const KeyPair a = make_self_signed(device_spec("A", KeyType::ecdsa_p256, true));
  const KeyPair b = make_self_signed(device_spec("B", KeyType::ecdsa_p256, true));
  const std::string crt = dir.write("a.crt", a.cert_pem);
  const std::string key = dir.write("b.key", b.key_pem);
  BOOST_CHECK_THROW(load_key_pair(crt, key), flexhil::ConfigError);
}

// ---------------------------------------------------------------- TLS handshake

namespace {

using SslCtx = std::unique_ptr<SSL_CTX, ossl::Deleter<SSL_CTX_free>>;
using Ssl = std::unique_ptr<SSL, ossl::Deleter<SSL_free>>;

struct HandshakeResult {
  bool ok = false;
  long verify_result = X509_V_OK;
};

// A real TLS handshake over a connected socket pair: server with `server` cert/key, client
// trusting only `trusted_ca` and checking `host`. Both ends are non-blocking and driven in turn,
// so no thread and no sleep is needed.
HandshakeResult tls_handshake(const KeyPair& server, const KeyPair& trusted_ca, const std::string& host) {
  int fds[2];
  BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
  struct Fds {
    int a, b;
    ~Fds() { ::close(a); ::close(b); }
  } closer{fds[0], fds[1]};

  SslCtx server_ctx(SSL_CTX_new(TLS_server_method()));
  auto server_cert = cert_of(server);
  auto server_key = key_of(server);
  BOOST_REQUIRE(SSL_CTX_use_certificate(server_ctx.get(), server_cert.get()) == 1);
  BOOST_REQUIRE(SSL_CTX_use_PrivateKey(server_ctx.get(), server_key.get()) == 1);
  SSL_CTX_set_min_proto_version(server_ctx.get(), TLS1_2_VERSION);

  SslCtx client_ctx(SSL_CTX_new(TLS_client_method()));
  auto ca_cert = cert_of(trusted_ca);
  BOOST_REQUIRE(X509_STORE_add_cert(SSL_CTX_get_cert_store(client_ctx.get()), ca_cert.get()) == 1);
  SSL_CTX_set_verify(client_ctx.get(), SSL_VERIFY_PEER, nullptr);

  Ssl s(SSL_new(server_ctx.get()));
  Ssl c(SSL_new(client_ctx.get()));
  SSL_set_fd(s.get(), fds[0]);
  SSL_set_fd(c.get(), fds[1]);
  SSL_set_accept_state(s.get());
  SSL_set_connect_state(c.get());
  if (ossl::Asn1OctetString ip(a2i_IPADDRESS(host.c_str())); ip) {
    BOOST_REQUIRE(X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c.get()), host.c_str()) == 1);
  } else {
    ERR_clear_error();
    BOOST_REQUIRE(SSL_set1_host(c.get(), host.c_str()) == 1);
    SSL_set_tlsext_host_name(c.get(), host.c_str());
  }

  bool client_done = false, server_done = false, failed = false;
  for (int round = 0; round < 1000 && !failed && !(client_done && server_done); ++round) {
    for (auto* side : {c.get(), s.get()}) {
      bool& done = side == c.get() ? client_done : server_done;
      if (done) continue;
      const int r = SSL_do_handshake(side);
      if (r == 1) {
        done = true;
      } else {
        const int e = SSL_get_error(side, r);
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) failed = true;
      }
    }
  }
  ERR_clear_error();
  HandshakeResult result;
  result.ok = client_done && server_done && !failed;
  result.verify_result = SSL_get_verify_result(c.get());
  return result;
}

}  // namespace

BOOST_AUTO_TEST_CASE(tls_client_trusting_the_ca_accepts_the_hub_certificate_for_its_host_name) {
  const KeyPair ca = make_ca();
  const KeyPair hub = make_hub_server_certificate("eWONPROJECT", ca);
  const HandshakeResult r = tls_handshake(hub, ca, "eWONPROJECT.azure-devices.net");
  BOOST_TEST(r.ok);
  BOOST_TEST(r.verify_result == X509_V_OK);
  BOOST_TEST(tls_handshake(hub, ca, "localhost").ok);
  BOOST_TEST(tls_handshake(hub, ca, "127.0.0.1").ok);
  BOOST_TEST(tls_handshake(hub, ca, "::1").ok);
  BOOST_TEST(!tls_handshake(hub, ca, "10.9.9.9").ok);
}

BOOST_AUTO_TEST_CASE(tls_client_trusting_another_ca_or_expecting_another_host_refuses_the_hub) {
  const KeyPair ca = make_ca();
  const KeyPair other = make_ca("Other CA");
  const KeyPair hub = make_hub_server_certificate("eWONPROJECT", ca);
  const HandshakeResult wrong_ca = tls_handshake(hub, other, "eWONPROJECT.azure-devices.net");
  BOOST_TEST(!wrong_ca.ok);
  BOOST_TEST(wrong_ca.verify_result != X509_V_OK);
  const HandshakeResult wrong_host = tls_handshake(hub, ca, "eWONPROJECT.example.org");
  BOOST_TEST(!wrong_host.ok);
  BOOST_TEST(wrong_host.verify_result == X509_V_ERR_HOSTNAME_MISMATCH);
}

// ---------------------------------------------------------------- SAS tokens

namespace {

const std::string kKey = "c2VjcmV0LWtleS0xMjM0NTY3ODkwMTIzNDU2Nzg5MA==";  // the registry example's key
const std::string kResource = "eWONPROJECT.azure-devices.net/devices/FlexySas";

// The expected signature computed independently with OpenSSL's one-shot HMAC().
std::string independent_signature(const std::string& key_b64, const std::string& message) {
  std::string key;
  BOOST_REQUIRE(flexhil::base64_decode(key_b64, key));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  BOOST_REQUIRE(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                     reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &n) != nullptr);
  return flexhil::base64_encode(std::string(reinterpret_cast<const char*>(mac), n));
}

std::string token_for(SrSpelling spelling, std::optional<std::string> policy = std::nullopt) {
  SasTokenRequest request;
  request.resource = kResource;
  request.key_base64 = kKey;
  request.expiry = 1800000000;
  request.spelling = spelling;
  request.policy_name = std::move(policy);
  return make_sas_token(request);
}

}  // namespace

BOOST_AUTO_TEST_CASE(sas_token_matches_an_independent_hmac_computation) {
  const std::string token = token_for(SrSpelling::percent_upper);
  const std::string sr = "eWONPROJECT.azure-devices.net%2Fdevices%2FFlexySas";
  const std::string sig = independent_signature(kKey, sr + "\n1800000000");
  BOOST_TEST(token == "SharedAccessSignature sr=" + sr + "&sig=" + url_encode(sig) + "&se=1800000000");
  const auto parsed = parse_sas_token(token);
  BOOST_REQUIRE(parsed);
  BOOST_TEST(parsed->signature == sig);
  BOOST_TEST(parsed->sr_raw == sr);
  BOOST_TEST(parsed->sr_decoded == kResource);
  BOOST_TEST(parsed->expiry == 1800000000);
  BOOST_TEST(!parsed->skn);
}

BOOST_AUTO_TEST_CASE(sas_token_in_each_sr_spelling_verifies_and_signs_the_spelling_transmitted) {
  const std::vector<std::pair<SrSpelling, std::string>> cases = {
      {SrSpelling::unencoded, kResource},
      {SrSpelling::percent_upper, "eWONPROJECT.azure-devices.net%2Fdevices%2FFlexySas"},
      {SrSpelling::percent_lower, "eWONPROJECT.azure-devices.net%2fdevices%2fFlexySas"}};
  for (const auto& [spelling, sr] : cases) {
    BOOST_TEST_CONTEXT("sr " << sr) {
      const auto parsed = parse_sas_token(token_for(spelling));
      BOOST_REQUIRE(parsed);
      BOOST_TEST(parsed->sr_raw == sr);
      BOOST_TEST(parsed->sr_decoded == kResource);
      BOOST_TEST(parsed->signature == independent_signature(kKey, sr + "\n1800000000"));
      BOOST_TEST(verify_sas_signature(*parsed, kKey));
    }
  }
}

BOOST_AUTO_TEST_CASE(sas_token_with_fields_reordered_and_upper_case_names_is_accepted) {
  const auto original = parse_sas_token(token_for(SrSpelling::percent_lower, "iothubowner"));
  BOOST_REQUIRE(original);
  const std::string reordered = "SharedAccessSignature SKN=iothubowner&SE=" + original->se_raw +
                                "&Sig=" + url_encode(original->signature) + "&SR=" + original->sr_raw;
  std::string error;
  const auto parsed = parse_sas_token(reordered, &error);
  BOOST_REQUIRE_MESSAGE(parsed, error);
  BOOST_TEST(parsed->skn.value_or("") == "iothubowner");
  BOOST_TEST(parsed->sr_raw == original->sr_raw);
  BOOST_TEST(verify_sas_signature(*parsed, kKey));
}

BOOST_AUTO_TEST_CASE(sas_token_with_a_wrong_key_or_altered_fields_fails_verification) {
  const auto parsed = parse_sas_token(token_for(SrSpelling::percent_upper));
  BOOST_REQUIRE(parsed);
  BOOST_TEST(!verify_sas_signature(*parsed, "b3RoZXIta2V5LTEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI="));
  BOOST_TEST(!verify_sas_signature(*parsed, "not base64!"));
  auto later = *parsed;
  later.se_raw = "1800000001";
  BOOST_TEST(!verify_sas_signature(later, kKey));
  auto respelled = *parsed;  // the signature covers sr as transmitted, not its decoded form
  respelled.sr_raw = parsed->sr_decoded;
  BOOST_TEST(!verify_sas_signature(respelled, kKey));
}

BOOST_AUTO_TEST_CASE(malformed_sas_tokens_are_rejected_with_a_reason) {
  const std::string good_sig = "sig=abc%3D";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"sharedaccesssignature sr=a&sig=b&se=1", "SharedAccessSignature"},
      {"SharedAccessSignature  sr=a&sig=b&se=1", "malformed"},
      {"SharedAccessSignaturesr=a&sig=b&se=1", "SharedAccessSignature"},
      {"SharedAccessSignature sig=b&se=1", "'sr'"},
      {"SharedAccessSignature sr=a&se=1", "'sig'"},
      {"SharedAccessSignature sr=a&sig=b", "'se'"},
      {"SharedAccessSignature sr=a&sig=b&se=1&sr=c", "duplicate"},
      {"SharedAccessSignature sr=a&sig=b&SIG=c&se=1", "duplicate"},
      {"SharedAccessSignature sr=a&sig=b&se=12x", "decimal"},
      {"SharedAccessSignature sr=a&sig=b&se=-5", "decimal"},
      {"SharedAccessSignature sr=a&sig=b&se=99999999999999999999999", "decimal"},
      {"SharedAccessSignature sr=a&&sig=b&se=1", "malformed"},
      {"SharedAccessSignature sr=a&sig&se=1", "malformed"},
      {"", "SharedAccessSignature"},
  };
  for (const auto& [token, reason] : cases) {
    BOOST_TEST_CONTEXT("token '" << token << "'") {
      std::string error;
      BOOST_TEST(!parse_sas_token(token, &error));
      BOOST_TEST(error.find(reason) != std::string::npos, "error '" << error << "' lacks '" << reason << "'");
    }
  }
  BOOST_TEST(!parse_sas_token("SharedAccessSignature sr=a&sig=b"));  // no error pointer: still safe
}

BOOST_AUTO_TEST_CASE(make_sas_token_refuses_a_key_that_is_not_base64) {
  SasTokenRequest request;
  request.resource = kResource;
  request.key_base64 = "not base64!";
  BOOST_CHECK_THROW(make_sas_token(request), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(url_encoding_keeps_unreserved_and_decoding_keeps_plus_and_stray_percent) {
  BOOST_TEST(url_encode("a/b+c=d e~-._") == "a%2Fb%2Bc%3Dd%20e~-._");
  BOOST_TEST(url_decode("a%2fb%2Bc+d%") == "a/b+c+d%");
  BOOST_TEST(url_decode("%zz%4") == "%zz%4");
}

BOOST_AUTO_TEST_CASE(duration_text_accepts_units_and_refuses_junk) {
  BOOST_TEST(parse_duration_text("3600")->count() == 3600);
  BOOST_TEST(parse_duration_text("90s")->count() == 90);
  BOOST_TEST(parse_duration_text("30m")->count() == 1800);
  BOOST_TEST(parse_duration_text("1h")->count() == 3600);
  BOOST_TEST(parse_duration_text("7d")->count() == 7 * 86400);
  for (const char* bad : {"", "h", "1x", "-1h", "0", "1.5h", "99999999999999999999d"})
    BOOST_TEST(!parse_duration_text(bad), "'" << bad << "' accepted");
}

// ---------------------------------------------------------------- the `flexhil certs` CLI

namespace {

struct RunResult {
  int status = -1;
  std::string out;
  std::string err;
};

RunResult run_flexhil(const TempDir& dir, std::vector<std::string> args) {
  static int counter = 0;
  const std::string tag = std::to_string(++counter);
  flexhil::ChildProcess::Options options;
  options.argv = {flexhil::testing::flexhil_binary()};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.stdout_path = dir.file("stdout" + tag);
  options.stderr_path = dir.file("stderr" + tag);
  auto child = flexhil::ChildProcess::spawn(options);
  RunResult result;
  const auto status = child.wait_for(std::chrono::seconds(30));
  BOOST_REQUIRE_MESSAGE(status, "flexhil did not exit within 30 s");
  result.status = *status;
  result.out = read_text(*options.stdout_path);
  result.err = read_text(*options.stderr_path);
  return result;
}

}  // namespace

BOOST_AUTO_TEST_CASE(cli_device_self_signed_prints_the_thumbprints_of_the_file_it_wrote) {
  TempDir dir;
  const auto r = run_flexhil(dir, {"certs", "device", "--id", "Flexy1", "--self-signed", "--key", "ecdsa",
                                   "--out", dir.file("pki")});
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  const std::string pem = read_certificate_file(dir.file("pki/Flexy1.crt"));
  BOOST_TEST(common_name(pem) == "Flexy1");
  BOOST_TEST(r.out.find("primary_thumbprint = \"" + sha1_thumbprint(pem) + "\"") != std::string::npos, r.out);
  BOOST_TEST(r.out.find(sha256_thumbprint(pem)) != std::string::npos, r.out);
  struct stat st {};
  BOOST_REQUIRE(::stat(dir.file("pki/Flexy1.key").c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 07777) == 0600u);

  const auto t = run_flexhil(dir, {"certs", "thumbprint", dir.file("pki/Flexy1.crt")});
  BOOST_TEST(t.status == 0);
  BOOST_TEST(t.out.find(sha1_thumbprint(pem)) != std::string::npos, t.out);
}

BOOST_AUTO_TEST_CASE(cli_ca_hub_and_ca_signed_device_chain_verifies) {
  TempDir dir;
  const std::string pki = dir.file("pki");
  BOOST_TEST_REQUIRE(run_flexhil(dir, {"certs", "ca", "--out", pki}).status == 0);
  const auto hub = run_flexhil(dir, {"certs", "hub", "--hub", "eWONPROJECT", "--ca-dir", pki, "--out", pki,
                                     "--extra-name", "10.1.2.3", "--extra-name", "bench.lan"});
  BOOST_TEST_REQUIRE(hub.status == 0, hub.err);
  const auto dev = run_flexhil(dir, {"certs", "device", "--id", "Flexy2", "--ca-dir", pki, "--expired", "--out", pki});
  BOOST_TEST_REQUIRE(dev.status == 0, dev.err);
  const KeyPair ca = load_key_pair(pki + "/ca.crt", pki + "/ca.key");
  const KeyPair hub_pair = load_key_pair(pki + "/hub.crt", pki + "/hub.key");
  const KeyPair dev_pair = load_key_pair(pki + "/Flexy2.crt", pki + "/Flexy2.key");
  BOOST_TEST(verify_with_store(hub_pair, ca) == X509_V_OK);
  BOOST_TEST(verify_with_store(dev_pair, ca) == X509_V_ERR_CERT_HAS_EXPIRED);
  auto hub_cert = cert_of(hub_pair);
  BOOST_TEST(has_ip_san(hub_cert.get(), "10.1.2.3"));
  BOOST_TEST(has_dns_san(hub_cert.get(), "bench.lan"));
  BOOST_TEST(has_dns_san(hub_cert.get(), "eWONPROJECT.azure-devices.net"));
}

BOOST_AUTO_TEST_CASE(cli_sas_prints_a_token_that_verifies) {
  TempDir dir;
  const auto r = run_flexhil(dir, {"certs", "sas", "--hub", "eWONPROJECT", "--device", "FlexySas", "--key", kKey,
                                   "--ttl", "1h", "--sr-spelling", "lower"});
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  std::string token = r.out;
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  std::string error;
  const auto parsed = parse_sas_token(token, &error);
  BOOST_REQUIRE_MESSAGE(parsed, error << " in '" << token << "'");
  BOOST_TEST(parsed->sr_raw == "eWONPROJECT.azure-devices.net%2fdevices%2fFlexySas");
  BOOST_TEST(verify_sas_signature(*parsed, kKey));
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  BOOST_TEST(parsed->expiry > now + 3500);
  BOOST_TEST(parsed->expiry <= now + 3600 + 5);
}

BOOST_AUTO_TEST_CASE(cli_bad_arguments_exit_2_with_a_message) {
  TempDir dir;
  const std::vector<std::vector<std::string>> cases = {
      {"certs"},
      {"certs", "device", "--id", "Flexy1", "--out", dir.file("x")},                       // neither mode
      {"certs", "device", "--id", "Flexy1", "--self-signed", "--ca-dir", "d", "--out", "o"},  // both modes
      {"certs", "device", "--id", "bad/id", "--self-signed", "--out", dir.file("x")},
      {"certs", "device", "--id", "F", "--self-signed", "--key", "dsa", "--out", dir.file("x")},
      {"certs", "device", "--id", "F", "--self-signed", "--expired", "--not-yet-valid", "--out", dir.file("x")},
      {"certs", "sas", "--hub", "h", "--device", "d", "--key", "not base64!"},
      {"certs", "sas", "--hub", "h", "--device", "d", "--key", kKey, "--ttl", "soon"},
      {"certs", "sas", "--hub", "h", "--device", "d", "--key", kKey, "--sr-spelling", "mixed"},
      {"certs", "thumbprint", dir.file("missing.crt")},
      {"certs", "hub", "--hub", "h", "--ca-dir", dir.file("nope"), "--out", dir.file("x")},
  };
  for (const auto& args : cases) {
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    BOOST_TEST_CONTEXT("flexhil " << joined) {
      const auto r = run_flexhil(dir, args);
      BOOST_TEST(r.status == 2);
      BOOST_TEST(!r.err.empty());
    }
  }
}

// What `flexhil certs` prints for a registry author, from a real certificate.
BOOST_AUTO_TEST_SUITE(certificate_summary)

BOOST_AUTO_TEST_CASE(thumbprints_are_the_certificates_sha1_and_sha256) {
  const KeyPair pair = make_self_signed(device_spec("Flexy1", KeyType::ecdsa_p256, false));
  std::ostringstream out;
  print_thumbprints(out, pair.cert_pem);
  BOOST_TEST(out.str() == "SHA-1   thumbprint: " + sha1_thumbprint(pair.cert_pem) + "\n" +
                              "SHA-256 thumbprint: " + sha256_thumbprint(pair.cert_pem) + "\n");
  BOOST_TEST(sha1_thumbprint(pair.cert_pem).size() == 40u);
}

BOOST_AUTO_TEST_CASE(a_self_signed_device_is_registered_by_thumbprint) {
  const KeyPair pair = make_self_signed(device_spec("Flexy1", KeyType::ecdsa_p256, false));
  std::ostringstream out;
  print_registry_entry(out, "Flexy1", pair.cert_pem, true);
  const auto text = out.str();
  BOOST_TEST(text.find("[[device]]\nid = \"Flexy1\"\nauth = \"x509-selfsigned\"\n") != std::string::npos);
  BOOST_TEST(text.find("primary_thumbprint = \"" + sha1_thumbprint(pair.cert_pem) + "\"") != std::string::npos);
  BOOST_TEST(text.find(sha256_thumbprint(pair.cert_pem)) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_ca_signed_device_is_registered_by_its_ca) {
  const KeyPair pair = make_signed(device_spec("Flexy2", KeyType::ecdsa_p256, false), make_ca());
  std::ostringstream out;
  print_registry_entry(out, "Flexy2", pair.cert_pem, false);
  BOOST_TEST(out.str() == "\n# device registry entry (devices.toml):\n[[device]]\nid = \"Flexy2\"\nauth = \"x509-ca\"\n");
}

BOOST_AUTO_TEST_SUITE_END()
