#define BOOST_TEST_MODULE test_reports
#include <boost/test/unit_test.hpp>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "common/error.hpp"
#include "harness/report/markup_escape.hpp"
#include "harness/report/report.hpp"
#include "harness/report/run_stats.hpp"
#include "tests/reports/sample_run.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/file_text.hpp"

using flexhil::testing::read_text;

using namespace flexhil;
using namespace flexhil::report;
using flexhil::testing::evil_payload;
using flexhil::testing::sample_run;

namespace {

// junit.xml parsed by a real third-party XML parser (libxml2); queries by XPath.
class XmlDoc {
 public:
  explicit XmlDoc(const std::string& xml)
      : doc_(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "junit.xml", nullptr,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
             xmlFreeDoc) {}
  bool ok() const { return doc_ != nullptr; }
  double number(const std::string& xpath) const {
    auto ctx = std::unique_ptr<xmlXPathContext, decltype(&xmlXPathFreeContext)>(xmlXPathNewContext(doc_.get()),
                                                                                 xmlXPathFreeContext);
    auto res = std::unique_ptr<xmlXPathObject, decltype(&xmlXPathFreeObject)>(
        xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(xpath.c_str()), ctx.get()), xmlXPathFreeObject);
    BOOST_REQUIRE_MESSAGE(res, "bad xpath " + xpath);
    return xmlXPathCastToNumber(res.get());
  }
  std::string string(const std::string& xpath) const {
    auto ctx = std::unique_ptr<xmlXPathContext, decltype(&xmlXPathFreeContext)>(xmlXPathNewContext(doc_.get()),
                                                                                 xmlXPathFreeContext);
    auto res = std::unique_ptr<xmlXPathObject, decltype(&xmlXPathFreeObject)>(
        xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(xpath.c_str()), ctx.get()), xmlXPathFreeObject);
    BOOST_REQUIRE_MESSAGE(res, "bad xpath " + xpath);
    xmlChar* s = xmlXPathCastToString(res.get());
    std::string out(reinterpret_cast<const char*>(s));
    xmlFree(s);
    return out;
  }

 private:
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc_;
};

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + what.size())) ++n;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(escaping)

