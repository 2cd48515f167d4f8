// TLS-CA-BUNDLE-…: the ca_bundle event the harness writes for the user's real CA bundle (built
// here by harness/run/user_ca_check from Debian's real roots) becomes the finding; the rule reads
// the recorded verdict, so a capture judged offline years later gives the same finding.
#include <boost/test/unit_test.hpp>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "certs/ca_bundle_check.hpp"
#include "certs/pki.hpp"
#include "harness/run/user_ca_check.hpp"
#include "tests/rules/event_builder.hpp"
#include "tests/support/temp_dir.hpp"

using namespace flexhil;
using namespace flexhil::testing;
using flexhil::rules::evaluate;
namespace fs = std::filesystem;

namespace {

std::string root(const std::string& name) {
  std::ifstream in(std::string(certs::default_reference_roots_dir) + "/" + name + ".crt");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::int64_t now() { return static_cast<std::int64_t>(std::time(nullptr)); }

scenario::Scenario scenario_with_bundle(const std::string& path) {
  scenario::Scenario s;
  s.dut.device = "Flexy205";
  s.dut.user_ca_file = path;
  return s;
}

std::vector<rules::Finding> judge_bundle(const scenario::Scenario& s) {
  const auto ev = run::check_user_ca_bundle(s, now());
  BOOST_REQUIRE(ev.has_value());
  Events events;
  events.add(*ev, 0.5);
  events.end(10);
  return evaluate(events.events(), quiet());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ca_bundle_rules)

BOOST_AUTO_TEST_CASE(a_baltimore_only_bundle_is_outdated_for_the_device_with_its_event_as_evidence) {
  TempDir dir;
  const auto f = judge_bundle(scenario_with_bundle(dir.write("old.pem", root("Baltimore_CyberTrust_Root"))));
  BOOST_REQUIRE_EQUAL(f.size(), 1u);
  BOOST_TEST(f[0].rule_id == "TLS-CA-BUNDLE-OUTDATED");
  BOOST_TEST(f[0].device == "Flexy205");
  BOOST_TEST(f[0].severity == rules::Severity::error);
  BOOST_TEST(f[0].hub == rules::HubBehaviour::refuses);
  BOOST_TEST(f[0].evidence == (std::vector<std::uint64_t>{2}));
  BOOST_TEST(f[0].message.find("old.pem (judged at ") != std::string::npos, f[0].message);
  BOOST_TEST(f[0].message.find("Baltimore CyberTrust Root") != std::string::npos, f[0].message);
}

BOOST_AUTO_TEST_CASE(a_bench_ca_bundle_is_missing_g2) {
  TempDir dir;
  certs::CertificateSpec spec;
  spec.common_name = "Bench CA";
  spec.is_ca = true;
  const auto f = judge_bundle(scenario_with_bundle(dir.write("bench.pem", certs::make_self_signed(spec).cert_pem)));
  BOOST_REQUIRE_EQUAL(f.size(), 1u);
  BOOST_TEST(f[0].rule_id == "TLS-CA-BUNDLE-MISSING-G2");
}

BOOST_AUTO_TEST_CASE(a_bundle_with_g2_or_the_microsoft_root_gives_no_finding) {
  TempDir dir;
  BOOST_TEST(judge_bundle(scenario_with_bundle(dir.write("g2.pem", root("DigiCert_Global_Root_G2")))).empty());
  BOOST_TEST(judge_bundle(scenario_with_bundle(
                              dir.write("ms.pem", root("Microsoft_RSA_Root_Certificate_Authority_2017"))))
                 .empty());
}

BOOST_AUTO_TEST_CASE(the_event_carries_each_certificate_and_the_recorded_verdict_is_what_the_rule_reads) {
  TempDir dir;
  const auto s = scenario_with_bundle(dir.write("both.pem", root("DigiCert_Global_Root_G2") + root("Baltimore_CyberTrust_Root")));
  const auto ev = run::check_user_ca_bundle(s, now());
  BOOST_REQUIRE(ev.has_value());
  BOOST_TEST((*ev)["kind"] == "ca_bundle");
  BOOST_TEST((*ev)["verdict"] == "ok");
  BOOST_TEST((*ev)["source"] == "user_ca_file");
  BOOST_TEST((*ev)["accepted_root"] == "DigiCert Global Root G2");
  BOOST_REQUIRE_EQUAL((*ev)["certificates"].size(), 2u);
  BOOST_TEST((*ev)["certificates"][1]["reference"] == "Baltimore CyberTrust Root");
  BOOST_TEST((*ev)["certificates"][1]["expired"] == true);
  BOOST_TEST((*ev)["certificates"][1]["not_after"] == "2025-05-12");
  // An edited verdict is what counts: the rule does not re-judge the certificates.
  Events events;
  auto edited = *ev;
  edited["verdict"] = "outdated";
  events.add(edited, 1);
  BOOST_REQUIRE(find(evaluate(events.events(), quiet()), "TLS-CA-BUNDLE-OUTDATED"));
}

BOOST_AUTO_TEST_CASE(without_user_ca_file_the_file_at_ca_file_in_the_usr_folder_is_the_users_bundle) {
  TempDir dir;
  scenario::Scenario s;
  s.dut.device = "Flexy205";
  s.dut.flexy.emplace();
  s.dut.flexy->usr_dir = dir.path().string();
  s.dut.ca_file = "/usr/azure.pem";
  BOOST_TEST(!run::user_ca_bundle(s).has_value());  // nothing there: nothing judged
  dir.write("azure.pem", root("Baltimore_CyberTrust_Root"));
  const auto found = run::user_ca_bundle(s);
  BOOST_REQUIRE(found.has_value());
  BOOST_TEST(found->source == "usr_dir");
  BOOST_TEST(fs::equivalent(found->path, dir.file("azure.pem")));
  // An explicit user_ca_file wins; an external device has no usr folder of ours.
  s.dut.user_ca_file = dir.write("mine.pem", root("DigiCert_Global_Root_G2"));
  BOOST_TEST(run::user_ca_bundle(s)->source == "user_ca_file");
  s.dut.user_ca_file.clear();
  s.dut.kind = scenario::DutKind::external;
  BOOST_TEST(!run::user_ca_bundle(s).has_value());
}

BOOST_AUTO_TEST_CASE(a_bundle_that_is_not_pem_is_a_config_error_naming_it) {
  TempDir dir;
  const auto s = scenario_with_bundle(dir.write("notes.pem", "not a certificate\n"));
  try {
    run::check_user_ca_bundle(s, now());
    BOOST_FAIL("no ConfigError");
  } catch (const ConfigError& e) {
    BOOST_TEST(std::string(e.what()).find("notes.pem: error: no PEM certificate") != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_SUITE_END()
