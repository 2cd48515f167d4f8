// The host-name override keeps TLS honest: a TLS server standing behind the override sees SNI
// = the hub name the program gave (not 127.0.0.1), exactly as the real hub would.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

#include "certs/pki.hpp"
#include "common/clock.hpp"
#include "common/net.hpp"
#include "sim/flexy/runtime/mqtt_bridge.hpp"
#include "tests/support/temp_dir.hpp"

using namespace flexhil;
using namespace std::chrono_literals;

namespace {

// Accepts TLS connections on 127.0.0.1:<ephemeral>, records the SNI of each handshake, closes.
class SniRecorder {
 public:
  explicit SniRecorder(const certs::KeyPair& server) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    BIO* cb = BIO_new_mem_buf(server.cert_pem.data(), static_cast<int>(server.cert_pem.size()));
    X509* cert = PEM_read_bio_X509(cb, nullptr, nullptr, nullptr);
    BIO_free(cb);
    BIO* kb = BIO_new_mem_buf(server.key_pem.data(), static_cast<int>(server.key_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(kb, nullptr, nullptr, nullptr);
    BIO_free(kb);
    SSL_CTX_use_certificate(ctx_, cert);
    SSL_CTX_use_PrivateKey(ctx_, key);
    X509_free(cert);
    EVP_PKEY_free(key);
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 4);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~SniRecorder() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
    SSL_CTX_free(ctx_);
  }
  std::uint16_t port() const { return port_; }
  std::vector<std::string> names() const {
    std::lock_guard lock(mutex_);
    return names_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      timeval tv{2, 0};
      ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      SSL* ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, c);
      SSL_accept(ssl);  // the outcome does not matter: the ClientHello has been read
      const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
      {
        std::lock_guard lock(mutex_);
        names_.push_back(name ? name : "");
      }
      SSL_free(ssl);
      ::close(c);
    }
  }
  SSL_CTX* ctx_ = nullptr;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> names_;
  std::thread thread_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(host_name_override)

BOOST_AUTO_TEST_CASE(tls_through_the_override_sends_the_hub_name_as_sni) {
  testing::TempDir dir;
  certs::CertificateSpec ca_spec;
  ca_spec.common_name = "flexhil test CA";
  ca_spec.is_ca = true;
  const auto ca = certs::make_self_signed(ca_spec);
  const std::string hub = "snitest.azure-devices.net";
  const auto server = certs::make_hub_server_certificate(hub, ca);
  dir.write("ca.pem", ca.cert_pem);
  SniRecorder recorder(server);

  flexy::MqttSettings settings;
  settings.resolve[hub] = "127.0.0.1:" + std::to_string(recorder.port());
  settings.auto_reconnect = false;
  SystemClock clock;
  flexy::MqttBridge bridge(settings, dir.path().string(), clock, {});
  BOOST_TEST(bridge.command("OPEN", {std::string("FlexySni"), hub}).error == 0);
  BOOST_TEST(bridge.command("SETPARAM", {std::string("Port"), std::string("8883")}).error == 0);
  BOOST_TEST(bridge.command("SETPARAM", {std::string("CAFile"), std::string("/usr/ca.pem")}).error == 0);
  BOOST_TEST(bridge.command("CONNECT", {}).error == 0);
  BOOST_REQUIRE(wait_until([&] { return !recorder.names().empty(); }, 10s));
  BOOST_TEST(recorder.names().front() == hub);
}

BOOST_AUTO_TEST_SUITE_END()
