// The findings `flexhil hub` shows under one message or connect: the run's rules on that event
// alone, only the per-message and per-connect families.
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "harness/rules/event_findings.hpp"
#include "tests/rules/event_builder.hpp"

using namespace flexhil;
using namespace flexhil::rules;

namespace {
std::vector<std::string> finding_ids(const std::vector<Finding>& f) {
  std::vector<std::string> out;
  for (const auto& x : f) out.push_back(x.rule_id);
  return out;
}
bool has(const std::vector<std::string>& v, const std::string& id) { return std::find(v.begin(), v.end(), id) != v.end(); }
}  // namespace

BOOST_AUTO_TEST_SUITE(event_findings)

BOOST_AUTO_TEST_CASE(duplicate_keys_and_a_local_time_without_zone_are_found_on_one_message) {
  testing::Events ev;
  auto& m = ev.publish("Flexy1", 0, R"({"time":"2026-11-26 08:00:00","t":1,"t":2})");
  m["src"] = "hub#1";
  m["src_seq"] = 57;  // mid-stream: must not read as a capture gap
  const auto found = finding_ids(single_event_findings(m, bench_expectations()));
  BOOST_TEST(has(found, "PAYLOAD-DUPLICATE-KEY"));
  BOOST_TEST(has(found, "TIME-NO-ZONE"));
  for (const auto& id : found) BOOST_TEST(id.rfind("HARNESS-", 0) != 0, id);
}

BOOST_AUTO_TEST_CASE(invalid_json_and_a_missing_content_type_are_found_and_a_good_message_has_none) {
  testing::Events ev;
  const auto bad = finding_ids(single_event_findings(ev.publish("Flexy1", 0, "{\"t\":", false), bench_expectations()));
  BOOST_TEST(has(bad, "PAYLOAD-INVALID-JSON"));
  BOOST_TEST(has(bad, "PROPS-MISSING-CONTENT-TYPE"));
  auto& good = ev.publish("Flexy1", 1, R"({"time":"2026-11-26T08:00:01Z","t":1})");
  BOOST_TEST(single_event_findings(good, bench_expectations()).empty(), finding_ids(single_event_findings(good, bench_expectations())).size());
}

BOOST_AUTO_TEST_CASE(an_accepted_connect_without_api_version_is_a_finding) {
  testing::Events ev;
  auto& c = ev.connect("Flexy1", 0);
  c["username_form"] = "none";
  c["username"] = "h.azure-devices.net/Flexy1";
  BOOST_TEST(finding_ids(single_event_findings(c, bench_expectations())) == std::vector<std::string>{"AUTH-USERNAME-NO-API-VERSION"});
  BOOST_TEST(single_event_findings(ev.connect("Flexy2", 1), bench_expectations()).empty());
}

BOOST_AUTO_TEST_CASE(other_events_have_no_findings) {
  testing::Events ev;
  BOOST_TEST(single_event_findings(ev.disconnect("Flexy1", 0, "kicked"), bench_expectations()).empty());
}

BOOST_AUTO_TEST_SUITE_END()
