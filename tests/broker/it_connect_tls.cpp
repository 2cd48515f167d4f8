// TLS-level behaviour of the one MQTTS port (plain mosquitto with the TLS shim, no plugin: what
// happens before any CONNECT). Every client certificate, and none, completes the handshake —
// the verdict on it comes at CONNECT (it_connect.cpp); what still fails at TLS (TLS 1.0/1.1, a
// device that rejects our server certificate) is read from mosquitto's log and reported as
// `tls_failure` events. TLS 1.2 only by default, 1.3 with the option; the server certificate is
// IoT Hub's wildcard. Also the process's start-up behaviour. (The log-line parser and the
// generated configuration are unit-tested without a broker in unit_tls_log_and_conf.cpp.)
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>

#include "broker/hub_config.hpp"
#include "broker/tls_log_watcher.hpp"
#include "common/error.hpp"
#include "common/net.hpp"
#include "tests/broker/hub_fixture.hpp"

using namespace flexhil;
using namespace flexhil::testing;


namespace {

// One hub (plain mosquitto, no plugin: these happen before the plugin is asked) shared by the
// TLS tests; devices are registered up front.
struct TlsHub {
  HubFixture f;
  DeviceCert good, expired, unregistered, wrong_ca;
  TlsHub() {
    good = f.add_self_signed_device("TlsGood");
    SelfSignedOptions ex;
    ex.expired = true;
    expired = f.add_self_signed_device("TlsExpired", ex);
    unregistered = f.make_unregistered_self_signed("TlsStranger");
    // A leaf issued by a CA that is not registered in the hub.
    certs::CertificateSpec ca_spec;
    ca_spec.common_name = "unregistered device CA";
    ca_spec.is_ca = true;
    const auto other_ca = certs::make_self_signed(ca_spec);
    certs::CertificateSpec leaf;
    leaf.common_name = "TlsWrongCa";
    leaf.client_auth = true;
    wrong_ca.id = "TlsWrongCa";
    wrong_ca.pair = certs::make_signed(leaf, other_ca);
    std::tie(wrong_ca.crt, wrong_ca.key) = wrong_ca.pair.write(f.dir().file("wrong-ca"), "TlsWrongCa");
    f.start([](broker::HubOptionsBuilder& b) { b.without_plugin(); });
  }
};

TlsHub& tls_hub() {
  static TlsHub hub;  // started once for the suite, stopped at exit
  return hub;
}

struct TlsHubRef {
  TlsHub& h = tls_hub();
  HubFixture& f = h.f;
};

ProgramResult pub_with_cert(HubFixture& f, std::uint16_t port, const std::string& crt, const std::string& key,
                            const std::string& client_id) {
  std::vector<std::string> argv{"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(port), "--cafile",
                                f.ca_file(),     "-i", client_id,   "-t", "t",                  "-m",
                                "x"};
  if (!crt.empty()) argv.insert(argv.end(), {"--cert", crt, "--key", key});
  return run_program(argv, f.dir());
}

bool got(const std::optional<Json>& e) { return e.has_value(); }

bool is_tls_failure(const Json& e, const std::string& listener, const std::string& reason) {
  return e.value("kind", "") == "tls_failure" && e.value("listener", "") == listener &&
         e.value("reason", "") == reason;
}

// openssl s_client as a device would dial: SNI and name check for the hub's host name, TLS up to
// 1.3 offered, the server verified against the hub CA. `-brief` prints the negotiated protocol,
// the peer certificate and the verification.
ProgramResult s_client(HubFixture& f, std::uint16_t port, const std::string& host) {
  return run_program({"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(port), "-servername", host,
                      "-verify_hostname", host, "-verify_return_error", "-CAfile", f.ca_file(), "-brief"},
                     f.dir());
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(tls_handshake_verdicts, TlsHubRef)

BOOST_AUTO_TEST_CASE(every_client_certificate_and_none_completes_the_handshake_on_the_one_port) {
  // Registered, expired, unregistered, from an unknown CA, none: all reach MQTT (no plugin here,
  // so mosquitto accepts the anonymous publish); none is a tls_failure.
  const auto since = f.mark();
  for (const auto* d : {&h.good, &h.expired, &h.unregistered, &h.wrong_ca}) {
    const auto r = pub_with_cert(f, f.hub().ports().mqtts, d->crt, d->key, d->pair.cert_pem.empty() ? "" : "Tls-" + d->id);
    BOOST_TEST(r.exit_status == 0, d->crt << ": " << r.output);
  }
  const auto none = pub_with_cert(f, f.hub().ports().mqtts, "", "", "TlsNoCert");
  BOOST_TEST(none.exit_status == 0, none.output);
  BOOST_TEST(!got(f.wait_for_kind("tls_failure", since, std::chrono::milliseconds(300))));
}

BOOST_AUTO_TEST_CASE(tls_1_2_is_negotiated_by_default_with_the_hub_wildcard_certificate) {
  const auto r = s_client(f, f.hub().ports().mqtts, f.hub_host());
  BOOST_TEST(contains(r.output, "Protocol version: TLSv1.2"), r.output);
  BOOST_TEST(contains(r.output, "CN = *.azure-devices.net"), r.output);
  BOOST_TEST(contains(r.output, "Verification: OK"), r.output);
  BOOST_TEST(contains(r.output, "Ciphersuite: ECDHE-RSA-AES"), r.output);
}

BOOST_AUTO_TEST_CASE(tls_1_1_client_is_refused_with_a_tls_failure_event) {
  const auto since = f.mark();
  const auto r = run_program({"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(f.hub().ports().mqtts),
                              "-tls1_1", "-CAfile", f.ca_file()},
                             f.dir());
  BOOST_TEST(r.exit_status != 0, r.output);
  BOOST_TEST(got(f.wait_for_event(
      [](const Json& e) {
        return e.value("kind", "") == "tls_failure" &&
               (e.value("reason", "") == "unsupported protocol" || e.value("reason", "") == "wrong version number");
      },
      std::chrono::seconds(5), since)));
}

BOOST_AUTO_TEST_CASE(device_that_distrusts_the_hub_certificate_is_reported_as_unknown_ca) {
  const auto since = f.mark();
  // The device trusts some other CA (its own certificate), not the hub's.
  const auto r = run_program({"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(f.hub().ports().mqtts), "--cafile",
                              h.good.crt, "-t", "t", "-m", "x"},
                             f.dir());
  BOOST_TEST(r.exit_status != 0, r.output);
  BOOST_TEST(got(f.wait_for_event([](const Json& e) { return is_tls_failure(e, "mqtts", "tlsv1 alert unknown ca"); },
                              std::chrono::seconds(5), since)));
}

BOOST_AUTO_TEST_CASE(mosquitto_keeps_the_invoking_user_so_it_can_read_the_generated_files) {
  std::ifstream status("/proc/" + std::to_string(f.hub().pid()) + "/status");
  std::string line, uid_line;
  while (std::getline(status, line))
    if (line.rfind("Uid:", 0) == 0) uid_line = line;
  std::istringstream in(uid_line.substr(4));
  unsigned real = 0, effective = 0;
  in >> real >> effective;
  BOOST_TEST(effective == ::geteuid());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(hub_start_up)

BOOST_AUTO_TEST_CASE(tls_1_3_is_negotiated_with_the_option) {
  HubFixture f;
  f.add_sas_device("Anyone");
  f.start([](broker::HubOptionsBuilder& b) { b.without_plugin().tls13(); });
  const auto r = s_client(f, f.hub().ports().mqtts, f.hub_host());
  BOOST_TEST(contains(r.output, "Protocol version: TLSv1.3"), r.output);
  BOOST_TEST(contains(r.output, "Verification: OK"), r.output);
}

BOOST_AUTO_TEST_CASE(a_taken_mqtts_port_fails_start_up_naming_the_port_and_broker_log) {
  HubFixture f;
  f.add_sas_device("Anyone");
  // Occupy a port the way another broker would.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  BOOST_REQUIRE(::listen(fd, 1) == 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const auto taken = ntohs(a.sin_port);
  try {
    f.start([&](broker::HubOptionsBuilder& b) { b.without_plugin().port(taken); });
    BOOST_FAIL("the hub started on a taken port");
  } catch (const InfrastructureError& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find(std::to_string(taken)) != std::string::npos, what);
    BOOST_TEST(what.find("broker.log") != std::string::npos, what);
  }
  ::close(fd);
}

BOOST_AUTO_TEST_CASE(restart_keeps_the_ports_and_the_hub_answers_again) {
  HubFixture f;
  const auto dev = f.add_self_signed_device("Restarted");
  f.start([](broker::HubOptionsBuilder& b) { b.without_plugin(); });
  const auto ports = f.hub().ports();
  const auto first_pid = f.hub().pid();
  f.hub().restart();
  BOOST_TEST(f.hub().pid() != first_pid);
  BOOST_TEST(f.hub().ports().mqtts == ports.mqtts);
  BOOST_TEST(f.hub().running());
  const auto r = run_program({"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(ports.mqtts), "--cafile",
                              f.ca_file(), "--cert", dev.crt, "--key", dev.key, "-t", "t", "-m", "x"},
                             f.dir());
  BOOST_TEST(r.exit_status == 0, r.output);
  f.hub().stop();
  BOOST_TEST(!f.hub().running());
}

BOOST_AUTO_TEST_SUITE_END()
