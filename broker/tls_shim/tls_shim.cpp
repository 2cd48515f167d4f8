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
//
// What the plugin cannot see through mosquitto's API, the shim also keeps per TLS session (the
// SSL object, remembered at the plugin's certificate look as the session's handle):
//   - the time of the last plaintext read (CLOCK_MONOTONIC): the plugin enforces the hub's
//     keep-alive (1.5 x, capped) to a tick instead of mosquitto's whole-second check;
//   - the first plaintext bytes, which start with the CONNECT: the plugin reads the will there.
// And it gates the WebSocket port (FLEXHIL_TLS_WS_PORT): the upgrade request is judged by
// broker/websocket_upgrade.hpp before libwebsockets sees it; a wrong path or subprotocol gets
// the HTTP refusal and the connection is closed. Sessions are forgotten at SSL_free.
#include <dlfcn.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string>
#include <unordered_map>

#include "broker/websocket_upgrade.hpp"

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

// Kept for the prefix only; 4 KB hold a CONNECT up to its will topic (ClientId <= 128 chars,
// topic <= 4 KB would not fit: such a will is judged unreadable, not accepted blindly).
constexpr std::size_t kPrefixBytes = 4096;

struct Session {
  long long last_read_ns = -1;
  std::string prefix;       // the first plaintext bytes the broker read
  bool gate_done = false;   // the WebSocket upgrade was judged (or this is not the WebSocket port)
};

// The broker's own state, not ours: a preloaded library has no userdata to put it in.
struct Sessions {
  std::mutex mutex;
  std::unordered_map<const SSL*, Session> by_ssl;
  const SSL* last_peer_query = nullptr;
};

Sessions& sessions() {
  static Sessions s;  // mosquitto frees its sessions before exit runs this destructor
  return s;
}

// The coarse clock (the kernel's last tick, a few ms old; the same base as CLOCK_MONOTONIC): this
// runs on every SSL_read, several per message, and the keep-alive it serves is judged at 1.5 x
// the keep-alive ± 0.5 s (bench/README.md, hub_overhead).
long long monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

int websocket_port() {
  static const int port = [] {
    const char* v = std::getenv("FLEXHIL_TLS_WS_PORT");
    return v == nullptr ? 0 : std::atoi(v);
  }();
  return port;
}

int local_port(const SSL* ssl) {
  const int fd = SSL_get_fd(ssl);
  if (fd < 0) return 0;
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return 0;
}

// Records a successful read; returns false when the WebSocket gate refused the session (the
// refusal has been written to the client and the read must look like a closed connection).
bool on_read(SSL* ssl, const void* data, std::size_t n) {
  std::string head;
  {
    auto& s = sessions();
    std::lock_guard lock(s.mutex);
    Session& session = s.by_ssl[ssl];
    session.last_read_ns = monotonic_ns();
    if (session.prefix.size() < kPrefixBytes)
      session.prefix.append(static_cast<const char*>(data), std::min(n, kPrefixBytes - session.prefix.size()));
    if (session.gate_done) return true;
    if (websocket_port() == 0 || local_port(ssl) != websocket_port()) {
      session.gate_done = true;
      return true;
    }
    head = session.prefix;
    const auto verdict = flexhil::broker::judge_websocket_upgrade(head);
    if (!verdict) return true;  // the request head is not complete yet
    session.gate_done = true;
    if (verdict->accepted) return true;
    head = flexhil::broker::http_refusal(*verdict);
    std::fprintf(stderr, "flexhil tls shim: WebSocket upgrade refused with %d: %s\n", verdict->status,
                 verdict->reason.c_str());
  }
  SSL_write(ssl, head.data(), static_cast<int>(head.size()));
  return false;
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) int SSL_read(SSL* ssl, void* buf, int num) {
  using Read = int (*)(SSL*, void*, int);
  static const Read real = next_definition<Read>("SSL_read");
  if (real == nullptr) return -1;
  const int n = real(ssl, buf, num);
  if (n > 0 && !on_read(ssl, buf, static_cast<std::size_t>(n))) return 0;
  return n;
}

__attribute__((visibility("default"))) int SSL_read_ex(SSL* ssl, void* buf, size_t num, size_t* readbytes) {
  using ReadEx = int (*)(SSL*, void*, size_t, size_t*);
  static const ReadEx real = next_definition<ReadEx>("SSL_read_ex");
  if (real == nullptr) return 0;
  const int ok = real(ssl, buf, num, readbytes);
  if (ok == 1 && readbytes != nullptr && *readbytes > 0 && !on_read(ssl, buf, *readbytes)) {
    *readbytes = 0;
    return 0;
  }
  return ok;
}

__attribute__((visibility("default"))) void SSL_free(SSL* ssl) {
  using Free = void (*)(SSL*);
  static const Free real = next_definition<Free>("SSL_free");
  {
    auto& s = sessions();
    std::lock_guard lock(s.mutex);
    s.by_ssl.erase(ssl);
    if (s.last_peer_query == ssl) s.last_peer_query = nullptr;
  }
  if (real != nullptr) real(ssl);
}

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
  {
    auto& s = sessions();
    std::lock_guard lock(s.mutex);
    s.last_peer_query = ssl;
  }
  return real == nullptr ? nullptr : real(ssl);
}

// The TLS session of the last certificate look: the plugin's handle for the client it is
// authenticating (null before any look).
__attribute__((visibility("default"))) const void* flexhil_tls_shim_last_peer_session() {
  auto& s = sessions();
  std::lock_guard lock(s.mutex);
  return s.last_peer_query;
}

// CLOCK_MONOTONIC ns of the session's last plaintext read; -1 for an unknown session.
__attribute__((visibility("default"))) long long flexhil_tls_shim_last_read_ns(const void* session) {
  auto& s = sessions();
  std::lock_guard lock(s.mutex);
  const auto it = s.by_ssl.find(static_cast<const SSL*>(session));
  return it == s.by_ssl.end() ? -1 : it->second.last_read_ns;
}

// Copies up to `capacity` of the session's first plaintext bytes; returns how many.
__attribute__((visibility("default"))) size_t flexhil_tls_shim_stream_prefix(const void* session, char* out,
                                                                             size_t capacity) {
  auto& s = sessions();
  std::lock_guard lock(s.mutex);
  const auto it = s.by_ssl.find(static_cast<const SSL*>(session));
  if (it == s.by_ssl.end()) return 0;
  const size_t n = std::min(capacity, it->second.prefix.size());
  std::memcpy(out, it->second.prefix.data(), n);
  return n;
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
