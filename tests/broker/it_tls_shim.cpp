// The TLS shim preloaded into mosquitto (broker/tls_shim): with it, a listener that does not
// require a certificate still requests one, completes the handshake whatever certificate the
// client presents (unknown CA, expired, none) and stops at TLS 1.2 — as the real IoT Hub's
// 8883 does. Without it, the same mosquitto asks for no certificate and negotiates TLS 1.3: the
// control cases prove that what the shim cases see is the shim's doing.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <map>
#include <memory>

#include "certs/pki.hpp"
#include "common/net.hpp"
#include "common/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace flexhil;

namespace {

struct Handshake {
  bool ok = false;
  std::string version;           // "TLSv1.2", "TLSv1.3"
  bool certificate_requested = false;
  std::string error;
};

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};

// Sees every handshake message, also the encrypted ones of TLS 1.3: 13 = CertificateRequest.
void watch_messages(int write_p, int /*version*/, int content_type, const void* buf, size_t len, SSL* ssl, void*) {
  if (write_p == 0 && content_type == SSL3_RT_HANDSHAKE && len > 0 && static_cast<const unsigned char*>(buf)[0] == 13) {
    *static_cast<bool*>(SSL_get_app_data(ssl)) = true;
  }
}

// One handshake as a device would make it: TLS up to 1.3 offered, the server verified against
// the CA, an optional client certificate.
Handshake handshake(std::uint16_t port, const std::string& ca, const std::string& crt = {}, const std::string& key = {}) {
  Handshake h;
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_client_method()));
  SSL_CTX_set_max_proto_version(ctx.get(), TLS1_3_VERSION);
  SSL_CTX_load_verify_locations(ctx.get(), ca.c_str(), nullptr);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (!crt.empty()) {
    BOOST_REQUIRE(SSL_CTX_use_certificate_file(ctx.get(), crt.c_str(), SSL_FILETYPE_PEM) == 1);
    BOOST_REQUIRE(SSL_CTX_use_PrivateKey_file(ctx.get(), key.c_str(), SSL_FILETYPE_PEM) == 1);
  }
  SSL_CTX_set_msg_callback(ctx.get(), watch_messages);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  BOOST_REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    h.error = "connect failed";
    return h;
  }
  std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
  SSL_set_fd(ssl.get(), fd);
  SSL_set_app_data(ssl.get(), &h.certificate_requested);
  ERR_clear_error();
  // At TLS 1.2 the server has judged the client certificate when SSL_connect returns.
  if (SSL_connect(ssl.get()) == 1) {
    h.ok = true;
    h.version = SSL_get_version(ssl.get());
  } else {
    const unsigned long e = ERR_peek_last_error();
    h.error = e && ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "handshake failed";
  }
  ::close(fd);
  return h;
}

std::string current_user() {
  const passwd* pw = ::getpwuid(::geteuid());
  return pw != nullptr ? pw->pw_name : "root";
}

// A plain mosquitto with one TLS listener that does not require a client certificate,
// started with or without the shim.
struct Broker {
  flexhil::testing::TempDir dir{"tls-shim"};
  std::uint16_t port = pick_free_port();
  std::string ca, server_crt, server_key;
  ChildProcess process;

  explicit Broker(bool with_shim, const certs::KeyPair& ca_pair) {
    ca = ca_pair.write(dir.path().string(), "ca").first;
    const auto server = certs::make_hub_server_certificate("shimtest", ca_pair);
    std::tie(server_crt, server_key) = server.write(dir.path().string(), "server");
    const std::string conf = dir.file("mosquitto.conf");
    // `user`: mosquitto started as root drops to "mosquitto", which cannot read the 0700 temp dir.
    std::ofstream(conf) << "user " << current_user() << "\nper_listener_settings false\nallow_anonymous true\n"
                        << "listener " << port << " 127.0.0.1\n"
                        << "cafile " << ca << "\ncertfile " << server_crt << "\nkeyfile " << server_key << '\n'
                        << "require_certificate false\ntls_version tlsv1.2\nlog_dest stderr\n";
    ChildProcess::Options o;
    o.argv = {*find_program("mosquitto"), "-c", conf};
    o.stderr_path = dir.file("mosquitto.log");
    o.stdout_path = o.stderr_path;
    if (with_shim) {
      o.env = {{"LD_PRELOAD", FLEXHIL_TLS_SHIM}, {"FLEXHIL_TLS_CLIENT_CERT", "optional"}, {"FLEXHIL_TLS_MAX_VERSION", "1.2"}};
    }
    process = ChildProcess::spawn(o);
    BOOST_REQUIRE_MESSAGE(wait_for_tcp_port("127.0.0.1", port, std::chrono::seconds(10)), "mosquitto did not listen");
  }
};

struct Certificates {
  certs::KeyPair ca = [] {
    certs::CertificateSpec s;
    s.common_name = "shim test CA";
    s.is_ca = true;
    return certs::make_self_signed(s);
  }();
  flexhil::testing::TempDir dir{"tls-shim-devices"};
  std::pair<std::string, std::string> device(const std::string& name, bool expired) {
    certs::CertificateSpec s;
    s.common_name = name;
    s.client_auth = true;
    if (expired) {
      s.not_before_offset = -std::chrono::hours(48);
      s.lifetime = std::chrono::hours(24);
    }
    return certs::make_self_signed(s).write(dir.path().string(), name);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(tls_shim)

BOOST_AUTO_TEST_CASE(without_the_shim_mosquitto_asks_no_certificate_and_speaks_tls_1_3) {
  Certificates c;
  Broker broker(false, c.ca);
  const auto h = handshake(broker.port, broker.ca);
  BOOST_TEST_REQUIRE(h.ok, h.error);
  BOOST_TEST(h.version == "TLSv1.3");
  BOOST_TEST(!h.certificate_requested);
}

BOOST_AUTO_TEST_CASE(with_the_shim_a_certificate_is_requested_but_optional_and_tls_stops_at_1_2) {
  Certificates c;
  Broker broker(true, c.ca);
  const auto none = handshake(broker.port, broker.ca);
  BOOST_TEST_REQUIRE(none.ok, none.error);
  BOOST_TEST(none.version == "TLSv1.2");
  BOOST_TEST(none.certificate_requested);
}

BOOST_AUTO_TEST_CASE(with_the_shim_any_client_certificate_completes_the_handshake) {
  Certificates c;
  Broker broker(true, c.ca);
  const auto [stranger_crt, stranger_key] = c.device("Stranger", false);  // self-signed: no CA knows it
  const auto [old_crt, old_key] = c.device("Expired", true);
  for (const auto& [crt, key] : {std::pair{stranger_crt, stranger_key}, std::pair{old_crt, old_key}}) {
    const auto h = handshake(broker.port, broker.ca, crt, key);
    BOOST_TEST_CONTEXT(crt) {
      BOOST_TEST(h.ok, h.error);
      BOOST_TEST(h.version == "TLSv1.2");
      BOOST_TEST(h.certificate_requested);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
