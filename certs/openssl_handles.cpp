// Small conversions between OpenSSL objects and PEM/DER strings, shared by the PKI code.
#include "certs/openssl_handles.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

namespace flexhil::certs::ossl {

std::string last_error() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text.empty() ? std::string("unknown OpenSSL error") : text;
}

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string(what) + ": " + last_error());
}

Bio memory_bio(const std::string& text) {
  Bio bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  check(bio != nullptr, "BIO_new_mem_buf");
  return bio;
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

Cert parse_pem_certificate(const std::string& pem) {
  Bio bio = memory_bio(pem);
  Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();  // a failed parse is an answer ("not a certificate"), not a pending error
  return cert;
}

PKey parse_pem_private_key(const std::string& pem) {
  Bio bio = memory_bio(pem);
  // An empty passphrase callback result: encrypted keys are refused instead of prompting.
  PKey key(PEM_read_bio_PrivateKey(bio.get(), nullptr,
                                   [](char*, int, int, void*) { return 0; }, nullptr));
  ERR_clear_error();
  return key;
}

std::string to_pem(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  check(bio && PEM_write_bio_X509(bio.get(), cert) == 1, "PEM_write_bio_X509");
  return bio_contents(bio.get());
}

std::string to_pem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  check(bio && PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PEM_write_bio_PrivateKey");
  return bio_contents(bio.get());
}

std::string to_der(X509* cert) {
  unsigned char* der = nullptr;
  const int n = i2d_X509(cert, &der);
  check(n > 0, "i2d_X509");
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
  OPENSSL_free(der);
  return out;
}

}  // namespace flexhil::certs::ossl
