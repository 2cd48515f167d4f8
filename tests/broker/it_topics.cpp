// Topics, limits, twin, cloud-to-device and direct methods against the real hub: mosquitto
// 2.0.11 with the iothub plugin over real TLS, devices are paho.mqtt.cpp clients (and
// mosquitto_pub / mosquitto_sub). Every test asserts what the client observed (a dropped
// connection, a response and its $version) and what the audit stream recorded.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <mqtt/async_client.h>

#include "common/net.hpp"
#include "tests/broker/hub_fixture.hpp"

using namespace flexhil;
using namespace flexhil::testing;
using namespace std::chrono_literals;

namespace {

// A device on the SAS port: records what it receives and whether the hub dropped it.
class PahoDevice {
 public:
  PahoDevice(HubFixture& f, const std::string& id)
      : id_(id), client_(f.mqtts_uri(), id, mqtt::create_options(MQTTVERSION_3_1_1)) {
    client_.set_message_callback([this](mqtt::const_message_ptr m) {
      std::lock_guard lock(mutex_);
      messages_.push_back(m);
      cv_.notify_all();
    });
    client_.set_connection_lost_handler([this](const std::string&) {
      std::lock_guard lock(mutex_);
      lost_ = true;
      cv_.notify_all();
    });
    auto ssl = mqtt::ssl_options_builder().trust_store(f.ca_file()).enable_server_cert_auth(true).finalize();
    auto opts = mqtt::connect_options_builder()
                    .mqtt_version(MQTTVERSION_3_1_1)
                    .user_name(f.username(id))
                    .password(f.sas_token(id))
                    .ssl(ssl)
                    .clean_session(true)
                    .keep_alive_interval(30s)
                    .connect_timeout(5s)
                    .finalize();
    client_.connect(opts)->wait_for(5s);
    BOOST_REQUIRE_MESSAGE(client_.is_connected(), id + " did not connect");
  }
  ~PahoDevice() {
    try {
      if (client_.is_connected()) client_.disconnect()->wait_for(2s);
    } catch (...) {
    }
  }

  // Subscribes and returns the granted QoS of each filter (0x80 = refused).
  std::vector<int> subscribe(const std::vector<std::string>& filters, int qos = 1) {
    auto tok = client_.subscribe(mqtt::string_collection::create(filters), std::vector<int>(filters.size(), qos));
    tok->wait_for(5s);
    std::vector<int> out;
    const auto response = tok->get_subscribe_response();
    const auto codes = response.get_reason_codes();
    for (auto rc : codes) out.push_back(static_cast<int>(rc));
    return out;
  }
  void publish(const std::string& topic, const std::string& payload, int qos = 1, bool retain = false) {
    client_.publish(topic, payload.data(), payload.size(), qos, retain);
  }
  // Waits for a message whose topic starts with `prefix`.
  std::optional<mqtt::const_message_ptr> wait_message(const std::string& prefix, std::chrono::milliseconds t = 5s) {
    std::unique_lock lock(mutex_);
    std::optional<mqtt::const_message_ptr> found;
    cv_.wait_for(lock, t, [&] {
      for (auto it = messages_.begin(); it != messages_.end(); ++it)
        if ((*it)->get_topic().rfind(prefix, 0) == 0) {
          found = *it;
          messages_.erase(it);
          return true;
        }
      return false;
    });
    return found;
  }
  bool wait_lost(std::chrono::milliseconds t = 5s) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, t, [&] { return lost_; });
  }
  bool connected() const { return client_.is_connected(); }

 private:
  std::string id_;
  mqtt::async_client client_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<mqtt::const_message_ptr> messages_;
  bool lost_ = false;
};


// The `disconnect` event of `device` after `since`.
std::optional<Json> wait_disconnect(const HubFixture& f, const std::string& device, std::size_t since) {
  return f.wait_for_event([&](const Json& e) { return is_event(e, "disconnect", device); }, 5s, since);
}


