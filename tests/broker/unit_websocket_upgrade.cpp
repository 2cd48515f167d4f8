// The WebSocket upgrade gate the TLS shim applies on the hub's WebSocket port.
#include <boost/test/unit_test.hpp>

#include "broker/websocket_upgrade.hpp"

using namespace flexhil::broker;

namespace {
std::string request(const std::string& path, const std::string& protocol_header) {
  return "GET " + path + " HTTP/1.1\r\nHost: hub.azure-devices.net\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
         protocol_header + "\r\n";
}
}  // namespace

BOOST_AUTO_TEST_SUITE(websocket_upgrade)

BOOST_AUTO_TEST_CASE(the_iothub_path_with_subprotocol_mqtt_is_accepted) {
  const auto v = judge_websocket_upgrade(request("/$iothub/websocket", "Sec-WebSocket-Protocol: mqtt\r\n"));
  BOOST_REQUIRE(v.has_value());
  BOOST_TEST(v->accepted);
  // Query strings (some SDKs add ?iothub-no-client-cert=true) and lists of offers.
  BOOST_TEST(judge_websocket_upgrade(request("/$iothub/websocket?iothub-no-client-cert=true",
                                             "Sec-WebSocket-Protocol: mqttv3.1, mqtt\r\n"))
                 ->accepted);
}

BOOST_AUTO_TEST_CASE(another_path_is_refused_with_404) {
  const auto v = judge_websocket_upgrade(request("/mqtt", "Sec-WebSocket-Protocol: mqtt\r\n"));
  BOOST_REQUIRE(v.has_value());
  BOOST_TEST(!v->accepted);
  BOOST_TEST(v->status == 404);
  BOOST_TEST(v->reason.find("/mqtt") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_missing_or_other_subprotocol_is_refused_with_400) {
  const auto none = judge_websocket_upgrade(request("/$iothub/websocket", ""));
  BOOST_REQUIRE(none.has_value());
  BOOST_TEST(none->status == 400);
  const auto other = judge_websocket_upgrade(request("/$iothub/websocket", "Sec-WebSocket-Protocol: MQTT\r\n"));
  BOOST_REQUIRE(other.has_value());
  BOOST_TEST(other->status == 400);
  BOOST_TEST(other->reason.find("'MQTT'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_plain_get_is_not_an_upgrade_and_an_incomplete_head_waits) {
  const auto v = judge_websocket_upgrade("GET /$iothub/websocket HTTP/1.1\r\nHost: x\r\n\r\n");
  BOOST_REQUIRE(v.has_value());
  BOOST_TEST(v->status == 400);
  BOOST_TEST(!judge_websocket_upgrade("GET /$iothub/websocket HTTP/1.1\r\nHost:").has_value());
  BOOST_TEST(judge_websocket_upgrade(std::string(20000, 'a'))->status == 400);
}

BOOST_AUTO_TEST_CASE(the_refusal_is_an_http_response_with_its_reason) {
  const auto text = http_refusal({false, 404, "nope"});
  BOOST_TEST(text.rfind("HTTP/1.1 404 Not Found\r\n", 0) == 0);
  BOOST_TEST(text.find("Content-Length: 5\r\n") != std::string::npos);
  BOOST_TEST(text.substr(text.size() - 5) == "nope\n");
}

BOOST_AUTO_TEST_SUITE_END()
