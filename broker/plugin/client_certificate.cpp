#include "broker/plugin/client_certificate.hpp"

#include <openssl/asn1.h>
#include <openssl/x509.h>

#include <memory>

// mosquitto_broker.h must come before mosquitto_plugin.h (and after mosquitto.h).
#include <mosquitto.h>
#include <mosquitto_broker.h>

#include "certs/pki.hpp"

namespace flexhil::broker::plugin {

namespace {
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
}  // namespace

std::optional<PresentedCertificate> client_certificate(const mosquitto* client) {
  std::unique_ptr<X509, X509Deleter> cert(static_cast<X509*>(mosquitto_client_certificate(client)));
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
  if (X509_NAME* subject = X509_get_subject_name(cert.get())) {
    const int idx = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (idx >= 0) {
      ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
      unsigned char* utf8 = nullptr;
      const int n = ASN1_STRING_to_UTF8(&utf8, data);
      if (n >= 0 && utf8) out.common_name.assign(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
      OPENSSL_free(utf8);
    }
  }
  if (const ASN1_TIME* end = X509_get0_notAfter(cert.get())) {
    struct tm tm {};
    if (ASN1_TIME_to_tm(end, &tm) == 1) out.not_after = static_cast<std::int64_t>(timegm(&tm));
  }
  return out;
}

}  // namespace flexhil::broker::plugin