// Device ids of the tests that share one hub: every test has its own, so twin versions and
// sessions never mix. (Tests that need other plugin options start their own hub.)
const std::vector<std::string> kSharedDevices = {
    "Telemetry", "ForbiddenPub", "Victim", "Spoofer", "ForbiddenSub", "OtherSub", "Qos2", "Big", "Ok256",
    "FourSubs", "Retain", "Replaced", "TwinPatch", "TwinBad", "C2d", "C2dOther", "Desired", "Method", "MosqPub",
    "Intruder", "Qos2Sub", "TwinGet"};

// One hub for the whole module (started on first use, stopped at exit): starting mosquitto with a
// fresh PKI per test would double the suite's time.
HubFixture& shared_hub() {
  static HubFixture hub;
  static const bool started = [] {
    // A device with a module identity (its own key and twin), before the others: the module
    // table must follow its [[device]].
    hub.add_sas_device("Gateway");
    hub.add_sas_module("Gateway", "collector", "twin = { desired = { period = 10 } }\n");
    for (const auto& id : kSharedDevices) hub.add_sas_device(id);
    // Appended after the last [[device]] (TwinGet), so it is TwinGet's initial twin.
    hub.append_registry("\n[device.twin.desired]\ninterval = 20\n");
    hub.start();
    return true;
  }();
  (void)started;
  return hub;
}

struct SharedHub {
  HubFixture& f = shared_hub();
};

}  // namespace

BOOST_AUTO_TEST_SUITE(topics_and_limits)

BOOST_FIXTURE_TEST_CASE(telemetry_with_property_bag_is_accepted_and_decoded_in_the_publish_event, SharedHub) {
  PahoDevice dev(f, "Telemetry");
  const auto since = f.mark();
  dev.publish("devices/Telemetry/messages/events/%24.ct=application%2Fjson&$.ce=utf-8&alarm", R"({"t":21.5})");
  const auto ev = f.wait_for_event([](const Json& e) { return is_event(e, "publish", "Telemetry"); }, 5s, since);
  BOOST_REQUIRE(ev);
  BOOST_TEST((*ev)["verdict"] == "accepted");
  BOOST_TEST((*ev)["props"]["$.ct"] == "application/json");
  BOOST_TEST((*ev)["props"]["$.ce"] == "utf-8");
  BOOST_TEST((*ev)["props"]["alarm"].is_null());
  BOOST_TEST((*ev)["payload_b64"] == base64_encode(R"({"t":21.5})"));
  BOOST_TEST((*ev)["qos"] == 1);
  BOOST_TEST(dev.connected());
}

BOOST_FIXTURE_TEST_CASE(publish_on_a_forbidden_topic_disconnects_the_device, SharedHub) {
  const auto since = f.mark();
  const auto r = mosquitto_pub_sas(f, "ForbiddenPub", {"-q", "1", "-t", "test/anything", "-m", "x"});
  BOOST_TEST_INFO(r.output);
  BOOST_TEST(r.exit_status != 0);  // the client saw its connection dropped
  BOOST_TEST(r.output.find("lost") != std::string::npos);
  const auto ev = f.wait_for_event([](const Json& e) { return is_event(e, "publish", "ForbiddenPub"); }, 5s, since);
  BOOST_REQUIRE(ev);
  BOOST_TEST((*ev)["verdict"] == "disconnected");
  BOOST_TEST((*ev)["reason_id"] == "TOPIC-FORBIDDEN");
  const auto d = wait_disconnect(f, "ForbiddenPub", since);
  BOOST_REQUIRE(d);
  BOOST_TEST((*d)["reason"] == "kicked");
}

BOOST_FIXTURE_TEST_CASE(publish_on_another_devices_topic_disconnects_and_is_not_delivered, SharedHub) {
  PahoDevice other(f, "Victim");
  BOOST_TEST(other.subscribe({"devices/Victim/messages/devicebound/#"}) == std::vector<int>{1});
  PahoDevice dev(f, "Spoofer");
  const auto since = f.mark();
  dev.publish("devices/Victim/messages/devicebound/x", "spoof");
  BOOST_TEST(dev.wait_lost());
  const auto ev = f.wait_for_event([](const Json& e) { return is_event(e, "publish", "Spoofer"); }, 5s, since);
  BOOST_REQUIRE(ev);
  BOOST_TEST((*ev)["reason_id"] == "TOPIC-OTHER-DEVICE");
  BOOST_TEST(!other.wait_message("devices/", 300ms));
  BOOST_TEST(other.connected());
}

