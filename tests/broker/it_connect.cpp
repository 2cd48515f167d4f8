// CONNECT verdicts of the impersonated IoT Hub, one test per verdict of the spec, with real
// clients (paho.mqtt.cpp and Debian's mosquitto_pub) over real TLS against mosquitto + the
// iothub plugin. Each test asserts what the client saw (CONNACK 0, CONNACK 5, or a failed TLS
// handshake) AND the audit event the hub emitted (verdict, connack, reason_id).
#include <boost/test/unit_test.hpp>
#include <ctime>
#include <mqtt/async_client.h>

#include "tests/broker/hub_fixture.hpp"

using namespace flexhil;
using namespace flexhil::testing;
using certs::SrSpelling;

namespace {

struct ConnectOutcome {
  bool accepted = false;
  int return_code = -1;  // CONNACK return code, or paho's error code when the transport failed
  std::string error;
};

struct ClientTls {
  std::string cert;  // empty: no client certificate
  std::string key;
};

// A paho.mqtt.cpp (MQTT 3.1.1) connect attempt; disconnects again when accepted.
ConnectOutcome paho_connect(const HubFixture& f, const std::string& uri, const std::string& client_id,
                            const std::string& username, const std::string& password, const ClientTls& tls = {}) {
  mqtt::async_client client(uri, client_id);
  auto ssl = mqtt::ssl_options_builder().trust_store(f.ca_file()).enable_server_cert_auth(true);
  if (!tls.cert.empty()) ssl.key_store(tls.cert).private_key(tls.key);
  auto b = mqtt::connect_options_builder()
               .mqtt_version(MQTTVERSION_3_1_1)
               .clean_session(true)
               .connect_timeout(std::chrono::seconds(5))
               .user_name(username)
               .ssl(ssl.finalize());
  if (!password.empty()) b.password(password);
  ConnectOutcome out;
  try {
    client.connect(b.finalize())->wait();
    out.accepted = true;
    out.return_code = 0;
    client.disconnect()->wait();
  } catch (const mqtt::exception& e) {
    out.return_code = e.get_return_code();
    out.error = e.what();
  }
  return out;
}

ProgramResult mosquitto_pub(const HubFixture& f, std::uint16_t port, const std::string& client_id,
                            const std::string& username, const std::string& password, const ClientTls& tls = {}) {
  std::vector<std::string> argv{"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(port), "--cafile",
                                f.ca_file(),     "-i", client_id,   "-u", username,             "-t",
                                "devices/" + client_id + "/messages/events/", "-m", "{\"t\":1}", "-q", "1"};
  if (!password.empty()) argv.insert(argv.end(), {"-P", password});
  if (!tls.cert.empty()) argv.insert(argv.end(), {"--cert", tls.cert, "--key", tls.key});
  return run_program(argv, f.dir());
}

// The shared hub: every device of this file is registered up front.
struct ConnectHub {
  HubFixture f;
  std::string owner_key, reader_key;
  DeviceCert sha1, sha256, secondary, lower, ecdsa, expired, disabled_x509, ca_good, ca_wrong_cn;
  DeviceCert thumb_only_registered, thumb_only_presented, stranger;
  ConnectHub() {
    f.add_sas_device("FlexySas");
    f.add_sas_device("FlexySasOther");
    f.add_sas_device("FlexySasOff", /*enabled=*/false);
    owner_key = f.add_policy("iothubowner", {"DeviceConnect", "RegistryRead"});
    reader_key = f.add_policy("registryreader", {"RegistryRead"});
    sha1 = f.add_self_signed_device("SelfSha1");
    SelfSignedOptions o;
    o.sha256 = true;
    sha256 = f.add_self_signed_device("SelfSha256", o);
    o = {};
    o.as_secondary = true;
    secondary = f.add_self_signed_device("SelfSecondary", o);
    o = {};
    o.lower_case = true;
    lower = f.add_self_signed_device("SelfLower", o);
    o = {};
    o.key = certs::KeyType::ecdsa_p256;
    o.is_ca = false;
    ecdsa = f.add_self_signed_device("SelfEcdsa", o);
    o = {};
    o.expired = true;
    expired = f.add_self_signed_device("SelfExpired", o);
    o = {};
    o.enabled = false;
    disabled_x509 = f.add_self_signed_device("SelfOff", o);
    ca_good = f.add_ca_signed_device("CaDevice");
    ca_wrong_cn = f.add_ca_signed_device("CaWrongCn", "SomeoneElse");
    // Registered by thumbprint only; the certificate presented is another one, trusted with
    // --trust so the handshake passes and the plugin's thumbprint check decides.
    o = {};
    o.register_certificate_file = false;
    thumb_only_registered = f.add_self_signed_device("ThumbOnly", o);
    thumb_only_presented = f.make_unregistered_self_signed("ThumbOnly");
    stranger = f.make_unregistered_self_signed("Stranger");
    const auto trusted = thumb_only_presented.crt;
    f.start([&](broker::HubOptionsBuilder& b) { b.trust(trusted); });
  }
};

ConnectHub& connect_hub() {
  static ConnectHub hub;  // one hub for the whole file; stopped at exit
  return hub;
}

struct ConnectHubRef {
  ConnectHub& h = connect_hub();
  HubFixture& f = h.f;
  std::size_t since = f.mark();

