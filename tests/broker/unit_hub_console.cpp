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

BOOST_AUTO_TEST_SUITE_END()
