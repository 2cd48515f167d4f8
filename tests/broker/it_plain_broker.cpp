// The plugin's plain mode against real clients: mosquitto + the plugin as a generic MQTT broker
// (HubOptions::plain). Debian's mosquitto_pub/mosquitto_sub connect with the right and a wrong
// password, over plain TCP and over TLS with the run's CA; each test asserts what the client saw
// (exit status, "not authorised", the message received) AND the audit events of the plugin.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>
#include <thread>

#include "broker/hub_process.hpp"
#include "common/event.hpp"
#include "common/net.hpp"
#include "tests/broker/hub_fixture.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/file_text.hpp"

using flexhil::testing::read_text;

using namespace flexhil;
using namespace flexhil::testing;

namespace {

struct PlainBroker {
  TempDir dir;
  MemorySink sink;
  std::unique_ptr<broker::HubProcess> broker;

  explicit PlainBroker(bool tls, std::vector<broker::PlainUser> users = {{"flexy", "secret"}}) {
    broker::PlainBrokerOptions p;
    p.tls = tls;
    p.users = std::move(users);
    p.telemetry_filter = "plant/#";
    broker = std::make_unique<broker::HubProcess>(
        broker::HubOptionsBuilder().out_dir(dir.path().string()).plain(p).extra_name("mqtt.example.com").finalize(),
        sink);
  }
  std::uint16_t port() const { return broker->ports().broker; }

  std::optional<Json> wait_for(const std::function<bool(const Json&)>& predicate, std::size_t since = 0) const {
    std::optional<Json> found;
    wait_until(
        [&] {
          const auto events = sink.events();
          for (std::size_t i = since; i < events.size(); ++i)
            if (predicate(events[i])) {
              found = events[i];
              return true;
            }
          return false;
        },
        std::chrono::seconds(5));
    return found;
  }
  std::optional<Json> connect_of(const std::string& client) const {
    return wait_for([&](const Json& e) { return e.value("kind", "") == "connect" && e.value("device", "") == client; });
  }