  std::uint16_t sas_port() const { return f.hub().ports().sas; }
  std::uint16_t x509_port() const { return f.hub().ports().x509; }

  // The connect event of `device` since the test began.
  Json connect_event(const std::string& device) const {
    const auto e = f.wait_for_connect(device, since);
    BOOST_REQUIRE_MESSAGE(e.has_value(), "no connect event for " << device);
    return *e;
  }
  void expect_accepted(const ConnectOutcome& o, const std::string& device) const {
    BOOST_TEST(o.accepted, o.error);
    const auto e = connect_event(device);
    BOOST_TEST(e.value("verdict", "") == "accepted", e.dump());
    BOOST_TEST(e.value("connack", -1) == 0);
  }
  void expect_refused(const ConnectOutcome& o, const std::string& device, const std::string& reason_id) const {
    BOOST_TEST(!o.accepted);
    BOOST_TEST(o.return_code == 5, o.error);
    const auto e = connect_event(device);
    BOOST_TEST(e.value("verdict", "") == "refused", e.dump());
    BOOST_TEST(e.value("connack", -1) == 5);
    BOOST_TEST(e.value("reason_id", "") == reason_id, e.dump());
  }
  void expect_pub_accepted(const ProgramResult& r, const std::string& device) const {
    BOOST_TEST(r.exit_status == 0, r.output);
    const auto e = connect_event(device);
    BOOST_TEST(e.value("verdict", "") == "accepted", e.dump());
  }
  void expect_pub_refused(const ProgramResult& r, const std::string& device, const std::string& reason_id) const {
    BOOST_TEST(r.exit_status != 0);
    BOOST_TEST(r.output.find("not authorised") != std::string::npos, r.output);
    const auto e = connect_event(device);
    BOOST_TEST(e.value("connack", -1) == 5);
    BOOST_TEST(e.value("reason_id", "") == reason_id, e.dump());
  }
  void expect_tls_failure(const ProgramResult& r) const {
    BOOST_TEST(r.exit_status != 0, r.output);
    const auto e = f.wait_for_event(
        [](const Json& e) {
          return e.value("kind", "") == "tls_failure" && e.value("listener", "") == "x509" &&
                 e.value("reason", "") == "certificate verify failed";
        },
        std::chrono::seconds(5), since);
    BOOST_TEST(e.has_value());
  }

