// Rule scopes: against a plain MQTT broker the Azure-only rules report nothing (they are "not
// applicable"), telemetry is every publish or those matching telemetry_topic, and the broker's
// own credential refusal is judged.
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "harness/rules/catalogue.hpp"
#include "tests/rules/event_builder.hpp"

using namespace flexhil;
using namespace flexhil::testing;

namespace {

rules::Expectations broker_expect() {
  rules::Expectations e;
  e.target = rules::Target::broker;
  e.devices = {"line3"};
  e.connect_within_s = 30;
  return e;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(rule_scope)

BOOST_AUTO_TEST_CASE(azure_only_rules_are_hub_only_and_the_credentials_rule_is_broker_only) {
  for (const char* id : {"AUTH-USERNAME-FORMAT", "AUTH-SAS-SIGNATURE", "AUTH-X509-THUMBPRINT", "TOPIC-FORBIDDEN",
                         "PROPS-MISSING-CONTENT-TYPE", "THROTTLE-D2C-RATE", "QUOTA-DAILY", "METHOD-NO-RESPONSE",
                         "DUT-HUB-HOST-MISMATCH", "CONN-TOO-MANY-SUBSCRIPTIONS", "PAYLOAD-TOO-LARGE"}) {
    BOOST_TEST(rules::applies(id, rules::Target::hub), id);
    BOOST_TEST(!rules::applies(id, rules::Target::broker), id);
  }
  for (const char* id : {"PAYLOAD-INVALID-JSON", "TIME-NO-ZONE", "CADENCE-FULL-PUSH", "VALUE-MISMATCH",
                         "CADENCE-PUBLISH-WHILE-DISCONNECTED", "CONN-NOT-CONNECTED-WITHIN", "AUTH-REFUSED",
                         "TLS-HANDSHAKE-FAILED", "HARNESS-HUB-DOWN", "DUT-RUNTIME-ERROR"})
    BOOST_TEST((rules::applies(id, rules::Target::hub) && rules::applies(id, rules::Target::broker)), id);
  BOOST_TEST(rules::applies("AUTH-BROKER-CREDENTIALS", rules::Target::broker));
  BOOST_TEST(!rules::applies("AUTH-BROKER-CREDENTIALS", rules::Target::hub));
  const auto na = rules::not_applicable_rules(rules::Target::broker);
  BOOST_TEST(std::count(na.begin(), na.end(), "TOPIC-FORBIDDEN") == 1);
  BOOST_TEST(std::count(na.begin(), na.end(), "PAYLOAD-DUPLICATE-KEY") == 0);
  BOOST_TEST(rules::not_applicable_rules(rules::Target::hub) == std::vector<std::string>{"AUTH-BROKER-CREDENTIALS"});
}

BOOST_AUTO_TEST_CASE(any_publish_is_telemetry_and_azure_rules_report_nothing_against_a_broker) {
  Events ev;
  ev.connect("line3", 1);
  // No properties, a topic the hub would refuse, retained, a duplicate key: only the last counts.
  ev.publish("line3", 2, "{\"a\":1,\"a\":2,\"time\":\"2026-11-26T08:00:02Z\"}", false, "plant/line3/telemetry")["retain"] =
      true;
  ev.end(10);
  const auto broker = ids(rules::evaluate(ev.events(), broker_expect()));
  BOOST_TEST(broker.count("PAYLOAD-DUPLICATE-KEY") == 1u);  // the payload is judged as telemetry
  for (const auto& id : broker) BOOST_TEST(rules::applies(id, rules::Target::broker), id);
  BOOST_TEST(broker.count("PROPS-MISSING-CONTENT-TYPE") == 0u);
  rules::Expectations hub = broker_expect();
  hub.target = rules::Target::hub;
  const auto as_hub = ids(rules::evaluate(ev.events(), hub));
  BOOST_TEST(as_hub.count("TOPIC-FORBIDDEN") == 1u);
  BOOST_TEST(as_hub.count("TOPIC-RETAIN-USED") == 1u);
  BOOST_TEST(as_hub.count("PAYLOAD-DUPLICATE-KEY") == 0u);  // not telemetry on the hub: not scanned
}

BOOST_AUTO_TEST_CASE(telemetry_topic_selects_which_publishes_are_telemetry) {
  Events ev;
  ev.connect("line3", 1);
  ev.publish("line3", 2, "not json", false, "plant/line3/status");
  ev.publish("line3", 3, "{\"v\":1,\"time\":\"2026-11-26T08:00:03Z\"}", false, "plant/line3/telemetry");
  ev.end(10);
  auto e = broker_expect();
  BOOST_TEST(ids(rules::evaluate(ev.events(), e)).count("PAYLOAD-INVALID-JSON") == 1u);  // "#": both
  e.telemetry_topic = "plant/+/telemetry";
  BOOST_TEST(ids(rules::evaluate(ev.events(), e)).empty());
}

BOOST_AUTO_TEST_CASE(a_refused_plain_connect_is_the_credentials_finding_with_its_connack) {
  Events ev;
  ev.connect("line3", 1, false, "AUTH-BROKER-CREDENTIALS")["reason"] = "wrong password for user 'flexy'";
  ev.end(40);
  const auto findings = rules::evaluate(ev.events(), broker_expect());
  BOOST_TEST(ids(findings) == (std::set<std::string>{"AUTH-BROKER-CREDENTIALS", "CONN-NOT-CONNECTED-WITHIN"}));
  const auto it = std::find_if(findings.begin(), findings.end(),
                               [](const auto& f) { return f.rule_id == "AUTH-BROKER-CREDENTIALS"; });
  BOOST_REQUIRE(it != findings.end());
  BOOST_TEST(it->message.find("CONNACK 5: wrong password for user 'flexy'") != std::string::npos, it->message);
  BOOST_TEST(it->severity == rules::Severity::error);
}

BOOST_AUTO_TEST_SUITE_END()
