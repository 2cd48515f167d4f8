// The console lines of `flexhil hub`: the liveness answer is left out, every other event is shown.
#include <boost/test/unit_test.hpp>

#include "broker/hub_console.hpp"

using namespace flexhil;

BOOST_AUTO_TEST_SUITE(hub_console)

BOOST_AUTO_TEST_CASE(pong_is_not_shown) {
  BOOST_TEST(!broker::hub_console_line(Json{{"kind", "pong"}, {"wall", "2026-11-26T12:00:01Z"}, {"id", 7}}));
}

BOOST_AUTO_TEST_CASE(a_refused_connect_is_one_line_with_its_reason) {
  const auto line = broker::hub_console_line(Json{{"kind", "connect"}, {"wall", "2026-11-26T12:00:01Z"},
                                                  {"device", "FlexySas"}, {"listener", "mqtts"},
                                                  {"verdict", "refused"}, {"reason_id", "AUTH-SAS-EXPIRED"},
                                                  {"reason", "token expired"}});
  BOOST_REQUIRE(line);
  BOOST_TEST(*line == "12:00:01 connect FlexySas mqtts refused (AUTH-SAS-EXPIRED: token expired)");
}

BOOST_AUTO_TEST_CASE(an_event_without_a_kind_is_still_shown) {
  const auto line = broker::hub_console_line(Json{{"wall", "2026-11-26T12:00:01Z"}});
  BOOST_REQUIRE(line);
  BOOST_TEST(line->rfind("12:00:01", 0) == 0);
}

BOOST_AUTO_TEST_CASE(an_accepted_message_shows_system_and_application_properties_and_the_payload) {
  const Json e{{"kind", "publish"},   {"wall", "2026-11-26T12:00:01.5Z"}, {"device", "Flexy1"},
               {"topic", "devices/Flexy1/messages/events/%24.ct=application%2Fjson&alarm=high"},
               {"props", {{"$.ct", "application/json"}, {"alarm", "high"}}},
               {"verdict", "accepted"}, {"retain", true}, {"payload_b64", base64_encode("{\"t\":1,\n\"t\":2}")}};
  const auto lines = broker::hub_message_detail(e);
  BOOST_REQUIRE(lines.size() == 3u);
  BOOST_TEST(lines[0].rfind("  system      {", 0) == 0);
  BOOST_TEST(lines[0].find("\"content-type\":\"application/json\"") != std::string::npos, lines[0]);
  BOOST_TEST(lines[0].find("\"iothub-connection-device-id\":\"Flexy1\"") != std::string::npos, lines[0]);
  BOOST_TEST(lines[0].find("\"iothub-message-source\":\"Telemetry\"") != std::string::npos, lines[0]);
  BOOST_TEST(lines[1] == "  application {\"alarm\":\"high\",\"mqtt-retain\":\"true\"}");
  // As received (both keys), the line break indented.
  BOOST_TEST(lines[2] == "  payload     {\"t\":1,\n              \"t\":2}");
}

BOOST_AUTO_TEST_CASE(a_binary_payload_is_shown_as_hex_and_other_events_have_no_detail) {
  const Json e{{"kind", "publish"}, {"device", "D"}, {"topic", "devices/D/messages/events/"}, {"props", Json::object()},
               {"verdict", "accepted"}, {"payload_b64", base64_encode(std::string("\xff\x00\x01", 3))}};
  const auto lines = broker::hub_message_detail(e);
  BOOST_REQUIRE(lines.size() == 3u);
  BOOST_TEST(lines[2] == "  payload     (binary) ff0001");
  BOOST_TEST(broker::hub_message_detail(Json{{"kind", "connect"}, {"verdict", "accepted"}}).empty());
  Json refused = e;
  refused["verdict"] = "disconnected";
  BOOST_TEST(broker::hub_message_detail(refused).empty());
}

BOOST_AUTO_TEST_SUITE_END()
