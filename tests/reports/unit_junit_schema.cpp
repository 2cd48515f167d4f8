// Every junit.xml flexhil writes — a run's in each of its shapes, a suite's merged one — validated
// by libxml2 against the constraints of Jenkins' xunit plugin (fixtures/junit/), and the suite's
// plan: scenario collection, shards, folder names, index.html, the worst exit code.
#include <boost/test/unit_test.hpp>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include <memory>
#include <set>

#include "common/error.hpp"
#include "harness/report/report.hpp"
#include "harness/run/suite_plan.hpp"
#include "tests/reports/sample_run.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_env.hpp"

using namespace flexhil;
using namespace flexhil::run;
using flexhil::testing::sample_run;

namespace {

// The schema's verdict on `xml`: "" when it validates, else libxml2's first complaints.
std::string schema_problems(const std::string& xml) {
  const std::string xsd = testing::fixture("junit/jenkins-xunit-junit.xsd");
  std::unique_ptr<xmlSchemaParserCtxt, decltype(&xmlSchemaFreeParserCtxt)> pctx(
      xmlSchemaNewParserCtxt(xsd.c_str()), xmlSchemaFreeParserCtxt);
  BOOST_REQUIRE(pctx);
  std::unique_ptr<xmlSchema, decltype(&xmlSchemaFree)> schema(xmlSchemaParse(pctx.get()), xmlSchemaFree);
  BOOST_REQUIRE_MESSAGE(schema, "the schema " << xsd << " does not parse");
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "junit.xml", nullptr, XML_PARSE_NONET), xmlFreeDoc);
  if (!doc) return "not well-formed XML";
  std::unique_ptr<xmlSchemaValidCtxt, decltype(&xmlSchemaFreeValidCtxt)> vctx(xmlSchemaNewValidCtxt(schema.get()),
                                                                               xmlSchemaFreeValidCtxt);
  std::string problems;
  xmlSchemaSetValidStructuredErrors(
      vctx.get(),
      [](void* out, xmlErrorPtr e) {
        auto& text = *static_cast<std::string*>(out);
        if (text.size() < 2000) text += std::to_string(e->line) + ": " + (e->message ? e->message : "?");
      },
      &problems);
  const int rc = xmlSchemaValidateDoc(vctx.get(), doc.get());
  if (rc != 0 && problems.empty()) problems = "invalid (code " + std::to_string(rc) + ")";
  return problems;
}

