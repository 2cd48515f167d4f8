// HARNESS-… findings (our own parts failed: exit 3, never the device's fault) and the fault
// attribution of device findings whose evidence lies inside an injected fault.
#include <boost/test/unit_test.hpp>

#include "tests/rules/event_builder.hpp"

using namespace flexhil;
using namespace flexhil::testing;
using flexhil::rules::evaluate;

namespace {
rules::Expectations temp_tag() {
  auto e = quiet();
  e.numbers_as_strings_ok = true;
  e.tags.push_back({"Temp", "TempRaw", 1, 0.1, 0.0, rules::TagExpectation::Type::number});
  e.value_window_s = 5;
  return e;
}
Json audit(const std::string& src, std::uint64_t seq, const std::string& kind = "pong") {
  return Json{{"kind", kind}, {"src", src}, {"src_seq", seq}};
}
}  // namespace

BOOST_AUTO_TEST_SUITE(harness_rules)

BOOST_AUTO_TEST_CASE(hub_error_exited_is_hub_down_and_an_infrastructure_verdict) {
  Events ev;
  ev.connect("F1", 1);
  ev.add({{"kind", "hub_error"}, {"cause", "exited"}, {"detail", "mosquitto (pid 42) exited: killed by signal 9"}}, 5);
  ev.end(10);
  const auto f = evaluate(ev.events(), quiet());
  BOOST_REQUIRE(find(f, "HARNESS-HUB-DOWN"));
  BOOST_TEST(find(f, "HARNESS-HUB-DOWN")->message == "hub exited: mosquitto (pid 42) exited: killed by signal 9");
  BOOST_TEST(find(f, "HARNESS-HUB-DOWN")->evidence == (std::vector<std::uint64_t>{3}));
  const auto v = rules::judge(f, {});
  BOOST_TEST(!v.passed);
  BOOST_TEST(v.infrastructure);
  BOOST_TEST(v.summary.find("the harness failed, not the device") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(plc_error_is_plc_down) {
  Events ev;
  ev.add({{"kind", "plc_error"}, {"detail", "poll failed: Bad file descriptor"}}, 3);
  const auto f = evaluate(ev.events(), quiet());
  BOOST_REQUIRE(find(f, "HARNESS-PLC-DOWN"));
  BOOST_TEST(rules::judge(f, {}).infrastructure);
}

BOOST_AUTO_TEST_CASE(a_src_seq_gap_in_the_stored_capture_is_a_capture_gap_even_without_a_live_event) {
  Events ev;
  ev.add(audit("hub#1", 1), 1);
  ev.add(audit("hub#1", 2), 2);
  ev.add(audit("hub#1", 5), 3);  // 3 and 4 lost
  ev.add(audit("hub#2", 1), 4);  // a restarted broker: a new stream from 1 is fine
  const auto f = evaluate(ev.events(), quiet());
  BOOST_REQUIRE(find(f, "HARNESS-CAPTURE-GAP"));
  BOOST_TEST(find(f, "HARNESS-CAPTURE-GAP")->message == "audit stream hub#1: expected src_seq 3, got 5: 2 event(s) missing");
  BOOST_TEST(find(f, "HARNESS-CAPTURE-GAP")->evidence == (std::vector<std::uint64_t>{4}));
}

BOOST_AUTO_TEST_CASE(contiguous_streams_across_a_restart_give_no_harness_finding) {
  Events ev;
  for (std::uint64_t i = 1; i <= 3; ++i) ev.add(audit("hub#1", i), static_cast<double>(i));
  ev.add({{"kind", "audit_end"}, {"src", "hub#1"}, {"src_seq", 4}, {"last_seq", 4}}, 4);
  ev.add(audit("hub#2", 1), 5);
  BOOST_TEST(evaluate(ev.events(), quiet()).empty());
  BOOST_TEST(!rules::judge({}, {}).infrastructure);
}

BOOST_AUTO_TEST_CASE(a_live_capture_gap_event_is_reported) {
  Events ev;
  ev.add({{"kind", "capture_gap"}, {"src", "hub#1"}, {"expected", 7}, {"got", 9}, {"missing", 2}, {"reason", "gap"}}, 2);
  const auto f = evaluate(ev.events(), quiet());
  BOOST_REQUIRE(find(f, "HARNESS-CAPTURE-GAP"));
  BOOST_TEST(find(f, "HARNESS-CAPTURE-GAP")->message == "audit stream hub#1: expected src_seq 7, got 9: 2 event(s) missing");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fault_attribution)

BOOST_AUTO_TEST_CASE(a_mismatch_during_a_plc_fault_says_so) {
  Events ev;
  ev.plc_change("TempRaw", 5, 210, 215);
  ev.add({{"kind", "plc_fault"}, {"unit", nullptr}, {"fault", "down"}, {"state", "start"}}, 120);
  ev.publish("F1", 130, R"({"Temp":"22.5"})");
  ev.add({{"kind", "plc_fault"}, {"unit", nullptr}, {"fault", "down"}, {"state", "end"}}, 150);
  const auto f = evaluate(ev.events(), temp_tag());
  BOOST_REQUIRE(find(f, "VALUE-MISMATCH"));
  const auto& m = find(f, "VALUE-MISMATCH")->message;
  BOOST_TEST(m.size() > 40u);
  BOOST_TEST(m.substr(m.size() - 40) == " (during plc_fault down 120.0–150.0 s)");
}

BOOST_AUTO_TEST_CASE(a_mismatch_outside_every_fault_window_is_left_alone) {
  Events ev;
  ev.plc_change("TempRaw", 5, 210, 215);
  ev.publish("F1", 6, R"({"Temp":"22.5"})");
  ev.add({{"kind", "plc_fault"}, {"unit", nullptr}, {"fault", "down"}, {"state", "start"}}, 120);
  ev.add({{"kind", "plc_fault"}, {"unit", nullptr}, {"fault", "down"}, {"state", "end"}}, 150);
  const auto f = evaluate(ev.events(), temp_tag());
  BOOST_REQUIRE(find(f, "VALUE-MISMATCH"));
  BOOST_TEST(find(f, "VALUE-MISMATCH")->message.find("(during") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_broker_restart_window_lasts_until_the_device_is_back) {
  auto e = temp_tag();
  Events ev;
  ev.plc_change("TempRaw", 5, 210, 215);
  ev.connect("F1", 1);
  ev.add({{"kind", "action"}, {"action", "broker-restart"}, {"device", ""}, {"detail", "broker restart"}}, 20);
  ev.publish("F1", 21, R"({"Temp":"22.5"})");  // inside: before F1's next accepted connect
  ev.connect("F1", 25);
  ev.publish("F1", 30, R"({"Temp":"23.5"})");  // outside
  const auto f = evaluate(ev.events(), e);
  BOOST_REQUIRE(find(f, "VALUE-MISMATCH"));
  const auto& m = find(f, "VALUE-MISMATCH")->message;
  BOOST_TEST(m.find("(during broker restart 20.0–25.0 s)") != std::string::npos, m);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(evaluation_times)

// junit.xml's times come from here: every family is measured, in the order it runs.
BOOST_AUTO_TEST_CASE(evaluate_measures_every_family_of_rules) {
  Events ev;
  ev.connect("F1", 1);
  ev.publish("F1", 2, R"({"Temp":"22.5"})");
  rules::EvaluationTimes times;
  const auto without = evaluate(ev.events(), temp_tag());
  const auto with = evaluate(ev.events(), temp_tag(), &times);
  BOOST_TEST(with.size() == without.size());  // measuring changes no verdict
  std::vector<std::string> families;
  double sum = 0;
  for (const auto& [family, seconds] : times.families) {
    families.push_back(family);
    BOOST_TEST(seconds >= 0);
    sum += seconds;
  }
  const std::vector<std::string> expected{"context", "connection", "topic", "payload", "time",  "cadence",
                                          "value",   "volume",     "fleet", "outage", "dut",   "ca_bundle", "action", "harness"};
  BOOST_TEST(families == expected, boost::test_tools::per_element());
  BOOST_TEST(times.total_s > 0);
  BOOST_TEST(times.total_s >= sum);
}

BOOST_AUTO_TEST_SUITE_END()
