// TLS-level verdicts: handshakes that fail before any CONNECT (unknown, expired or wrongly
// issued client certificates, no certificate, TLS 1.0/1.1) never reach the plugin; the hub
// launcher reads them from mosquitto's log and reports `tls_failure` events. Also: the log
// lines themselves (recorded from mosquitto 2.0.11), the generated configuration and the
// process's start-up behaviour.
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
using flexhil::broker::TlsLogParser;

namespace {

const std::map<std::uint16_t, std::string> kNames{{8883, "x509"}, {8884, "sas"}};

std::vector<broker::TlsFailure> feed_all(TlsLogParser& p, const std::vector<std::string>& lines) {
  std::vector<broker::TlsFailure> out;
  for (const auto& l : lines)
    if (auto f = p.feed(l)) out.push_back(*f);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mosquitto_log_lines)

BOOST_AUTO_TEST_CASE(unknown_client_certificate_lines_become_a_tls_failure_on_the_x509_listener) {
  TlsLogParser p(kNames);
  const auto f = feed_all(p, {
                                 "2026-11-26T09:12:02: New connection from 127.0.0.1:57546 on port 8883.",
                                 "2026-11-26T09:12:02: OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed",
                                 "2026-11-26T09:12:02: Client <unknown> disconnected: Protocol error.",
                             });
  BOOST_REQUIRE_EQUAL(f.size(), 1u);
  BOOST_TEST(f[0].address == "127.0.0.1:57546");
  BOOST_TEST(f[0].port == 8883);
  BOOST_TEST(f[0].listener == "x509");
  BOOST_TEST(f[0].reason == "certificate verify failed");
  BOOST_TEST(f[0].openssl_error == "error:0A000086:SSL routines::certificate verify failed");
  BOOST_TEST(f[0].detail.find("expired") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(missing_client_certificate_is_reported_with_a_hint_about_the_sas_port) {
  TlsLogParser p(kNames);
  const auto f = feed_all(p, {
                                 "1700000000: New connection from 127.0.0.1:49876 on port 8883.",
                                 "1700000000: OpenSSL Error[0]: error:0A0000C7:SSL routines::peer did not return a certificate",
                                 "1700000000: Client <unknown> disconnected: Protocol error.",
                             });
  BOOST_REQUIRE_EQUAL(f.size(), 1u);
  BOOST_TEST(f[0].reason == "peer did not return a certificate");
  BOOST_TEST(f[0].detail.find("SAS") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(old_tls_version_failing_inside_accept_has_an_address_but_no_listener) {
  TlsLogParser p(kNames);
  const auto f = feed_all(
      p, {"2026-11-26T09:11:55: Client connection from 127.0.0.1 failed: error:0A000102:SSL routines::unsupported protocol."});
  BOOST_REQUIRE_EQUAL(f.size(), 1u);
  BOOST_TEST(f[0].address == "127.0.0.1");
  BOOST_TEST(f[0].listener == "unknown");
  BOOST_TEST(f[0].reason == "unsupported protocol");
  BOOST_TEST(f[0].detail.find("1.2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_successful_handshake_and_a_silent_probe_are_not_failures) {
  TlsLogParser p(kNames);
  const auto f = feed_all(p, {
                                 "2026-11-26T09:11:55: New connection from 127.0.0.1:45270 on port 8884.",
                                 "2026-11-26T09:11:55: New client connected from 127.0.0.1:45270 as dev (p2, c1, k60).",
                                 "2026-11-26T09:11:55: New connection from 127.0.0.1:45280 on port 8883.",
                                 "2026-11-26T09:11:55: Client <unknown> closed its connection.",
                             });
  BOOST_TEST(f.empty());
}

BOOST_AUTO_TEST_CASE(error_is_attributed_to_the_newest_connection_still_in_its_handshake) {
  TlsLogParser p(kNames);
  const auto f = feed_all(p, {
                                 "2026-11-26T09:11:55: New connection from 127.0.0.1:1000 on port 8884.",
                                 "2026-11-26T09:11:55: New connection from 127.0.0.1:2000 on port 8883.",
                                 "2026-11-26T09:11:55: New client connected from 127.0.0.1:1000 as a (p2, c1, k60).",
                                 "2026-11-26T09:11:55: OpenSSL Error[0]: error:0A000418:SSL routines::tlsv1 alert unknown ca",
                                 "2026-11-26T09:11:55: Client <unknown> disconnected: Protocol error.",
                             });
  BOOST_REQUIRE_EQUAL(f.size(), 1u);
  BOOST_TEST(f[0].address == "127.0.0.1:2000");
  BOOST_TEST(f[0].listener == "x509");
  BOOST_TEST(f[0].detail.find("hub CA") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(plain_mqtt_on_a_tls_port_is_a_wrong_version_number) {
  TlsLogParser p(kNames);
  const auto f = feed_all(p, {
                                 "2026-11-26T09:12:02: New connection from 127.0.0.1:47426 on port 8884.",
                                 "2026-11-26T09:12:02: OpenSSL Error[0]: error:0A00010B:SSL routines::wrong version number",
                                 "2026-11-26T09:12:02: Client <unknown> disconnected: Protocol error.",
                             });
  BOOST_REQUIRE_EQUAL(f.size(), 1u);
  BOOST_TEST(f[0].listener == "sas");
  BOOST_TEST(f[0].reason == "wrong version number");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(mosquitto_conf)

BOOST_AUTO_TEST_CASE(generated_conf_has_the_hub_tls_policy_and_the_plugin_contract) {
  broker::HubConfig c;
  c.hub_name = "eWONPROJECT";
  c.x509_port = 8883;
  c.sas_port = 8884;
  c.internal_port = 40000;
  c.websocket_port = 8443;
  c.server_cert_file = "/o/hub.crt";
  c.server_key_file = "/o/hub.key";
  c.client_trust_file = "/o/client-trust.pem";
  c.log_file = "/o/broker.log";
  c.run_as_user = "root";
  c.plugin_path = "/b/flexhil_iothub.so";
  c.registry_path = "/r/devices.toml";
  c.internal_username = "flexhil-harness";
  c.internal_password = "secret";
  c.plugin.qos2_policy = "accept";
  const auto conf = broker::render_mosquitto_conf(c);
  for (const char* line :
       {"user root\n", "allow_anonymous false\n", "log_dest file /o/broker.log\n", "connection_messages true\n",
        "plugin /b/flexhil_iothub.so\n", "plugin_opt_registry /r/devices.toml\n", "plugin_opt_hub eWONPROJECT\n",
        "plugin_opt_internal_username flexhil-harness\n", "plugin_opt_internal_password secret\n",
        "plugin_opt_qos2_policy accept\n", "listener 8883 127.0.0.1\n", "require_certificate true\n",
        "cafile /o/client-trust.pem\n", "listener 8884 127.0.0.1\n", "listener 8443 127.0.0.1\nprotocol websockets\n",
        "listener 40000 127.0.0.1\n", "tls_version tlsv1.2\n",
        "ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384\n"})
    BOOST_TEST(conf.find(line) != std::string::npos, "missing: " << line);
  // Options left unset are the plugin's defaults, not ours.
  BOOST_TEST(conf.find("plugin_opt_max_subscriptions") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_line_break_in_a_path_cannot_inject_directives) {
  broker::HubConfig c;
  c.x509_port = 1;
  c.sas_port = 2;
  c.internal_port = 3;
  c.server_cert_file = "/o/hub.crt\nallow_anonymous true";
  c.server_key_file = "k";
  c.client_trust_file = "t";
  c.log_file = "l";
  BOOST_CHECK_THROW(broker::render_mosquitto_conf(c), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

// One hub (plain mosquitto, no plugin: these verdicts happen before the plugin is asked) shared
// by the TLS tests; devices are registered up front.
struct TlsHub {
  HubFixture f;
  DeviceCert good, expired, unregistered, unregistered_expired, wrong_ca;
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

}  // namespace

BOOST_FIXTURE_TEST_SUITE(tls_handshake_verdicts, TlsHubRef)

BOOST_AUTO_TEST_CASE(registered_self_signed_certificate_passes_the_x509_handshake) {
  const auto since = f.mark();
  const auto r = pub_with_cert(f, f.hub().ports().x509, h.good.crt, h.good.key, "TlsGood");
  BOOST_TEST(r.exit_status == 0, r.output);
  BOOST_TEST(!got(f.wait_for_kind("tls_failure", since, std::chrono::milliseconds(300))));
}

BOOST_AUTO_TEST_CASE(unregistered_certificate_fails_tls_with_a_tls_failure_event) {
  const auto since = f.mark();
  const auto r = pub_with_cert(f, f.hub().ports().x509, h.unregistered.crt, h.unregistered.key, "TlsStranger");
  BOOST_TEST(r.exit_status != 0, r.output);
  const auto e = f.wait_for_event([](const Json& e) { return is_tls_failure(e, "x509", "certificate verify failed"); },
                                  std::chrono::seconds(5), since);
  BOOST_REQUIRE(e);
  BOOST_TEST(e->value("address", "").rfind("127.0.0.1:", 0) == 0);
}

BOOST_AUTO_TEST_CASE(expired_registered_certificate_fails_tls_with_a_tls_failure_event) {
  const auto since = f.mark();
  const auto r = pub_with_cert(f, f.hub().ports().x509, h.expired.crt, h.expired.key, "TlsExpired");
  BOOST_TEST(r.exit_status != 0, r.output);
  BOOST_TEST(got(f.wait_for_event([](const Json& e) { return is_tls_failure(e, "x509", "certificate verify failed"); },
                              std::chrono::seconds(5), since)));
}

BOOST_AUTO_TEST_CASE(certificate_from_an_unregistered_ca_fails_tls_with_a_tls_failure_event) {
  const auto since = f.mark();
  const auto r = pub_with_cert(f, f.hub().ports().x509, h.wrong_ca.crt, h.wrong_ca.key, "TlsWrongCa");
  BOOST_TEST(r.exit_status != 0, r.output);
  BOOST_TEST(got(f.wait_for_event([](const Json& e) { return is_tls_failure(e, "x509", "certificate verify failed"); },
                              std::chrono::seconds(5), since)));
}

BOOST_AUTO_TEST_CASE(no_client_certificate_on_the_x509_port_fails_tls_with_a_tls_failure_event) {
  const auto since = f.mark();
  const auto r = pub_with_cert(f, f.hub().ports().x509, "", "", "TlsNoCert");
  BOOST_TEST(r.exit_status != 0, r.output);
  BOOST_TEST(got(f.wait_for_event(
      [](const Json& e) { return is_tls_failure(e, "x509", "peer did not return a certificate"); },
      std::chrono::seconds(5), since)));
}

BOOST_AUTO_TEST_CASE(tls_1_1_client_is_refused_with_a_tls_failure_event) {
  const auto since = f.mark();
  const auto r = run_program({"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(f.hub().ports().sas),
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
  const auto r = run_program({"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(f.hub().ports().sas), "--cafile",
                              h.good.crt, "-t", "t", "-m", "x"},
                             f.dir());
  BOOST_TEST(r.exit_status != 0, r.output);
  BOOST_TEST(got(f.wait_for_event([](const Json& e) { return is_tls_failure(e, "sas", "tlsv1 alert unknown ca"); },
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

BOOST_AUTO_TEST_CASE(a_taken_x509_port_fails_start_up_naming_the_port_and_broker_log) {
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
    f.start([&](broker::HubOptionsBuilder& b) { b.without_plugin().x509_port(taken); });
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
  BOOST_TEST(f.hub().ports().x509 == ports.x509);
  BOOST_TEST(f.hub().running());
  const auto r = run_program({"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(ports.x509), "--cafile",
                              f.ca_file(), "--cert", dev.crt, "--key", dev.key, "-t", "t", "-m", "x"},
                             f.dir());
  BOOST_TEST(r.exit_status == 0, r.output);
  f.hub().stop();
  BOOST_TEST(!f.hub().running());
}

BOOST_AUTO_TEST_SUITE_END()
