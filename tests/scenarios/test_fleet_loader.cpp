// Fleets in the scenario loader: [fleet] expands the [dut] template ({n} / {n:03} in every
// string, the member's name for GETSYS SYS "Identification", staggered starts, per-member
// overrides), [[dut]] lists devices one by one, members the registry lacks are registered by the
// harness, and every mistake is a ConfigError at the line that made it.
#include <boost/test/unit_test.hpp>

#include <string>

#include "broker/registry.hpp"
#include "harness/rules/rules.hpp"
#include "harness/scenario/fleet.hpp"
#include "harness/scenario/scenario.hpp"
#include "tests/scenarios/loader_errors.hpp"
#include "tests/support/test_env.hpp"

using namespace flexhil;
using flexhil::testing::error_of;
using flexhil::testing::expect_error_at;

namespace {

std::string program() { return testing::source_dir() + "/scenarios/programs/configurable_publisher.bas"; }

const std::string kHead = "name = \"f\"\nduration = \"60s\"\n[hub]\n[hub.registry]\nhub = \"flexhil-hub\"\n";

// A fleet of `count` X.509 members (certificate generated per member) and whatever `extra` adds.
std::string fleet_text(int count, const std::string& fleet_extra = "", const std::string& tail = "",
                       const std::string& device = "Flexy{n:03}") {
  return kHead + "[fleet]\ncount = " + std::to_string(count) + "\nstagger = \"0.5s\"\n" + fleet_extra +
         "\n[dut]\ndevice = \"" + device + "\"\nprogram = \"" + program() +
         "\"\ndevice_cert = \"/usr/" + device + ".crt\"\ndevice_key = \"/usr/" + device +
         ".key\"\n[dut.flexy]\n[[dut.flexy.tag]]\nname = \"CfgLocalTime\"\ntype = \"integer\"\ninitial = 0\n" + tail;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fleet_loader)

BOOST_AUTO_TEST_CASE(member_numbers_are_substituted_plain_and_zero_padded) {
  BOOST_TEST(*scenario::substitute_member_number("Flexy{n:03}", 7) == "Flexy007");
  BOOST_TEST(*scenario::substitute_member_number("/usr/F{n}.crt", 42) == "/usr/F42.crt");
  BOOST_TEST(*scenario::substitute_member_number("{n}-{n:02}", 5) == "5-05");
  BOOST_TEST(*scenario::substitute_member_number("no number", 5) == "no number");
  std::string error;
  BOOST_TEST(!scenario::substitute_member_number("Flexy{n:3}", 1, &error));
  BOOST_TEST(error.find("'{n:3}' is not a member number") != std::string::npos, error);
  BOOST_TEST(!scenario::substitute_member_number("Flexy{n", 1));
}

BOOST_AUTO_TEST_CASE(a_fleet_expands_into_members_registered_by_the_harness) {
  const auto s = scenario::load_scenario_string(fleet_text(5), "s.toml");
  BOOST_REQUIRE(s.is_fleet());
  BOOST_REQUIRE_EQUAL(s.members.size(), 5u);
  BOOST_TEST(s.dut.device == "Flexy001");
  BOOST_TEST(s.members[4].device == "Flexy005");
  BOOST_TEST(s.members[4].device_cert == "/usr/Flexy005.crt");
  BOOST_TEST(s.members[4].flexy->device_name == "Flexy005");  // what GETSYS SYS "Identification" returns
  BOOST_TEST(s.members[4].usr_subdir == "Flexy005");
  BOOST_TEST(s.members[4].start_s == 2.0);                       // 4 × 0.5 s
  BOOST_TEST(s.members[2].harness_registered);
  const auto* reg = s.hub.registry.find_device("Flexy003");
  BOOST_REQUIRE(reg);
  BOOST_TEST((reg->auth == broker::AuthKind::x509_selfsigned));
  BOOST_REQUIRE_EQUAL(s.expect.devices.size(), 5u);
  BOOST_TEST(s.expect.devices[3] == "Flexy004");
  BOOST_REQUIRE(s.fleet);
  BOOST_TEST(s.fleet->pattern == "Flexy{n:03}");
}

BOOST_AUTO_TEST_CASE(a_sas_fleet_gets_a_generated_key_per_member) {
  std::string text = kHead + "[fleet]\ncount = 3\nfirst = 10\n[dut]\ndevice = \"Line{n}\"\nprogram = \"" + program() +
                     "\"\n[dut.sas_token]\ntag = \"Tok\"\nexpires_after = \"1h\"\n[dut.flexy]\nname = \"Box{n}\"\n"
                     "[[dut.flexy.tag]]\nname = \"Tok\"\ntype = \"string\"\n";
  const auto s = scenario::load_scenario_string(text, "s.toml");
  BOOST_REQUIRE_EQUAL(s.members.size(), 3u);
  BOOST_TEST(s.members[0].device == "Line10");
  BOOST_TEST(s.members[2].flexy->device_name == "Box12");  // the template's own name pattern
  BOOST_TEST(broker::is_valid_sas_key(s.members[1].generated_sas_key));
  BOOST_TEST(s.members[0].generated_sas_key != s.members[1].generated_sas_key);
  BOOST_TEST(s.hub.registry.find_device("Line11")->primary_key == s.members[1].generated_sas_key);
  BOOST_REQUIRE(s.members[2].sas_token);
}

BOOST_AUTO_TEST_CASE(overrides_change_the_members_they_name) {
  const auto s = scenario::load_scenario_string(
      fleet_text(4,
                 "[[fleet.override]]\ndevices = [\"Flexy002\"]\nregister_certificate = false\nstart = \"30s\"\n"
                 "[[fleet.override]]\nmembers = [3, 4]\ntag_initial = { CfgLocalTime = 1 }\n"),
      "s.toml");
  BOOST_TEST(!s.members[1].register_certificate);
  BOOST_TEST(s.members[0].register_certificate);
  BOOST_TEST(s.members[1].start_s == 30.0);
  auto initial = [&](std::size_t member) { return std::get<std::int32_t>(s.members[member].flexy->tags[0].initial); };
  BOOST_TEST(initial(0) == 0);
  BOOST_TEST(initial(2) == 1);
  BOOST_TEST(initial(3) == 1);
}

BOOST_AUTO_TEST_CASE(a_dut_array_lists_devices_one_by_one) {
  const std::string dut = "[[dut]]\ndevice = \"A1\"\nprogram = \"" + program() +
                          "\"\ndevice_cert = \"/usr/A1.crt\"\ndevice_key = \"/usr/A1.key\"\n[dut.flexy]\nname = \"A1\"\n";
  const std::string dut2 = "[[dut]]\ndevice = \"B2\"\nstart = \"5s\"\nprogram = \"" + program() +
                           "\"\ndevice_cert = \"/usr/B2.crt\"\ndevice_key = \"/usr/B2.key\"\n[dut.flexy]\nname = \"B2\"\n";
  const auto s = scenario::load_scenario_string(kHead + dut + dut2, "s.toml");
  BOOST_REQUIRE_EQUAL(s.members.size(), 2u);
  BOOST_TEST(s.members[1].start_s == 5.0);
  BOOST_TEST(s.find_dut("B2") == &s.members[1]);
  // One [[dut]] entry is a scenario with one device, as [dut] is (the registry must list it).
  BOOST_TEST(error_of(kHead + dut).find("device 'A1' is not in the hub's registry") != std::string::npos);
  BOOST_TEST(error_of(kHead + dut + dut).find("'A1' is already a device under test") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(fleet_mistakes_name_their_line) {
  const auto same = fleet_text(3, "", "", "Flexy205");
  expect_error_at(same, "device = \"Flexy205\"", "the same for every member");
  const auto bad_number = fleet_text(3, "", "", "Flexy{n:x}");
  expect_error_at(bad_number, "device = \"Flexy{n:x}\"", "is not a member number");
  const auto out_of_range = fleet_text(3, "[[fleet.override]]\nmembers = [9]\nregister_certificate = false\n");
  expect_error_at(out_of_range, "members = [9]", "member number must be 1..3");
  const auto stranger = fleet_text(3, "[[fleet.override]]\ndevices = [\"Other\"]\n");
  expect_error_at(stranger, "devices = [\"Other\"]", "'Other' is not a member of the fleet");
  const auto no_tag = fleet_text(3, "[[fleet.override]]\nmembers = [1]\ntag_initial = { Nope = 1 }\n");
  expect_error_at(no_tag, "tag_initial", "'Nope' is not a tag of [dut.flexy]");
  const auto typo = fleet_text(3, "[[fleet.override]]\nmembers = [1]\nregister_certficate = false\n");
  BOOST_TEST(error_of(typo).find("register_certficate") != std::string::npos, error_of(typo));
  const auto zero = kHead + "[fleet]\ncount = 0\n[dut]\ndevice = \"F{n}\"\n";
  expect_error_at(zero, "count = 0", "count");
  const auto external = kHead + "[fleet]\ncount = 2\n[dut]\nkind = \"external\"\ndevice = \"F{n}\"\n";
  expect_error_at(external, "kind = \"external\"", "a fleet's members are emulated devices");
  // Neither a certificate nor a SAS token to register a member with.
  const auto unregistrable =
      kHead + "[fleet]\ncount = 2\n[dut]\ndevice = \"F{n}\"\nprogram = \"" + program() + "\"\n[dut.flexy]\n";
  BOOST_TEST(error_of(unregistrable).find("fleet member 'F1' is not in the hub's registry") != std::string::npos,
             error_of(unregistrable));
  const auto unknown_device = fleet_text(2, "", "[expect]\nexact_findings = [\"TIME-NO-ZONE@Flexy009\"]\n");
  expect_error_at(unknown_device, "exact_findings", "names device 'Flexy009'");
}

BOOST_AUTO_TEST_CASE(a_member_with_its_own_plc_unit_is_judged_against_its_points) {
  const std::string plc = "[plc]\n[[plc.point]]\nname = \"T1\"\naddress = \"40001\"\n"
                          "[[plc.point]]\nname = \"T2\"\naddress = \"40001,2\"\n";
  const std::string text = kHead + plc + "[fleet]\ncount = 3\n[[fleet.override]]\nmembers = [2]\n"
                           "flexy.topic.A.unit_id = 2\n[dut]\ndevice = \"F{n}\"\nprogram = \"" + program() +
                           "\"\ndevice_cert = \"/usr/F{n}.crt\"\ndevice_key = \"/usr/F{n}.key\"\n[dut.flexy]\n"
                           "[dut.flexy.topic.A]\nunit_id = 1\n[[dut.flexy.tag]]\nname = \"Level\"\ntype = \"integer\"\n"
                           "address = \"40001\"\ngroups = [\"A\"]\n[expect]\ngroups = [\"A\"]\n";
  const auto s = scenario::load_scenario_string(text, "s.toml");
  BOOST_REQUIRE_EQUAL(s.expect.tags.size(), 1u);
  BOOST_TEST(s.expect.tags[0].point == "T1");
  BOOST_TEST(s.expect.tags_for("F1")[0].point == "T1");
  BOOST_TEST(s.expect.tags_for("F2")[0].point == "T2");  // its own unit
  BOOST_TEST(s.expect.tags_for("F2")[0].unit == 2);
  BOOST_TEST(s.expect.device_tags.size() == 1u);         // the others share the template's
}

BOOST_AUTO_TEST_CASE(a_link_fault_names_its_member_and_its_path) {
  const std::string plc = "[plc]\n[[plc.point]]\nname = \"P\"\naddress = \"40001\"\n";
  const auto s = scenario::load_scenario_string(
      fleet_text(3, "", "[[action]]\nat = \"5s\"\nkind = \"link\"\ndevice = \"Flexy002\"\npath = \"plc\"\n"
                        "fault = \"cut\"\nduration = \"5s\"\n") + plc,
      "s.toml");
  BOOST_REQUIRE_EQUAL(s.actions.size(), 2u);  // the cut and its end
  BOOST_TEST(s.actions[0].device == "Flexy002");
  BOOST_TEST((s.actions[1].link_path == scenario::Action::LinkPath::plc));
  const auto stranger = fleet_text(3, "", "[[action]]\nat = \"5s\"\nkind = \"link\"\ndevice = \"Flexy009\"\nfault = \"cut\"\n");
  expect_error_at(stranger, "device = \"Flexy009\"", "'Flexy009' is not a device under test");
  const auto no_plc = fleet_text(3, "", "[[action]]\nat = \"5s\"\nkind = \"link\"\npath = \"plc\"\nfault = \"cut\"\n");
  expect_error_at(no_plc, "path = \"plc\"", "the scenario needs [plc]");
}

BOOST_AUTO_TEST_CASE(a_verdict_can_name_the_device_of_a_finding) {
  using rules::Finding;
  const std::vector<Finding> found{{"TIME-NO-ZONE", rules::Severity::error, "Flexy013", {}, "", {}},
                                   {"AUTH-X509-THUMBPRINT", rules::Severity::error, "Flexy007", {}, "", {}}};
  rules::FindingExpectations exact;
  exact.exact = std::vector<std::string>{"TIME-NO-ZONE@Flexy013", "AUTH-X509-THUMBPRINT"};
  BOOST_TEST(rules::judge(found, exact).passed);
  // The right rule on the wrong device: missing there, unexpected where it is.
  exact.exact = std::vector<std::string>{"TIME-NO-ZONE@Flexy012", "AUTH-X509-THUMBPRINT"};
  const auto v = rules::judge(found, exact);
  BOOST_TEST(!v.passed);
  BOOST_TEST(v.missing == std::vector<std::string>{"TIME-NO-ZONE@Flexy012"});
  BOOST_TEST(v.unexpected == std::vector<std::string>{"TIME-NO-ZONE@Flexy013"});
  rules::FindingExpectations must;
  must.must_find = {"AUTH-X509-THUMBPRINT@Flexy007"};
  BOOST_TEST(!rules::judge(found, must).passed);  // the undeclared TIME-NO-ZONE error fails it
  must.must_find.push_back("TIME-NO-ZONE@Flexy013");
  BOOST_TEST(rules::judge(found, must).passed);
}

BOOST_AUTO_TEST_SUITE_END()
