// [broker] and [dut.flexy.hosts] in the scenario loader: what loads, and a ConfigError with
// file:line:col for every bad input (both [hub] and [broker], an unknown target, a bad host or
// port, a target the scenario does not have, options that only the hub knows).
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>

#include "common/error.hpp"
#include "harness/scenario/scenario.hpp"
#include "tests/scenarios/loader_errors.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_env.hpp"

using namespace flexhil;
using flexhil::testing::error_of;
using flexhil::testing::expect_error_at;
using flexhil::testing::at_line_of;

namespace {

struct Parts {
  std::string top;
  std::string broker = "users = [{ name = \"flexy\", password = \"secret\" }]\n";
  std::string hosts = "\"mqtt.example.com\" = \"broker\"\n";
  std::string expect;
  std::string dut;
  bool plc = true;
};

std::string broker_scenario(const Parts& p) {
  std::string t = "name = \"b\"\nduration = \"60s\"\n" + p.top + "\n[broker]\n" + p.broker;
  if (p.plc)
    t += "\n[plc]\n[[plc.point]]\nname = \"T\"\naddress = \"40001F\"\nwaveform = \"sine\"\nmean = 1.0\n"
         "amplitude = 1.0\nperiod = \"10s\"\n";
  t += "\n[dut]\ndevice = \"line3-flexy\"\nprogram = \"" + testing::source_dir() +
       "/fixtures/programs/corpus/generic_mqtt_publisher.bas\"\n" + p.dut + "\n[dut.flexy]\nname = \"L3\"\n" +
       "\n[dut.flexy.hosts]\n" + p.hosts + "\n[expect]\n" + p.expect;
  return t;
}



std::pair<int, std::string> flexhil_check(const std::string& file) { return testing::flexhil_command("check '" + file + "'"); }


}  // namespace

BOOST_AUTO_TEST_SUITE(plain_broker_loader)

BOOST_AUTO_TEST_CASE(a_broker_scenario_loads_its_users_hosts_and_target) {
  Parts p;
  p.broker = "tls = true\nport = 18830\nusers = [{ name = \"flexy\", password = \"secret\" }, { name = \"b\", password = \"\" }]\n";
  p.hosts = "\"192.168.0.23:1883\" = \"broker\"\n\"MQTT.Example.com\" = \"broker\"\n\"10.0.0.5\" = \"plc\"\n";
  const auto s = scenario::load_scenario_string(broker_scenario(p), "s.toml");
  BOOST_REQUIRE(s.broker.has_value());
  BOOST_TEST(s.plain_broker());
  BOOST_TEST(s.broker->tls);
  BOOST_TEST(s.broker->port == 18830);
  BOOST_REQUIRE_EQUAL(s.broker->users.size(), 2u);
  BOOST_TEST(s.broker->users[0].name == "flexy");
  BOOST_TEST(s.broker->users[0].password == "secret");
  BOOST_TEST((s.expect.target == rules::Target::broker));
  BOOST_TEST(s.expect.telemetry_topic == "#");
  BOOST_TEST(s.expect.devices == std::vector<std::string>{"line3-flexy"});
  BOOST_REQUIRE_EQUAL(s.dut.hosts.size(), 3u);
  // "host" keys first, "host:port" keys last (they win where both name a host); names lower-case.
  BOOST_TEST(!s.dut.hosts[0].port);
  BOOST_TEST(!s.dut.hosts[1].port);
  BOOST_TEST(s.dut.hosts[2].key() == "192.168.0.23:1883");
  BOOST_TEST(s.dut.hosts[2].port.value_or(0) == 1883);
  bool lower = false, plc = false;
  for (const auto& h : s.dut.hosts) {
    lower = lower || h.host == "mqtt.example.com";
    plc = plc || (h.host == "10.0.0.5" && h.target == scenario::HostTarget::plc);
  }
  BOOST_TEST(lower);
  BOOST_TEST(plc);
}

