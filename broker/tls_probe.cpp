#include "broker/tls_probe.hpp"

#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>

namespace flexhil::broker {

namespace {

struct SslCtxFree {
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
};
struct SslFree {
  void operator()(SSL* p) const { SSL_free(p); }
};
struct AddrInfoFree {
  void operator()(addrinfo* p) const { freeaddrinfo(p); }
};

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

std::string openssl_errors() {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "handshake failed" : out;
}

TlsProbeResult fail(std::string why) { return TlsProbeResult{false, std::move(why)}; }

}  // namespace

TlsProbeResult probe_tls(const std::string& host, std::uint16_t port, const std::string& ca_file,
                         const std::string& client_cert, const std::string& client_key) {
  ERR_clear_error();
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return fail("SSL_CTX_new failed");
  // TLS 1.2 exactly: in 1.2 the server judges our certificate before its Finished, so a
  // completed handshake proves the X.509 port accepts the certificates it should.
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(), nullptr) != 1)
    return fail("cannot load CA file " + ca_file + ": " + openssl_errors());
  if (!client_cert.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), client_cert.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx.get(), client_key.c_str(), SSL_FILETYPE_PEM) != 1)
      return fail("cannot load probe certificate " + client_cert + ": " + openssl_errors());
  }

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &raw) != 0 || !raw)
    return fail("cannot resolve " + host);
  std::unique_ptr<addrinfo, AddrInfoFree> list(raw);
  Socket sock(::socket(list->ai_family, list->ai_socktype | SOCK_CLOEXEC, list->ai_protocol));
  if (sock.fd() < 0) return fail("socket() failed");
  timeval tv{2, 0};  // a broker that accepts but never answers must not hang the probe
  ::setsockopt(sock.fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(sock.fd(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(sock.fd(), list->ai_addr, list->ai_addrlen) != 0) return fail("connection refused");

  std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
  if (!ssl) return fail("SSL_new failed");
  SSL_set_fd(ssl.get(), sock.fd());
  if (SSL_connect(ssl.get()) != 1) return fail(openssl_errors());
  if (SSL_get_verify_result(ssl.get()) != X509_V_OK)
    return fail(std::string("server certificate: ") +
                X509_verify_cert_error_string(SSL_get_verify_result(ssl.get())));
  SSL_shutdown(ssl.get());
  return TlsProbeResult{true, {}};
}

}  // namespace flexhil::broker