BOOST_FIXTURE_TEST_CASE(subscribe_to_a_forbidden_filter_disconnects_the_device, SharedHub) {
  PahoDevice dev(f, "ForbiddenSub");
  const auto since = f.mark();
  try {
    dev.subscribe({"devices/+/messages/events/#"});
  } catch (const mqtt::exception&) {
    // paho may report the lost connection instead of the SUBACK
  }
  BOOST_TEST(dev.wait_lost());
  const auto ev = f.wait_for_event([](const Json& e) { return is_event(e, "subscribe", "ForbiddenSub"); }, 5s, since);
  BOOST_REQUIRE(ev);
  BOOST_TEST((*ev)["verdict"] == "disconnected");
  BOOST_TEST((*ev)["reason_id"] == "TOPIC-FORBIDDEN");
}

BOOST_FIXTURE_TEST_CASE(subscribe_to_another_devices_c2d_topic_disconnects_the_device, SharedHub) {
  PahoDevice dev(f, "OtherSub");
  const auto since = f.mark();
  try {
    dev.subscribe({"devices/Victim/messages/devicebound/#"});
  } catch (const mqtt::exception&) {
  }
  BOOST_TEST(dev.wait_lost());
  const auto ev = f.wait_for_event([](const Json& e) { return is_event(e, "subscribe", "OtherSub"); }, 5s, since);
  BOOST_REQUIRE(ev);
  BOOST_TEST((*ev)["reason_id"] == "TOPIC-OTHER-DEVICE");
}

BOOST_FIXTURE_TEST_CASE(qos2_publish_disconnects_by_default, SharedHub) {
  const auto since = f.mark();
  const auto r = mosquitto_pub_sas(f, "Qos2", {"-q", "2", "-t", "devices/Qos2/messages/events/", "-m", "q2"});
  BOOST_TEST_INFO(r.output);
  BOOST_TEST(r.exit_status != 0);
  const auto ev = f.wait_for_event([](const Json& e) { return is_event(e, "publish", "Qos2"); }, 5s, since);
  BOOST_REQUIRE(ev);
  BOOST_TEST((*ev)["reason_id"] == "TOPIC-QOS2");
  BOOST_TEST((*ev)["qos"] == 2);
}

BOOST_FIXTURE_TEST_CASE(payload_of_300_kb_disconnects_the_device, SharedHub) {
  const auto file = f.dir().write("big.bin", std::string(300 * 1024, 'a'));
  const auto since = f.mark();
  const auto r = mosquitto_pub_sas(f, "Big", {"-q", "1", "-t", "devices/Big/messages/events/", "-f", file});
  BOOST_TEST_INFO(r.output);
  BOOST_TEST(r.exit_status != 0);
  const auto ev = f.wait_for_event([](const Json& e) { return is_event(e, "publish", "Big"); }, 5s, since);
  BOOST_REQUIRE(ev);
  BOOST_TEST((*ev)["reason_id"] == "PAYLOAD-TOO-LARGE");
  BOOST_TEST((*ev)["size"] == 300 * 1024);
}

BOOST_FIXTURE_TEST_CASE(payload_just_under_256_kb_is_accepted, SharedHub) {
  const auto file = f.dir().write("ok.bin", std::string(256 * 1024 - 100, 'a'));
  const auto since = f.mark();
  const auto r = mosquitto_pub_sas(f, "Ok256", {"-q", "1", "-t", "devices/Ok256/messages/events/", "-f", file});
  BOOST_TEST_INFO(r.output);
  BOOST_TEST(r.exit_status == 0);
  const auto ev = f.wait_for_event([](const Json& e) { return is_event(e, "publish", "Ok256"); }, 5s, since);
  BOOST_REQUIRE(ev);
  BOOST_TEST((*ev)["verdict"] == "accepted");
}

