// HubProcess's harness requests reach a connected device through the plugin: cloud-to-device
// message, desired-property update, direct method (and its answer back as an event).
#include <boost/test/unit_test.hpp>
#include <mqtt/async_client.h>

#include "tests/broker/hub_fixture.hpp"

using namespace flexhil;
using namespace flexhil::testing;

namespace {

struct ConnectedDevice {
  HubFixture f;
  std::unique_ptr<mqtt::async_client> client;
  ConnectedDevice() {
    f.add_sas_device("CmdSas");
    f.start();
    client = std::make_unique<mqtt::async_client>(f.mqtts_uri(), "CmdSas");
    client->start_consuming();
    auto ssl = mqtt::ssl_options_builder().trust_store(f.ca_file()).finalize();
    client->connect(mqtt::connect_options_builder()
                        .mqtt_version(MQTTVERSION_3_1_1)
                        .user_name(f.username("CmdSas"))
                        .password(f.sas_token("CmdSas"))
                        .ssl(ssl)
                        .finalize())
        ->wait();
    for (const char* t : {"devices/CmdSas/messages/devicebound/#", "$iothub/methods/POST/#",
                          "$iothub/twin/PATCH/properties/desired/#"})
      client->subscribe(t, 1)->wait();
  }
  ~ConnectedDevice() {
    try {
      client->disconnect()->wait();
    } catch (const mqtt::exception&) {
    }
  }
  mqtt::const_message_ptr next_message() {
    mqtt::const_message_ptr m;
    client->try_consume_message_for(&m, std::chrono::seconds(5));
    return m;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(harness_commands, ConnectedDevice)

BOOST_AUTO_TEST_CASE(c2d_desired_and_method_requests_reach_the_device_and_the_method_answer_is_an_event) {
  f.hub().send_c2d("CmdSas", "hello device", {{"color", "blue"}});
  auto m = next_message();
  BOOST_REQUIRE(m);
  BOOST_TEST(m->get_topic().rfind("devices/CmdSas/messages/devicebound/", 0) == 0, m->get_topic());
  BOOST_TEST(m->get_topic().find("color=blue") != std::string::npos, m->get_topic());
  BOOST_TEST(m->get_payload_str() == "hello device");

  f.hub().update_desired("CmdSas", Json{{"interval", 10}});
  m = next_message();
  BOOST_REQUIRE(m);
  BOOST_TEST(m->get_topic().rfind("$iothub/twin/PATCH/properties/desired/", 0) == 0, m->get_topic());
  BOOST_TEST(Json::parse(m->get_payload_str()).value("interval", 0) == 10);

  const auto since = f.mark();
  const auto rid = f.hub().call_method("CmdSas", "reboot", Json{{"delay", 0}});
  m = next_message();
  BOOST_REQUIRE(m);
  BOOST_TEST(m->get_topic() == "$iothub/methods/POST/reboot/?$rid=" + rid);
  client->publish("$iothub/methods/res/200/?$rid=" + rid, "{\"ok\":true}", 1, false)->wait();
  const auto e = f.wait_for_event(
      [&](const Json& e) { return e.value("kind", "") == "method_response" && e.value("rid", "") == rid; },
      std::chrono::seconds(5), since);
  BOOST_REQUIRE(e.has_value());
  BOOST_TEST(e->value("status", 0) == 200, e->dump());
}

BOOST_AUTO_TEST_SUITE_END()
