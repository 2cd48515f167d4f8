#pragma once
// RAII owners for the OpenSSL objects the PKI handles, so every early return (and every throw)
// frees what was allocated. Each alias is a unique_ptr whose deleter is the matching *_free.
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace flexhil::certs::ossl {

template <auto FreeFn>
struct Deleter {
  template <typename T>
  void operator()(T* p) const noexcept {
    FreeFn(p);
  }
};

using PKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BigNum = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using Asn1Integer = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;
using Asn1OctetString = std::unique_ptr<ASN1_OCTET_STRING, Deleter<ASN1_OCTET_STRING_free>>;
using Extension = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using GeneralNames = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using GeneralName = std::unique_ptr<GENERAL_NAME, Deleter<GENERAL_NAME_free>>;
using Store = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using StoreCtx = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;

// The last OpenSSL error as text (and clears the queue), for exception messages.
std::string last_error();

// Throws std::runtime_error("<what>: <openssl error>") when `ok` is false.
void check(bool ok, const char* what);

// A memory BIO holding `text` (read-only view; `text` must outlive the BIO).
Bio memory_bio(const std::string& text);
// Everything written to a memory BIO, as a string.
std::string bio_contents(BIO* bio);

Cert parse_pem_certificate(const std::string& pem);   // nullptr when not a PEM certificate
PKey parse_pem_private_key(const std::string& pem);   // nullptr when not a PEM key
std::string to_pem(X509* cert);
std::string to_pem(EVP_PKEY* key);  // PKCS#8, unencrypted
std::string to_der(X509* cert);

}  // namespace flexhil::certs::ossl