SuiteEntry entry_of(const std::string& scenario, int code, std::optional<std::string> junit) {
  SuiteEntry e;
  e.scenario = scenario;
  e.folder = std::filesystem::path(scenario).stem().string();
  e.exit_code = code;
  e.seconds = 2.5;
  e.junit = std::move(junit);
  return e;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(junit_schema)

BOOST_AUTO_TEST_CASE(a_runs_junit_validates_in_every_shape) {
  auto findings = sample_run(30);
  BOOST_TEST(schema_problems(report::render_junit(findings)) == "");
  auto aborted = sample_run(1);
  aborted.exit_code = 3;
  aborted.exit_reason = "hub did not start";
  BOOST_TEST(schema_problems(report::render_junit(aborted)) == "");  // errors and skipped cases
  auto hostile = sample_run(2);
  hostile.scenario = "a<b>&\"c\"\x01";
  hostile.hostname = "h\"ost";
  BOOST_TEST(schema_problems(report::render_junit(hostile)) == "");
}

BOOST_AUTO_TEST_CASE(the_schema_refuses_what_the_xunit_plugin_refuses) {
  // The check has teeth: `skipped` on <testsuites> and a testsuite without `errors` are refused.
  BOOST_TEST(schema_problems("<testsuites skipped=\"1\"/>") != "");
  BOOST_TEST(schema_problems("<testsuites><testsuite name=\"a\" tests=\"1\" failures=\"0\"/></testsuites>") != "");
  BOOST_TEST(schema_problems("<testsuites time=\"1.5s\"/>") != "");
}

BOOST_AUTO_TEST_CASE(a_suites_merged_junit_holds_every_run_and_validates) {
  auto a = sample_run(5);
  a.scenario = "first";
  auto b = sample_run(5);
  b.scenario = "second";
  std::vector<SuiteEntry> entries{entry_of("s/first.toml", 1, report::render_junit(a)),
                                  entry_of("s/second.toml", 0, report::render_junit(b)),
                                  entry_of("s/crashed.toml", 139, std::nullopt)};
  entries[2].problem = "the run ended with status 139 (a crash; see logs/crashed.log)";
  const std::string xml = merge_junit(entries, "ci-runner-3");
  BOOST_TEST(schema_problems(xml) == "");
  BOOST_TEST(xml.find("<testsuite name=\"first\"") != std::string::npos);
  BOOST_TEST(xml.find("<testsuite name=\"second\"") != std::string::npos);
  BOOST_TEST(xml.find("<testsuite name=\"s/crashed.toml\" tests=\"1\" failures=\"0\" errors=\"1\"") != std::string::npos);
  BOOST_TEST(xml.find("status 139") != std::string::npos);
  BOOST_TEST(xml.find("hostname=\"ci-runner-3\"") != std::string::npos);
  BOOST_TEST(std::count(xml.begin(), xml.end(), '\n') > 20);
  BOOST_TEST(worst_exit_code(entries) == 3);  // a crash counts as an infrastructure failure
  entries.pop_back();
  BOOST_TEST(worst_exit_code(entries) == 1);
  BOOST_TEST(worst_exit_code({}) == 0);
}

BOOST_AUTO_TEST_CASE(the_index_links_each_report_and_escapes_names) {
  std::vector<SuiteEntry> entries{entry_of("s/ok.toml", 0, std::nullopt), entry_of("s/<x>.toml", 1, std::nullopt)};
  entries[1].folder = "x";
  const std::string html = render_suite_index(entries, "suite <1/2>");
  BOOST_TEST(html.find("<a href=\"ok/report.html\">s/ok.toml</a>") != std::string::npos);
  BOOST_TEST(html.find("s/&lt;x&gt;.toml") != std::string::npos);
  BOOST_TEST(html.find("suite &lt;1/2&gt;") != std::string::npos);
  BOOST_TEST(html.find("1 passed, 1 failed") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(suite_plan)

BOOST_AUTO_TEST_CASE(shards_split_the_sorted_list_into_disjoint_shares) {
  std::vector<std::string> all;
  for (int i = 0; i < 11; ++i) all.push_back("s" + std::to_string(100 + i) + ".toml");
  std::multiset<std::string> union_of;
  for (int k = 1; k <= 3; ++k)
    for (const auto& s : shard_of(all, parse_shard(std::to_string(k) + "/3"))) union_of.insert(s);
  BOOST_TEST(union_of == std::multiset<std::string>(all.begin(), all.end()));
  BOOST_TEST(shard_of(all, parse_shard("2/3")) == (std::vector<std::string>{"s101.toml", "s104.toml", "s107.toml", "s110.toml"}),
             boost::test_tools::per_element());
  BOOST_TEST(shard_of(all, parse_shard("1/1")) == all, boost::test_tools::per_element());
  for (const std::string bad : {"0/2", "3/2", "2", "a/b", "1/0", "1/2/3", "-1/2", ""}) {
    BOOST_CHECK_THROW(parse_shard(bad), ConfigError);
  }
}

BOOST_AUTO_TEST_CASE(scenarios_are_collected_from_files_and_folders_in_order_once) {
  testing::TempDir dir;
  for (const auto* name : {"b.toml", "a.toml", "notes.md"}) dir.write(std::string("lib/") + name, "");
  dir.write("z.toml", "");
  const auto got = collect_scenarios({dir.file("z.toml"), dir.file("lib"), dir.file("lib/a.toml")});
  BOOST_TEST(got == (std::vector<std::string>{dir.file("lib/a.toml"), dir.file("lib/b.toml"), dir.file("z.toml")}),
             boost::test_tools::per_element());
  BOOST_CHECK_THROW(collect_scenarios({dir.file("missing.toml")}), ConfigError);
  BOOST_CHECK_THROW(collect_scenarios({dir.file("lib/notes.md")}), ConfigError);
  std::filesystem::create_directories(dir.file("empty"));
  BOOST_CHECK_THROW(collect_scenarios({dir.file("empty")}), ConfigError);
}

BOOST_AUTO_TEST_CASE(run_folders_are_the_stems_made_unique) {
  BOOST_TEST(run_folder_names({"a/demo.toml", "b/demo.toml", "c/x.toml", "d/demo.toml"}) ==
                 (std::vector<std::string>{"demo", "demo-2", "x", "demo-3"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
