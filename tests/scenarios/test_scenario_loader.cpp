#define BOOST_TEST_MODULE test_scenario_loader
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <tuple>
#include <vector>

#include "common/error.hpp"
#include "harness/scenario/scenario.hpp"
#include "tests/scenarios/loader_errors.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_env.hpp"
#include "tests/support/file_text.hpp"

using flexhil::testing::read_text;

using namespace flexhil;
using flexhil::testing::error_of;

namespace {

std::pair<int, std::string> run_flexhil(const std::string& args) { return testing::flexhil_command(args); }

// A minimal valid scenario (SAS device, external DUT: no program, no PLC) plus `extra` lines.
std::string minimal(const std::string& top = "", const std::string& expect = "") {
  return "name = \"t\"\nduration = \"60s\"\n" + top +
         "\n[hub]\n[hub.registry]\nhub = \"flexhil-hub\"\n[[hub.registry.device]]\nid = \"D1\"\nauth = \"sas\"\n"
         "primary_key = \"c2NlbmFyaW8tbGlicmFyeS1zYXMta2V5\"\n"
         "\n[dut]\nkind = \"external\"\ndevice = \"D1\"\n\n[expect]\n" + expect;
}


}  // namespace

BOOST_AUTO_TEST_CASE(minimal_external_scenario_loads_with_defaults) {
  const auto s = scenario::load_scenario_string(minimal(), "s.toml");
  BOOST_TEST(s.name == "t");
  BOOST_TEST(s.duration_s == 60.0);
  BOOST_TEST(s.hub.name == "flexhil-hub");
  BOOST_TEST((s.dut.kind == scenario::DutKind::external));
  BOOST_TEST(s.expect.devices == std::vector<std::string>{"D1"});
  BOOST_TEST(!s.findings.exact.has_value());
}

BOOST_AUTO_TEST_CASE(hub_port_ws_port_and_tls13_load_and_the_two_port_keys_are_refused_naming_port) {
  auto with_hub = [](const std::string& lines) {
    auto text = minimal();
    text.replace(text.find("[hub]\n"), 6, "[hub]\n" + lines);
    return text;
  };
  const auto s = scenario::load_scenario_string(with_hub("port = 8883\nws_port = 443\ntls13 = true\n"), "s.toml");
  BOOST_TEST(s.hub.port == 8883);
  BOOST_TEST(s.hub.ws_port.value_or(0) == 443);
  BOOST_TEST(s.hub.tls13);
  const auto d = scenario::load_scenario_string(minimal(), "s.toml");
  BOOST_TEST(d.hub.port == 0);  // ephemeral
  BOOST_TEST(!d.hub.ws_port.has_value());
  BOOST_TEST(!d.hub.tls13);
  for (const char* old : {"x509_port", "sas_port"}) {
    const auto e = error_of(with_hub(std::string(old) + " = 8883\n"));
    BOOST_TEST(e.find("s.toml:") == 0u, e);
    BOOST_TEST(e.find(old) != std::string::npos, e);
    BOOST_TEST(e.find("use `port`") != std::string::npos, e);
  }
}