BOOST_FIXTURE_TEST_CASE(the_four_device_subscriptions_are_granted_and_resubscribing_does_not_count, SharedHub) {
  PahoDevice dev(f, "FourSubs");
  BOOST_TEST(dev.subscribe({"devices/FourSubs/messages/devicebound/#", "$iothub/twin/res/#",
                            "$iothub/twin/PATCH/properties/desired/#", "$iothub/methods/POST/#"}) ==
             (std::vector<int>{1, 1, 1, 1}));
  BOOST_TEST(dev.subscribe({"$iothub/twin/res/#"}) == std::vector<int>{1});  // again: not a new one
  BOOST_TEST(dev.connected());
}

BOOST_AUTO_TEST_CASE(more_subscriptions_than_the_limit_disconnect_the_device) {
  HubFixture f;
  f.add_sas_device("FlexySas");
  f.start([](broker::HubOptionsBuilder& b) {
    broker::PluginOptions p;
    p.max_subscriptions = 3;
    b.plugin_options(p);
  });
  PahoDevice dev(f, "FlexySas");
  BOOST_TEST(dev.subscribe({"devices/FlexySas/messages/devicebound/#", "$iothub/twin/res/#",
                            "$iothub/methods/POST/#"}) == (std::vector<int>{1, 1, 1}));
  const auto since = f.mark();
  try {
    dev.subscribe({"$iothub/twin/PATCH/properties/desired/#"});
  } catch (const mqtt::exception&) {
  }
  BOOST_TEST(dev.wait_lost());
  // Audit events travel asynchronously: pick the event of this very subscription.
  const auto ev = f.wait_for_event(
      [](const Json& e) {
        return is_event(e, "subscribe", "FlexySas") && e["topic"] == "$iothub/twin/PATCH/properties/desired/#";
      },
      5s, since);
  BOOST_REQUIRE(ev);
  BOOST_TEST((*ev)["verdict"] == "disconnected");
  BOOST_TEST((*ev)["reason_id"] == "CONN-TOO-MANY-SUBSCRIPTIONS");
}

BOOST_FIXTURE_TEST_CASE(retained_publish_is_accepted_and_flagged, SharedHub) {
  const auto since = f.mark();
  const auto r = mosquitto_pub_sas(f, "Retain", {"-q", "1", "-r", "-t", "devices/Retain/messages/events/", "-m", "r"});
  BOOST_TEST_INFO(r.output);
  BOOST_TEST(r.exit_status == 0);
  const auto ev = f.wait_for_event([](const Json& e) { return is_event(e, "publish", "Retain"); }, 5s, since);
  BOOST_REQUIRE(ev);
  BOOST_TEST((*ev)["verdict"] == "accepted");
  BOOST_TEST((*ev)["retain"] == true);
  BOOST_TEST((*ev)["props"]["mqtt-retain"] == "true", ev->dump());
  // Nothing was stored: a later subscriber (the harness's own user, the only one that may read
  // device telemetry) gets no retained message.
  std::ifstream in(std::filesystem::path(f.hub().out_dir()) / "mosquitto.conf");
  const std::string conf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto option = [&](const std::string& name) {
    const auto at = conf.find(name + ' ');
    BOOST_REQUIRE(at != std::string::npos);
    const auto start = at + name.size() + 1;
    return conf.substr(start, conf.find('\n', start) - start);
  };
  const auto sub = run_program({"mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(f.hub().ports().internal),
                                "-u", option("plugin_opt_internal_username"), "-P", option("plugin_opt_internal_password"),
                                "-t", "devices/Retain/messages/events/#", "--retained-only", "-v", "-W", "2"},
                               f.dir());
  BOOST_TEST_INFO(sub.output);
  BOOST_TEST(sub.output.find("devices/Retain") == std::string::npos);
  BOOST_TEST(sub.exit_status == 27);  // mosquitto_sub's "timed out": it connected and got nothing
}

