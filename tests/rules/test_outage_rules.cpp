// OUTAGE-DATA-LOST and OUTAGE-DUPLICATE-AFTER-RECONNECT on hand-built captures: a WAN cut with and
// without store-and-forward, a hub restart, and a message re-sent after a reconnect.
#include <boost/test/unit_test.hpp>

#include <string>

#include "harness/rules/rules.hpp"
#include "tests/rules/event_builder.hpp"

using namespace flexhil;
using flexhil::testing::Events;
using flexhil::testing::ids;

namespace {

rules::Expectations expect_one() {
  rules::Expectations e;
  e.devices = {"F1"};
  e.change_push_period_s = 2.0;
  return e;
}

// "2026-11-26T08:00:SSZ" for scenario second `t` (the builder's run starts 08:00:00 UTC).
std::string stamp(double t) {
  return "{\"v\":1,\"time\":\"" + Events::wall(t).substr(0, 19) + "Z\"}";
}

Json wan(bool up) {
  return {{"kind", "action"}, {"action", "wan"}, {"device", "F1"}, {"link", up ? "up" : "down"}, {"detail", ""}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(outage_rules)

BOOST_AUTO_TEST_CASE(an_outage_without_store_and_forward_lost_its_data) {
  auto capture = [](bool forward) {
    Events ev;
    ev.connect("F1", 0.5);
    for (double t = 2; t < 20; t += 2) ev.publish("F1", t, stamp(t));
    ev.add(wan(false), 20);
    ev.add(wan(true), 40);
    ev.connect("F1", 42);
    if (forward)  // what was taken during the cut, sent after the reconnect
      for (double t = 22; t < 40; t += 2) ev.publish("F1", 42.5, stamp(t));
    for (double t = 44; t < 60; t += 2) ev.publish("F1", t, stamp(t));
    ev.end(60);
    return ev;
  };
  const auto lost = rules::evaluate(capture(false).events(), expect_one());
  BOOST_REQUIRE(ids(lost).count("OUTAGE-DATA-LOST"));
  const auto it = std::find_if(lost.begin(), lost.end(), [](const auto& f) { return f.rule_id == "OUTAGE-DATA-LOST"; });
  BOOST_TEST(it->device == "F1");
  BOOST_TEST(it->message.find("WAN cut of 20.000 s") != std::string::npos, it->message);
  BOOST_TEST(it->message.find("0 of about 10 samples (one per 2.000 s) stamped inside it") != std::string::npos, it->message);
  BOOST_TEST(!ids(rules::evaluate(capture(true).events(), expect_one())).count("OUTAGE-DATA-LOST"));
  // Without a timestamp to read, or an outage shorter than three periods: not judged.
  auto no_key = expect_one();
  no_key.timestamp_key = "";
  BOOST_TEST(!ids(rules::evaluate(capture(false).events(), no_key)).count("OUTAGE-DATA-LOST"));
  Events brief;
  brief.connect("F1", 0.5);
  for (double t = 2; t < 20; t += 2) brief.publish("F1", t, stamp(t));
  brief.add(wan(false), 20);
  brief.add(wan(true), 25);  // 5 s: two samples
  brief.end(30);
  BOOST_TEST(!ids(rules::evaluate(brief.events(), expect_one())).count("OUTAGE-DATA-LOST"));
}

// A hub restart lasts as long as the device takes to come back: CONN-NO-RECONNECT's, not this rule's.
BOOST_AUTO_TEST_CASE(a_hub_restart_is_not_an_outage_of_this_rule) {
  Events ev;
  ev.connect("F1", 0.5);
  for (double t = 2; t < 20; t += 2) ev.publish("F1", t, stamp(t));
  ev.add({{"kind", "action"}, {"action", "broker-restart"}, {"device", ""}, {"detail", "restart"}}, 20);
  ev.connect("F1", 31);
  for (double t = 32; t < 50; t += 2) ev.publish("F1", t, stamp(t));
  ev.end(50);
  BOOST_TEST(!ids(rules::evaluate(ev.events(), expect_one())).count("OUTAGE-DATA-LOST"));
}

BOOST_AUTO_TEST_CASE(the_same_message_after_a_reconnect_is_a_duplicate) {
  Events ev;
  ev.connect("F1", 0.5);
  ev.publish("F1", 2, stamp(2));
  ev.publish("F1", 4, stamp(4));
  ev.disconnect("F1", 5, "keepalive");
  ev.connect("F1", 6);
  ev.publish("F1", 6.5, stamp(4));  // re-sent: the same bytes
  ev.publish("F1", 8, stamp(8));
  ev.end(10);
  const auto f = rules::evaluate(ev.events(), expect_one());
  BOOST_REQUIRE(ids(f).count("OUTAGE-DUPLICATE-AFTER-RECONNECT"));
  const auto it =
      std::find_if(f.begin(), f.end(), [](const auto& x) { return x.rule_id == "OUTAGE-DUPLICATE-AFTER-RECONNECT"; });
  BOOST_TEST(it->evidence.size() == 2u);
  // The same bytes twice on one connection are not this rule's (no reconnect in between).
  Events same;
  same.connect("F1", 0.5);
  same.publish("F1", 2, stamp(2));
  same.publish("F1", 2.2, stamp(2));
  same.end(10);
  BOOST_TEST(!ids(rules::evaluate(same.events(), expect_one())).count("OUTAGE-DUPLICATE-AFTER-RECONNECT"));
}

BOOST_AUTO_TEST_SUITE_END()
