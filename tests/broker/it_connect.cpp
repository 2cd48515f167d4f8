// CONNECT verdicts of the impersonated IoT Hub, one test per verdict of the spec, with real
// clients (paho.mqtt.cpp and Debian's mosquitto_pub) over real TLS against mosquitto + the
// iothub plugin, all on the hub's one MQTTS port (SAS and X.509 alike, as IoT Hub's 8883). Each
// test asserts what the client saw (CONNACK 0 or CONNACK 5: a bad certificate completes the
// handshake and is refused at CONNECT) AND the audit event the hub emitted (verdict, connack,
// reason_id, reason).
#include <boost/test/unit_test.hpp>
#include <ctime>
#include <map>
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
  DeviceCert thumb_only_registered, thumb_only_presented, stranger, ca_trusted, ca_unknown;
  std::map<std::string, std::string> ca_files;  // CA name → certificate file
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
    // Registered by thumbprint only (no certificate file): enough, the handshake takes any
    // certificate and the plugin's thumbprint check decides.
    o = {};
    o.register_certificate_file = false;
    thumb_only_registered = f.add_self_signed_device("ThumbOnly", o);
    thumb_only_presented = f.make_unregistered_self_signed("ThumbOnly");
    stranger = f.make_unregistered_self_signed("Stranger");
    // CA-signed devices whose CA is not in the registry: one CA is given to the hub with
    // trust() (the CLI's --trust), the other is known nowhere.
    ca_trusted = leaf_of_own_ca("CaTrusted", "extra trusted CA");
    ca_unknown = leaf_of_own_ca("CaUnknown", "unknown CA");
    const auto extra_ca = ca_files.at("extra trusted CA");
    f.start([&](broker::HubOptionsBuilder& b) { b.trust(extra_ca); });
  }

  // A leaf with CN = id under a CA of its own (written next to it), registered as x509-ca.
  DeviceCert leaf_of_own_ca(const std::string& id, const std::string& ca_name) {
    certs::CertificateSpec ca_spec;
    ca_spec.common_name = ca_name;
    ca_spec.is_ca = true;
    const auto ca = certs::make_self_signed(ca_spec);
    ca_files[ca_name] = ca.write(f.dir().file("own-ca"), ca_name).first;
    certs::CertificateSpec leaf;
    leaf.common_name = id;
    leaf.client_auth = true;
    DeviceCert c;
    c.id = id;
    c.pair = certs::make_signed(leaf, ca);
    std::tie(c.crt, c.key) = c.pair.write(f.dir().file("own-ca"), id);
    f.append_registry("[[device]]\nid = \"" + id + "\"\nauth = \"x509-ca\"\n");
    return c;
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

  std::uint16_t mqtts_port() const { return f.hub().ports().mqtts; }

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
  Json expect_refused(const ConnectOutcome& o, const std::string& device, const std::string& reason_id) const {
    BOOST_TEST(!o.accepted);
    BOOST_TEST(o.return_code == 5, o.error);
    const auto e = connect_event(device);
    BOOST_TEST(e.value("verdict", "") == "refused", e.dump());
    BOOST_TEST(e.value("connack", -1) == 5);
    BOOST_TEST(e.value("reason_id", "") == reason_id, e.dump());
    return e;
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
  // Nothing failed at TLS in this test: every verdict came at CONNECT.
  void expect_no_tls_failure() const {
    BOOST_TEST(!f.wait_for_kind("tls_failure", since, std::chrono::milliseconds(200)).has_value());
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
  expect_accepted(paho_connect(f, f.mqtts_uri(), "FlexySas", f.username("FlexySas"), token("FlexySas")), "FlexySas");
}

BOOST_AUTO_TEST_CASE(sas_token_with_lowercase_percent_2f_sr_is_accepted) {
  const auto r = mosquitto_pub(f, mqtts_port(), "FlexySas", f.username("FlexySas"),
                               token("FlexySas", std::chrono::hours(1), SrSpelling::percent_lower));
  expect_pub_accepted(r, "FlexySas");
}

BOOST_AUTO_TEST_CASE(sas_token_with_unencoded_sr_is_accepted) {
  expect_pub_accepted(mosquitto_pub(f, mqtts_port(), "FlexySas", f.username("FlexySas"),
                                    token("FlexySas", std::chrono::hours(1), SrSpelling::unencoded)),
                      "FlexySas");
}

BOOST_AUTO_TEST_CASE(sas_token_signed_with_a_wrong_key_is_refused_with_connack_5) {
  const auto t = f.sas_token("FlexySas", std::chrono::hours(1), SrSpelling::percent_upper, random_sas_key());
  expect_refused(paho_connect(f, f.mqtts_uri(), "FlexySas", f.username("FlexySas"), t), "FlexySas",
                 "AUTH-SAS-SIGNATURE");
}

BOOST_AUTO_TEST_CASE(sas_token_signed_with_the_secondary_key_is_accepted) {
  const auto t = f.sas_token("FlexySas", std::chrono::hours(1), SrSpelling::percent_upper,
                             f.sas_device("FlexySas").secondary_key);
  expect_pub_accepted(mosquitto_pub(f, mqtts_port(), "FlexySas", f.username("FlexySas"), t), "FlexySas");
}

BOOST_AUTO_TEST_CASE(expired_sas_token_is_refused_with_connack_5) {
  const auto t = token("FlexySas", -std::chrono::hours(1));
  expect_pub_refused(mosquitto_pub(f, mqtts_port(), "FlexySas", f.username("FlexySas"), t), "FlexySas", "AUTH-SAS-EXPIRED");
}

BOOST_AUTO_TEST_CASE(device_key_token_carrying_skn_is_refused) {
  certs::SasTokenRequest r;
  r.resource = f.hub_host() + "/devices/FlexySas";
  r.key_base64 = f.sas_device("FlexySas").primary_key;
  r.expiry = std::time(nullptr) + 3600;
  r.policy_name = "iothubowner";
  expect_pub_refused(mosquitto_pub(f, mqtts_port(), "FlexySas", f.username("FlexySas"), certs::make_sas_token(r)),
                     "FlexySas", "AUTH-SAS-POLICY");
}

BOOST_AUTO_TEST_CASE(policy_token_with_device_connect_scoped_to_the_hub_is_accepted) {
  const auto t = policy_token(f.hub_host(), "iothubowner", h.owner_key);
  expect_pub_accepted(mosquitto_pub(f, mqtts_port(), "FlexySas", f.username("FlexySas"), t), "FlexySas");
}

BOOST_AUTO_TEST_CASE(policy_token_without_device_connect_is_refused) {
  const auto t = policy_token(f.hub_host(), "registryreader", h.reader_key);
  expect_pub_refused(mosquitto_pub(f, mqtts_port(), "FlexySas", f.username("FlexySas"), t), "FlexySas", "AUTH-SAS-POLICY");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(connect_identity, ConnectHubRef)

BOOST_AUTO_TEST_CASE(username_in_the_current_docs_form_is_accepted) {
  const auto u = f.hub_host() + "/FlexySas/?api-version=2021-04-12";
  expect_pub_accepted(mosquitto_pub(f, mqtts_port(), "FlexySas", u, token("FlexySas")), "FlexySas");
  BOOST_TEST(connect_event("FlexySas").value("username_form", "") == "current");
}

BOOST_AUTO_TEST_CASE(username_in_the_sdk_form_with_device_client_type_is_accepted) {
  const auto u = f.hub_host() + "/FlexySas/?api-version=2020-09-30&DeviceClientType=iothubclient%2F1.6.0&model-id=dtmi:x;1";
  expect_accepted(paho_connect(f, f.mqtts_uri(), "FlexySas", u, token("FlexySas")), "FlexySas");
  BOOST_TEST(connect_event("FlexySas").value("username_form", "") == "sdk");
}

BOOST_AUTO_TEST_CASE(legacy_username_without_question_mark_is_accepted) {
  const auto u = f.hub_host() + "/FlexySas/api-version=2016-11-14";
  const auto r = mosquitto_pub(f, mqtts_port(), "FlexySas", u, token("FlexySas"));
  expect_pub_accepted(r, "FlexySas");
  BOOST_TEST(connect_event("FlexySas").value("username_form", "") == "legacy");
}

BOOST_AUTO_TEST_CASE(username_without_api_version_is_accepted_and_flagged) {
  const auto u = f.hub_host() + "/FlexySas";
  expect_pub_accepted(mosquitto_pub(f, mqtts_port(), "FlexySas", u, token("FlexySas")), "FlexySas");
  BOOST_TEST(connect_event("FlexySas").value("username_form", "") == "none");
}

BOOST_AUTO_TEST_CASE(username_with_a_wrong_host_is_refused) {
  const auto u = std::string("otherhub.azure-devices.net/FlexySas/?api-version=2021-04-12");
  expect_pub_refused(mosquitto_pub(f, mqtts_port(), "FlexySas", u, token("FlexySas")), "FlexySas", "AUTH-USERNAME-HOST");
}

BOOST_AUTO_TEST_CASE(username_naming_another_device_than_the_client_id_is_refused) {
  expect_pub_refused(mosquitto_pub(f, mqtts_port(), "FlexySas", f.username("FlexySasOther"), token("FlexySas")),
                     "FlexySas", "AUTH-USERNAME-DEVICE");
}

BOOST_AUTO_TEST_CASE(client_id_of_another_device_than_the_sas_token_is_refused) {
  // ClientId and username say FlexySasOther, the token is FlexySas's.
  expect_pub_refused(mosquitto_pub(f, mqtts_port(), "FlexySasOther", f.username("FlexySasOther"), token("FlexySas")),
                     "FlexySasOther", "AUTH-SAS-RESOURCE");
}

BOOST_AUTO_TEST_CASE(unknown_device_is_refused) {
  const auto t = f.sas_token("Nobody", std::chrono::hours(1), SrSpelling::percent_upper, random_sas_key());
  expect_pub_refused(mosquitto_pub(f, mqtts_port(), "Nobody", f.username("Nobody"), t), "Nobody", "AUTH-DEVICE-UNKNOWN");
}

BOOST_AUTO_TEST_CASE(disabled_device_is_refused) {
  const auto r = mosquitto_pub(f, mqtts_port(), "FlexySasOff", f.username("FlexySasOff"), token("FlexySasOff"));
  expect_pub_refused(r, "FlexySasOff", "AUTH-DEVICE-DISABLED");
}

BOOST_AUTO_TEST_CASE(mqtt_5_connect_is_refused_by_default) {
  const auto r = run_program({"mosquitto_pub", "-V", "mqttv5", "-h", "127.0.0.1", "-p", std::to_string(mqtts_port()),
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
  const auto r = mosquitto_pub(f, mqtts_port(), "SelfSha1", f.username("SelfSha1"), "", {h.sha1.crt, h.sha1.key});
  expect_pub_accepted(r, "SelfSha1");
  BOOST_TEST(connect_event("SelfSha1").value("auth", "") == "x509-selfsigned");
}

BOOST_AUTO_TEST_CASE(self_signed_certificate_registered_by_sha256_thumbprint_is_accepted) {
  expect_accepted(paho_connect(f, f.mqtts_uri(), "SelfSha256", f.username("SelfSha256"), "", {h.sha256.crt, h.sha256.key}),
                  "SelfSha256");
}

BOOST_AUTO_TEST_CASE(self_signed_certificate_matching_the_secondary_thumbprint_is_accepted) {
  expect_pub_accepted(
      mosquitto_pub(f, mqtts_port(), "SelfSecondary", f.username("SelfSecondary"), "", {h.secondary.crt, h.secondary.key}),
      "SelfSecondary");
}

BOOST_AUTO_TEST_CASE(thumbprint_registered_in_lower_case_is_accepted) {
  expect_pub_accepted(mosquitto_pub(f, mqtts_port(), "SelfLower", f.username("SelfLower"), "", {h.lower.crt, h.lower.key}),
                      "SelfLower");
}

BOOST_AUTO_TEST_CASE(self_signed_ecdsa_certificate_with_ca_false_is_accepted) {
  const auto r = mosquitto_pub(f, mqtts_port(), "SelfEcdsa", f.username("SelfEcdsa"), "", {h.ecdsa.crt, h.ecdsa.key});
  expect_pub_accepted(r, "SelfEcdsa");
}

BOOST_AUTO_TEST_CASE(eWON_style_x509_password_is_ignored) {
  const auto pw = "HostName=" + f.hub_host() + ";DeviceId=SelfSha1;x509=true";
  expect_pub_accepted(mosquitto_pub(f, mqtts_port(), "SelfSha1", f.username("SelfSha1"), pw, {h.sha1.crt, h.sha1.key}),
                      "SelfSha1");
}

BOOST_AUTO_TEST_CASE(device_registered_by_thumbprint_only_is_accepted) {
  expect_accepted(paho_connect(f, f.mqtts_uri(), "ThumbOnly", f.username("ThumbOnly"), "",
                               {h.thumb_only_registered.crt, h.thumb_only_registered.key}),
                  "ThumbOnly");
  expect_no_tls_failure();
}

BOOST_AUTO_TEST_CASE(certificate_not_matching_the_registered_thumbprint_is_refused) {
  expect_pub_refused(mosquitto_pub(f, mqtts_port(), "ThumbOnly", f.username("ThumbOnly"), "",
                                   {h.thumb_only_presented.crt, h.thumb_only_presented.key}),
                     "ThumbOnly", "AUTH-X509-THUMBPRINT");
}

BOOST_AUTO_TEST_CASE(unregistered_certificate_completes_tls_and_gets_connack_5_with_thumbprint) {
  const auto e = expect_refused(
      paho_connect(f, f.mqtts_uri(), "SelfSha1", f.username("SelfSha1"), "", {h.stranger.crt, h.stranger.key}),
      "SelfSha1", "AUTH-X509-THUMBPRINT");
  BOOST_TEST(e.value("reason", "").find(h.stranger.sha1) != std::string::npos, e.dump());
  BOOST_TEST(e.value("listener", "") == "mqtts");
  expect_no_tls_failure();
}

BOOST_AUTO_TEST_CASE(expired_registered_certificate_completes_tls_and_gets_connack_5_with_expired) {
  const auto e = expect_refused(
      paho_connect(f, f.mqtts_uri(), "SelfExpired", f.username("SelfExpired"), "", {h.expired.crt, h.expired.key}),
      "SelfExpired", "AUTH-X509-EXPIRED");
  BOOST_TEST(e.value("reason", "").find("(notAfter)") != std::string::npos, e.dump());
  expect_no_tls_failure();
}

BOOST_AUTO_TEST_CASE(certificate_of_an_unknown_ca_completes_tls_and_gets_connack_5_with_unknown_ca) {
  const auto e = expect_refused(
      paho_connect(f, f.mqtts_uri(), "CaUnknown", f.username("CaUnknown"), "", {h.ca_unknown.crt, h.ca_unknown.key}),
      "CaUnknown", "AUTH-X509-UNKNOWN-CA");
  BOOST_TEST(e.value("reason", "").find("does not chain to a registered CA") != std::string::npos, e.dump());
  expect_no_tls_failure();
}

BOOST_AUTO_TEST_CASE(certificate_of_a_ca_given_with_trust_is_verified_to_that_ca) {
  expect_accepted(
      paho_connect(f, f.mqtts_uri(), "CaTrusted", f.username("CaTrusted"), "", {h.ca_trusted.crt, h.ca_trusted.key}),
      "CaTrusted");
  const auto e = connect_event("CaTrusted");
  BOOST_TEST(e.value("matched", "") == "ca:extra trusted CA", e.dump());
  BOOST_TEST(e.value("certificate_ca", "") == "extra trusted CA", e.dump());
}

BOOST_AUTO_TEST_CASE(disabled_x509_device_is_refused) {
  expect_pub_refused(
      mosquitto_pub(f, mqtts_port(), "SelfOff", f.username("SelfOff"), "", {h.disabled_x509.crt, h.disabled_x509.key}),
      "SelfOff", "AUTH-DEVICE-DISABLED");
}

BOOST_AUTO_TEST_CASE(x509_device_presenting_no_certificate_gets_connack_5_with_no_certificate) {
  expect_pub_refused(mosquitto_pub(f, mqtts_port(), "SelfSha1", f.username("SelfSha1"), ""), "SelfSha1",
                     "AUTH-X509-NO-CERTIFICATE");
  const auto e = expect_refused(paho_connect(f, f.mqtts_uri(), "SelfSha256", f.username("SelfSha256"), ""),
                                "SelfSha256", "AUTH-X509-NO-CERTIFICATE");
  BOOST_TEST(e.value("reason", "").find("presented no client certificate") != std::string::npos, e.dump());
  expect_no_tls_failure();
}

BOOST_AUTO_TEST_CASE(ca_signed_certificate_with_cn_equal_to_the_device_id_is_accepted) {
  const auto r = mosquitto_pub(f, mqtts_port(), "CaDevice", f.username("CaDevice"), "", {h.ca_good.crt, h.ca_good.key});
  expect_pub_accepted(r, "CaDevice");
  BOOST_TEST(connect_event("CaDevice").value("auth", "") == "x509-ca");
  BOOST_TEST(connect_event("CaDevice").value("matched", "") == "ca:device-ca");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(connect_one_port, ConnectHubRef)

BOOST_AUTO_TEST_CASE(a_sas_device_and_an_x509_device_both_connect_on_the_one_mqtts_port) {
  expect_accepted(paho_connect(f, f.mqtts_uri(), "FlexySas", f.username("FlexySas"), token("FlexySas")), "FlexySas");
  expect_accepted(paho_connect(f, f.mqtts_uri(), "SelfSha1", f.username("SelfSha1"), "", {h.sha1.crt, h.sha1.key}),
                  "SelfSha1");
  BOOST_TEST(connect_event("FlexySas").value("listener", "") == "mqtts");
  BOOST_TEST(connect_event("SelfSha1").value("listener", "") == "mqtts");
  BOOST_TEST(connect_event("SelfSha1").value("auth", "") == "x509-selfsigned");
}

BOOST_AUTO_TEST_CASE(a_sas_device_presenting_a_certificate_too_is_judged_by_its_sas) {
  expect_accepted(
      paho_connect(f, f.mqtts_uri(), "FlexySas", f.username("FlexySas"), token("FlexySas"), {h.sha1.crt, h.sha1.key}),
      "FlexySas");
  const auto e = connect_event("FlexySas");
  BOOST_TEST(e.value("auth", "") == "sas");
  BOOST_TEST(e.value("thumbprint_sha1", "") == h.sha1.sha1);
}

BOOST_AUTO_TEST_CASE(the_internal_listener_refuses_device_credentials) {
  // Plain TCP on 127.0.0.1: the harness's own port. A device with a valid SAS token is refused
  // there and nothing is labelled as a device port.
  const auto uri = "tcp://127.0.0.1:" + std::to_string(f.hub().ports().internal);
  mqtt::async_client client(uri, "FlexySas");
  auto opts = mqtt::connect_options_builder()
                  .mqtt_version(MQTTVERSION_3_1_1)
                  .connect_timeout(std::chrono::seconds(5))
                  .user_name(f.username("FlexySas"))
                  .password(token("FlexySas"))
                  .finalize();
  int rc = -1;
  try {
    client.connect(opts)->wait();
    client.disconnect()->wait();
    rc = 0;
  } catch (const mqtt::exception& e) {
    rc = e.get_return_code();
  }
  BOOST_TEST(rc == 5);
  const auto e = connect_event("FlexySas");
  BOOST_TEST(e.value("listener", "") == "internal", e.dump());
  BOOST_TEST(e.value("connack", -1) == 5);
  BOOST_TEST(e.value("reason_id", "") == "AUTH-REFUSED");
  BOOST_TEST(e.value("auth", "") == "none");
}

BOOST_AUTO_TEST_CASE(ca_signed_certificate_with_a_wrong_cn_is_refused) {
  expect_refused(
      paho_connect(f, f.mqtts_uri(), "CaWrongCn", f.username("CaWrongCn"), "", {h.ca_wrong_cn.crt, h.ca_wrong_cn.key}),
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
