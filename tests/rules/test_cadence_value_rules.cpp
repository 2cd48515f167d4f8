#include <boost/test/unit_test.hpp>
#include <fmt/format.h>

#include "tests/rules/event_builder.hpp"

using namespace flexhil;
using namespace flexhil::testing;
using flexhil::rules::evaluate;

namespace {
rules::Expectations tags_abc() {
  auto e = quiet();
  for (const char* n : {"A", "B", "C"}) e.tags.push_back({n, "", -1, 1.0, 0.0, rules::TagExpectation::Type::number});
  return e;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(cadence_rules)

BOOST_AUTO_TEST_CASE(full_push_on_period_is_fine_and_drift_is_measured) {
  auto e = tags_abc();
  e.full_push_period_s = 20;
  Events ok;
  ok.connect("F1", 1);
  for (double t : {10.0, 30.4, 50.0}) ok.publish("F1", t, fmt::format(R"({{"A":{},"B":1,"C":1}})", t));
  BOOST_TEST(evaluate(ok.events(), e).empty());

  Events bad;
  bad.connect("F1", 1);
  for (double t : {10.0, 30.0, 55.0}) bad.publish("F1", t, fmt::format(R"({{"A":{},"B":1,"C":1}})", t));
  const auto f = evaluate(bad.events(), e);
  BOOST_TEST(ids(f) == std::set<std::string>{"CADENCE-FULL-PUSH"});
  BOOST_TEST(require_finding(f, "CADENCE-FULL-PUSH").message ==
             "full-push interval 25.000 s at 55.000 s (expected 20.000 s ± 1.000 s); 1 of 2 intervals out of "
             "tolerance, mean 22.500 s");
}

// The emulated Flexy's own delay (dut_timer_late) is not the program's cadence: the interval it
// explains is left out; when a quarter or more are, there is no verdict (exit 3).
BOOST_AUTO_TEST_CASE(an_interval_the_emulators_late_timer_explains_is_not_judged) {
  auto e = tags_abc();
  e.full_push_period_s = 20;
  auto pushes = [](Events& ev, std::initializer_list<double> at) {
    for (double t : at) ev.publish("F1", t, fmt::format(R"({{"A":{},"B":1,"C":1}})", t));
  };
  Events late;
  late.connect("F1", 1);
  pushes(late, {10.0, 30.0, 50.0, 70.0, 90.0, 113.0, 130.0, 150.0, 170.0, 190.0, 210.0, 230.0});
  late.add({{"kind", "dut_timer_late"}, {"device", "F1"}, {"timer", 1}, {"late_s", 3.0}}, 112.9);
  BOOST_TEST(evaluate(late.events(), e).empty());

  // The broker held up for 0.3 s at ×10: every device's pushes of that moment came 3 s late.
  Events stalled(10.0);
  stalled.connect("F1", 1);
  pushes(stalled, {10.0, 30.0, 50.0, 70.0, 90.0, 113.0, 130.0, 150.0, 170.0, 190.0, 210.0, 230.0});
  stalled.add({{"kind", "hub_stall"}, {"stalled_s", 0.3}}, 113.2);
  BOOST_TEST(evaluate(stalled.events(), e).empty());

  // The delay does not explain more than itself, nor an interval it is not in, nor another device.
  Events too_small;
  too_small.connect("F1", 1);
  pushes(too_small, {10.0, 30.0, 50.0, 70.0, 90.0, 116.0, 130.0, 150.0, 170.0});
  too_small.add({{"kind", "dut_timer_late"}, {"device", "F1"}, {"timer", 1}, {"late_s", 3.0}}, 115.9);
  too_small.add({{"kind", "dut_timer_late"}, {"device", "F2"}, {"timer", 1}, {"late_s", 9.0}}, 115.9);
  too_small.add({{"kind", "dut_timer_late"}, {"device", "F1"}, {"timer", 1}, {"late_s", 9.0}}, 60.0);
  BOOST_TEST(ids(evaluate(too_small.events(), e)) == std::set<std::string>{"CADENCE-FULL-PUSH"});

  Events starved;
  starved.connect("F1", 1);
  pushes(starved, {10.0, 33.0, 50.0, 74.0, 90.0});
  for (double at : {32.9, 73.9}) starved.add({{"kind", "dut_timer_late"}, {"device", "F1"}, {"timer", 1}, {"late_s", 4.0}}, at);
  const auto f = evaluate(starved.events(), e);
  BOOST_TEST(ids(f) == std::set<std::string>{"HARNESS-HOST-LAG"});
  BOOST_TEST(require_finding(f, "HARNESS-HOST-LAG").message ==
             "full-push: 3 of 3 intervals not judged: our own parts fell behind (the emulated Flexy's timers "
             "fired late or the hub was held up; time scale ×1)");
  BOOST_TEST(rules::judge(f, {}).infrastructure);
}

BOOST_AUTO_TEST_CASE(full_push_periods_are_measured_in_scenario_time) {
  auto e = tags_abc();
  e.full_push_period_s = 20;
  Events ev(10.0);  // ×10: 20 scenario seconds are 2 real seconds
  ev.connect("F1", 1);
  for (double t : {10.0, 30.0, 50.0}) ev.publish("F1", t, fmt::format(R"({{"A":{},"B":1,"C":1}})", t));
  BOOST_TEST(evaluate(ev.events(), e).empty());
}

BOOST_AUTO_TEST_CASE(no_full_push_at_all_is_reported) {
  auto e = tags_abc();
  e.full_push_period_s = 20;
  Events ev;
  ev.connect("F1", 1);
  ev.end(100);
  BOOST_TEST(require_finding(evaluate(ev.events(), e), "CADENCE-FULL-PUSH").message ==
             "no full push during 99.000 s connected (expected one every 20.000 s); no telemetry at all");
}

BOOST_AUTO_TEST_CASE(change_push_intervals_must_be_multiples_of_the_period) {
  auto e = tags_abc();
  e.change_push_period_s = 2;
  e.period_tolerance_s = 0.3;
  Events ok;
  ok.connect("F1", 1);
  int v = 0;
  for (double t : {11.0, 13.1, 17.0}) ok.publish("F1", t, fmt::format(R"({{"A":{}}})", ++v));
  BOOST_TEST(evaluate(ok.events(), e).empty());
  Events bad;
  bad.connect("F1", 1);
  for (double t : {11.0, 12.0, 14.0}) bad.publish("F1", t, fmt::format(R"({{"A":{}}})", ++v));
  const auto f = evaluate(bad.events(), e);
  BOOST_TEST(ids(f) == std::set<std::string>{"CADENCE-CHANGE-PUSH"});
  BOOST_TEST(require_finding(f, "CADENCE-CHANGE-PUSH").message ==
             "change-push interval 1.000 s at 12.000 s (expected 2.000 s or a multiple ± 0.300 s); 1 of 2 intervals "
             "out of tolerance, mean 1.500 s");
}

BOOST_AUTO_TEST_CASE(change_push_in_which_every_tag_changed_is_not_taken_for_a_full_push) {
  auto e = tags_abc();
  e.full_push_period_s = 20;
  Events ev;
  ev.connect("F1", 1);
  ev.publish("F1", 2, R"({"A":0,"B":0,"C":0})");   // first publish, all tags new: a change push after all
  ev.publish("F1", 10, R"({"A":1,"B":1,"C":0})");  // full
  ev.publish("F1", 22, R"({"A":2,"B":2,"C":2})");  // every tag changed, off schedule: change push
  ev.publish("F1", 30, R"({"A":2,"B":2,"C":2})");  // full (values repeated)
  ev.publish("F1", 30.01, R"({"A":2,"B":2,"C":2})");  // change timer firing with the full timer
  ev.publish("F1", 50, R"({"A":3,"B":3,"C":3})");  // every tag changed, on schedule: full
  const auto f = evaluate(ev.events(), e);
  BOOST_TEST(ids(f).count("CADENCE-FULL-PUSH") == 0u);
}

BOOST_AUTO_TEST_CASE(change_push_with_unchanged_tags_and_without_any_change) {
  auto e = tags_abc();
  Events ev;
  ev.publish("F1", 1, R"({"A":1,"B":1,"C":1})");
  ev.publish("F1", 3, R"({"A":2,"B":1})");  // B did not change
  ev.publish("F1", 5, R"({"A":2})");        // nothing changed
  ev.publish("F1", 7, R"({"A":3,"C":2})");  // fine
  const auto f = evaluate(ev.events(), e);
  BOOST_TEST(ids(f) == (std::set<std::string>{"CADENCE-CHANGE-PUSH-UNCHANGED-TAGS", "CADENCE-PUBLISH-WITHOUT-CHANGE"}));
  BOOST_TEST(require_finding(f, "CADENCE-CHANGE-PUSH-UNCHANGED-TAGS").message ==
             "change push at 3.000 s carries 1 of 2 tags unchanged: \"B\"");
  BOOST_TEST(require_finding(f, "CADENCE-PUBLISH-WITHOUT-CHANGE").evidence == std::vector<std::uint64_t>{4});
}

BOOST_AUTO_TEST_CASE(full_push_with_a_tag_twice_is_incomplete) {
  auto e = tags_abc();
  Events ev;
  ev.publish("F1", 1, R"({"A":1,"B":1,"C":1,"A":1})");
  ev.publish("F1", 2, R"({"A":1,"B":1,"C":1})");
  const auto f = evaluate(ev.events(), e);
  BOOST_TEST(ids(f) == (std::set<std::string>{"CADENCE-FULL-PUSH-INCOMPLETE", "PAYLOAD-DUPLICATE-KEY"}));
  BOOST_TEST(require_finding(f, "CADENCE-FULL-PUSH-INCOMPLETE").message == "full push at 1.000 s carries \"A\" 2 times");
  BOOST_TEST(require_finding(f, "CADENCE-FULL-PUSH-INCOMPLETE").evidence == std::vector<std::uint64_t>{2});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(value_rules)

namespace {
rules::Expectations temp_tag() {
  auto e = quiet();
  e.numbers_as_strings_ok = true;
  e.tags.push_back({"Temp", "TempRaw", 1, 0.1, 0.0, rules::TagExpectation::Type::number});
  e.value_window_s = 5;
  return e;
}
}  // namespace

BOOST_AUTO_TEST_CASE(published_value_after_coef_and_str_formatting_matches_the_plc) {
  Events ev;
  ev.plc_change("TempRaw", 5, 210, 215);
  ev.publish("F1", 6, R"({"Temp":"21.5"})");
  ev.publish("F1", 7, R"({"Temp":21.0})");  // the old value, still within the window
  BOOST_TEST(evaluate(ev.events(), temp_tag()).empty());
}

BOOST_AUTO_TEST_CASE(published_value_the_plc_never_held_is_a_mismatch) {
  Events ev;
  ev.plc_change("TempRaw", 5, 210, 215);
  ev.publish("F1", 6, R"({"Temp":"22.5"})");
  const auto f = evaluate(ev.events(), temp_tag());
  BOOST_TEST(ids(f) == std::set<std::string>{"VALUE-MISMATCH"});
  BOOST_TEST(require_finding(f, "VALUE-MISMATCH").message ==
             "\"Temp\":\"22.5\" at 6.000 s, but PLC point TempRaw (× 0.1 + 0) held 21, 21.5 within the 5.000 s before");
  BOOST_TEST(require_finding(f, "VALUE-MISMATCH").evidence == (std::vector<std::uint64_t>{3, 2}));
}

BOOST_AUTO_TEST_CASE(late_publish_is_latency_and_missing_publish_is_never_published) {
  auto e = temp_tag();
  e.max_change_latency_s = 3;
  Events late;
  late.connect("F1", 1);
  late.publish("F1", 2, R"({"Temp":21})");
  late.plc_change("TempRaw", 10, 210, 220);
  late.publish("F1", 15, R"({"Temp":22})");
  late.end(100);
  auto f = evaluate(late.events(), e);
  BOOST_TEST(ids(f) == std::set<std::string>{"VALUE-LATENCY"});
  BOOST_TEST(require_finding(f, "VALUE-LATENCY").message == "Temp changed to 22 at 10.000 s, published after 5.000 s (max 3.000 s)");

  Events never;
  never.connect("F1", 1);
  never.publish("F1", 2, R"({"Temp":21})");
  never.plc_change("TempRaw", 10, 210, 220);
  never.end(100);
  f = evaluate(never.events(), e);
  BOOST_TEST(ids(f) == std::set<std::string>{"VALUE-NEVER-PUBLISHED"});
  BOOST_TEST(require_finding(f, "VALUE-NEVER-PUBLISHED").message == "Temp changed to 22 at 10.000 s (held 90.000 s) and was never published");

  Events quick;
  quick.connect("F1", 1);
  quick.publish("F1", 2, R"({"Temp":21})");
  quick.plc_change("TempRaw", 10, 210, 220);
  quick.publish("F1", 11, R"({"Temp":22})");
  quick.end(100);
  BOOST_TEST(evaluate(quick.events(), e).empty());
}

// A publish our own MQTT stack held up (dut_publish_late) is late by our doing: 2 s over the
// limit, explained by a 2.5 s hold-up; a 1 s one, or another device's, does not explain it.
BOOST_AUTO_TEST_CASE(latency_our_own_delay_explains_is_not_the_devices) {
  auto e = temp_tag();
  e.max_change_latency_s = 3;
  auto run = [&](const std::string& device, double late_s) {
    Events ev;
    ev.connect("F1", 1);
    ev.publish("F1", 2, R"({"Temp":21})");
    ev.plc_change("TempRaw", 10, 210, 220);
    ev.add({{"kind", "dut_publish_late"}, {"device", device}, {"late_s", late_s}}, 15.0);
    ev.publish("F1", 15, R"({"Temp":22})");
    ev.end(100);
    return ids(evaluate(ev.events(), e));
  };
  BOOST_TEST(run("F1", 2.5).empty());
  BOOST_TEST(run("F1", 1.0) == std::set<std::string>{"VALUE-LATENCY"});
  BOOST_TEST(run("F2", 2.5) == std::set<std::string>{"VALUE-LATENCY"});
}

BOOST_AUTO_TEST_CASE(d2c_rate_above_the_tier_is_throttled_and_quota_extrapolated) {
  auto e = quiet();
  e.tier = rules::HubTier::S1;
  e.units = 1;
  Events burst;
  for (int i = 0; i < 101; ++i) burst.publish("F1", 1.0 + i * 0.005, "{}");
  auto f = evaluate(burst.events(), e);
  BOOST_TEST(require_finding(f, "THROTTLE-D2C-RATE").message ==
             "101 D2C messages within 1 s at 1.500 s (tier S1 × 1 unit(s) allows 100/s)");

  Events steady;
  for (int i = 0; i <= 100; ++i) steady.publish("F1", i * 0.1, "{}");  // 10/s for 10 s
  f = evaluate(steady.events(), e);
  BOOST_TEST(ids(f) == std::set<std::string>{"QUOTA-DAILY"});
  BOOST_TEST(require_finding(f, "QUOTA-DAILY").message ==
             "101 messages (4 KB chunks) in 10.000 s extrapolate to 872640/day (tier S1 × 1 unit(s) allows 400000/day)");

  Events calm;
  for (int i = 0; i <= 10; ++i) calm.publish("F1", i * 10.0, "{}");
  BOOST_TEST(evaluate(calm.events(), e).empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(verdict)

BOOST_AUTO_TEST_CASE(exact_findings_must_match_exactly) {
  std::vector<rules::Finding> f{{"TIME-NO-ZONE", rules::Severity::error, "F1", rules::HubBehaviour::downstream_breaks, "", {}}};
  rules::FindingExpectations x;
  x.exact = std::vector<std::string>{"TIME-NO-ZONE"};
  BOOST_TEST(rules::judge(f, x).passed);
  x.exact = std::vector<std::string>{"TIME-NO-ZONE", "TIME-SKEW"};
  const auto v = rules::judge(f, x);
  BOOST_TEST(!v.passed);
  BOOST_TEST(v.missing == std::vector<std::string>{"TIME-SKEW"});
}

BOOST_AUTO_TEST_CASE(without_declarations_errors_fail_and_warnings_do_not) {
  std::vector<rules::Finding> w{{"TOPIC-RETAIN-USED", rules::Severity::warning, "F1", rules::HubBehaviour::accepts, "", {}}};
  BOOST_TEST(rules::judge(w, {}).passed);
  std::vector<rules::Finding> e{{"TOPIC-QOS2", rules::Severity::error, "F1", rules::HubBehaviour::disconnects, "", {}}};
  BOOST_TEST(!rules::judge(e, {}).passed);
  rules::FindingExpectations x;
  x.must_find = {"TOPIC-QOS2"};
  BOOST_TEST(rules::judge(e, x).passed);
  x.must_not_find = {"TOPIC-RETAIN-USED"};
  BOOST_TEST(!rules::judge(w, x).passed);
}

BOOST_AUTO_TEST_SUITE_END()
