#pragma once
// What the plugin learns from the client certificate of a TLS session: thumbprints of its DER,
// subject CN, validity dates, and whether it chains to a registered CA. The handshake let any
// certificate through (the TLS shim), so that chain check is made here, with OpenSSL, against
// the registry's [[ca]] certificates and the hub's extra trusted CAs. The X509 is freed here.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/connect_judge.hpp"
#include "broker/registry.hpp"

struct mosquitto;
struct x509_st;
struct x509_store_st;

namespace flexhil::broker::plugin {

// The CAs a CA-signed device certificate may chain to, each with the name a verdict shows
// (the registry's [[ca]] name; the subject CN for a certificate of the extra file).
class RegisteredCas {
 public:
  // Throws ConfigError when a certificate cannot be read.
  RegisteredCas(const Registry& registry, const std::string& extra_pem_file);
  ~RegisteredCas();
  RegisteredCas(const RegisteredCas&) = delete;
  RegisteredCas& operator=(const RegisteredCas&) = delete;

  // Sets verified_by (or chain_error) of `out` for `leaf`. Validity dates are not checked here:
  // the connect judge reports them as AUTH-X509-EXPIRED, whatever the chain.
  void verify(x509_st* leaf, PresentedCertificate& out) const;

 private:
  struct Anchor;
  void add(const std::string& pem, const std::string& name);
  std::vector<Anchor> anchors_;
  x509_store_st* store_ = nullptr;  // owned (X509_STORE_free)
};

std::optional<PresentedCertificate> client_certificate(const mosquitto* client, const RegisteredCas& cas);

}  // namespace flexhil::broker::plugin