  std::string token(const std::string& id, std::chrono::seconds ttl = std::chrono::hours(1),
                    SrSpelling spelling = SrSpelling::percent_upper) const {
    return f.sas_token(id, ttl, spelling);
  }
  std::string policy_token(const std::string& resource, const std::string& policy, const std::string& key) const {
    certs::SasTokenRequest r;
    r.resource = resource;
    r.key_base64 = key;
    r.expiry = std::time(nullptr) + 3600;
    r.policy_name = policy;
    return certs::make_sas_token(r);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(connect_sas, ConnectHubRef)

BOOST_AUTO_TEST_CASE(sas_token_with_uppercase_percent_2F_sr_is_accepted) {
  expect_accepted(paho_connect(f, f.sas_uri(), "FlexySas", f.username("FlexySas"), token("FlexySas")), "FlexySas");
}

BOOST_AUTO_TEST_CASE(sas_token_with_lowercase_percent_2f_sr_is_accepted) {
  const auto r = mosquitto_pub(f, sas_port(), "FlexySas", f.username("FlexySas"),
                               token("FlexySas", std::chrono::hours(1), SrSpelling::percent_lower));
  expect_pub_accepted(r, "FlexySas");
}

BOOST_AUTO_TEST_CASE(sas_token_with_unencoded_sr_is_accepted) {
  expect_pub_accepted(mosquitto_pub(f, sas_port(), "FlexySas", f.username("FlexySas"),
                                    token("FlexySas", std::chrono::hours(1), SrSpelling::unencoded)),
                      "FlexySas");
}

BOOST_AUTO_TEST_CASE(sas_token_signed_with_a_wrong_key_is_refused_with_connack_5) {
  const auto t = f.sas_token("FlexySas", std::chrono::hours(1), SrSpelling::percent_upper, random_sas_key());
  expect_refused(paho_connect(f, f.sas_uri(), "FlexySas", f.username("FlexySas"), t), "FlexySas",
                 "AUTH-SAS-SIGNATURE");
}

BOOST_AUTO_TEST_CASE(sas_token_signed_with_the_secondary_key_is_accepted) {
  const auto t = f.sas_token("FlexySas", std::chrono::hours(1), SrSpelling::percent_upper,
                             f.sas_device("FlexySas").secondary_key);
  expect_pub_accepted(mosquitto_pub(f, sas_port(), "FlexySas", f.username("FlexySas"), t), "FlexySas");
}

BOOST_AUTO_TEST_CASE(expired_sas_token_is_refused_with_connack_5) {
  const auto t = token("FlexySas", -std::chrono::hours(1));
  expect_pub_refused(mosquitto_pub(f, sas_port(), "FlexySas", f.username("FlexySas"), t), "FlexySas", "AUTH-SAS-EXPIRED");
}

BOOST_AUTO_TEST_CASE(device_key_token_carrying_skn_is_refused) {
  certs::SasTokenRequest r;
  r.resource = f.hub_host() + "/devices/FlexySas";
  r.key_base64 = f.sas_device("FlexySas").primary_key;
  r.expiry = std::time(nullptr) + 3600;
  r.policy_name = "iothubowner";
  expect_pub_refused(mosquitto_pub(f, sas_port(), "FlexySas", f.username("FlexySas"), certs::make_sas_token(r)),
                     "FlexySas", "AUTH-SAS-POLICY");
}

BOOST_AUTO_TEST_CASE(policy_token_with_device_connect_scoped_to_the_hub_is_accepted) {
  const auto t = policy_token(f.hub_host(), "iothubowner", h.owner_key);
  expect_pub_accepted(mosquitto_pub(f, sas_port(), "FlexySas", f.username("FlexySas"), t), "FlexySas");
}

BOOST_AUTO_TEST_CASE(policy_token_without_device_connect_is_refused) {
  const auto t = policy_token(f.hub_host(), "registryreader", h.reader_key);
  expect_pub_refused(mosquitto_pub(f, sas_port(), "FlexySas", f.username("FlexySas"), t), "FlexySas", "AUTH-SAS-POLICY");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(connect_identity, ConnectHubRef)

BOOST_AUTO_TEST_CASE(username_in_the_current_docs_form_is_accepted) {
  const auto u = f.hub_host() + "/FlexySas/?api-version=2021-04-12";
  expect_pub_accepted(mosquitto_pub(f, sas_port(), "FlexySas", u, token("FlexySas")), "FlexySas");
  BOOST_TEST(connect_event("FlexySas").value("username_form", "") == "current");
}

BOOST_AUTO_TEST_CASE(username_in_the_sdk_form_with_device_client_type_is_accepted) {
  const auto u = f.hub_host() + "/FlexySas/?api-version=2020-09-30&DeviceClientType=iothubclient%2F1.6.0&model-id=dtmi:x;1";
  expect_accepted(paho_connect(f, f.sas_uri(), "FlexySas", u, token("FlexySas")), "FlexySas");
  BOOST_TEST(connect_event("FlexySas").value("username_form", "") == "sdk");
}

BOOST_AUTO_TEST_CASE(legacy_username_without_question_mark_is_accepted) {
  const auto u = f.hub_host() + "/FlexySas/api-version=2016-11-14";
  const auto r = mosquitto_pub(f, sas_port(), "FlexySas", u, token("FlexySas"));
  expect_pub_accepted(r, "FlexySas");
  BOOST_TEST(connect_event("FlexySas").value("username_form", "") == "legacy");
}

BOOST_AUTO_TEST_CASE(username_without_api_version_is_accepted_and_flagged) {
  const auto u = f.hub_host() + "/FlexySas";
  expect_pub_accepted(mosquitto_pub(f, sas_port(), "FlexySas", u, token("FlexySas")), "FlexySas");
  BOOST_TEST(connect_event("FlexySas").value("username_form", "") == "none");
}

BOOST_AUTO_TEST_CASE(username_with_a_wrong_host_is_refused) {
  const auto u = std::string("otherhub.azure-devices.net/FlexySas/?api-version=2021-04-12");
  expect_pub_refused(mosquitto_pub(f, sas_port(), "FlexySas", u, token("FlexySas")), "FlexySas", "AUTH-USERNAME-HOST");
}

BOOST_AUTO_TEST_CASE(username_naming_another_device_than_the_client_id_is_refused) {
  expect_pub_refused(mosquitto_pub(f, sas_port(), "FlexySas", f.username("FlexySasOther"), token("FlexySas")),
                     "FlexySas", "AUTH-USERNAME-DEVICE");
}

BOOST_AUTO_TEST_CASE(client_id_of_another_device_than_the_sas_token_is_refused) {
  // ClientId and username say FlexySasOther, the token is FlexySas's.
  expect_pub_refused(mosquitto_pub(f, sas_port(), "FlexySasOther", f.username("FlexySasOther"), token("FlexySas")),
                     "FlexySasOther", "AUTH-SAS-RESOURCE");
}

BOOST_AUTO_TEST_CASE(unknown_device_is_refused) {
  const auto t = f.sas_token("Nobody", std::chrono::hours(1), SrSpelling::percent_upper, random_sas_key());
  expect_pub_refused(mosquitto_pub(f, sas_port(), "Nobody", f.username("Nobody"), t), "Nobody", "AUTH-DEVICE-UNKNOWN");
}

BOOST_AUTO_TEST_CASE(disabled_device_is_refused) {
  const auto r = mosquitto_pub(f, sas_port(), "FlexySasOff", f.username("FlexySasOff"), token("FlexySasOff"));
  expect_pub_refused(r, "FlexySasOff", "AUTH-DEVICE-DISABLED");
}

BOOST_AUTO_TEST_CASE(mqtt_5_connect_is_refused_by_default) {
  const auto r = run_program({"mosquitto_pub", "-V", "mqttv5", "-h", "127.0.0.1", "-p", std::to_string(sas_port()),
                              "--cafile", f.ca_file(), "-i", "FlexySas", "-u", f.username("FlexySas"), "-P",
                              token("FlexySas"), "-t", "devices/FlexySas/messages/events/", "-m", "{}"},
                             f.dir());
  BOOST_TEST(r.exit_status != 0, r.output);
  const auto e = connect_event("FlexySas");
  BOOST_TEST(e.value("verdict", "") == "refused", e.dump());
  BOOST_TEST(e.value("reason_id", "") == "AUTH-PROTOCOL-VERSION", e.dump());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(connect_x509, ConnectHubRef)

BOOST_AUTO_TEST_CASE(self_signed_certificate_registered_by_sha1_thumbprint_is_accepted) {
  const auto r = mosquitto_pub(f, x509_port(), "SelfSha1", f.username("SelfSha1"), "", {h.sha1.crt, h.sha1.key});
  expect_pub_accepted(r, "SelfSha1");
  BOOST_TEST(connect_event("SelfSha1").value("auth", "") == "x509-selfsigned");
}

BOOST_AUTO_TEST_CASE(self_signed_certificate_registered_by_sha256_thumbprint_is_accepted) {
  expect_accepted(paho_connect(f, f.x509_uri(), "SelfSha256", f.username("SelfSha256"), "", {h.sha256.crt, h.sha256.key}),
                  "SelfSha256");
}

BOOST_AUTO_TEST_CASE(self_signed_certificate_matching_the_secondary_thumbprint_is_accepted) {
  expect_pub_accepted(
      mosquitto_pub(f, x509_port(), "SelfSecondary", f.username("SelfSecondary"), "", {h.secondary.crt, h.secondary.key}),
      "SelfSecondary");
}

BOOST_AUTO_TEST_CASE(thumbprint_registered_in_lower_case_is_accepted) {
  expect_pub_accepted(mosquitto_pub(f, x509_port(), "SelfLower", f.username("SelfLower"), "", {h.lower.crt, h.lower.key}),
                      "SelfLower");
}

BOOST_AUTO_TEST_CASE(self_signed_ecdsa_certificate_with_ca_false_is_accepted) {
  const auto r = mosquitto_pub(f, x509_port(), "SelfEcdsa", f.username("SelfEcdsa"), "", {h.ecdsa.crt, h.ecdsa.key});
  expect_pub_accepted(r, "SelfEcdsa");
}

BOOST_AUTO_TEST_CASE(eWON_style_x509_password_is_ignored) {
  const auto pw = "HostName=" + f.hub_host() + ";DeviceId=SelfSha1;x509=true";
  expect_pub_accepted(mosquitto_pub(f, x509_port(), "SelfSha1", f.username("SelfSha1"), pw, {h.sha1.crt, h.sha1.key}),
                      "SelfSha1");
}

BOOST_AUTO_TEST_CASE(certificate_not_matching_the_registered_thumbprint_is_refused) {
  // Trusted by TLS (--trust), but its thumbprint is not the registered one.
  expect_pub_refused(mosquitto_pub(f, x509_port(), "ThumbOnly", f.username("ThumbOnly"), "",
                                   {h.thumb_only_presented.crt, h.thumb_only_presented.key}),
                     "ThumbOnly", "AUTH-X509-THUMBPRINT");
}

BOOST_AUTO_TEST_CASE(certificate_differing_from_the_registered_one_fails_tls_with_a_tls_failure_event) {
  const auto r = mosquitto_pub(f, x509_port(), "SelfSha1", f.username("SelfSha1"), "", {h.stranger.crt, h.stranger.key});
  expect_tls_failure(r);
  BOOST_TEST(!f.wait_for_connect("SelfSha1", since, std::chrono::milliseconds(200)).has_value());
}

BOOST_AUTO_TEST_CASE(expired_registered_certificate_fails_tls_with_a_tls_failure_event) {
  const auto r = mosquitto_pub(f, x509_port(), "SelfExpired", f.username("SelfExpired"), "", {h.expired.crt, h.expired.key});
  expect_tls_failure(r);
}

BOOST_AUTO_TEST_CASE(disabled_x509_device_is_refused) {
  expect_pub_refused(
      mosquitto_pub(f, x509_port(), "SelfOff", f.username("SelfOff"), "", {h.disabled_x509.crt, h.disabled_x509.key}),
      "SelfOff", "AUTH-DEVICE-DISABLED");
}

BOOST_AUTO_TEST_CASE(x509_device_without_a_certificate_on_the_sas_port_is_refused) {
  expect_pub_refused(mosquitto_pub(f, sas_port(), "SelfSha1", f.username("SelfSha1"), ""), "SelfSha1",
                     "AUTH-X509-NO-CERT");
}

BOOST_AUTO_TEST_CASE(ca_signed_certificate_with_cn_equal_to_the_device_id_is_accepted) {
  const auto r = mosquitto_pub(f, x509_port(), "CaDevice", f.username("CaDevice"), "", {h.ca_good.crt, h.ca_good.key});
  expect_pub_accepted(r, "CaDevice");
  BOOST_TEST(connect_event("CaDevice").value("auth", "") == "x509-ca");
}

BOOST_AUTO_TEST_CASE(ca_signed_certificate_with_a_wrong_cn_is_refused) {
  expect_refused(
      paho_connect(f, f.x509_uri(), "CaWrongCn", f.username("CaWrongCn"), "", {h.ca_wrong_cn.crt, h.ca_wrong_cn.key}),
      "CaWrongCn", "AUTH-X509-CN-MISMATCH");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(connect_websocket)

BOOST_AUTO_TEST_CASE(sas_device_over_mqtt_websocket_with_tls_is_accepted_and_reported_as_websocket) {
  HubFixture f;
  f.add_sas_device("WsSas");
  f.start([](broker::HubOptionsBuilder& b) { b.websocket_port(0); });
  BOOST_REQUIRE(f.hub().ports().websocket.has_value());
  const auto since = f.mark();
  const auto uri = "wss://127.0.0.1:" + std::to_string(*f.hub().ports().websocket) + "/$iothub/websocket";
  const auto o = paho_connect(f, uri, "WsSas", f.username("WsSas"), f.sas_token("WsSas"));
  BOOST_TEST(o.accepted, o.error);
  const auto e = f.wait_for_connect("WsSas", since);
  BOOST_REQUIRE(e.has_value());
  BOOST_TEST(e->value("verdict", "") == "accepted");
  BOOST_TEST(e->value("listener", "") == "websocket");
}

BOOST_AUTO_TEST_SUITE_END()
