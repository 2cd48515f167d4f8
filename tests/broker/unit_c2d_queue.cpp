// The hub's C2D queue and what goes with it: limits (64 KB, 50 pending), TTL expiry, the
// property bag of a C2D topic, the c2d/devices harness commands and the bench access file.
#include <boost/test/unit_test.hpp>

#include <variant>

#include "broker/c2d_queue.hpp"
#include "broker/harness_commands.hpp"
#include "broker/hub_access.hpp"
#include "broker/plugin_options.hpp"
#include "broker/property_bag.hpp"

using namespace flexhil;
using namespace flexhil::broker;

namespace {
C2dMessage message(const std::string& device, const std::string& mid, std::int64_t expires_ms) {
  C2dMessage m;
  m.device = device;
  m.mid = mid;
  m.body = "x";
  m.expires_ms = expires_ms;
  return m;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(c2d_queue)

BOOST_AUTO_TEST_CASE(a_body_of_64_kb_is_admitted_and_one_byte_more_is_too_large) {
  C2dQueue q;
  BOOST_TEST(q.admit("D", true, 65536).accepted());
  const auto refused = q.admit("D", true, 65537);
  BOOST_TEST(refused.reason_id == "C2D-TOO-LARGE");
  BOOST_TEST(refused.reason.find("65537") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_51st_pending_message_is_refused_and_another_device_is_not_affected) {
  C2dQueue q;
  for (int i = 0; i < 50; ++i) {
    BOOST_REQUIRE(q.admit("D", true, 1).accepted());
    q.push(message("D", std::to_string(i), 1000));
  }
  BOOST_TEST(q.pending("D") == 50u);
  BOOST_TEST(q.admit("D", true, 1).reason_id == "C2D-QUEUE-FULL");
  BOOST_TEST(q.admit("E", true, 1).accepted());
}

BOOST_AUTO_TEST_CASE(an_unknown_device_is_not_found) {
  BOOST_TEST(C2dQueue().admit("Ghost", false, 1).reason_id == "C2D-DEVICE-NOT-FOUND");
}

BOOST_AUTO_TEST_CASE(expired_messages_leave_the_queue_and_the_rest_keep_their_order) {
  C2dQueue q;
  q.push(message("D", "a", 2000));
  q.push(message("D", "b", 1000));
  q.push(message("D", "c", 3000));
  q.push(message("E", "e", 1000));
  const auto expired = q.take_expired(1500);
  BOOST_REQUIRE(expired.size() == 2u);
  BOOST_TEST(expired[0].mid == "b");
  BOOST_TEST(expired[1].mid == "e");
  BOOST_TEST(q.pending("E") == 0u);
  const auto rest = q.take_all("D");
  BOOST_REQUIRE(rest.size() == 2u);
  BOOST_TEST(rest[0].mid == "a");
  BOOST_TEST(rest[1].mid == "c");
  BOOST_TEST(q.pending("D") == 0u);
}

BOOST_AUTO_TEST_CASE(c2d_topic_carries_mid_to_exp_then_the_senders_properties) {
  const auto t = c2d_message_topic("Flexy 1", "m-1", 1764662400250, {{"cmd", "reset now"}, {"flag", std::nullopt}});
  BOOST_TEST(t == "devices/Flexy 1/messages/devicebound/%24.mid=m-1&%24.to=%2Fdevices%2FFlexy%201%2Fmessages%2FdeviceBound"
                  "&%24.exp=2025-12-02T08%3A00%3A00.250Z&cmd=reset%20now&flag");
  const auto bag = decode_property_bag(t.substr(t.find("devicebound/") + 12));
  BOOST_TEST(bag.to_json()["$.exp"] == "2025-12-02T08:00:00.250Z");
  BOOST_TEST(bag.to_json()["$.to"] == "/devices/Flexy 1/messages/deviceBound");
}

BOOST_AUTO_TEST_CASE(without_a_ttl_there_is_no_exp_and_a_senders_mid_replaces_the_hubs) {
  const auto t = c2d_message_topic("D", "hub-mid", std::nullopt, {{"$.mid", "mine"}, {"$.cid", "c1"}});
  BOOST_TEST(t == "devices/D/messages/devicebound/%24.to=%2Fdevices%2FD%2Fmessages%2FdeviceBound&%24.mid=mine&%24.cid=c1");
}

BOOST_AUTO_TEST_CASE(c2d_command_reads_ttl_and_request_and_refuses_a_bad_ttl) {
  std::string error;
  const auto c = parse_harness_command(internal_topics::command_c2d,
                                       R"({"device":"D","body_b64":"aGk=","ttl_s":60,"request":"r1"})", &error);
  BOOST_REQUIRE(c);
  const auto& cmd = std::get<C2dCommand>(*c);
  BOOST_TEST(cmd.ttl_s.value_or(0) == 60);
  BOOST_TEST(cmd.request == "r1");
  for (const auto* bad : {R"({"device":"D","ttl_s":0})", R"({"device":"D","ttl_s":172801})", R"({"device":"D","ttl_s":"1"})"}) {
    BOOST_TEST(!parse_harness_command(internal_topics::command_c2d, bad, &error), bad);
    BOOST_TEST(error.find("ttl_s") != std::string::npos);
  }
  BOOST_TEST(!parse_harness_command(internal_topics::command_c2d, R"({"device":"D","request":5})", &error));
}

BOOST_AUTO_TEST_CASE(devices_command_needs_no_device) {
  std::string error;
  const auto c = parse_harness_command(internal_topics::command_devices, R"({"request":"r9"})", &error);
  BOOST_REQUIRE(c);
  BOOST_TEST(std::get<DevicesCommand>(*c).request == "r9");
}

BOOST_AUTO_TEST_CASE(hub_access_round_trips_and_names_a_missing_field) {
  HubAccess a{"hub1", 41234, "flexhil-harness", "secret", "/tmp/x/capture.jsonl", "/tmp/x/devices.toml", 77};
  const auto back = parse_hub_access(render_hub_access(a));
  BOOST_TEST(back.hub == "hub1");
  BOOST_TEST(back.internal_port == 41234);
  BOOST_TEST(back.password == "secret");
  BOOST_TEST(back.events_file == a.events_file);
  BOOST_TEST(back.mosquitto_pid == 77);
  try {
    parse_hub_access(R"({"hub":"h","internal":{"port":1,"username":"u"}})");
    BOOST_FAIL("no password accepted");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()).find("password") != std::string::npos);
  }
  BOOST_CHECK_THROW(parse_hub_access("{not json"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(clean_session_policy_option_is_read_and_checked) {
  BOOST_TEST(!parse_iothub_options({{"registry", "r.toml"}}).c2d_clean_session_deliver);
  BOOST_TEST(parse_iothub_options({{"registry", "r.toml"}, {"c2d_clean_session", "deliver"}}).c2d_clean_session_deliver);
  BOOST_CHECK_THROW(parse_iothub_options({{"registry", "r.toml"}, {"c2d_clean_session", "keep"}}), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
