// find_route(): how the host-name override picks a route for "host:port" — a "host:port" key
// wins over a "host" key (so one hub name can send its ports to different listeners), names
// are case-insensitive, and a name that is not routed gets none.
#include <boost/test/unit_test.hpp>

#include <map>
#include <string>

#include "sim/flexy/runtime/connect_proxy.hpp"

using flexhil::flexy::find_route;

BOOST_AUTO_TEST_SUITE(connect_route)

BOOST_AUTO_TEST_CASE(host_and_port_key_wins_over_the_host_key) {
  const std::map<std::string, std::string> routes{{"hub.azure-devices.net", "127.0.0.1:1000"},
                                                  {"hub.azure-devices.net:8883", "127.0.0.1:2000"}};
  const auto* tls = find_route(routes, "hub.azure-devices.net", 8883);
  BOOST_REQUIRE(tls);
  BOOST_TEST(*tls == "127.0.0.1:2000");
  const auto* ws = find_route(routes, "hub.azure-devices.net", 443);
  BOOST_REQUIRE(ws);
  BOOST_TEST(*ws == "127.0.0.1:1000");
}

BOOST_AUTO_TEST_CASE(the_host_name_is_matched_case_insensitively) {
  const std::map<std::string, std::string> routes{{"hub.azure-devices.net:8883", "127.0.0.1:2000"}};
  const auto* r = find_route(routes, "Hub.Azure-Devices.NET", 8883);
  BOOST_REQUIRE(r);
  BOOST_TEST(*r == "127.0.0.1:2000");
}

BOOST_AUTO_TEST_CASE(an_unrouted_host_or_port_has_no_route) {
  const std::map<std::string, std::string> routes{{"hub.azure-devices.net:8883", "127.0.0.1:2000"}};
  BOOST_TEST(find_route(routes, "other.azure-devices.net", 8883) == nullptr);
  BOOST_TEST(find_route(routes, "hub.azure-devices.net", 1883) == nullptr);
  BOOST_TEST(find_route({}, "hub.azure-devices.net", 8883) == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
