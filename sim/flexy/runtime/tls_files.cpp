#include "sim/flexy/runtime/tls_files.hpp"
#include "common/unique_fd.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <memory>

namespace flexhil::flexy {
namespace {

struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct PKeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct CtxFree {
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
};
struct SslFree {
  void operator()(SSL* p) const { SSL_free(p); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using Cert = std::unique_ptr<X509, X509Free>;
using Key = std::unique_ptr<EVP_PKEY, PKeyFree>;


// A password callback that refuses: an encrypted key is a file the Flexy cannot use here.
int no_password(char*, int, int, void*) { return 0; }

// The file opened for reading, or why not (errno's words: "No such file or directory", …).
std::optional<std::string> open_problem(const std::string& path, Bio& bio) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::string("not found");
  if (std::filesystem::is_directory(path, ec)) return std::string("is a directory, not a file");
  errno = 0;
  bio.reset(BIO_new_file(path.c_str(), "r"));
  if (!bio) {
    const int err = errno;
    ERR_clear_error();
    return fmt::format("cannot be read ({})", err != 0 ? std::strerror(err) : "unknown reason");
  }
  return std::nullopt;
}

std::optional<TlsFileProblem> read_certificates(const TlsFile& f, Cert* first) {
  Bio bio;
  if (auto why = open_problem(f.path, bio)) return TlsFileProblem{f, *why};
  int count = 0;
  for (;;) {
    Cert c(PEM_read_bio_X509(bio.get(), nullptr, no_password, nullptr));
    if (!c) break;
    if (count++ == 0 && first) *first = std::move(c);
  }
  ERR_clear_error();
  if (count == 0) return TlsFileProblem{f, "holds no PEM certificate"};
  return std::nullopt;
}

std::optional<TlsFileProblem> read_key(const TlsFile& f, Key& key, bool may_be_absent_as_cert_file) {
  Bio bio;
  if (auto why = open_problem(f.path, bio)) return TlsFileProblem{f, *why};
  key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr));
  const auto reason = ERR_GET_REASON(ERR_peek_last_error());
  ERR_clear_error();
  if (key) return std::nullopt;
  if (may_be_absent_as_cert_file) return TlsFileProblem{f, "holds no private key and KeyFile is not set"};
  if (reason == PEM_R_BAD_PASSWORD_READ || reason == PEM_R_PROBLEMS_GETTING_PASSWORD)
    return TlsFileProblem{f, "is an encrypted private key (no password can be given)"};
  return TlsFileProblem{f, "holds no unencrypted PEM private key"};
}

}  // namespace

std::string TlsFileProblem::describe() const {
  return fmt::format("{} {}: {}", file.parameter, file.value, reason);
}

std::optional<TlsFileProblem> check_tls_files(const TlsFile& ca, const TlsFile& cert, const TlsFile& key) {
  if (!ca.value.empty())
    if (auto p = read_certificates(ca, nullptr)) return p;
  if (cert.value.empty()) {
    if (!key.value.empty()) return TlsFileProblem{key, "is set but CertFile is not"};
    return std::nullopt;
  }
  Cert certificate;
  if (auto p = read_certificates(cert, &certificate)) return p;
  Key private_key;
  const bool key_in_cert = key.value.empty();
  if (auto p = read_key(key_in_cert ? cert : key, private_key, key_in_cert)) return p;
  if (X509_check_private_key(certificate.get(), private_key.get()) != 1) {
    ERR_clear_error();
    return TlsFileProblem{key_in_cert ? cert : key,
                          key_in_cert ? "holds a private key that does not match its certificate"
                                      : fmt::format("does not match CertFile {}", cert.value)};
  }
  return std::nullopt;
}

std::optional<std::string> server_verification_error(const std::string& connect_host, int port,
                                                     const std::string& server_name, const std::string& ca_path,
                                                     int timeout_ms) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  if (::getaddrinfo(connect_host.c_str(), std::to_string(port).c_str(), &hints, &list) != 0 || !list) return std::nullopt;
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(list, &::freeaddrinfo);
  UniqueFd sock(::socket(list->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (sock.get() < 0) return std::nullopt;
  if (::connect(sock.get(), list->ai_addr, list->ai_addrlen) != 0) {
    if (errno != EINPROGRESS) return std::nullopt;
    pollfd p{sock.get(), POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    if (::poll(&p, 1, timeout_ms) != 1 || ::getsockopt(sock.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0)
      return std::nullopt;
  }
  ::fcntl(sock.get(), F_SETFL, ::fcntl(sock.get(), F_GETFL) & ~O_NONBLOCK);
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(sock.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(sock.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

  std::unique_ptr<SSL_CTX, CtxFree> ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return std::nullopt;
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (ca_path.empty() ? SSL_CTX_set_default_verify_paths(ctx.get()) != 1
                      : SSL_CTX_load_verify_locations(ctx.get(), ca_path.c_str(), nullptr) != 1) {
    ERR_clear_error();
    return std::nullopt;  // check_tls_files() has already said what is wrong with the file
  }
  std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
  if (!ssl) return std::nullopt;
  in6_addr ip{};
  const bool is_ip = ::inet_pton(AF_INET, server_name.c_str(), &ip) == 1 || ::inet_pton(AF_INET6, server_name.c_str(), &ip) == 1;
  if (is_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), server_name.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl.get(), server_name.c_str());
    X509_VERIFY_PARAM_set1_host(SSL_get0_param(ssl.get()), server_name.c_str(), 0);
  }
  SSL_set_fd(ssl.get(), sock.get());
  const int rc = SSL_connect(ssl.get());
  const long verify = SSL_get_verify_result(ssl.get());
  ERR_clear_error();
  if (rc == 1) SSL_shutdown(ssl.get());
  if (verify == X509_V_OK) return std::nullopt;
  return std::string(X509_verify_cert_error_string(verify));
}

}  // namespace flexhil::flexy
