// The will (read from the CONNECT bytes, judged against the telemetry topic), the keep-alive
// limit and the "Too high QoS" log line: the pure parts of the hub's protocol verdicts.
#include <boost/test/unit_test.hpp>

#include "broker/keepalive_policy.hpp"
#include "broker/mqtt_connect_packet.hpp"
#include "broker/qos_log_line.hpp"
#include "broker/websocket_frames.hpp"
#include "broker/will_policy.hpp"
#include "tests/broker/websocket_client_frame.hpp"

using namespace flexhil::broker;
using flexhil::testing::websocket_client_frame;

namespace {

std::string u16(std::size_t n) { return {static_cast<char>(n >> 8), static_cast<char>(n & 0xFF)}; }
std::string str(const std::string& s) { return u16(s.size()) + s; }

// A CONNECT as a client writes it (remaining length in one byte: short packets only).
std::string connect_bytes(int level, int keepalive, const std::string& id, const std::string& will_topic = {},
                          int will_qos = 0, bool will_retain = false) {
  std::string body = str("MQTT") + static_cast<char>(level);
  int flags = 0x02;
  if (!will_topic.empty()) flags |= 0x04 | (will_qos << 3) | (will_retain ? 0x20 : 0);
  body += static_cast<char>(flags);
  body += u16(static_cast<std::size_t>(keepalive));
  if (level == 5) body += '\0';  // no properties
  body += str(id);
  if (!will_topic.empty()) {
    if (level == 5) body += '\0';
    body += str(will_topic) + str("gone");
  }
  return std::string(1, '\x10') + static_cast<char>(body.size()) + body;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(connect_packet)

BOOST_AUTO_TEST_CASE(a_connect_with_a_will_gives_its_topic_qos_and_retain) {
  const auto p = parse_connect_prefix(connect_bytes(4, 60, "Flexy1", "devices/Flexy1/messages/events/", 1, true));
  BOOST_REQUIRE(p.status == ConnectParseStatus::complete);
  BOOST_TEST(p.packet.protocol_level == 4);
  BOOST_TEST(p.packet.keepalive == 60);
  BOOST_TEST(p.packet.client_id == "Flexy1");
  BOOST_REQUIRE(p.packet.will.has_value());
  BOOST_TEST(p.packet.will->topic == "devices/Flexy1/messages/events/");
  BOOST_TEST(p.packet.will->qos == 1);
  BOOST_TEST(p.packet.will->retain);
}

BOOST_AUTO_TEST_CASE(a_connect_without_a_will_has_none) {
  const auto p = parse_connect_prefix(connect_bytes(4, 2, "Flexy1"));
  BOOST_REQUIRE(p.status == ConnectParseStatus::complete);
  BOOST_TEST(!p.packet.will.has_value());
  BOOST_TEST(p.packet.keepalive == 2);
}

BOOST_AUTO_TEST_CASE(an_mqtt5_connect_skips_its_properties) {
  const auto p = parse_connect_prefix(connect_bytes(5, 30, "Flexy5", "status/offline"));
  BOOST_REQUIRE(p.status == ConnectParseStatus::complete);
  BOOST_REQUIRE(p.packet.will.has_value());
  BOOST_TEST(p.packet.will->topic == "status/offline");
}

BOOST_AUTO_TEST_CASE(a_cut_connect_is_incomplete_and_other_bytes_are_malformed) {
  const auto bytes = connect_bytes(4, 60, "Flexy1", "devices/Flexy1/messages/events/");
  BOOST_TEST((parse_connect_prefix(bytes.substr(0, 20)).status == ConnectParseStatus::incomplete));
  BOOST_TEST((parse_connect_prefix("").status == ConnectParseStatus::incomplete));
  BOOST_TEST((parse_connect_prefix("GET / HTTP/1.1\r\n").status == ConnectParseStatus::malformed));
  BOOST_TEST((parse_connect_prefix(std::string("\x10\x05\x00\x04XXXX", 8)).status == ConnectParseStatus::malformed));
}

BOOST_AUTO_TEST_SUITE_END()

// On the WebSocket port the shim's prefix is the upgrade request, then the client's frames.
BOOST_AUTO_TEST_SUITE(websocket_frames)

const std::string kUpgrade =
    "GET /$iothub/websocket HTTP/1.1\r\nHost: h.azure-devices.net\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n";

BOOST_AUTO_TEST_CASE(the_connect_in_a_binary_frame_gives_its_will) {
  const auto connect = connect_bytes(4, 60, "Flexy1", "flexy/status", 1, false);
  const auto payload = websocket_client_payload(kUpgrade + websocket_client_frame(connect));
  BOOST_TEST(payload == connect);
  const auto p = parse_connect_prefix(payload);
  BOOST_REQUIRE(p.status == ConnectParseStatus::complete);
  BOOST_REQUIRE(p.packet.will.has_value());
  BOOST_TEST(p.packet.will->topic == "flexy/status");
}

BOOST_AUTO_TEST_CASE(fragments_are_joined_and_control_frames_skipped) {
  const auto connect = connect_bytes(4, 60, "Flexy1", "devices/Flexy1/messages/events/");
  const auto stream = kUpgrade + websocket_client_frame(connect.substr(0, 10), 0x2, false) +
                      websocket_client_frame("ping?", 0x9) + websocket_client_frame(connect.substr(10), 0x0, true, "abcd") +
                      websocket_client_frame(std::string(200, 'x'));  // a 16-bit length: the next packet
  BOOST_TEST(websocket_client_payload(stream) == connect + std::string(200, 'x'));
}

BOOST_AUTO_TEST_CASE(a_frame_cut_off_by_the_prefix_gives_what_is_there) {
  const auto connect = connect_bytes(4, 60, "Flexy1", "devices/Flexy1/messages/events/");
  const auto frame = websocket_client_frame(connect);
  BOOST_TEST(websocket_client_payload(kUpgrade + frame.substr(0, 20)) == connect.substr(0, 20 - 6));
  BOOST_TEST(websocket_client_payload(kUpgrade + frame.substr(0, 3)).empty());  // the header itself
  BOOST_TEST((parse_connect_prefix(websocket_client_payload(kUpgrade + frame.substr(0, 20))).status ==
              ConnectParseStatus::incomplete));
}

BOOST_AUTO_TEST_CASE(no_head_end_or_frames_that_are_not_a_clients_give_nothing) {
  const auto frame = websocket_client_frame(connect_bytes(4, 60, "Flexy1"));
  BOOST_TEST(websocket_client_payload(kUpgrade.substr(0, 40) + frame).empty());
  std::string unmasked = frame;
  unmasked[1] = static_cast<char>(unmasked[1] & 0x7F);
  BOOST_TEST(websocket_client_payload(kUpgrade + unmasked).empty());
  std::string reserved = frame;
  reserved[0] = static_cast<char>(reserved[0] | 0x40);  // RSV1 (permessage-deflate, not offered)
  BOOST_TEST(websocket_client_payload(kUpgrade + reserved).empty());
  BOOST_TEST(websocket_client_payload(kUpgrade + websocket_client_frame("x", 0x3)).empty());
  // A 64-bit length with the top bit set (RFC 6455 forbids it).
  BOOST_TEST(websocket_client_payload(kUpgrade + std::string("\x82\xFF\x80\0\0\0\0\0\0\0abcd", 14)).empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(will_policy)

BOOST_AUTO_TEST_CASE(a_will_on_the_telemetry_topic_with_a_bag_is_fine) {
  const auto v = judge_will("Flexy1", ConnectWill{"devices/Flexy1/messages/events/state=lost", 1, false}, true);
  BOOST_TEST(!v.refuse);
  BOOST_TEST(v.reason_id.empty());
}

BOOST_AUTO_TEST_CASE(a_will_on_another_topic_is_refused_by_default_and_flagged_when_accepted) {
  const ConnectWill will{"flexy/status", 0, false};
  const auto refused = judge_will("Flexy1", will, true);
  BOOST_TEST(refused.refuse);
  BOOST_TEST(refused.reason_id == "TOPIC-WILL-NOT-TELEMETRY");
  BOOST_TEST(refused.reason.find("flexy/status") != std::string::npos);
  const auto accepted = judge_will("Flexy1", will, false);
  BOOST_TEST(!accepted.refuse);
  BOOST_TEST(accepted.reason_id == "TOPIC-WILL-NOT-TELEMETRY");
  BOOST_TEST(!judge_will("Flexy1", ConnectWill{"devices/Other/messages/events/", 0, false}, true).reason_id.empty());
  BOOST_TEST(judge_will("Flexy1", std::nullopt, true).reason_id.empty());
}

BOOST_AUTO_TEST_CASE(a_delivered_will_carries_iothub_message_type_will) {
  const auto j = will_properties(decode_property_bag("a=1"), true).to_json();
  BOOST_TEST(j["a"] == "1");
  BOOST_TEST(j["iothub-MessageType"] == "Will");
  BOOST_TEST(j["mqtt-retain"] == "true");
  BOOST_TEST(!will_properties({}, false).to_json().contains("mqtt-retain"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(keepalive_policy)

BOOST_AUTO_TEST_CASE(the_hub_drops_after_one_and_a_half_keepalives_capped_at_1767_s) {
  BOOST_TEST(keepalive_drop_after_ns(2) == 3'000'000'000LL);
  BOOST_TEST(keepalive_drop_after_ns(60) == 90'000'000'000LL);
  BOOST_TEST(keepalive_drop_after_ns(1767) == keepalive_drop_after_ns(3600));
  BOOST_TEST(keepalive_drop_after_ns(3600) == 2'650'500'000'000LL);
  BOOST_TEST(keepalive_drop_after_ns(0) == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(qos_log_line)

BOOST_AUTO_TEST_CASE(too_high_qos_line_names_the_client_and_becomes_a_qos2_publish_event) {
  BOOST_TEST(too_high_qos_publisher("Too high QoS in PUBLISH from Flexy1, disconnecting.").value_or("") == "Flexy1");
  BOOST_TEST(!too_high_qos_publisher("Client Flexy1 disconnected.").has_value());
  const auto e = qos2_refused_publish_event("Flexy1");
  BOOST_TEST(e["kind"] == "publish");
  BOOST_TEST(e["qos"] == 2);
  BOOST_TEST(e["reason_id"] == "TOPIC-QOS2");
  BOOST_TEST(e["verdict"] == "disconnected");
}

BOOST_AUTO_TEST_SUITE_END()
