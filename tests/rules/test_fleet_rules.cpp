// THROTTLE-CONNECT-RATE and FLEET-RECONNECT-HERD on hand-built captures of a fleet.
#include <boost/test/unit_test.hpp>

#include <string>

#include "harness/rules/rules.hpp"
#include "tests/rules/event_builder.hpp"

using namespace flexhil;
using flexhil::testing::Events;
using flexhil::testing::ids;

namespace {

std::string member(int n) { return "Flexy" + std::to_string(100 + n); }

rules::Expectations fleet_of(int count) {
  rules::Expectations e;
  for (int n = 0; n < count; ++n) e.devices.push_back(member(n));
  return e;
}

Json restart_action() { return {{"kind", "action"}, {"action", "broker-restart"}, {"device", ""}, {"detail", "restart"}}; }

}  // namespace

BOOST_AUTO_TEST_SUITE(fleet_rules)

BOOST_AUTO_TEST_CASE(more_connects_in_a_second_than_the_tier_allows_is_a_throttle_finding) {
  auto expect = fleet_of(150);
  expect.tier = rules::HubTier::S1;  // max(100/s, 12/s × 1 unit) = 100 new connections per second
  Events ev;
  for (int n = 0; n < 150; ++n) ev.connect(member(n), 1.0 + n * 0.005);  // 150 within 0.75 s
  ev.end(60);
  const auto f = rules::evaluate(ev.events(), expect);
  BOOST_REQUIRE(ids(f).count("THROTTLE-CONNECT-RATE"));
  const auto it = std::find_if(f.begin(), f.end(), [](const auto& x) { return x.rule_id == "THROTTLE-CONNECT-RATE"; });
  BOOST_TEST(it->device == "");
  BOOST_TEST(it->message.find("150 CONNECTs within 1 s") != std::string::npos, it->message);
  BOOST_TEST(it->message.find("allows 100 new connections/s") != std::string::npos, it->message);

  // Staggered over two seconds: 75 per second, within the throttle; no tier: not judged.
  Events spread;
  for (int n = 0; n < 150; ++n) spread.connect(member(n), 1.0 + n * (2.0 / 150));
  spread.end(60);
  BOOST_TEST(!ids(rules::evaluate(spread.events(), expect)).count("THROTTLE-CONNECT-RATE"));
  expect.tier = rules::HubTier::none;
  BOOST_TEST(!ids(rules::evaluate(ev.events(), expect)).count("THROTTLE-CONNECT-RATE"));
}

BOOST_AUTO_TEST_CASE(a_fleet_coming_back_in_the_same_second_after_a_restart_is_a_herd) {
  const auto expect = fleet_of(20);
  auto capture = [](double spread_s) {
    Events ev;
    for (int n = 0; n < 20; ++n) ev.connect(member(n), 0.5 + n * 0.1);
    ev.add(restart_action(), 30);
    for (int n = 0; n < 20; ++n) {
      ev.disconnect(member(n), 30.01, "broker-restart");
      ev.connect(member(n), 35 + n * spread_s);
      ev.connect(member(n), 36 + n * spread_s);  // a second attempt does not count twice
    }
    ev.end(90);
    return ev;
  };
  const auto herd = rules::evaluate(capture(0.02).events(), expect);
  BOOST_REQUIRE(ids(herd).count("FLEET-RECONNECT-HERD"));
  const auto it =
      std::find_if(herd.begin(), herd.end(), [](const auto& x) { return x.rule_id == "FLEET-RECONNECT-HERD"; });
  BOOST_TEST(it->message.find("20 of the 20 devices") != std::string::npos, it->message);
  BOOST_TEST(it->evidence.size() == 20u);
  // Jittered over 20 s (one a second): no herd. The first start of the fleet is not judged.
  BOOST_TEST(!ids(rules::evaluate(capture(1.0).events(), expect)).count("FLEET-RECONNECT-HERD"));
  // Nine devices are not a fleet for this rule.
  Events small;
  small.add(restart_action(), 10);
  for (int n = 0; n < 9; ++n) small.connect(member(n), 12);
  small.end(30);
  BOOST_TEST(!ids(rules::evaluate(small.events(), fleet_of(9))).count("FLEET-RECONNECT-HERD"));
}

BOOST_AUTO_TEST_SUITE_END()
