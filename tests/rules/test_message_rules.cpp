#include <boost/test/unit_test.hpp>

#include "harness/rules/context.hpp"
#include "common/event_view.hpp"
#include "tests/rules/event_builder.hpp"

using namespace flexhil;
using namespace flexhil::testing;
using flexhil::rules::evaluate;

BOOST_AUTO_TEST_SUITE(message_rules)

BOOST_AUTO_TEST_CASE(well_formed_telemetry_has_no_findings) {
  Events ev;
  ev.publish("F1", 1, R"({"time":"2026-11-26T08:00:01Z","Temp":21.5})");
  auto e = quiet();
  e.timestamp_key = "time";
  BOOST_TEST(evaluate(ev.events(), e).empty());
}

BOOST_AUTO_TEST_CASE(publish_outside_iothub_topics_is_forbidden_and_other_device_is_named) {
  Events ev;
  ev.publish("F1", 1, "{}", true, "factory/line1");
  ev.publish("F1", 2, "{}", true, "devices/F2/messages/events/");
  ev.add({{"kind", "subscribe"}, {"device", "F1"}, {"topic", "#"}, {"qos", 0}, {"verdict", "disconnected"}}, 3);
  ev.add({{"kind", "subscribe"}, {"device", "F1"}, {"topic", "devices/F1/messages/devicebound/#"}, {"qos", 1}}, 4);
  ev.publish("F1", 5, "{}", true, "$iothub/twin/GET/?$rid=1");
  const auto f = evaluate(ev.events(), quiet());
  BOOST_TEST(ids(f) == (std::set<std::string>{"TOPIC-FORBIDDEN", "TOPIC-OTHER-DEVICE"}));
  BOOST_TEST(require_finding(f, "TOPIC-OTHER-DEVICE").message.find("device 'F2'") != std::string::npos);
  BOOST_TEST(require_finding(f, "TOPIC-FORBIDDEN").evidence == (std::vector<std::uint64_t>{2, 4}));
}

// Found by fuzz/targets/capture_rules.cpp: a hand-edited capture with out-of-range numbers
// reached a double → int64 cast (undefined behaviour) in the rules.
BOOST_AUTO_TEST_CASE(out_of_range_numbers_in_a_capture_are_ignored_not_cast) {
  Events ev;
  ev.publish("F1", 1, R"({"time":"2026-11-26T08:00:01Z","Temp":21.5})")["size"] = 1e30;
  ev.publish("F1", 2, R"({"time":"2026-11-26T08:00:02Z","Temp":21.5})")["mono_ns"] = -1e300;
  ev.publish("F1", 3, R"({"time":"2026-11-26T08:00:03Z","Temp":21.5})")["size"] = 300000;
  ev.add({{"kind", "plc_change"}, {"unit", 1e20}, {"point", "P"}, {"old", nullptr}, {"new", 1}}, 4);
  auto e = quiet();
  e.timestamp_key = "time";
  const auto f = evaluate(ev.events(), e);
  // The 1e30 size falls back to the payload's; the 300000 one is still judged.
  const auto* too_large = find(f, "PAYLOAD-TOO-LARGE");
  BOOST_REQUIRE(too_large != nullptr);
  BOOST_TEST(too_large->evidence == (std::vector<std::uint64_t>{4}));
  BOOST_TEST(!EventView(Json{{"v", 1e30}}).integer("v").has_value());
  BOOST_TEST(!EventView(Json{{"v", -1e19}}).integer("v").has_value());
  BOOST_TEST(!EventView(Json{{"v", 2.5}}).integer("v").has_value());
  BOOST_TEST(!EventView(Json{{"v", 18446744073709551615u}}).integer("v").has_value());
  BOOST_TEST(*EventView(Json{{"v", 1e18}}).integer("v") == 1'000'000'000'000'000'000LL);
  BOOST_TEST(*EventView(Json{{"v", -7}}).integer("v") == -7);
}

BOOST_AUTO_TEST_CASE(retain_and_qos2_are_reported) {
  Events ev;
  ev.publish("F1", 1, "{}")["retain"] = true;
  ev.publish("F1", 2, "{}")["qos"] = 2;
  BOOST_TEST(ids(evaluate(ev.events(), quiet())) == (std::set<std::string>{"TOPIC-RETAIN-USED", "TOPIC-QOS2"}));
}