BOOST_AUTO_TEST_CASE(unknown_key_is_an_error_with_file_line_and_column) {
  const auto e = error_of(minimal("colour = \"blue\""));
  BOOST_TEST(e.find("s.toml:3:") == 0u, e);
  BOOST_TEST(e.find("colour") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(unknown_choice_lists_the_valid_ones) {
  const auto e = error_of(minimal("", "timestamp_format = \"iso\"\n"));
  BOOST_TEST(e.find("s.toml:17:") == 0u, e);
  BOOST_TEST(e.find("expected one of: iso8601, flexy, any") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(wrong_type_and_out_of_range_are_errors) {
  BOOST_TEST(error_of(minimal("time_scale = \"fast\"")).find("must be a number") != std::string::npos);
  BOOST_TEST(error_of(minimal("time_scale = 5000")).find("out of range") != std::string::npos);
  BOOST_TEST(error_of(minimal("", "full_push_period = \"twenty\"\n")).find("s.toml:17:") == 0u);
}

BOOST_AUTO_TEST_CASE(unknown_rule_id_in_expectations_is_an_error) {
  const auto e = error_of(minimal("", "exact_findings = [\"PAYLOAD-DUPLICATED-KEY\"]\n"));
  BOOST_TEST(e.find("unknown rule id 'PAYLOAD-DUPLICATED-KEY'") != std::string::npos, e);
  BOOST_TEST(error_of(minimal("", "exact_findings = []\nmust_find = [\"TIME-SKEW\"]\n")).find("cannot be combined") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(dut_device_must_be_in_the_registry_and_actions_inside_the_duration) {
  auto text = minimal();
  text.replace(text.find("device = \"D1\""), 13, "device = \"D2\"");
  BOOST_TEST(error_of(text).find("not in the hub's registry") != std::string::npos);
  BOOST_TEST(error_of(minimal() + "\n[[action]]\nat = \"90s\"\nkind = \"c2d\"\n").find("after the end") != std::string::npos);
  BOOST_TEST(error_of(minimal() + "\n[[action]]\nat = \"9s\"\nkind = \"reboot\"\n").find("expected one of: c2d, desired") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(sms_and_wan_actions_and_expected_actions_load_and_their_mistakes_are_errors) {
  const auto s = scenario::load_scenario(testing::source_dir() + "/fixtures/programs/corpus/alarm_notifier.toml");
  BOOST_REQUIRE(s.actions.size() == 1u);
  BOOST_TEST((s.actions[0].kind == scenario::ActionKind::sms));
  BOOST_TEST(s.actions[0].from == "+32470000001");
  BOOST_TEST(s.actions[0].text == "ack");
  BOOST_TEST(s.expect.actions == (std::vector<std::string>{"sendmail", "sendsms"}), boost::test_tools::per_element());
  BOOST_REQUIRE(s.dut.flexy);
  BOOST_TEST(s.dut.flexy->tags.at(0).alarm.high.value_or(0) == 80.0);
  BOOST_TEST(s.dut.flexy->actions.delay_seconds == 2.0);
  // An external device cannot receive an SMS from the harness; an SMS needs its sender.
  BOOST_TEST(error_of(minimal() + "\n[[action]]\nat = \"9s\"\nkind = \"sms\"\nfrom = \"+1\"\n")
                 .find("needs an emulated [dut]") != std::string::npos);
  const auto e = error_of(minimal("", "actions = [\"sendfax\"]\n"));
  BOOST_TEST(e.find("s.toml:17:") == 0u, e);
  BOOST_TEST(e.find("unknown action 'sendfax'") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(demo_maps_flexy_tags_to_plc_points_with_their_scaling) {
  const auto s = scenario::load_scenario(testing::source_dir() + "/scenarios/demo.toml");
  BOOST_REQUIRE_EQUAL(s.expect.tags.size(), 4u);
  BOOST_TEST(s.expect.tags[1].name == "Pressure");
  BOOST_TEST(s.expect.tags[1].point == "Pressure");
  BOOST_TEST(s.expect.tags[1].coef == 0.01);
  BOOST_TEST(s.expect.utc_offset_s.has_value());
  BOOST_TEST(s.time_scale == 10.0);
}

BOOST_AUTO_TEST_CASE(check_command_exits_0_for_the_demo_and_2_for_a_broken_file) {
  auto [ok, out] = run_flexhil("check " + testing::source_dir() + "/scenarios/demo.toml");
  BOOST_TEST(ok == 0, out);
  testing::TempDir dir;
  const auto bad = dir.write("bad.toml", minimal("", "content_type = \"maybe\"\n"));
  auto [code, text] = run_flexhil("check " + bad);
  BOOST_TEST(code == 2);
  BOOST_TEST(text.find("bad.toml:17:") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(validate_reports_a_malformed_capture_line_with_its_number_and_exit_2) {
  testing::TempDir dir;
  const auto scen = dir.write("s.toml", minimal());
  const auto cap = dir.write("capture.jsonl", "{\"seq\":1,\"kind\":\"run_start\",\"mono_ns\":1}\nnot json\n");
  auto [code, text] = run_flexhil("validate " + cap + " --scenario " + scen);
  BOOST_TEST(code == 2);
  BOOST_TEST(text.find(":2") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(validate_exits_1_when_a_capture_has_a_failing_finding) {
  testing::TempDir dir;
  const auto scen = dir.write("s.toml", minimal());
  const auto cap = dir.write(
      "capture.jsonl",
      "{\"seq\":1,\"kind\":\"run_start\",\"mono_ns\":1000000000,\"wall\":\"2026-11-26T08:00:00Z\",\"time_scale\":1}\n"
      "{\"seq\":2,\"kind\":\"connect\",\"mono_ns\":2000000000,\"device\":\"D1\",\"verdict\":\"refused\",\"connack\":5,"
      "\"reason\":\"expired\",\"reason_id\":\"AUTH-SAS-EXPIRED\"}\n"
      "{\"seq\":3,\"kind\":\"run_end\",\"mono_ns\":3000000000,\"reason\":\"completed\","
      "\"counts\":{\"total\":2,\"by_kind\":{\"run_start\":1,\"connect\":1}}}\n");
  auto [code, text] = run_flexhil("validate " + cap + " --scenario " + scen);
  BOOST_TEST(code == 1, text);
  BOOST_TEST(text.find("AUTH-SAS-EXPIRED") != std::string::npos, text);
}

namespace {
const std::string run_start_line =
    "{\"seq\":1,\"kind\":\"run_start\",\"mono_ns\":1000000000,\"wall\":\"2026-11-26T08:00:00Z\",\"time_scale\":1}\n";
const std::string refused_connect_line =
    "{\"seq\":2,\"kind\":\"connect\",\"mono_ns\":2000000000,\"device\":\"D1\",\"verdict\":\"refused\",\"connack\":5,"
    "\"reason\":\"expired\",\"reason_id\":\"AUTH-SAS-EXPIRED\"}\n";
}  // namespace

BOOST_AUTO_TEST_CASE(validate_refuses_unreadable_captures_with_exit_2_and_one_line) {
  testing::TempDir dir;
  const auto scen = dir.write("s.toml", minimal());
  struct Case {
    std::string name, text, message;
  };
  const std::string deep = "{\"seq\":2,\"kind\":\"x\",\"v\":" + std::string(1'000'000, '[') + std::string(1'000'000, ']') + "}\n";
  const std::vector<Case> cases = {
      {"empty.jsonl", "", "empty.jsonl: error: empty capture: no events"},
      {"blank.jsonl", "\n\n", "blank.jsonl: error: empty capture: no events"},
      {"array.jsonl", run_start_line + "[1,2]\n", "array.jsonl:2:1: error: malformed event: a JSON array, not an object"},
      {"range.jsonl", run_start_line + "{\"seq\":2,\"kind\":\"x\",\"v\":1e400}\n",
       "range.jsonl:2:25: error: malformed event: number out of range"},
      {"deep.jsonl", run_start_line + deep, "deep.jsonl:2:" + std::to_string(25 + 255) + ": error: malformed event: nesting deeper than 256 levels"},
  };
  for (const auto& c : cases) {
    const auto cap = dir.write(c.name, c.text);
    auto [code, text] = run_flexhil("validate " + cap + " --scenario " + scen);
    BOOST_TEST(code == 2, c.name << ": " << text);
    BOOST_TEST(text.find(c.message) != std::string::npos, c.name << ": " << text);
    BOOST_TEST(text.find("PASSED") == std::string::npos, c.name << ": " << text);
  }
  auto [dcode, dtext] = run_flexhil("validate " + dir.path().string() + " --scenario " + scen);
  BOOST_TEST(dcode == 2, dtext);
  BOOST_TEST(dtext.find("is a directory") != std::string::npos, dtext);
  auto [mcode, mtext] = run_flexhil("validate " + dir.file("none.jsonl") + " --scenario " + scen);
  BOOST_TEST(mcode == 2, mtext);
  BOOST_TEST(mtext.find("none.jsonl: error: no such capture file") != std::string::npos, mtext);
}

BOOST_AUTO_TEST_CASE(validate_judges_a_truncated_capture_incomplete_unless_allow_partial) {
  testing::TempDir dir;
  const auto scen = dir.write("s.toml", minimal());
  // A killed run: no run_end, and the last event cut off mid-write.
  const auto killed = dir.write("killed.jsonl", run_start_line + refused_connect_line + "{\"seq\":3,\"kind\":\"pub");
  auto [code, text] = run_flexhil("validate " + killed + " --scenario " + scen);
  BOOST_TEST(code == 3, text);
  BOOST_TEST(text.find("INCOMPLETE capture: line 3 is an unfinished event") != std::string::npos, text);
  BOOST_TEST(text.find("provisional: FAILED") != std::string::npos, text);

  const auto out = dir.path() / "out";
  auto [pcode, ptext] = run_flexhil("validate " + killed + " --scenario " + scen + " --allow-partial --out " + out.string());
  BOOST_TEST(pcode == 1, ptext);
  BOOST_TEST(ptext.find("(partial: ") != std::string::npos, ptext);
  std::ifstream in(out / "summary.json");
  const std::string summary((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_TEST(summary.find("\"partial\": true") != std::string::npos, summary);
  BOOST_TEST(summary.find("\"capture_problem\": \"line 3 is an unfinished event") != std::string::npos, summary);

  // run_end present, but it counted more events than the file holds (a copy that lost a line).
  const auto short_copy = dir.write(
      "short.jsonl", run_start_line +
                         "{\"seq\":3,\"kind\":\"run_end\",\"mono_ns\":3000000000,\"reason\":\"completed\","
                         "\"counts\":{\"total\":2,\"by_kind\":{\"run_start\":1,\"connect\":1}}}\n");
  auto [scode, stext] = run_flexhil("validate " + short_copy + " --scenario " + scen);
  BOOST_TEST(scode == 3, stext);
  BOOST_TEST(stext.find("run_end (seq 3) counts 2 events before it, 1 were read") != std::string::npos, stext);
  auto [sp, sptext] = run_flexhil("validate " + short_copy + " --scenario " + scen + " --allow-partial");
  BOOST_TEST(sp == 0, sptext);
  BOOST_TEST(sptext.find("PASSED (0 findings) (partial: run_end (seq 3)") != std::string::npos, sptext);
}

BOOST_AUTO_TEST_CASE(generated_sas_token_names_a_string_tag_and_a_registry_policy) {
  const std::string file = testing::source_dir() + "/scenarios/bad/sas_expires_during_run.toml";
  const auto s = scenario::load_scenario(file);
  BOOST_REQUIRE(s.dut.sas_token.has_value());
  BOOST_TEST(s.dut.sas_token->tag == "CfgSasToken");
  BOOST_TEST(s.dut.sas_token->policy == "iothubowner");
  BOOST_TEST(s.dut.sas_token->hub_wide);
  BOOST_TEST(s.dut.sas_token->expires_after_s == 50.0);
  BOOST_REQUIRE(s.hub.sas_skew_s.has_value());
  BOOST_TEST(*s.hub.sas_skew_s == 0.0);

  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto variant = [&](const std::string& from, const std::string& to) {
    auto t = text;
    const auto at = t.find(from);
    BOOST_REQUIRE(at != std::string::npos);
    t.replace(at, from.size(), to);
    try {
      scenario::load_scenario_string(t, file);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  BOOST_TEST(variant("tag = \"CfgSasToken\"", "tag = \"CfgSas\"").find("must name a string tag") != std::string::npos);
  BOOST_TEST(variant("policy = \"iothubowner\"", "policy = \"owner\"").find("no [[policy]] 'owner'") !=
             std::string::npos);
  BOOST_TEST(variant("policy = \"iothubowner\"\n", "").find("set 'policy'") != std::string::npos);
  BOOST_TEST(variant("resource = \"hub\"", "resource = \"fleet\"").find("expected one of: device, hub") !=
             std::string::npos);
  BOOST_TEST(variant("expires_after = \"50s\"", "expires_in = \"50s\"").find("expires_after") != std::string::npos);
}

namespace {

// The demo scenario pointed at `program` (the demo's [dut.flexy] and tags are kept).
std::string demo_with_program(const std::string& program) {
  std::ifstream in(testing::source_dir() + "/scenarios/demo.toml");
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const auto at = text.find("program = ");
  BOOST_REQUIRE(at != std::string::npos);
  text.replace(at, text.find('\n', at) - at, "program = \"" + program + "\"");
  // The demo's other relative paths (usr_dir, …) stay relative to the demo's folder.
  return text;
}

}  // namespace

BOOST_AUTO_TEST_CASE(check_compiles_the_program_and_reports_every_syntax_error) {
  testing::TempDir dir;
  const auto program = dir.write("bad.bas", "a% = 1\nIF THEN b = 2\nc = (1\nd% = 4\nPRINT \"open\n");
  const auto file = dir.write("demo.toml", demo_with_program(program));
  const auto [code, out] = run_flexhil("check " + file);
  BOOST_TEST(code == 2, out);
  BOOST_TEST(out.find("bad.bas:2: syntax error") != std::string::npos, out);
  BOOST_TEST(out.find("bad.bas:3: syntax error") != std::string::npos, out);
  BOOST_TEST(out.find("bad.bas:5: syntax error") != std::string::npos, out);
  BOOST_TEST(out.find("3 syntax error(s)") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(a_program_that_is_a_directory_is_an_error_at_its_key) {
  testing::TempDir dir;
  const auto file = dir.write("demo.toml", demo_with_program(dir.path().string()));
  const auto [code, out] = run_flexhil("check " + file);
  BOOST_TEST(code == 2, out);
  BOOST_TEST(out.find("demo.toml:") != std::string::npos, out);
  BOOST_TEST(out.find("is a directory, not a BASIC program file") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(run_reports_every_syntax_error_before_starting_any_part) {
  testing::TempDir dir;
  const auto program = dir.write("bad.bas", "IF THEN b = 2\nc = (1\n");
  const auto file = dir.write("demo.toml", demo_with_program(program));
  const auto [code, out] = run_flexhil("run " + file + " --out " + dir.file("run"));
  BOOST_TEST(code == 2, out);
  BOOST_TEST(out.find("bad.bas:1: syntax error") != std::string::npos, out);
  BOOST_TEST(out.find("bad.bas:2: syntax error") != std::string::npos, out);
  BOOST_TEST(out.find("hub '") == std::string::npos, out);  // no hub was started for it
  BOOST_TEST(!std::ifstream(dir.file("run/broker.log")).good());
  BOOST_TEST(std::ifstream(dir.file("run/summary.json")).good());  // the report is still written
}

BOOST_AUTO_TEST_CASE(user_ca_file_must_exist_and_is_resolved_against_the_scenario) {
  auto with_bundle = [](const std::string& path) {
    auto text = minimal();
    const std::string device = "device = \"D1\"\n";
    text.replace(text.find(device), device.size(), device + "user_ca_file = \"" + path + "\"\n");
    return text;
  };
  const auto e = error_of(with_bundle("certs/absent.pem"));
  BOOST_TEST(e.find("s.toml:15:16:") == 0u, e);
  BOOST_TEST(e.find("CA bundle 'certs/absent.pem' does not exist") != std::string::npos, e);
  testing::TempDir dir;
  dir.write("my_ca.pem", "# judged when the run starts, not when the scenario loads\n");
  const auto file = dir.write("s.toml", with_bundle("my_ca.pem"));
  const auto s = scenario::load_scenario(file);
  BOOST_TEST(s.dut.user_ca_file == dir.file("my_ca.pem"));
}

BOOST_AUTO_TEST_CASE(check_command_prints_the_ca_bundle_verdict_and_refuses_a_bundle_that_is_not_pem) {
  const auto old = testing::source_dir() + "/scenarios/bad/old_ca_bundle.toml";
  auto [code, out] = run_flexhil("check " + old);
  BOOST_TEST(code == 0, out);
  BOOST_TEST(out.find("old_ca_bundle.pem: outdated — ") != std::string::npos, out);
  testing::TempDir dir;
  auto text = read_text(old);
  text.replace(text.find("../programs/"), 12, testing::source_dir() + "/scenarios/programs/");
  text.replace(text.find("old_ca_bundle.pem"), 17, "broken.pem");
  dir.write("broken.pem", "-----BEGIN CERTIFICATE-----\nMIID\n");
  std::tie(code, out) = run_flexhil("check " + dir.write("s.toml", text));
  BOOST_TEST(code == 2, out);
  BOOST_TEST(out.find("broken.pem:1:1: error: '-----BEGIN CERTIFICATE-----' is never closed") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(hub_pki_dir_resolves_next_to_the_scenario_and_extra_names_and_plc_bind_port_load) {
  auto text = minimal();
  text.replace(text.find("[hub]\n"), 6, "[hub]\npki_dir = \"bench/pki\"\nextra_names = [\"10.0.0.5\", \"bench.lan\"]\n");
  text += "\n[plc]\nbind = \"0.0.0.0\"\nport = 502\n[[plc.point]]\nname = \"P\"\naddress = \"40001\"\n";
  const auto s = scenario::load_scenario_string(text, "/lab/scenarios/s.toml");
  BOOST_TEST(s.hub.pki_dir == "/lab/scenarios/bench/pki");
  BOOST_TEST((s.hub.extra_names == std::vector<std::string>{"10.0.0.5", "bench.lan"}));
  BOOST_REQUIRE(s.plc.has_value());
  BOOST_TEST(s.plc->bind.value_or("") == "0.0.0.0");
  BOOST_TEST(s.plc->port.value_or(0) == 502);
  // Unset: the run's defaults (loopback, an ephemeral port) apply.
  const auto plain = scenario::load_scenario_string(
      minimal() + "\n[plc]\n[[plc.point]]\nname = \"P\"\naddress = \"40001\"\n", "s.toml");
  BOOST_TEST(plain.hub.pki_dir.empty());
  BOOST_TEST(!plain.plc->bind.has_value());
  BOOST_TEST(!plain.plc->port.has_value());
}

BOOST_AUTO_TEST_CASE(a_plc_bind_that_is_not_an_ip_address_and_a_port_out_of_range_are_errors_at_their_key) {
  const auto bad_bind = error_of(minimal() + "\n[plc]\nbind = \"bench-pc\"\n");
  BOOST_TEST(bad_bind.find("s.toml:") != std::string::npos, bad_bind);
  BOOST_TEST(bad_bind.find("'bench-pc' is not a numeric IP address") != std::string::npos, bad_bind);
  const auto bad_port = error_of(minimal() + "\n[plc]\nport = 70000\n");
  BOOST_TEST(bad_port.find("port") != std::string::npos, bad_port);
  auto text = minimal();
  text.replace(text.find("[hub]\n"), 6, "[hub]\nextra_names = [\"a b\"]\n");
  BOOST_TEST(error_of(text).find("'a b' is not a host name or an IP address") != std::string::npos, error_of(text));
}

BOOST_AUTO_TEST_CASE(check_and_run_resolve_a_registry_certificate_next_to_the_registry_file) {
  testing::TempDir dir("flexhil-loader");
  std::filesystem::create_directories(dir.file("reg"));
  const auto [code, out] =
      run_flexhil("certs device --id Flexy205 --self-signed --out '" + dir.file("reg") + "'");
  BOOST_TEST_REQUIRE(code == 0, out);
  dir.write("reg/devices.toml",
            "hub = \"benchreg\"\n[[device]]\nid = \"Flexy205\"\nauth = \"x509-selfsigned\"\ncertificate = \"Flexy205.crt\"\n");
  const auto scen = dir.write("s.toml", "name = \"r\"\nduration = \"1s\"\n[hub]\nregistry = \"reg/devices.toml\"\n"
                                        "[dut]\nkind = \"external\"\ndevice = \"Flexy205\"\n");
  const auto s = scenario::load_scenario(scen);
  const auto* dev = s.hub.registry.find_device("Flexy205");
  BOOST_REQUIRE(dev != nullptr);
  BOOST_TEST(dev->certificate == dir.file("reg/Flexy205.crt"));
  // From another working directory, `flexhil check` agrees.
  const auto [check, check_out] = testing::run_shell("cd / && " + testing::flexhil_binary() + " check '" + scen + "'");
  BOOST_TEST(check == 0, check_out);
}
