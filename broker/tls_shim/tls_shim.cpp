// flexhil's TLS shim for mosquitto, preloaded into the broker only (LD_PRELOAD), never linked
// into flexhil itself.
//
// Why a shim: the real IoT Hub serves SAS and X.509 devices on one 8883, *requests* a client
// certificate without requiring one, completes the handshake whatever certificate comes, and
// refuses a bad one at CONNECT (CONNACK 5). mosquitto 2.0.11 can only require a certificate
// (and then fail the handshake on an unknown CA or an expired certificate) or not ask for one;
// its `tls_version` option is a minimum, so TLS 1.3 is negotiated where the hub speaks 1.2.
// Both are OpenSSL settings of the listener's SSL_CTX, which mosquitto (and libwebsockets for
// the WebSocket listener) create through these two entry points. Interposing them keeps the
// real broker unchanged; the plugin then judges the certificate the device presented
// (mosquitto_client_certificate) at CONNECT.
//
// Policy, from the broker's environment (set by HubProcess for the mosquitto child only):
//   FLEXHIL_TLS_CLIENT_CERT=optional  request a client certificate, accept any, let the plugin judge
//   FLEXHIL_TLS_MAX_VERSION=1.2|1.3   the highest protocol version the listeners offer
// Unset variables leave mosquitto's behaviour untouched.
//
// The plugin also asks the shim which listener a client is on: mosquitto's plugin API names no
// listener, and mosquitto_client_certificate() looks at the peer certificate only for a TLS
// session. The shim counts those looks (flexhil_tls_shim_peer_queries), so a client for which
// the count does not move is on the plain internal listener (or a WebSocket one).
#include <dlfcn.h>
#include <openssl/ssl.h>

#include <cstdlib>
#include <cstring>

namespace {

bool client_certificate_optional() {
  const char* v = std::getenv("FLEXHIL_TLS_CLIENT_CERT");
  return v != nullptr && std::strcmp(v, "optional") == 0;
}

int max_protocol_version() {
  const char* v = std::getenv("FLEXHIL_TLS_MAX_VERSION");
  if (v == nullptr) return 0;
  if (std::strcmp(v, "1.2") == 0) return TLS1_2_VERSION;
  if (std::strcmp(v, "1.3") == 0) return TLS1_3_VERSION;
  return 0;
}

// Every certificate passes the handshake: the plugin decides at CONNECT, as the hub does.
int accept_any_certificate(int /*preverify_ok*/, X509_STORE_CTX* /*ctx*/) { return 1; }

template <typename Function>
Function next_definition(const char* name) {
  return reinterpret_cast<Function>(::dlsym(RTLD_NEXT, name));
}

using SetVerify = void (*)(SSL_CTX*, int, SSL_verify_cb);
using PeerCertificate = X509* (*)(const SSL*);

// mosquitto runs its network loop and every plugin callback on one thread.
unsigned long peer_queries = 0;
using NewContext = SSL_CTX* (*)(const SSL_METHOD*);

SetVerify real_set_verify() {
  static const SetVerify real = next_definition<SetVerify>("SSL_CTX_set_verify");  // resolved once
  return real;
}

void apply_verify_policy(SSL_CTX* ctx) {
  // SSL_VERIFY_PEER without SSL_VERIFY_FAIL_IF_NO_PEER_CERT: a server sends CertificateRequest
  // and goes on when the client sends none.
  if (client_certificate_optional()) real_set_verify()(ctx, SSL_VERIFY_PEER, accept_any_certificate);
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) SSL_CTX* SSL_CTX_new(const SSL_METHOD* method) {
  static const NewContext real = next_definition<NewContext>("SSL_CTX_new");
  if (real == nullptr) return nullptr;
  SSL_CTX* ctx = real(method);
  if (ctx == nullptr) return ctx;
  if (const int version = max_protocol_version(); version != 0) SSL_CTX_set_max_proto_version(ctx, version);
  apply_verify_policy(ctx);
  return ctx;
}

__attribute__((visibility("default"))) X509* SSL_get1_peer_certificate(const SSL* ssl) {
  static const PeerCertificate real = next_definition<PeerCertificate>("SSL_get1_peer_certificate");
  ++peer_queries;
  return real == nullptr ? nullptr : real(ssl);
}

// Looked up by the iothub plugin with dlsym(RTLD_DEFAULT, …); absent when the shim is not loaded.
__attribute__((visibility("default"))) unsigned long flexhil_tls_shim_peer_queries() { return peer_queries; }

__attribute__((visibility("default"))) void SSL_CTX_set_verify(SSL_CTX* ctx, int mode, SSL_verify_cb callback) {
  const SetVerify real = real_set_verify();
  if (real == nullptr) return;
  if (client_certificate_optional()) {
    apply_verify_policy(ctx);  // mosquitto's own choice (none, or required) is replaced
    return;
  }
  real(ctx, mode, callback);
}

}  // extern "C"