BOOST_AUTO_TEST_CASE(telemetry_without_content_type_is_downstream_breaking_unless_ignored) {
  Events ev;
  ev.publish("F1", 1, "{}", false);
  const auto f = evaluate(ev.events(), quiet());
  BOOST_REQUIRE(find(f, "PROPS-MISSING-CONTENT-TYPE"));
  BOOST_TEST(require_finding(f, "PROPS-MISSING-CONTENT-TYPE").hub == rules::HubBehaviour::downstream_breaks);
  auto e = quiet();
  e.content_type_required = false;
  BOOST_TEST(evaluate(ev.events(), e).empty());
}

BOOST_AUTO_TEST_CASE(invalid_utf8_reports_the_byte_offset) {
  Events ev;
  ev.publish("F1", 1, "{\"a\":\"\xff\"}");
  const auto f = evaluate(ev.events(), quiet());
  BOOST_TEST(require_finding(f, "PAYLOAD-INVALID-UTF8").message == "invalid UTF-8 at byte 6 of 9");
}

BOOST_AUTO_TEST_CASE(invalid_json_reports_offset_and_expectation) {
  Events ev;
  ev.publish("F1", 1, R"({"a":1,})");
  const auto f = evaluate(ev.events(), quiet());
  BOOST_TEST(ids(f) == std::set<std::string>{"PAYLOAD-INVALID-JSON"});
  BOOST_TEST(require_finding(f, "PAYLOAD-INVALID-JSON").message.find("at byte 7") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(duplicate_key_in_telemetry_is_found_also_nested) {
  Events ev;
  ev.publish("F1", 1, R"({"Temp":"1","Temp":"2"})");
  ev.publish("F1", 2, R"({"d":{"x":1,"x":2}})");
  auto e = quiet();
  e.numbers_as_strings_ok = true;
  const auto f = evaluate(ev.events(), e);
  const auto* x = find(f, "PAYLOAD-DUPLICATE-KEY");
  BOOST_REQUIRE(x);
  BOOST_TEST(x->message == "key \"Temp\" appears more than once in object / (second at byte 12) (first of 2 occurrences)");
  BOOST_TEST(x->evidence == (std::vector<std::uint64_t>{2, 3}));
  Events ok;
  ok.publish("F1", 1, R"({"Temp":1,"d":{"Temp":2}})");
  BOOST_TEST(evaluate(ok.events(), e).empty());
}

BOOST_AUTO_TEST_CASE(unescaped_quote_in_tag_name_is_invalid_json_and_unescaped_char) {
  Events ev;
  ev.publish("F1", 1, R"({"Ta"g":"1"})");
  BOOST_TEST(ids(evaluate(ev.events(), quiet())) ==
             (std::set<std::string>{"PAYLOAD-INVALID-JSON", "PAYLOAD-UNESCAPED-CHAR"}));
  Events ctl;
  ctl.publish("F1", 1, "{\"a\":\"x\ty\"}");
  const auto f = evaluate(ctl.events(), quiet());
  BOOST_TEST(ids(f) == std::set<std::string>{"PAYLOAD-UNESCAPED-CHAR"});
  BOOST_TEST(require_finding(f, "PAYLOAD-UNESCAPED-CHAR").message == "raw control character U+0009 at byte 7 in a string (at /a)");
}

BOOST_AUTO_TEST_CASE(numbers_as_strings_follow_the_policy) {
  Events ev;
  ev.publish("F1", 1, R"({"Temp":"21.5","Name":"pump"})");
  const auto f = evaluate(ev.events(), quiet());
  BOOST_TEST(ids(f) == std::set<std::string>{"PAYLOAD-NUMBER-AS-STRING"});
  BOOST_TEST(require_finding(f, "PAYLOAD-NUMBER-AS-STRING").message == "\"Temp\":\"21.5\" is a number sent as a string");
  auto e = quiet();
  e.numbers_as_strings_ok = true;
  BOOST_TEST(evaluate(ev.events(), e).empty());
}

BOOST_AUTO_TEST_CASE(required_key_missing_is_reported) {
  Events ev;
  ev.publish("F1", 3, R"({"Temp":1})");
  ev.publish("F1", 4, R"({"Temp":1,"site":"A"})");
  auto e = quiet();
  e.required_keys = {"site"};
  const auto f = evaluate(ev.events(), e);
  BOOST_TEST(require_finding(f, "PAYLOAD-MISSING-KEY").message == "telemetry at 3.000 s lacks key \"site\"");
  BOOST_TEST(require_finding(f, "PAYLOAD-MISSING-KEY").evidence == std::vector<std::uint64_t>{2});
}

BOOST_AUTO_TEST_CASE(message_over_the_limit_is_too_large) {
  Events ev;
  ev.publish("F1", 1, "{\"a\":\"" + std::string(300, 'x') + "\"}");
  auto e = quiet();
  e.max_message_bytes = 256;
  BOOST_TEST(require_finding(evaluate(ev.events(), e), "PAYLOAD-TOO-LARGE").message == "message of 308 bytes (limit 256 bytes)");
  e.max_message_bytes = 1024;
  BOOST_TEST(evaluate(ev.events(), e).empty());
}

BOOST_AUTO_TEST_CASE(local_time_without_zone_is_no_zone_format_and_skew_by_the_offset) {
  Events ev;  // received 08:00:10Z; a Flexy in UTC+1 writes 09:00:10 without zone
  ev.publish("F1", 10, R"({"time":"2026-11-26 09:00:10","Temp":1})");
  auto e = quiet();
  e.timestamp_key = "time";
  e.timestamp_format = rules::TimestampFormat::iso8601;
  const auto f = evaluate(ev.events(), e);
  BOOST_TEST(ids(f) == (std::set<std::string>{"TIME-FORMAT", "TIME-NO-ZONE", "TIME-SKEW"}));
  BOOST_TEST(require_finding(f, "TIME-NO-ZONE").message ==
             "\"time\":\"2026-11-26 09:00:10\" has no zone; read as UTC it is +3600 s off the receive time");
  BOOST_TEST(require_finding(f, "TIME-SKEW").message ==
             "timestamp \"2026-11-26 09:00:10\" is +3600.000 s from the receive time (allowed ±5.000 s)");
  // Knowing the DUT's offset removes the skew; the flexy format accepts the space form.
  e.utc_offset_s = 3600;
  e.timestamp_format = rules::TimestampFormat::flexy;
  BOOST_TEST(ids(evaluate(ev.events(), e)) == std::set<std::string>{"TIME-NO-ZONE"});
}

BOOST_AUTO_TEST_CASE(iso_timestamp_with_offset_is_accepted_and_skew_is_measured) {
  Events ev;
  ev.publish("F1", 10, R"({"time":"2026-11-26T09:00:10.000+01:00"})");
  ev.publish("F1", 20, R"({"time":"2026-11-26T08:00:28Z"})");
  auto e = quiet();
  e.timestamp_key = "time";
  const auto f = evaluate(ev.events(), e);
  BOOST_TEST(ids(f) == std::set<std::string>{"TIME-SKEW"});
  BOOST_TEST(require_finding(f, "TIME-SKEW").message ==
             "timestamp \"2026-11-26T08:00:28Z\" is +8.000 s from the receive time (allowed ±5.000 s)");
}

BOOST_AUTO_TEST_CASE(timestamps_going_backwards_are_reported) {
  Events ev;
  ev.publish("F1", 10, R"({"time":"2026-11-26T08:00:10Z"})");
  ev.publish("F1", 11, R"({"time":"2026-11-26T08:00:08Z"})");
  auto e = quiet();
  e.timestamp_key = "time";
  const auto f = evaluate(ev.events(), e);
  BOOST_TEST(ids(f) == std::set<std::string>{"TIME-BACKWARDS"});
  BOOST_TEST(require_finding(f, "TIME-BACKWARDS").message ==
             "timestamp \"2026-11-26T08:00:08Z\" is 2.000 s earlier than the previous message's");
}

BOOST_AUTO_TEST_CASE(non_timestamp_value_is_a_format_finding) {
  Events ev;
  ev.publish("F1", 1, R"({"time":"26/11/2026 08:00:01"})");
  auto e = quiet();
  e.timestamp_key = "time";
  e.timestamp_format = rules::TimestampFormat::flexy;
  BOOST_TEST(ids(evaluate(ev.events(), e)).count("TIME-FORMAT") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
