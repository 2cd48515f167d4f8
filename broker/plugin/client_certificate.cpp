#include "broker/plugin/client_certificate.hpp"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>

// mosquitto_broker.h must come before mosquitto_plugin.h (and after mosquitto.h).
#include <mosquitto.h>
#include <mosquitto_broker.h>

#include "certs/pki.hpp"
#include "common/error.hpp"

namespace flexhil::broker::plugin {

namespace {
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct StoreCtxDeleter {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

std::string subject_cn(X509* cert) {
  std::string cn;
  X509_NAME* subject = X509_get_subject_name(cert);
  if (!subject) return cn;
  const int idx = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (idx < 0) return cn;
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, data);
  if (n >= 0 && utf8) cn.assign(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  return cn;
}

std::optional<std::int64_t> epoch_of(const ASN1_TIME* t) {
  struct tm tm {};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return static_cast<std::int64_t>(timegm(&tm));
}

// Every certificate of a PEM text (a bundle may hold several).
std::vector<X509Ptr> parse_pem_certificates(const std::string& pem) {
  std::vector<X509Ptr> out;
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  while (bio) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    out.push_back(std::move(cert));
  }
  ERR_clear_error();  // the end of the text reads as a "no start line" error
  return out;
}
}  // namespace

struct RegisteredCas::Anchor {
  std::string name;
  X509Ptr cert;
};

RegisteredCas::RegisteredCas(const Registry& registry, const std::string& extra_pem_file) : store_(X509_STORE_new()) {
  if (!store_) throw InfrastructureError("OpenSSL could not make a certificate store");
  for (const auto& ca : registry.cas) add(certs::read_certificate_file(ca.certificate), ca.name);
  if (!extra_pem_file.empty()) {
    std::ifstream in(extra_pem_file, std::ios::binary);
    if (!in) throw ConfigError({extra_pem_file}, "cannot read the trusted CA file");
    std::ostringstream text;
    text << in.rdbuf();
    add(text.str(), "");
  }
}

RegisteredCas::~RegisteredCas() { X509_STORE_free(store_); }

void RegisteredCas::add(const std::string& pem, const std::string& name) {
  for (auto& cert : parse_pem_certificates(pem)) {
    X509_STORE_add_cert(store_, cert.get());  // takes its own reference
    ERR_clear_error();                        // the same CA twice is not an error for us
    anchors_.push_back({name.empty() ? subject_cn(cert.get()) : name, std::move(cert)});
  }
}

void RegisteredCas::verify(X509* leaf, PresentedCertificate& out) const {
  if (anchors_.empty()) {
    out.chain_error = "no CA certificate is registered";
    return;
  }
  std::unique_ptr<X509_STORE_CTX, StoreCtxDeleter> ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store_, leaf, nullptr) != 1) {
    out.chain_error = "OpenSSL could not start the chain check";
    return;
  }
  // Dates are the judge's (AUTH-X509-EXPIRED); an intermediate CA may be the registered one.
  X509_STORE_CTX_set_flags(ctx.get(), X509_V_FLAG_NO_CHECK_TIME | X509_V_FLAG_PARTIAL_CHAIN);
  if (X509_verify_cert(ctx.get()) != 1) {
    out.chain_error = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
    ERR_clear_error();
    return;
  }
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
  X509* top = chain ? sk_X509_value(chain, sk_X509_num(chain) - 1) : nullptr;
  for (const auto& a : anchors_)
    if (top && X509_cmp(top, a.cert.get()) == 0) {
      out.verified_by = a.name;
      return;
    }
  out.verified_by = top ? subject_cn(top) : std::string("?");
}

std::optional<PresentedCertificate> client_certificate(const mosquitto* client, const RegisteredCas& cas) {
  X509Ptr cert(static_cast<X509*>(mosquitto_client_certificate(client)));
  if (!cert) return std::nullopt;
  PresentedCertificate out;
  const int len = i2d_X509(cert.get(), nullptr);
  if (len > 0) {
    std::string der(static_cast<std::size_t>(len), '\0');
    auto* p = reinterpret_cast<unsigned char*>(der.data());
    i2d_X509(cert.get(), &p);
    out.sha1 = certs::sha1_thumbprint_der(der);
    out.sha256 = certs::sha256_thumbprint_der(der);
  }
  out.common_name = subject_cn(cert.get());
  out.not_before = epoch_of(X509_get0_notBefore(cert.get()));
  out.not_after = epoch_of(X509_get0_notAfter(cert.get()));
  cas.verify(cert.get(), out);
  return out;
}

}  // namespace flexhil::broker::plugin