BOOST_AUTO_TEST_CASE(markup_is_escaped_and_invalid_xml_characters_are_removed) {
  BOOST_TEST(escape_markup("<a href=\"x\">&'") == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  BOOST_TEST(escape_markup(std::string("a\x01\x1f" "b\tc\nd", 8)) == "ab\tc\nd");
  BOOST_TEST(escape_markup("\xff") == "\xEF\xBF\xBD");           // invalid byte → U+FFFD
  BOOST_TEST(escape_markup("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  BOOST_TEST(escape_markup("\xEF\xBF\xBE") == "");                // U+FFFE is not an XML character
  BOOST_TEST(escape_markup("Grüße °C") == "Grüße °C");
  BOOST_TEST(escape_markup_line("a\nb\rc") == "a b c");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(run_statistics)

BOOST_AUTO_TEST_CASE(published_value_reads_strings_numbers_nested_and_name_value_entries) {
  BOOST_TEST(*published_value(R"({"Temperature":"21.5"})", "Temperature") == 21.5);
  BOOST_TEST(*published_value(R"({"tags":{"Pressure":1.25}})", "Pressure") == 1.25);
  BOOST_TEST(*published_value(R"({"values":[{"name":"Level","value":"7"}]})", "Level") == 7.0);
  BOOST_TEST(*published_value(R"({"Run":true})", "Run") == 1.0);
  BOOST_TEST(!published_value(R"({"Temperature":"hot"})", "Temperature"));
  BOOST_TEST(!published_value(R"({"Temperature":"21.5x"})", "Temperature"));
  BOOST_TEST(!published_value(R"({"Temperature":)", "Temperature"));
  BOOST_TEST(!published_value(R"({"Other":1})", "Temperature"));
}

BOOST_AUTO_TEST_CASE(published_value_reads_payloads_like_the_rules) {
  // The strict scanner of the rules: the first of two duplicate keys (what PAYLOAD-DUPLICATE-KEY
  // reports) is the one plotted, not nlohmann's last.
  BOOST_TEST(published_value(R"({"T":1,"T":2})", "T").value_or(0) == 1.0);
  // Bounded nesting: a payload 100 000 levels deep is not a value, and nothing recursive runs on it.
  const std::string deep = "{\"T\":" + std::string(100'000, '[') + "1" + std::string(100'000, ']') + "}";
  BOOST_TEST(!published_value(deep, "T"));
  BOOST_TEST(!published_value(R"({"T":1e400})", "T"));
  BOOST_TEST(published_value(R"({"T":" 7 "})", "T").value_or(0) == 7.0);
}

BOOST_AUTO_TEST_CASE(stats_count_messages_bytes_and_connect_verdicts_per_device) {
  const auto in = sample_run(30);
  const auto stats = compute_stats(in.events);
  const auto& flexy = stats.devices.at("Flexy205Self");
  BOOST_TEST(flexy.messages == 32u);  // 30 telemetry + the evil one + the one refused while kicked
  BOOST_TEST(flexy.refused_publishes == 1u);
  BOOST_TEST(flexy.connects_accepted == 1u);
  BOOST_TEST(flexy.disconnects == 1u);
  BOOST_TEST(stats.devices.at("FlexyWrongThumb").connects_refused == 1u);
  BOOST_TEST(stats.connect_verdicts.at("accepted") == 1u);
  BOOST_TEST(stats.connect_verdicts.at("refused") == 1u);
  BOOST_TEST(stats.first_mono_ns == in.events.front()["mono_ns"].get<std::int64_t>());
}

BOOST_AUTO_TEST_CASE(publish_intervals_are_in_scenario_seconds_and_skip_refused_messages) {
  const auto in = sample_run(5);
  const auto intervals = publish_intervals(in.events, in.time_scale);
  const auto& v = intervals.at("Flexy205Self");
  BOOST_REQUIRE(v.size() == 5u);  // 6 accepted telemetry messages
  for (std::size_t i = 0; i < 4; ++i) BOOST_TEST(v[i] == 2.0, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(v[4] == 3.0, boost::test_tools::tolerance(1e-6));  // 2 s later + the 1 s gap before the evil one
}

BOOST_AUTO_TEST_CASE(tag_series_pairs_plc_changes_with_published_values) {
  const auto in = sample_run(10);
  const auto stats = compute_stats(in.events);
  const auto s = tag_series(in.events, "Pressure", "PT101", stats.first_mono_ns, in.time_scale);
  BOOST_TEST(s.plc.size() == 11u);  // the first `old` + 10 changes
  BOOST_REQUIRE(s.published.count("Flexy205Self"));
  BOOST_TEST(s.published.at("Flexy205Self").size() == 10u);
  BOOST_TEST(s.published.at("Flexy205Self").back().value == 1.10, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(s.published.at("Flexy205Self").front().t == 2.0, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(plotted_tags_are_inferred_from_plc_points_found_in_payloads) {
  auto in = sample_run(5);
  const auto tags = infer_plotted_tags(in.events);
  BOOST_REQUIRE(tags.size() == 1u);  // PT101 is published as "Pressure": no match by name
  BOOST_TEST(tags[0].first == "Temperature");
  std::erase_if(in.events, [](const Json& e) { return e["kind"] == "plc_change"; });
  const auto keys = infer_plotted_tags(in.events);
  BOOST_REQUIRE(keys.size() == 1u);  // "time" is not a number, "tags" is an object
  BOOST_TEST(keys[0].first == "Temperature");
  in.plotted_tags.clear();
  const std::string html = render_html(in);
  BOOST_TEST(html.find("these were found in the capture") != std::string::npos);
  BOOST_TEST(count_of(html, "<svg class=\"chart values\"") == 1u);
}

BOOST_AUTO_TEST_CASE(event_summaries_are_one_line) {
  const auto in = sample_run(2);
  for (const auto& e : in.events) {
    const auto line = summarize_event(e);
    BOOST_TEST(line.find('\n') == std::string::npos);
    BOOST_TEST(line.rfind("#", 0) == 0u);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(junit)

BOOST_AUTO_TEST_CASE(one_testcase_per_rule_and_device_with_failures_for_error_findings) {
  const auto in = sample_run();
  const XmlDoc doc(render_junit(in));
  BOOST_REQUIRE(doc.ok());
  // No rules_run given: every catalogue rule for each of the two devices.
  BOOST_TEST(doc.number("count(//testcase)") == 8);
  BOOST_TEST(doc.number("/testsuites/testsuite/@tests") == 8);
  BOOST_TEST(doc.number("/testsuites/testsuite/@failures") == 2);
  BOOST_TEST(doc.number("count(//testcase/failure)") == 2);
  BOOST_TEST(doc.number("/testsuites/testsuite/@errors") == 0);
  BOOST_TEST(doc.string("/testsuites/testsuite/@name") == "demo");
  BOOST_TEST(doc.number("count(//testcase[@classname='FlexyWrongThumb' and @name='AUTH-X509-THUMBPRINT']/failure)") == 1);
  BOOST_TEST(doc.string("//testcase[@name='CADENCE-FULL-PUSH' and @classname='Flexy205Self']/failure/@message") ==
             "no full push for 64 s (expected every 20 s ± 2 s)");
  // Evidence: the seq list and the one-line summaries of the events.
  const auto body = doc.string("//testcase[@classname='FlexyWrongThumb']/failure");
  BOOST_TEST(body.find("evidence (seq): 2") != std::string::npos);
  BOOST_TEST(body.find("#2 ") != std::string::npos);
  BOOST_TEST(body.find("thumbprint does not match the registry") != std::string::npos);
  // Warnings and infos do not fail; they are listed in system-out.
  BOOST_TEST(doc.number("count(//testcase[@name='PAYLOAD-NUMBER-AS-STRING']/failure)") == 0);
  BOOST_TEST(doc.string("//testcase[@classname='Flexy205Self' and @name='PAYLOAD-NUMBER-AS-STRING']/system-out")
                 .find("[warning]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(rules_run_decides_the_testcases_and_hub_wide_findings_use_classname_hub) {
  auto in = sample_run();
  in.rules_run = {{"", {"TLS-HANDSHAKE"}}, {"Flexy205Self", {"CADENCE-FULL-PUSH", "CONN-CONNECTED"}}};
  in.findings.push_back({"TLS-HANDSHAKE", rules::Severity::error, "", rules::HubBehaviour::refuses,
                         "TLS handshake failed: unknown ca", {}});
  const XmlDoc doc(render_junit(in));
  BOOST_REQUIRE(doc.ok());
  // 3 from rules_run + the findings of rules not listed (thumbprint, number-as-string).
  BOOST_TEST(doc.number("count(//testcase)") == 5);
  BOOST_TEST(doc.number("count(//testcase[@classname='hub' and @name='TLS-HANDSHAKE']/failure)") == 1);
  BOOST_TEST(doc.number("/testsuites/testsuite/@failures") == 3);
}

BOOST_AUTO_TEST_CASE(rules_that_do_not_apply_are_skipped_not_passed_unless_they_found_something) {
  auto in = sample_run();
  const std::string catalogue_case = "TOPIC-FORBIDDEN";  // a rule without a finding in the sample
  in.catalogue.push_back({catalogue_case, "TOPIC", rules::Severity::error, rules::HubBehaviour::disconnects,
                          "Publish on a topic IoT Hub does not know", "", rules::Scope::hub});
  in.not_applicable = {catalogue_case, "AUTH-X509-THUMBPRINT"};
  in.not_applicable_reason = "not applicable: the device publishes to a plain MQTT broker, not Azure IoT Hub";
  const XmlDoc doc(render_junit(in));
  BOOST_REQUIRE(doc.ok());
  BOOST_TEST(doc.number("count(//testcase)") == 10);  // still one case per rule and device
  // Both devices' cases of the rule are <skipped> with the reason, and counted as skipped; so is
  // the thumbprint case of the device without a thumbprint finding.
  BOOST_TEST(doc.number("count(//testcase[@name='" + catalogue_case + "']/skipped)") == 2);
  BOOST_TEST(doc.number("count(//testcase[@classname='Flexy205Self' and @name='AUTH-X509-THUMBPRINT']/skipped)") == 1);
  BOOST_TEST(doc.number("/testsuites/testsuite/@skipped") == 3);
  BOOST_TEST(doc.string("//testcase[@name='" + catalogue_case + "']/skipped/@message") == in.not_applicable_reason);
  // A finding is never hidden behind "not applicable": that case still fails.
  BOOST_TEST(doc.number("count(//testcase[@classname='FlexyWrongThumb' and @name='AUTH-X509-THUMBPRINT']/failure)") == 1);
  const auto summary = Json::parse(render_summary_json(in));
  BOOST_TEST(summary["not_applicable"].size() == 2u);
  const auto html = render_html(in);
  BOOST_TEST(html.find("<h2>Not applicable</h2>") != std::string::npos);
  BOOST_TEST(html.find(in.not_applicable_reason) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(hostile_text_is_escaped_and_invalid_characters_stripped) {
  auto in = sample_run(3);
  in.scenario = "a<b>&\"c\"";
  in.findings[0].device = "dev<&>\"'\x01";
  in.findings[0].message = std::string("payload \"</failure><script>x</script>\" \x02\x1b[31m \xff\xfe end");
  const std::string xml = render_junit(in);
  const XmlDoc doc(xml);
  BOOST_REQUIRE(doc.ok());
  BOOST_TEST(doc.string("/testsuites/testsuite/@name") == "a<b>&\"c\"");
  BOOST_TEST(doc.number("count(//testcase[@classname='dev<&>\"&apos;']/failure)") == 0);  // xpath has no &apos;
  BOOST_TEST(doc.number("count(//testcase[starts-with(@classname,'dev<&>')]/failure)") == 1);
  const auto msg = doc.string("//testcase[starts-with(@classname,'dev<&>')]/failure/@message");
  BOOST_TEST(msg.find("</failure><script>x</script>") != std::string::npos);
  BOOST_TEST(msg.find('\x02') == std::string::npos);
  BOOST_TEST(xml.find("<script>") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(declared_findings_do_not_fail_and_a_missing_one_fails_the_declared_findings_case) {
  auto in = sample_run();
  DeclaredFindings declared;
  declared.exact = true;
  declared.expected = {"AUTH-X509-THUMBPRINT", "CADENCE-FULL-PUSH", "PAYLOAD-NUMBER-AS-STRING", "CONN-CONNECTED"};
  in.declared_findings = declared;
  {
    const XmlDoc doc(render_junit(in));
    BOOST_REQUIRE(doc.ok());
    BOOST_TEST(doc.number("/testsuites/testsuite/@failures") == 0);
    BOOST_TEST(doc.number("count(//testcase[@classname='scenario' and @name='declared-findings'])") == 1);
    BOOST_TEST(doc.string("//testcase[@name='CADENCE-FULL-PUSH' and @classname='Flexy205Self']/system-out")
                   .find("expected by the scenario") != std::string::npos);
  }
  in.declared_findings->expected.push_back("PAYLOAD-DUPLICATE-KEY");
  in.declared_findings->missing = {"PAYLOAD-DUPLICATE-KEY"};
  const XmlDoc doc(render_junit(in));
  BOOST_TEST(doc.number("/testsuites/testsuite/@failures") == 1);
  BOOST_TEST(doc.string("//testcase[@name='declared-findings']/failure").find("declared but not found: PAYLOAD-DUPLICATE-KEY") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(infrastructure_failure_is_a_junit_error) {
  auto in = sample_run(1);
  in.findings.clear();
  in.exit_code = 3;
  in.exit_reason = "mosquitto did not accept TLS on 127.0.0.1:8883 within 5 s";
  const XmlDoc doc(render_junit(in));
  BOOST_REQUIRE(doc.ok());
  BOOST_TEST(doc.number("/testsuites/testsuite/@errors") == 1);
  BOOST_TEST(doc.string("//testcase[@classname='run']/error/@message") == in.exit_reason);
  // No verdict on the device: the rules that found nothing are skipped, none passes.
  const double cases = doc.number("count(//testcase[@classname!='run'])");
  BOOST_TEST(cases > 0);
  BOOST_TEST(doc.number("count(//testcase[@classname!='run']/skipped)") == cases);
  BOOST_TEST(doc.number("/testsuites/testsuite/@skipped") == cases);
  BOOST_TEST(doc.string("(//testcase/skipped)[1]/@message") == "not judged: " + in.exit_reason);
}

BOOST_AUTO_TEST_CASE(junit_times_are_real_and_the_hostname_is_the_machines) {
  auto in = sample_run(30);
  in.hostname = "bench-pc-7";
  in.duration_s = 12.5;
  in.rules_s = 0.25;
  in.rule_family_s = {{"connection", 0.125}, {"payload", 0.125}};
  const XmlDoc doc(render_junit(in));
  BOOST_REQUIRE(doc.ok());
  BOOST_TEST(doc.string("/testsuites/testsuite/@hostname") == "bench-pc-7");
  BOOST_TEST(doc.number("/testsuites/testsuite/@time") == 12.5);
  // The evaluated rule cases share the rules' time: their sum is the measured evaluation.
  const double judged = doc.number("count(//testcase[not(skipped) and @classname!='scenario' and @classname!='run'])");
  BOOST_TEST(judged > 0);
  BOOST_TEST(doc.number("sum(//testcase[not(skipped) and @classname!='scenario' and @classname!='run']/@time)") ==
                 0.25, boost::test_tools::tolerance(1e-3));
  BOOST_TEST(doc.number("//testcase[@name='CADENCE-FULL-PUSH']/@time") > 0);
  BOOST_TEST(doc.string("//property[@name='rules_seconds.connection']/@value") == "0.125000");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(summary)

BOOST_AUTO_TEST_CASE(summary_has_verdict_counts_findings_devices_and_connect_verdicts) {
  const auto in = sample_run(30);
  const Json j = Json::parse(render_summary_json(in));
  BOOST_TEST(j["scenario"] == "demo");
  BOOST_TEST(j["run"] == "20261126T080000Z");
  BOOST_TEST(j["passed"] == false);
  BOOST_TEST(j["exit_code"] == 1);
  BOOST_TEST(j["counts"]["error"] == 2);
  BOOST_TEST(j["counts"]["warning"] == 1);
  BOOST_TEST(j["counts"]["info"] == 1);
  BOOST_TEST(j["findings"].size() == 4u);
  BOOST_TEST(j["findings"][1]["rule"] == "CADENCE-FULL-PUSH");
  BOOST_TEST(j["findings"][1]["hub"] == "downstream-breaks");
  BOOST_TEST(j["findings"][1]["evidence"] == Json::parse("[4,7,10]"));
  BOOST_TEST(j["devices"]["Flexy205Self"]["messages"] == 32);
  BOOST_TEST(j["devices"]["FlexyWrongThumb"]["messages"] == 0);
  BOOST_TEST(j["devices"]["FlexyWrongThumb"]["connects_refused"] == 1);
  BOOST_TEST(j["connect_attempts"]["accepted"] == 1);
  BOOST_TEST(j["connect_attempts"]["refused"] == 1);
  BOOST_TEST(j["duration_s"].get<double>() == in.duration_s);
  BOOST_TEST(!j.contains("declared_findings"));
}

BOOST_AUTO_TEST_CASE(summary_with_invalid_utf8_in_a_finding_is_still_valid_json) {
  auto in = sample_run(1);
  in.findings[0].message = "bad \xff\xfe bytes";
  in.findings[0].device = "\xc3";
  const std::string text = render_summary_json(in);
  const Json j = Json::parse(text);  // throws on invalid UTF-8
  BOOST_TEST(j["findings"][0]["message"].get<std::string>().find("bad") == 0u);
}

BOOST_AUTO_TEST_CASE(summary_reports_declared_vs_found) {
  auto in = sample_run(1);
  DeclaredFindings declared;
  declared.expected = {"AUTH-X509-THUMBPRINT", "TIME-NO-ZONE"};
  declared.must_not = {"PAYLOAD-DUPLICATE-KEY"};
  declared.missing = {"TIME-NO-ZONE"};
  declared.unexpected = {"CADENCE-FULL-PUSH"};
  in.declared_findings = declared;
  const Json j = Json::parse(render_summary_json(in));
  BOOST_TEST(j["declared_findings"]["ok"] == false);
  BOOST_TEST(j["declared_findings"]["exact"] == false);
  BOOST_TEST(j["declared_findings"]["missing"][0] == "TIME-NO-ZONE");
  BOOST_TEST(j["declared_findings"]["unexpected"][0] == "CADENCE-FULL-PUSH");
  BOOST_TEST(j["declared_findings"]["must_not"][0] == "PAYLOAD-DUPLICATE-KEY");
  const std::string html = render_html(in);
  BOOST_TEST(html.find("The findings differ from what the scenario declares.") != std::string::npos);
  BOOST_TEST(count_of(html, "<span class=\"tag\">declared</span>") == 1u);  // the thumbprint finding
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(html)

BOOST_AUTO_TEST_CASE(html_is_self_contained_and_escapes_payload_markup) {
  const std::string html = render_html(sample_run());
  BOOST_TEST(html.find("<script") == std::string::npos);
  BOOST_TEST(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  BOOST_TEST(html.find("<link") == std::string::npos);
  BOOST_TEST(html.find("src=") == std::string::npos);
  BOOST_TEST(html.find("url(") == std::string::npos);
  BOOST_TEST(html.find("@import") == std::string::npos);
  // The only absolute URL is the SVG namespace name, which is never fetched.
  BOOST_TEST(count_of(html, "http") == count_of(html, "xmlns=\"http://www.w3.org/2000/svg\"") + 1);  // + the CSP meta
}

BOOST_AUTO_TEST_CASE(html_has_verdict_findings_timeline_histogram_values_and_links) {
  const std::string html = render_html(sample_run());
  BOOST_TEST(html.find("<header class=\"verdict failed\"") != std::string::npos);
  BOOST_TEST(html.find(">FAILED<") != std::string::npos);
  BOOST_TEST(html.find("id=\"count-error\"><b>2</b>") != std::string::npos);
  BOOST_TEST(count_of(html, "<tr class=\"finding\">") == 4u);
  BOOST_TEST(count_of(html, "<details>") == 4u);
  BOOST_TEST(count_of(html, "<svg class=\"chart timeline\"") == 1u);
  BOOST_TEST(count_of(html, "<svg class=\"chart histogram\"") == 1u);
  BOOST_TEST(count_of(html, "<svg class=\"chart values\"") == 2u);
  BOOST_TEST(html.find("class=\"expected expected-full\"") != std::string::npos);
  BOOST_TEST(html.find("class=\"expected expected-change\"") != std::string::npos);
  BOOST_TEST(html.find("class=\"tl-connect-refused\"") != std::string::npos);
  BOOST_TEST(html.find("class=\"tl-disconnect\"") != std::string::npos);
  BOOST_TEST(html.find("class=\"plc-line\"") != std::string::npos);
  BOOST_TEST(html.find("class=\"published\"") != std::string::npos);
  for (const char* link : {"href=\"capture.jsonl\"", "href=\"broker.log\"", "href=\"dut-console.log\""})
    BOOST_TEST(html.find(link) != std::string::npos, link);
}

BOOST_AUTO_TEST_CASE(a_passing_run_without_traffic_still_renders) {
  ReportInput in;
  in.scenario = "empty";
  in.passed = true;
  const std::string html = render_html(in);
  BOOST_TEST(html.find("<header class=\"verdict passed\"") != std::string::npos);
  BOOST_TEST(html.find("No findings.") != std::string::npos);
  BOOST_TEST(html.find("</html>") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_large_fleet_gets_a_bounded_timeline_and_one_merged_value_series) {
  auto in = sample_run(3);
  for (int d = 0; d < 100; ++d) {
    const std::string id = "Scale" + std::to_string(d);
    Json e = {{"seq", 10'000 + d}, {"mono_ns", in.events.back()["mono_ns"].get<std::int64_t>() + d}, {"kind", "publish"},
              {"device", id}, {"topic", "devices/" + id + "/messages/events/"},
              {"payload_b64", base64_encode("{\"Temperature\":" + std::to_string(d) + "}")}, {"verdict", "accepted"}};
    in.events.push_back(e);
  }
  // Devices seen but not under test (a capture of someone else's fleet): the bounded charts.
  const std::string html = render_html(in);
  BOOST_TEST(count_of(html, "class=\"lane-label\"") == 41u);  // 40 devices + the harness lane
  BOOST_TEST(html.find("… and 62 more devices") != std::string::npos);
  BOOST_TEST(html.find("published by 101 devices") != std::string::npos);
  BOOST_TEST(count_of(html, "<tr><td>Scale") == 100u);  // the device table lists everyone
}

// A fleet under test beyond the charts' limit: the fleet table (failed devices first, each linked
// to its page), the heat map, and the charts on the device pages.
BOOST_AUTO_TEST_CASE(a_fleet_under_test_gets_the_fleet_view_and_a_page_per_device) {
  auto in = sample_run(3);
  for (int d = 0; d < 100; ++d) {
    const std::string id = "Scale" + std::to_string(d);
    in.devices.push_back(id);
    Json e = {{"seq", 10'000 + d}, {"mono_ns", in.events.back()["mono_ns"].get<std::int64_t>() + d}, {"kind", "publish"},
              {"device", id}, {"topic", "devices/" + id + "/messages/events/"},
              {"payload_b64", base64_encode("{\"Temperature\":" + std::to_string(d) + "}")}, {"verdict", "accepted"}};
    in.events.push_back(e);
  }
  in.findings.push_back({"TIME-NO-ZONE", rules::Severity::error, "Scale42", rules::HubBehaviour::downstream_breaks,
                         "local time", {10'042}});
  const std::string html = render_html(in);
  BOOST_TEST(html.find("<h2>Fleet: 102 devices</h2>") != std::string::npos);
  BOOST_TEST(count_of(html, "class=\"lane-label\"") == 0u);  // no per-device timeline on the main page
  BOOST_TEST(html.find("on its own page") != std::string::npos);
  BOOST_TEST(count_of(html, "<a href=\"devices/Scale") == 100u);
  // The failing device is the first row of the table, and red in the heat map.
  const auto table = html.find("<h3>Devices</h3>");
  BOOST_TEST(html.find("devices/Scale42.html", table) < html.find("devices/Scale0.html", table));
  BOOST_TEST(html.find("<title>Scale42 ·") != std::string::npos);
  BOOST_TEST(html.find("fill=\"#e03131\"") != std::string::npos);

  testing::TempDir dir("flexhil-fleet-report");
  write_reports(in, dir.path().string());
  const auto page = read_text(dir.file("devices/Scale42.html"));
  BOOST_TEST(page.find("TIME-NO-ZONE") != std::string::npos);
  BOOST_TEST(page.find("href=\"../capture.jsonl\"") != std::string::npos);
  BOOST_TEST(page.find("href=\"../report.html\">the whole fleet</a>") != std::string::npos);
  BOOST_TEST(read_text(dir.file("devices/Scale7.html")).find("TIME-NO-ZONE") == std::string::npos);
  BOOST_TEST(read_text(dir.file("devices/Scale7.html")).find("verdict passed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(fifty_thousand_publishes_render_small_and_fast) {
  const auto in = sample_run(50'000);
  const auto start = std::chrono::steady_clock::now();
  const std::string html = render_html(in);
  const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST_MESSAGE("report.html for " << in.events.size() << " events: " << html.size() << " bytes in " << took
                                        << " s");
  BOOST_TEST(html.size() < 1'000'000u);
  BOOST_TEST(took < 15.0);  // generous: shared CI machines; a quadratic step would take minutes
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(write_reports_writes_the_three_files_into_a_new_folder) {
  flexhil::testing::TempDir dir;
  const auto out = dir.path() / "reports" / "demo" / "run1";
  write_reports(sample_run(), out.string());
  for (const char* name : {"junit.xml", "summary.json", "report.html"}) {
    BOOST_TEST(std::filesystem::file_size(out / name) > 100u, name);
    BOOST_TEST(!std::filesystem::exists(out / (std::string(name) + ".tmp")));
  }
  BOOST_TEST(XmlDoc(read_text(out / "junit.xml")).ok());
  BOOST_TEST(Json::parse(read_text(out / "summary.json"))["scenario"] == "demo");
}

// A folder under a regular file is the user's --out mistake (exit 2), naming the folder.
BOOST_AUTO_TEST_CASE(write_reports_under_a_regular_file_is_an_input_error_naming_the_folder) {
  flexhil::testing::TempDir dir;
  const auto file = dir.write("not-a-dir", "x");
  try {
    write_reports(sample_run(1), file + "/sub");
    BOOST_FAIL("no error");
  } catch (const ConfigError& e) {
    BOOST_TEST(e.where().file == file + "/sub");
    BOOST_TEST(e.message().find("Not a directory") != std::string::npos, e.message());
  }
}

BOOST_AUTO_TEST_CASE(an_interrupted_run_is_neither_passed_nor_failed) {
  auto in = sample_run(5);
  in.passed = false;
  in.exit_code = 3;
  in.exit_reason = "interrupted (signal 15)";
  in.interrupted = true;
  const Json j = Json::parse(render_summary_json(in));
  BOOST_TEST(j["verdict"] == "interrupted");
  BOOST_TEST(j["passed"] == false);
  const auto html = render_html(in);
  BOOST_TEST(html.find("<span class=\"big\">INTERRUPTED</span>") != std::string::npos);
  BOOST_TEST(html.find("<title>INTERRUPTED ") != std::string::npos);
  BOOST_TEST(html.find(">FAILED<") == std::string::npos);

  in.interrupted = false;
  BOOST_TEST(Json::parse(render_summary_json(in))["verdict"] == "error");  // exit 3, not interrupted
  in.exit_code = 1;
  BOOST_TEST(Json::parse(render_summary_json(in))["verdict"] == "failed");
  in.exit_code = 0;
  in.passed = true;
  BOOST_TEST(Json::parse(render_summary_json(in))["verdict"] == "passed");
}