BOOST_FIXTURE_TEST_CASE(qos2_subscription_is_granted_qos_1, SharedHub) {
  PahoDevice dev(f, "Qos2Sub");
  const auto since = f.mark();
  BOOST_TEST(dev.subscribe({"devices/Qos2Sub/messages/devicebound/#"}, 2) == std::vector<int>{1});
  const auto ev = f.wait_for_event([](const Json& e) { return is_event(e, "subscribe", "Qos2Sub"); }, 5s, since);
  BOOST_REQUIRE(ev);
  BOOST_TEST((*ev)["granted_qos"] == 1);
  BOOST_TEST(dev.connected());
}

BOOST_FIXTURE_TEST_CASE(second_connection_with_the_same_id_replaces_the_first, SharedHub) {
  PahoDevice first(f, "Replaced");
  const auto since = f.mark();
  PahoDevice second(f, "Replaced");
  BOOST_TEST(first.wait_lost());
  const auto d = wait_disconnect(f, "Replaced", since);
  BOOST_REQUIRE(d);
  BOOST_TEST((*d)["reason"] == "replaced");
  BOOST_TEST(second.connected());
}

BOOST_AUTO_TEST_CASE(sas_token_expiring_while_connected_disconnects_the_device) {
  HubFixture f;
  f.add_sas_device("FlexySas");
  f.start([](broker::HubOptionsBuilder& b) {
    broker::PluginOptions p;
    p.sas_skew_seconds = 0;
    p.sas_expiry_check_seconds = 1;
    b.plugin_options(p);
  });
  const auto since = f.mark();
  // mosquitto_sub stays connected until the hub drops it; its reconnect with the same (now
  // expired) token is refused, so it exits instead of hanging until the timeout.
  const auto r = run_program({"mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(f.hub().ports().mqtts), "--cafile",
                              f.ca_file(), "-i", "FlexySas", "-u", f.username("FlexySas"), "-P",
                              f.sas_token("FlexySas", 3s), "-V", "mqttv311", "-t", "$iothub/twin/res/#"},
                             f.dir(), 15s);
  BOOST_TEST_INFO(r.output);
  BOOST_TEST(r.exit_status != -1);  // it did not have to be killed
  const auto d = wait_disconnect(f, "FlexySas", since);
  BOOST_REQUIRE(d);
  BOOST_TEST((*d)["reason"] == "sas-expired");
  const auto refused = f.wait_for_event(
      [](const Json& e) { return is_event(e, "connect", "FlexySas") && e["reason_id"] == "AUTH-SAS-EXPIRED"; }, 5s, since);
  BOOST_TEST(refused.has_value());
}