  ProgramResult pub(const std::string& client, const std::string& user, const std::string& password,
                    const std::string& topic = "plant/line3/telemetry", bool tls = false,
                    const std::string& host = "127.0.0.1") {
    std::vector<std::string> argv{"mosquitto_pub", "-h", host, "-p", std::to_string(port()), "-i", client,
                                  "-t", topic, "-m", "{\"t\":1}", "-q", "1"};
    if (!user.empty()) argv.insert(argv.end(), {"-u", user});
    if (!password.empty()) argv.insert(argv.end(), {"-P", password});
    if (tls) argv.insert(argv.end(), {"--cafile", broker->ca_file()});
    return run_program(argv, dir);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(plain_broker)

BOOST_AUTO_TEST_CASE(right_password_is_accepted_and_the_publish_is_audited_as_telemetry) {
  PlainBroker b(false);
  BOOST_TEST(b.broker->plain());
  BOOST_TEST(b.broker->hub_host().empty());
  const auto r = b.pub("line3-flexy", "flexy", "secret");
  BOOST_TEST(r.exit_status == 0, r.output);
  const auto c = b.connect_of("line3-flexy");
  BOOST_REQUIRE(c.has_value());
  BOOST_TEST(c->value("verdict", "") == "accepted", c->dump());
  BOOST_TEST(c->value("connack", -1) == 0);
  BOOST_TEST(c->value("username", "") == "flexy");
  BOOST_TEST(c->value("auth", "") == "password");
  BOOST_TEST(c->value("listener", "") == "broker");
  BOOST_TEST(c->value("src", "").rfind("hub#", 0) == 0, c->dump());  // the audit stream's own numbering
  BOOST_TEST(c->contains("src_seq"));
  BOOST_TEST(c->dump().find("secret") == std::string::npos, "the password never reaches the audit");
  const auto p = b.wait_for([](const Json& e) { return e.value("kind", "") == "publish"; });
  BOOST_REQUIRE(p.has_value());
  BOOST_TEST(p->value("topic", "") == "plant/line3/telemetry");
  BOOST_TEST(p->value("qos", -1) == 1);
  BOOST_TEST(p->value("telemetry", false) == true);
  std::string body;
  BOOST_REQUIRE(base64_decode(p->value("payload_b64", ""), body));
  BOOST_TEST(body == "{\"t\":1}");
  BOOST_TEST(b.wait_for([](const Json& e) { return e.value("kind", "") == "disconnect"; }).has_value());
  // The users file holds passwords: private to the user running the broker.
  const auto users = b.dir.file("broker-users.jsonl");
  BOOST_TEST(((std::filesystem::status(users).permissions() & std::filesystem::perms::group_read) ==
              std::filesystem::perms::none));
}

BOOST_AUTO_TEST_CASE(a_publish_outside_the_telemetry_filter_is_not_telemetry) {
  PlainBroker b(false);
  BOOST_TEST(b.pub("other", "flexy", "secret", "plant-status").exit_status == 0);
  const auto p = b.wait_for([](const Json& e) { return e.value("kind", "") == "publish"; });
  BOOST_REQUIRE(p.has_value());
  BOOST_TEST(p->value("telemetry", true) == false);
}

BOOST_AUTO_TEST_CASE(wrong_password_unknown_user_and_no_user_are_refused_with_connack_5) {
  PlainBroker b(false);
  struct Case {
    const char* client;
    const char* user;
    const char* password;
    const char* reason;
  };
  for (const Case& k : {Case{"c-wrong", "flexy", "Secret", "wrong password for user 'flexy'"},
                        Case{"c-unknown", "intruder", "secret", "unknown user 'intruder'"},
                        Case{"c-anon", "", "", "no username"}}) {
    const auto r = b.pub(k.client, k.user, k.password);
    BOOST_TEST(r.exit_status != 0, k.client);
    BOOST_TEST(r.output.find("not authorised") != std::string::npos, r.output);
    const auto c = b.connect_of(k.client);
    BOOST_REQUIRE_MESSAGE(c.has_value(), k.client);
    BOOST_TEST(c->value("verdict", "") == "refused");
    BOOST_TEST(c->value("connack", -1) == 5);
    BOOST_TEST(c->value("reason_id", "") == "AUTH-BROKER-CREDENTIALS");
    BOOST_TEST(c->value("reason", "").find(k.reason) != std::string::npos, c->dump());
  }
  BOOST_TEST(!b.wait_for([](const Json& e) { return e.value("kind", "") == "publish"; }).has_value());
}

BOOST_AUTO_TEST_CASE(without_users_anonymous_clients_are_accepted) {
  PlainBroker b(false, {});
  BOOST_TEST(b.pub("anon", "", "").exit_status == 0);
  const auto c = b.connect_of("anon");
  BOOST_REQUIRE(c.has_value());
  BOOST_TEST(c->value("verdict", "") == "accepted");
  BOOST_TEST(c->value("auth", "") == "anonymous");
}

BOOST_AUTO_TEST_CASE(tls_is_served_with_the_run_ca_for_every_mapped_host_name) {
  PlainBroker b(true);
  // The certificate's SANs hold the extra name, localhost and 127.0.0.1: both verify.
  const auto by_ip = b.pub("tls-ip", "flexy", "secret", "plant/x", true);
  BOOST_TEST(by_ip.exit_status == 0, by_ip.output);
  const auto by_name = b.pub("tls-name", "flexy", "secret", "plant/x", true, "localhost");
  BOOST_TEST(by_name.exit_status == 0, by_name.output);
  const auto crt = read_text(b.dir.file("broker.crt"));
  BOOST_REQUIRE(!crt.empty());
  const auto text = run_program({"openssl", "x509", "-noout", "-ext", "subjectAltName", "-in", b.dir.file("broker.crt")}, b.dir);
  BOOST_TEST(text.output.find("DNS:mqtt.example.com") != std::string::npos, text.output);
  BOOST_TEST(text.output.find("IP Address:127.0.0.1") != std::string::npos, text.output);
  // Plain TCP on the TLS port does not get a CONNACK.
  BOOST_TEST(b.pub("no-tls", "flexy", "secret").exit_status != 0);
  BOOST_TEST(b.connect_of("tls-ip")->value("verdict", "") == "accepted");
}

BOOST_AUTO_TEST_CASE(a_subscriber_receives_what_a_device_publishes_and_cannot_read_harness_topics) {
  PlainBroker b(false);
  // mosquitto_sub waits for one message (-C 1) while mosquitto_pub sends it.
  std::vector<std::string> argv{"mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(b.port()), "-i", "reader",
                                "-u", "flexy", "-P", "secret", "-t", "plant/#", "-C", "1", "-W", "8"};
  ProgramResult got;
  std::thread reader([&] { got = run_program(argv, b.dir); });
  BOOST_REQUIRE(b.wait_for([](const Json& e) {
                  return e.value("kind", "") == "subscribe" && e.value("device", "") == "reader";
                }).has_value());
  BOOST_TEST(b.pub("writer", "flexy", "secret", "plant/line3/telemetry").exit_status == 0);
  reader.join();
  BOOST_TEST(got.exit_status == 0, got.output);
  BOOST_TEST(got.output.find("{\"t\":1}") != std::string::npos, got.output);
  const auto s = b.wait_for([](const Json& e) { return e.value("kind", "") == "subscribe"; });
  BOOST_REQUIRE(s.has_value());
  BOOST_TEST(s->value("verdict", "") == "granted");
  BOOST_TEST(s->value("topic", "") == "plant/#");
  run_program({"mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(b.port()), "-i", "snoop",
                                   "-u", "flexy", "-P", "secret", "-t", "$flexhil/#", "-C", "1", "-W", "1"},
                                  b.dir);
  const auto refused = b.wait_for([](const Json& e) {
    return e.value("kind", "") == "subscribe" && e.value("device", "") == "snoop";
  });
  BOOST_REQUIRE(refused.has_value());
  BOOST_TEST(refused->value("verdict", "") == "refused");
}

BOOST_AUTO_TEST_SUITE_END()