BOOST_AUTO_TEST_CASE(hub_and_broker_together_is_an_error_naming_both) {
  Parts p;
  p.top = "\n[hub]\nname = \"flexhil-hub\"\n";
  const auto text = broker_scenario(p);
  const auto e = error_of(text);
  BOOST_TEST(e.find(at_line_of(text, "[broker]")) == 0u, e);
  BOOST_TEST(e.find("[broker] and [hub]") != std::string::npos, e);
  BOOST_TEST(e.find("mutually exclusive") != std::string::npos, e);
  BOOST_TEST(e.find("line " + at_line_of(text, "[hub]").substr(7)) != std::string::npos, e);  // where [hub] is
}

BOOST_AUTO_TEST_CASE(neither_hub_nor_broker_is_an_error_naming_both) {
  const auto e = error_of("name = \"b\"\nduration = \"60s\"\n[dut]\ndevice = \"x\"\nkind = \"external\"\n");
  BOOST_TEST(e.find("[hub]") != std::string::npos, e);
  BOOST_TEST(e.find("[broker]") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(an_unknown_host_target_lists_the_valid_ones) {
  Parts p;
  p.hosts = "\"mqtt.example.com\" = \"cloud\"\n";
  expect_error_at(broker_scenario(p), "\"cloud\"", "expected one of: broker, plc, hub");
}

BOOST_AUTO_TEST_CASE(a_bad_host_or_port_is_an_error_at_its_key) {
  for (const char* key : {"mqtt.example.com:99999", "mqtt.example.com:", "mqtt.example.com:18x3", "mqtt.example.com:0"}) {
    Parts p;
    p.hosts = std::string("\"") + key + "\" = \"broker\"\n";
    expect_error_at(broker_scenario(p), key, "bad port");
  }
  for (const char* key : {"bad host!", "-lead.example.com", "a..b", "192.168.0.23:1883:1"}) {
    Parts p;
    p.hosts = std::string("\"") + key + "\" = \"broker\"\n";
    const auto e = error_of(broker_scenario(p));
    BOOST_TEST(e.find(at_line_of(broker_scenario(p), key)) == 0u, e);
    BOOST_TEST((e.find("not a host name") != std::string::npos || e.find("bad port") != std::string::npos), e);
  }
}

BOOST_AUTO_TEST_CASE(a_target_the_scenario_does_not_have_is_an_error) {
  Parts p;
  p.hosts = "\"x.azure-devices.net\" = \"hub\"\n";
  expect_error_at(broker_scenario(p), "\"hub\"", "no [hub] table");
  p.hosts = "\"10.0.0.5\" = \"plc\"\n";
  p.plc = false;
  expect_error_at(broker_scenario(p), "\"plc\"", "no [plc] table");
  p.plc = true;
  p.hosts = "\"MQTT.example.com\" = \"broker\"\n\"mqtt.example.com\" = \"broker\"\n";
  expect_error_at(broker_scenario(p), "\"mqtt.example.com\" =", "listed twice");
}

BOOST_AUTO_TEST_CASE(hosts_route_to_broker_only_with_a_broker) {
  // A hub scenario: "broker" is not one of its parts, "hub" is.
  const std::string hub =
      "name = \"h\"\nduration = \"60s\"\n[hub]\n[hub.registry]\nhub = \"flexhil-hub\"\n[[hub.registry.device]]\n"
      "id = \"D1\"\nauth = \"sas\"\nprimary_key = \"c2NlbmFyaW8tbGlicmFyeS1zYXMta2V5\"\n[dut]\ndevice = \"D1\"\n"
      "program = \"" + testing::source_dir() + "/scenarios/programs/configurable_publisher.bas\"\n[dut.flexy]\n"
      "[dut.flexy.hosts]\n";
  expect_error_at(hub + "\"mqtt.example.com\" = \"broker\"\n", "\"broker\"", "no [broker] table");
  const auto s = scenario::load_scenario_string(hub + "\"52.1.2.3:8883\" = \"hub\"\n", "s.toml");
  BOOST_REQUIRE_EQUAL(s.dut.hosts.size(), 1u);
  BOOST_TEST((s.dut.hosts[0].target == scenario::HostTarget::hub));
  BOOST_TEST((s.expect.target == rules::Target::hub));
  expect_error_at(hub + "[expect]\ntelemetry_topic = \"#\"\n", "telemetry_topic", "for a plain [broker]");
  expect_error_at(hub + "[expect]\nexact_findings = [\"AUTH-BROKER-CREDENTIALS\"]\n", "exact_findings", "does not apply");
}

BOOST_AUTO_TEST_CASE(telemetry_topic_must_be_an_mqtt_filter) {
  Parts p;
  p.expect = "telemetry_topic = \"plant/#/x\"\n";
  expect_error_at(broker_scenario(p), "telemetry_topic", "not an MQTT topic filter");
  p.expect = "telemetry_topic = \"plant/+/telemetry\"\n";
  BOOST_TEST(scenario::load_scenario_string(broker_scenario(p), "s.toml").expect.telemetry_topic == "plant/+/telemetry");
}

BOOST_AUTO_TEST_CASE(azure_only_rules_actions_and_credentials_are_refused_against_a_broker) {
  Parts p;
  p.expect = "exact_findings = [\"TOPIC-FORBIDDEN\"]\n";
  expect_error_at(broker_scenario(p), "exact_findings", "does not apply");
  p.expect = "must_find = [\"AUTH-BROKER-CREDENTIALS\"]\n";
  BOOST_TEST(error_of(broker_scenario(p)).empty());
  p.expect = "";
  expect_error_at(broker_scenario(p) + "\n[[action]]\nat = \"5s\"\nkind = \"c2d\"\n", "kind = \"c2d\"",
                  "needs the impersonated IoT Hub");
  BOOST_TEST(error_of(broker_scenario(p) + "\n[[action]]\nat = \"5s\"\nkind = \"broker_restart\"\n").empty());
  p.dut = "device_cert = \"/usr/x.crt\"\ndevice_key = \"/usr/x.key\"\n";
  expect_error_at(broker_scenario(p), "device_cert", "is for the impersonated IoT Hub");
  p.dut = "";
  p.broker = "users = [{ name = \"a\", password = \"1\" }, { name = \"a\", password = \"2\" }]\n";
  expect_error_at(broker_scenario(p), "{ name = \"a\", password = \"2\" }", "listed twice");
  p.broker = "users = [{ name = \"a\" }]\n";
  expect_error_at(broker_scenario(p), "users", "password");
  p.broker = "bind = \"localhost\"\n";
  expect_error_at(broker_scenario(p), "bind", "not a numeric IP address");
}

BOOST_AUTO_TEST_CASE(check_exits_0_for_the_plain_broker_scenarios_and_2_with_the_position_of_a_bad_host) {
  for (const char* file : {"/scenarios/pass/plain_broker.toml", "/scenarios/bad/plain_broker_wrong_password.toml",
                           "/fixtures/programs/corpus/generic_mqtt_publisher.toml"}) {
    const auto r = flexhil_check(testing::source_dir() + file);
    BOOST_TEST(r.first == 0, file << ": " << r.second);
  }
  testing::TempDir dir;
  Parts p;
  p.hosts = "\"mqtt.example.com:65536\" = \"broker\"\n";
  const auto text = broker_scenario(p);
  const auto file = dir.write("s.toml", text);
  const auto r = flexhil_check(file);
  BOOST_TEST(r.first == 2, r.second);
  BOOST_TEST(r.second.find(file + ":" + at_line_of(text, "65536").substr(7)) != std::string::npos, r.second);
}

BOOST_AUTO_TEST_SUITE_END()