BOOST_FIXTURE_TEST_CASE(device_cannot_send_harness_commands_on_internal_topics, SharedHub) {
  const auto since = f.mark();
  const auto r = mosquitto_pub_sas(f, "Intruder",
                               {"-q", "1", "-t", "$flexhil/cmd/c2d", "-m", R"({"device":"Victim","body_b64":"eA=="})"});
  BOOST_TEST_INFO(r.output);
  BOOST_TEST(r.exit_status != 0);
  const auto ev = f.wait_for_event([](const Json& e) { return is_event(e, "publish", "Intruder"); }, 5s, since);
  BOOST_REQUIRE(ev);
  BOOST_TEST((*ev)["reason_id"] == "TOPIC-FORBIDDEN");
  BOOST_TEST(!f.wait_for_kind("c2d_sent", since, 500ms));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(twin_c2d_methods)

BOOST_FIXTURE_TEST_CASE(twin_get_round_trip_returns_desired_and_reported_with_versions, SharedHub) {
  PahoDevice dev(f, "TwinGet");
  BOOST_TEST(dev.subscribe({"$iothub/twin/res/#"}) == std::vector<int>{1});
  const auto since = f.mark();
  dev.publish("$iothub/twin/GET/?$rid=42", "", 0);
  const auto m = dev.wait_message("$iothub/twin/res/");
  BOOST_REQUIRE(m);
  BOOST_TEST((*m)->get_topic() == "$iothub/twin/res/200/?$rid=42");
  const auto doc = Json::parse((*m)->to_string());
  BOOST_TEST(doc["desired"]["interval"] == 20);
  BOOST_TEST(doc["desired"]["$version"] == 1);
  BOOST_TEST(doc["reported"]["$version"] == 1);
  BOOST_TEST(f.wait_for_event([](const Json& e) { return is_event(e, "twin_get", "TwinGet") && e["rid"] == "42"; }, 5s,
                              since)
                 .has_value());
}

BOOST_FIXTURE_TEST_CASE(reported_patch_is_answered_204_with_the_new_version, SharedHub) {
  PahoDevice dev(f, "TwinPatch");
  dev.subscribe({"$iothub/twin/res/#"});
  dev.publish("$iothub/twin/PATCH/properties/reported/?$rid=1", R"({"fw":"14.7"})");
  const auto m = dev.wait_message("$iothub/twin/res/");
  BOOST_REQUIRE(m);
  BOOST_TEST((*m)->get_topic() == "$iothub/twin/res/204/?$rid=1&$version=2");
  dev.publish("$iothub/twin/GET/?$rid=2", "");
  const auto g = dev.wait_message("$iothub/twin/res/200/");
  BOOST_REQUIRE(g);
  const auto doc = Json::parse((*g)->to_string());
  BOOST_TEST(doc["reported"]["fw"] == "14.7");
  BOOST_TEST(doc["reported"]["$version"] == 2);
}

BOOST_FIXTURE_TEST_CASE(malformed_reported_patch_is_answered_400, SharedHub) {
  PahoDevice dev(f, "TwinBad");
  dev.subscribe({"$iothub/twin/res/#"});
  const auto since = f.mark();
  dev.publish("$iothub/twin/PATCH/properties/reported/?$rid=9", "{not json");
  const auto m = dev.wait_message("$iothub/twin/res/");
  BOOST_REQUIRE(m);
  BOOST_TEST((*m)->get_topic() == "$iothub/twin/res/400/?$rid=9");
  const auto ev =
      f.wait_for_event([](const Json& e) { return is_event(e, "twin_patch_reported", "TwinBad"); }, 5s, since);
  BOOST_REQUIRE(ev);
  BOOST_TEST((*ev)["status"] == 400);
  BOOST_TEST(dev.connected());
}

BOOST_FIXTURE_TEST_CASE(c2d_message_is_delivered_to_that_device_only_with_its_properties, SharedHub) {
  PahoDevice dev(f, "C2d");
  PahoDevice other(f, "C2dOther");
  BOOST_TEST(dev.subscribe({"devices/C2d/messages/devicebound/#"}) == std::vector<int>{1});
  BOOST_TEST(other.subscribe({"devices/C2dOther/messages/devicebound/#"}) == std::vector<int>{1});
  const auto since = f.mark();
  f.hub().send_c2d("C2d", "hello", {{"cmd", "reset now"}});
  const auto m = dev.wait_message("devices/C2d/messages/devicebound/");
  BOOST_REQUIRE(m);
  const auto ev = f.wait_for_event([](const Json& e) { return is_event(e, "c2d_sent", "C2d"); }, 5s, since);
  BOOST_REQUIRE(ev);
  BOOST_TEST((*ev)["delivered"] == true);
  // The hub's message id first, as IoT Hub writes the bag.
  BOOST_TEST((*m)->get_topic() == "devices/C2d/messages/devicebound/%24.mid=" + (*ev)["mid"].get<std::string>() +
                                      "&%24.to=%2Fdevices%2FC2d%2Fmessages%2FdeviceBound&cmd=reset%20now");
  BOOST_TEST((*m)->to_string() == "hello");
  BOOST_TEST(!other.wait_message("devices/", 300ms));
  BOOST_TEST(f.wait_for_event([](const Json& e) { return is_event(e, "c2d_delivered", "C2d"); }, 5s, since).has_value());
}

BOOST_FIXTURE_TEST_CASE(a_module_identity_sends_telemetry_on_its_topic_and_reads_its_own_twin, SharedHub) {
  const auto since = f.mark();
  PahoDevice mod(f, "Gateway/collector");
  const auto c = f.wait_for_connect("Gateway/collector", since);
  BOOST_REQUIRE(c);
  BOOST_TEST((*c)["verdict"] == "accepted", c->dump());
  mod.subscribe({"$iothub/twin/res/#"});
  mod.publish("devices/Gateway/modules/collector/messages/events/", R"({"t":1})");
  const auto ev = f.wait_for_event([](const Json& e) { return is_event(e, "publish", "Gateway/collector"); }, 5s, since);
  BOOST_REQUIRE(ev);
  BOOST_TEST((*ev)["verdict"] == "accepted", ev->dump());
  mod.publish("$iothub/twin/GET/?$rid=7", "");
  const auto g = mod.wait_message("$iothub/twin/res/200/");
  BOOST_REQUIRE(g);
  BOOST_TEST(Json::parse((*g)->to_string())["desired"]["period"] == 10);  // the module's twin, not the device's
  // Its device's telemetry topic belongs to another identity: the hub drops the module.
  mod.publish("devices/Gateway/messages/events/", "x");
  BOOST_TEST(mod.wait_lost());
  const auto d = f.wait_for_event([](const Json& e) { return is_event(e, "disconnect", "Gateway/collector"); }, 5s, since);
  BOOST_REQUIRE(d);
}

BOOST_FIXTURE_TEST_CASE(desired_update_is_pushed_with_the_next_version, SharedHub) {
  PahoDevice dev(f, "Desired");
  dev.subscribe({"$iothub/twin/PATCH/properties/desired/#", "$iothub/twin/res/#"});
  f.hub().update_desired("Desired", Json{{"interval", 5}});
  const auto m = dev.wait_message("$iothub/twin/PATCH/properties/desired/");
  BOOST_REQUIRE(m);
  BOOST_TEST((*m)->get_topic() == "$iothub/twin/PATCH/properties/desired/?$version=2");
  const auto body = Json::parse((*m)->to_string());
  BOOST_TEST(body["interval"] == 5);
  BOOST_TEST(body["$version"] == 2);
  dev.publish("$iothub/twin/GET/?$rid=3", "");
  const auto g = dev.wait_message("$iothub/twin/res/200/");
  BOOST_REQUIRE(g);
  BOOST_TEST(Json::parse((*g)->to_string())["desired"]["interval"] == 5);
}

BOOST_FIXTURE_TEST_CASE(direct_method_round_trip_reaches_the_audit_stream, SharedHub) {
  PahoDevice dev(f, "Method");
  dev.subscribe({"$iothub/methods/POST/#"});
  const auto since = f.mark();
  const auto rid = f.hub().call_method("Method", "reboot", Json{{"delay", 1}});
  const auto m = dev.wait_message("$iothub/methods/POST/");
  BOOST_REQUIRE(m);
  BOOST_TEST((*m)->get_topic() == "$iothub/methods/POST/reboot/?$rid=" + rid);
  BOOST_TEST(Json::parse((*m)->to_string())["delay"] == 1);
  dev.publish("$iothub/methods/res/200/?$rid=" + rid, R"({"ok":true})");
  const auto ev = f.wait_for_event([](const Json& e) { return is_event(e, "method_response", "Method"); }, 5s, since);
  BOOST_REQUIRE(ev);
  BOOST_TEST((*ev)["rid"] == rid);
  BOOST_TEST((*ev)["status"] == 200);
  BOOST_TEST((*ev)["payload_b64"] == base64_encode(R"({"ok":true})"));
}

BOOST_FIXTURE_TEST_CASE(mosquitto_pub_third_party_client_publishes_telemetry, SharedHub) {
  const auto since = f.mark();
  const auto r = mosquitto_pub_sas(f, "MosqPub", {"-q", "1", "-t", "devices/MosqPub/messages/events/", "-m", "{\"v\":1}"});
  BOOST_TEST_INFO(r.output);
  BOOST_TEST(r.exit_status == 0);
  const auto ev = f.wait_for_event([](const Json& e) { return is_event(e, "publish", "MosqPub"); }, 5s, since);
  BOOST_REQUIRE(ev);
  BOOST_TEST((*ev)["verdict"] == "accepted");
  BOOST_TEST((*ev)["payload_b64"] == base64_encode("{\"v\":1}"));
}

BOOST_AUTO_TEST_SUITE_END()
