// The hub launcher's pure parts, without a broker: mosquitto's TLS log lines (recorded from
// mosquitto 2.0.11) turned into tls_failure reasons, and the generated mosquitto.conf.
#include <boost/test/unit_test.hpp>

#include <map>
#include <string>
#include <vector>

#include "broker/hub_config.hpp"
#include "broker/tls_log_watcher.hpp"

using namespace flexhil;
using flexhil::broker::TlsLogParser;
namespace {

const std::map<std::uint16_t, std::string> kNames{{8883, "mqtts"}, {8443, "websocket"}};

std::vector<broker::TlsFailure> feed_all(TlsLogParser& p, const std::vector<std::string>& lines) {
  std::vector<broker::TlsFailure> out;
  for (const auto& l : lines)
    if (auto f = p.feed(l)) out.push_back(*f);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mosquitto_log_lines)

BOOST_AUTO_TEST_CASE(a_failed_certificate_verification_becomes_a_tls_failure_naming_the_missing_shim) {
  TlsLogParser p(kNames);
  const auto f = feed_all(p, {
                                 "2026-11-26T09:12:02: New connection from 127.0.0.1:57546 on port 8883.",
                                 "2026-11-26T09:12:02: OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed",
                                 "2026-11-26T09:12:02: Client <unknown> disconnected: Protocol error.",
                             });
  BOOST_REQUIRE_EQUAL(f.size(), 1u);
  BOOST_TEST(f[0].address == "127.0.0.1:57546");
  BOOST_TEST(f[0].port == 8883);
  BOOST_TEST(f[0].listener == "mqtts");
  BOOST_TEST(f[0].reason == "certificate verify failed");
  BOOST_TEST(f[0].openssl_error == "error:0A000086:SSL routines::certificate verify failed");
  BOOST_TEST(f[0].detail.find("shim was not loaded") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(missing_client_certificate_is_reported_as_the_shim_missing) {
  TlsLogParser p(kNames);
  const auto f = feed_all(p, {
                                 "1700000000: New connection from 127.0.0.1:49876 on port 8883.",
                                 "1700000000: OpenSSL Error[0]: error:0A0000C7:SSL routines::peer did not return a certificate",
                                 "1700000000: Client <unknown> disconnected: Protocol error.",
                             });
  BOOST_REQUIRE_EQUAL(f.size(), 1u);
  BOOST_TEST(f[0].reason == "peer did not return a certificate");
  BOOST_TEST(f[0].detail.find("shim was not loaded") != std::string::npos);
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

// The harness's own client keeps a plain connection from 127.0.0.1 open on the internal
// listener: a failure inside accept is the device's, on the TLS listener it connected to.
BOOST_AUTO_TEST_CASE(a_failure_inside_accept_after_its_new_connection_line_names_the_tls_listener) {
  TlsLogParser p({{8883, "mqtts"}, {1883, "internal"}});
  const auto f = feed_all(p, {
                                 "2026-12-02T06:17:09: New connection from 127.0.0.1:52616 on port 1883.",
                                 "2026-12-02T06:17:10: New connection from 127.0.0.1:53798 on port 8883.",
                                 "2026-12-02T06:17:10: New connection from 127.0.0.1:52628 on port 1883.",
                                 "2026-12-02T06:17:10: Client connection from 127.0.0.1 failed: error:0A000412:SSL "
                                 "routines::sslv3 alert bad certificate.",
                             });
  BOOST_REQUIRE_EQUAL(f.size(), 1u);
  BOOST_TEST(f[0].listener == "mqtts");
  BOOST_TEST(f[0].port == 8883);
  BOOST_TEST(f[0].address == "127.0.0.1:53798");
  BOOST_TEST(f[0].reason == "sslv3 alert bad certificate");
}

// mosquitto may log the socket's "closed" line before the failure of the same socket.
BOOST_AUTO_TEST_CASE(a_failure_logged_after_its_sockets_closed_line_still_names_the_tls_listener) {
  TlsLogParser p({{8883, "mqtts"}, {1883, "internal"}});
  const auto f = feed_all(p, {
                                 "2026-12-02T06:19:24: New connection from 127.0.0.1:40452 on port 1883.",
                                 "2026-12-02T06:19:25: New connection from 127.0.0.1:56162 on port 8883.",
                                 "2026-12-02T06:19:25: Client <unknown> closed its connection.",
                                 "2026-12-02T06:19:25: Client connection from 127.0.0.1 failed: error:0A000412:SSL "
                                 "routines::sslv3 alert bad certificate.",
                             });
  BOOST_REQUIRE_EQUAL(f.size(), 1u);
  BOOST_TEST(f[0].listener == "mqtts");
  BOOST_TEST(f[0].address == "127.0.0.1:56162");
}

BOOST_AUTO_TEST_CASE(a_successful_handshake_and_a_silent_probe_are_not_failures) {
  TlsLogParser p(kNames);
  const auto f = feed_all(p, {
                                 "2026-11-26T09:11:55: New connection from 127.0.0.1:45270 on port 8443.",
                                 "2026-11-26T09:11:55: New client connected from 127.0.0.1:45270 as dev (p2, c1, k60).",
                                 "2026-11-26T09:11:55: New connection from 127.0.0.1:45280 on port 8883.",
                                 "2026-11-26T09:11:55: Client <unknown> closed its connection.",
                             });
  BOOST_TEST(f.empty());
}

BOOST_AUTO_TEST_CASE(error_is_attributed_to_the_newest_connection_still_in_its_handshake) {
  TlsLogParser p(kNames);
  const auto f = feed_all(p, {
                                 "2026-11-26T09:11:55: New connection from 127.0.0.1:1000 on port 8443.",
                                 "2026-11-26T09:11:55: New connection from 127.0.0.1:2000 on port 8883.",
                                 "2026-11-26T09:11:55: New client connected from 127.0.0.1:1000 as a (p2, c1, k60).",
                                 "2026-11-26T09:11:55: OpenSSL Error[0]: error:0A000418:SSL routines::tlsv1 alert unknown ca",
                                 "2026-11-26T09:11:55: Client <unknown> disconnected: Protocol error.",
                             });
  BOOST_REQUIRE_EQUAL(f.size(), 1u);
  BOOST_TEST(f[0].address == "127.0.0.1:2000");
  BOOST_TEST(f[0].listener == "mqtts");
  BOOST_TEST(f[0].detail.find("hub CA") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(plain_mqtt_on_a_tls_port_is_a_wrong_version_number) {
  TlsLogParser p(kNames);
  const auto f = feed_all(p, {
                                 "2026-11-26T09:12:02: New connection from 127.0.0.1:47426 on port 8443.",
                                 "2026-11-26T09:12:02: OpenSSL Error[0]: error:0A00010B:SSL routines::wrong version number",
                                 "2026-11-26T09:12:02: Client <unknown> disconnected: Protocol error.",
                             });
  BOOST_REQUIRE_EQUAL(f.size(), 1u);
  BOOST_TEST(f[0].listener == "websocket");
  BOOST_TEST(f[0].reason == "wrong version number");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(mosquitto_conf)

BOOST_AUTO_TEST_CASE(generated_conf_has_the_hub_tls_policy_and_the_plugin_contract) {
  broker::HubConfig c;
  c.hub_name = "eWONPROJECT";
  c.mqtts_port = 8883;
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
  c.ca_trust_file = "/o/ca-trust.pem";
  const auto conf = broker::render_mosquitto_conf(c);
  for (const char* line :
       {"user root\n", "allow_anonymous false\n", "log_dest file /o/broker.log\n", "connection_messages true\n",
        "plugin /b/flexhil_iothub.so\n", "plugin_opt_registry /r/devices.toml\n", "plugin_opt_hub eWONPROJECT\n",
        "plugin_opt_internal_username flexhil-harness\n", "plugin_opt_internal_password secret\n",
        "plugin_opt_qos2_policy accept\n", "plugin_opt_ca_file /o/ca-trust.pem\n", "listener 8883 127.0.0.1\n",
        "require_certificate false\n", "cafile /o/client-trust.pem\n", "listener 8443 127.0.0.1\nprotocol websockets\n",
        "listener 40000 127.0.0.1\n", "tls_version tlsv1.2\n",
        "ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384\n"})
    BOOST_TEST(conf.find(line) != std::string::npos, "missing: " << line);
  // One device port: SAS and X.509 alike (no listener requires a certificate; the shim requests one).
  BOOST_TEST(conf.find("require_certificate true") == std::string::npos);
  BOOST_TEST(conf.find("listener 8884") == std::string::npos);
  // Options left unset are the plugin's defaults, not ours.
  BOOST_TEST(conf.find("plugin_opt_max_subscriptions") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(device_listeners_grant_at_most_qos_1_unless_qos2_is_accepted) {
  broker::HubConfig c;
  c.hub_name = "h";
  c.mqtts_port = 8883;
  c.internal_port = 40000;
  c.websocket_port = 8443;
  c.server_cert_file = "/o/hub.crt";
  c.server_key_file = "/o/hub.key";
  c.client_trust_file = "/o/client-trust.pem";
  c.log_file = "/o/broker.log";
  c.plugin_path = "/b/flexhil_iothub.so";
  c.registry_path = "/r/devices.toml";
  c.internal_username = "u";
  c.internal_password = "p";
  c.plugin.will_policy = "accept";
  const auto conf = broker::render_mosquitto_conf(c);
  const auto first = conf.find("max_qos 1\n");
  BOOST_REQUIRE(first != std::string::npos);
  const auto second = conf.find("max_qos 1\n", first + 1);
  BOOST_REQUIRE(second != std::string::npos);                     // mqtts and websocket
  BOOST_TEST(conf.find("max_qos 1\n", second + 1) == std::string::npos);  // not the internal listener
  BOOST_TEST(second < conf.find("listener 40000"));
  BOOST_TEST(conf.find("plugin_opt_will_policy accept\n") != std::string::npos);
  c.plugin.qos2_policy = "accept";
  BOOST_TEST(broker::render_mosquitto_conf(c).find("max_qos") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_line_break_in_a_path_cannot_inject_directives) {
  broker::HubConfig c;
  c.mqtts_port = 1;
  c.internal_port = 3;
  c.server_cert_file = "/o/hub.crt\nallow_anonymous true";
  c.server_key_file = "k";
  c.client_trust_file = "t";
  c.log_file = "l";
  BOOST_CHECK_THROW(broker::render_mosquitto_conf(c), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
