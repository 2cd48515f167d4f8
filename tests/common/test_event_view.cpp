// The one event accessor, the one classification, bounded JSON reading, capture reading and the
// run_end counts (common/event_view.hpp, common/json_read.hpp, common/run_end_counts.hpp).
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <string>

#include "common/duration.hpp"
#include "common/error.hpp"
#include "common/event.hpp"
#include "common/event_view.hpp"
#include "common/json_read.hpp"
#include "common/json_scan.hpp"
#include "common/run_end_counts.hpp"
#include "tests/support/temp_dir.hpp"

using namespace flexhil;

namespace {

std::string nested(int levels) { return std::string(levels, '[') + std::string(levels, ']'); }

std::string write_file(const testing::TempDir& dir, const std::string& name, const std::string& text) {
  const auto path = dir.file(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// The ConfigError read_capture_file() throws for `text`, as "line:col: message".
std::string capture_error(const std::string& text) {
  testing::TempDir dir;
  const auto path = write_file(dir, "capture.jsonl", text);
  try {
    read_capture_file(path);
  } catch (const ConfigError& e) {
    return std::to_string(e.where().line) + ":" + std::to_string(e.where().column) + ": " + e.message();
  }
  return "no error";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(event_view)

BOOST_AUTO_TEST_CASE(typed_access_never_throws_on_wrong_types) {
  const Json ev = Json::parse(R"({"kind":"publish","seq":7,"mono_ns":12,"device":"D","size":"12",
      "qos":1.0,"retain":true,"props":{"$.ct":"application/json"},"level":[1],"big":1e300})");
  const EventView e(ev);
  BOOST_TEST(e.kind() == "publish");
  BOOST_TEST(e.seq() == 7u);
  BOOST_TEST(e.mono_ns() == 12);
  BOOST_TEST(e.device() == "D");
  BOOST_TEST(!e.number("size").has_value());  // a numeric string is not a number
  BOOST_TEST(e.text("size") == "12");
  BOOST_TEST(e.integer("qos").value_or(-1) == 1);
  BOOST_TEST(!e.integer("big").has_value());  // out of int64: absent, not UB
  BOOST_TEST(e.flag("retain"));
  BOOST_TEST(!e.flag("qos"));
  BOOST_TEST(e.text("level", "none") == "none");
  BOOST_TEST(e.display("level") == "[1]");
  BOOST_TEST(e.display("missing") == "");
  BOOST_REQUIRE(e.object("props") != nullptr);
  BOOST_TEST(EventView(*e.object("props")).text("$.ct") == "application/json");
  BOOST_TEST(e.object("device") == nullptr);

  const Json not_an_object = Json::array({1, 2});
  const EventView a(not_an_object);
  BOOST_TEST(a.kind() == "");
  BOOST_TEST(a.seq() == 0u);
  BOOST_TEST(!a.has("kind"));
  const Json negative_seq = {{"seq", -3}};
  BOOST_TEST(EventView(negative_seq).seq() == 0u);
}

BOOST_AUTO_TEST_CASE(classification_of_every_documented_kind) {
  auto cls = [](Json ev) { return classify(EventView(ev)); };
  BOOST_TEST((cls({{"kind", "publish"}, {"device", "D"}, {"topic", "devices/D/messages/events/"}}) == EventClass::telemetry));
  BOOST_TEST((cls({{"kind", "publish"}, {"device", "D"}, {"topic", "devices/D/messages/events"}}) == EventClass::telemetry));
  BOOST_TEST((cls({{"kind", "publish"}, {"device", "D/m"}, {"topic", "devices/D/modules/m/messages/events/a=b"}}) ==
              EventClass::telemetry));
  // Another device's telemetry topic is not this device's telemetry.
  BOOST_TEST((cls({{"kind", "publish"}, {"device", "D"}, {"topic", "devices/E/messages/events/"}}) ==
              EventClass::other_publish));
  BOOST_TEST((cls({{"kind", "publish"}, {"device", "D"}, {"topic", "$iothub/twin/GET/?$rid=1"}}) == EventClass::twin));
  BOOST_TEST((cls({{"kind", "publish"}, {"device", "D"}, {"topic", "$iothub/methods/res/200/?$rid=1"}}) ==
              EventClass::method));
  BOOST_TEST((cls({{"kind", "twin_patch_reported"}}) == EventClass::twin));
  BOOST_TEST((cls({{"kind", "desired_update"}}) == EventClass::twin));
  BOOST_TEST((cls({{"kind", "method_request"}}) == EventClass::method));
  BOOST_TEST((cls({{"kind", "c2d_sent"}}) == EventClass::c2d));
  for (const char* k : {"c2d_delivered", "c2d_expired", "c2d_refused", "c2d_dropped"})
    BOOST_TEST((cls({{"kind", k}}) == EventClass::c2d), k);
  BOOST_TEST((cls({{"kind", "device_status"}}) == EventClass::hub));
  BOOST_TEST((cls({{"kind", "connect"}}) == EventClass::connect));
  BOOST_TEST((cls({{"kind", "tls_failure"}}) == EventClass::tls));
  BOOST_TEST((cls({{"kind", "disconnect"}}) == EventClass::disconnect));
  BOOST_TEST((cls({{"kind", "subscribe"}}) == EventClass::subscribe));
  BOOST_TEST((cls({{"kind", "plc_fault"}}) == EventClass::plc));
  BOOST_TEST((cls({{"kind", "dut_log"}}) == EventClass::dut));
  BOOST_TEST((cls({{"kind", "run_end"}}) == EventClass::harness));
  BOOST_TEST((cls({{"kind", "ca_bundle"}}) == EventClass::harness));
  BOOST_TEST((cls({{"kind", "command_rejected"}}) == EventClass::hub));
  BOOST_TEST((cls({{"kind", 3}}) == EventClass::unknown));
  BOOST_TEST(to_string(EventClass::telemetry) == "telemetry");
  BOOST_TEST(!is_telemetry_topic("", "devices//messages/events/"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(json_bounds)

BOOST_AUTO_TEST_CASE(nesting_is_bounded_at_parse_time) {
  BOOST_TEST(read_json(nested(max_json_depth)).ok());
  const auto deep = read_json(nested(max_json_depth + 1));
  BOOST_TEST(!deep.ok());
  BOOST_TEST(deep.error == "nesting deeper than 256 levels");
  BOOST_TEST(deep.error_offset == static_cast<std::size_t>(max_json_depth));
  // A million levels: refused without recursion (this would overflow the stack if copied).
  const auto huge = read_json(nested(1'000'000));
  BOOST_TEST(!huge.ok());
  BOOST_TEST(parse_json_or_discarded(nested(1'000'000)).is_discarded());
  // Brackets inside strings do not count.
  BOOST_TEST(read_json("{\"a\":\"" + std::string(1000, '[') + "\"}").ok());
  // The strict payload scanner has the same bound.
  BOOST_TEST(scan_json(nested(max_json_depth)).root.has_value());
  const auto s = scan_json(nested(max_json_depth + 1));
  BOOST_TEST(!s.root.has_value());
  BOOST_TEST(s.error == "nesting deeper than 256 levels");
}

BOOST_AUTO_TEST_CASE(numbers_out_of_range_are_an_error_not_an_exception) {
  const auto r = read_json(R"({"kind":"x","v":1e400})");
  BOOST_TEST(!r.ok());
  BOOST_TEST(r.error.find("number out of range") == 0, r.error);
  BOOST_TEST(r.error_offset == 16u);
  BOOST_TEST(read_json(R"({"v":1e300,"i":123456789012345678901234567890})").ok());
  const auto bad = read_json(R"({"v":})");
  BOOST_TEST(!bad.ok());
  BOOST_TEST(bad.error_offset == 5u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(capture_reading)

BOOST_AUTO_TEST_CASE(refused_inputs_name_line_and_column) {
  BOOST_TEST(capture_error("") == "0:0: empty capture: no events (the run did not start?)");
  BOOST_TEST(capture_error("\n\n") == "0:0: empty capture: no events (the run did not start?)");
  BOOST_TEST(capture_error("{\"kind\":\"a\"}\n[1,2]\n") == "2:1: malformed event: a JSON array, not an object");
  BOOST_TEST(capture_error("{\"kind\":\"a\"}\n{\"kind\":\"b\",\"v\":1e400}\n").rfind("2:17: malformed event: number out of range", 0) == 0);
  BOOST_TEST(capture_error("{\"kind\":\"a\"}\n{\"v\":" + nested(300) + "}\n") ==
             "2:" + std::to_string(5 + 255 + 1) + ": malformed event: nesting deeper than 256 levels");
  BOOST_TEST(capture_error("{\"kind\":\"a\"}\n{\"kind\" 1}\n{\"kind\":\"c\"}\n").rfind("2:9: malformed event:", 0) == 0);

  testing::TempDir dir;
  try {
    read_capture_file(dir.path().string());
    BOOST_FAIL("a directory was read as a capture");
  } catch (const ConfigError& e) {
    BOOST_TEST(e.message().find("is a directory") == 0);
  }
  BOOST_CHECK_THROW(read_capture_file(dir.file("missing.jsonl")), ConfigError);
}

BOOST_AUTO_TEST_CASE(an_unfinished_last_line_is_truncation_not_malformation) {
  testing::TempDir dir;
  const auto path = write_file(dir, "c.jsonl", "{\"kind\":\"run_start\",\"seq\":1}\n{\"kind\":\"pub");
  const auto read = read_capture_file(path);
  BOOST_TEST(read.events.size() == 1u);
  BOOST_TEST(read.truncated_line == 2);
  // The same cut WITH a newline is a malformed line.
  BOOST_TEST(capture_error("{\"kind\":\"run_start\"}\n{\"kind\":\"pub\n").rfind("2:", 0) == 0);
}

BOOST_AUTO_TEST_CASE(run_end_counts_what_came_before_it) {
  testing::TempDir dir;
  const auto path = dir.file("capture.jsonl");
  {
    CaptureWriter writer(path);
    CountedCapture capture(writer);
    capture.emit(make_event("run_start"));
    capture.emit(make_event("publish"));
    capture.emit(make_event("publish"));
    capture.emit(make_event("run_end"));
    capture.emit(make_event("disconnect"));  // teardown after run_end is not counted in it
  }
  auto events = read_capture(path);
  BOOST_REQUIRE(events.size() == 5u);
  const Json* counts = EventView(events[3]).object("counts");
  BOOST_REQUIRE(counts != nullptr);
  BOOST_TEST(EventView(*counts).integer("total").value_or(-1) == 3);
  BOOST_TEST((*counts)["by_kind"]["publish"] == 2);
  BOOST_TEST(check_capture_counts(events).complete);

  auto missing_one = events;
  missing_one.erase(missing_one.begin() + 1);
  const auto check = check_capture_counts(missing_one);
  BOOST_TEST(!check.complete);
  BOOST_TEST(check.problem == "run_end (seq 4) counts 3 events before it, 2 were read");

  auto no_end = events;
  no_end.erase(no_end.begin() + 3, no_end.end());
  BOOST_TEST(check_capture_counts(no_end).problem == "no run_end event: the run did not finish (killed or cut short?)");

  auto swapped_kind = events;
  swapped_kind[1]["kind"] = "subscribe";
  BOOST_TEST(check_capture_counts(swapped_kind).problem == "run_end (seq 4) counts 2 'publish' events, 1 were read");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(durations)

BOOST_AUTO_TEST_CASE(one_parser_for_every_duration) {
  BOOST_TEST(parse_duration_seconds("7d").value_or(0) == 7 * 86400.0);
  BOOST_TEST(parse_duration_seconds("250us").value_or(0) == 250e-6);
  BOOST_TEST(parse_duration_seconds("2min").value_or(0) == 120.0);
  BOOST_TEST(!parse_duration_seconds("1e308d"));  // finite number, infinite duration
  BOOST_TEST(!parse_duration_seconds("5 s"));
  BOOST_TEST(!parse_duration_seconds("s"));
}

BOOST_AUTO_TEST_SUITE_END()
