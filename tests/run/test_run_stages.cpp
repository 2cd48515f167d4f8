#define BOOST_TEST_MODULE test_run_stages
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

#include "certs/sas_token.hpp"
#include "common/error.hpp"
#include "harness/run/action_schedule.hpp"
#include "harness/run/install_block.hpp"
#include "harness/run/observer.hpp"
#include "harness/run/run_outcome.hpp"
#include "harness/run/run_parts.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/file_text.hpp"

using flexhil::testing::read_text;

using namespace flexhil;
using namespace flexhil::run;

namespace {

rules::Verdict verdict(bool passed, bool infrastructure = false, std::string summary = "PASSED") {
  rules::Verdict v;
  v.passed = passed;
  v.infrastructure = infrastructure;
  v.summary = std::move(summary);
  return v;
}

scenario::Action action_at(double t, std::string device) {
  scenario::Action a;
  a.at_s = t;
  a.device = std::move(device);
  return a;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(run_outcome)

BOOST_AUTO_TEST_CASE(a_completed_run_is_judged_by_its_verdict) {
  RunOutcome o;
  BOOST_TEST(o.running());
  BOOST_TEST(judge_outcome(o, verdict(true), "", 0).exit_code == exit_code::ok);
  const auto j = judge_outcome(o, verdict(false, false, "FAILED: 1 error"), "", 0);
  BOOST_TEST(j.exit_code == exit_code::findings);
  BOOST_TEST(j.console_line == "FAILED: 1 error");
  BOOST_TEST(j.reason == "completed");
}

BOOST_AUTO_TEST_CASE(the_first_failure_is_the_reason_and_later_ones_do_not_replace_it) {
  RunOutcome o;
  o.fail(exit_code::usage, "scenario.toml:3:1: error: bad key");
  o.fail(exit_code::infrastructure, "the hub failed");
  BOOST_TEST(!o.running());
  const auto j = judge_outcome(o, verdict(true), "", 0);
  BOOST_TEST(j.exit_code == exit_code::usage);  // a passing verdict does not hide the input error
  BOOST_TEST(j.reason == "scenario.toml:3:1: error: bad key");
  BOOST_TEST(j.console_line == "ERROR: scenario.toml:3:1: error: bad key");
}

BOOST_AUTO_TEST_CASE(an_interrupted_run_is_exit_3_and_says_interrupted) {
  RunOutcome o;
  o.interrupt(2, "interrupted (signal 2)");
  BOOST_TEST(o.interrupted());
  const auto j = judge_outcome(o, verdict(true), "", 0);
  BOOST_TEST(j.exit_code == exit_code::infrastructure);
  BOOST_TEST(j.console_line.rfind("INTERRUPTED: interrupted (signal 2)", 0) == 0, j.console_line);
}

BOOST_AUTO_TEST_CASE(an_infrastructure_finding_is_exit_3_whatever_the_device_did) {
  RunOutcome o;
  const auto j = judge_outcome(o, verdict(false, true, "ERROR: the harness failed, not the device"), "", 0);
  BOOST_TEST(j.exit_code == exit_code::infrastructure);
  BOOST_TEST(j.console_line == "ERROR: the harness failed, not the device");
}

BOOST_AUTO_TEST_CASE(a_capture_that_could_not_be_written_never_passes) {
  RunOutcome o;
  const auto j = judge_outcome(o, verdict(true), "No space left on device", 4);
  BOOST_TEST(j.exit_code == exit_code::infrastructure);
  BOOST_TEST(j.reason == "capture.jsonl could not be written: No space left on device (4 events lost)");
  BOOST_TEST(j.console_line.rfind("ERROR: capture.jsonl could not be written", 0) == 0, j.console_line);
}

BOOST_AUTO_TEST_CASE(an_early_end_without_failure_is_still_judged_by_the_rules) {
  RunOutcome o;
  o.end("external device 'F1' did not connect within 30 s");
  BOOST_TEST(!o.running());
  BOOST_TEST(o.failure_code() == 0);
  const auto j = judge_outcome(o, verdict(false), "", 0);
  BOOST_TEST(j.exit_code == exit_code::findings);
  BOOST_TEST(j.reason == "external device 'F1' did not connect within 30 s");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(action_schedule)

BOOST_AUTO_TEST_CASE(actions_come_in_time_order_once_each_and_ties_keep_their_order) {
  ActionSchedule sched({action_at(30, "c"), action_at(10, "a"), action_at(10, "b"), action_at(60, "d")});
  BOOST_TEST(sched.due(5).empty());
  const auto first = sched.due(10);
  BOOST_REQUIRE_EQUAL(first.size(), 2u);
  BOOST_TEST(first[0]->device == "a");
  BOOST_TEST(first[1]->device == "b");
  BOOST_TEST(sched.due(10).empty());  // not twice
  const auto late = sched.due(100);   // a slow tick gets everything that became due, in order
  BOOST_REQUIRE_EQUAL(late.size(), 2u);
  BOOST_TEST(late[0]->device == "c");
  BOOST_TEST(late[1]->device == "d");
  BOOST_TEST(sched.done());
}

// The timeline sleeps in ticks of 50 ms wall, but wakes for the next action: at ×20 a tick is a
// whole scenario second, so an action would be up to a second late.
BOOST_AUTO_TEST_CASE(the_timeline_wakes_when_the_next_action_is_due) {
  using namespace std::chrono_literals;
  ActionSchedule sched({action_at(10, "a")});
  BOOST_TEST(sched.sleep_before_next(0, 1, 50ms).count() == 50);      // 10 s away at ×1: a full tick
  BOOST_TEST(sched.sleep_before_next(9.6, 20, 50ms).count() == 20);   // 0.4 s at ×20 = 20 ms
  BOOST_TEST(sched.sleep_before_next(9.9999, 20, 50ms).count() == 1);  // never a busy loop
  BOOST_TEST(sched.sleep_before_next(11, 20, 50ms).count() == 1);      // overdue: at once
  BOOST_REQUIRE_EQUAL(sched.due(11).size(), 1u);
  BOOST_TEST(sched.sleep_before_next(11, 20, 50ms).count() == 50);  // nothing left
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(observer)

BOOST_AUTO_TEST_CASE(counts_connections_and_writes_the_device_console) {
  testing::TempDir dir;
  const auto log = dir.file("dut-console.log");
  Observer obs(log);
  const auto see = [&](const Json& e) { obs.on_event(CapturedEvent(e)); };
  see({{"kind", "connect"}, {"device", "F1"}, {"verdict", "refused"}});
  BOOST_TEST(!obs.has_connected("F1"));
  see({{"kind", "connect"}, {"device", "F1"}, {"verdict", "accepted"}});
  see({{"kind", "publish"}, {"device", "F1"}});
  // A publish that came as text is counted by its kind; its line is never parsed (this one
  // would not parse).
  obs.on_event(CapturedEvent("{not parsed", "publish"));
  see({{"kind", "dut_console"}, {"device", "F1"}, {"line", "hello"}});
  see({{"kind", "dut_log"}, {"device", "F1"}, {"level", 1}, {"message", "oops"}});
  see({{"kind", "connect"}, {"device", 42}, {"verdict", "accepted"}});  // a hostile field type
  BOOST_TEST(obs.has_connected("F1"));
  const auto c = obs.counts();
  BOOST_TEST(c.events == 7u);
  BOOST_TEST(c.publishes == 2u);
  BOOST_TEST(c.connects_accepted == 2u);
  BOOST_TEST(c.connects_refused == 1u);
  BOOST_TEST(read_text(log) == "hello\n[log 1] oops\n");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(parts_configuration)

scenario::Scenario sas_scenario() {
  scenario::Scenario s;
  s.name = "t";
  s.time_scale = 10;
  s.hub.bind = "127.0.0.1";
  s.hub.sas_skew_s = 300;
  s.dut.device = "F1";
  flexy::FlexyConfig config;
  config.topics[0].ip = "127.0.0.1";
  config.topics[0].port = 502;
  config.topics[1].ip = "192.0.2.7";  // a PLC elsewhere on a bench: left alone
  config.topics[1].port = 502;
  s.dut.flexy = config;
  return s;
}

BOOST_AUTO_TEST_CASE(hub_options_scale_the_sas_skew_and_carry_the_one_port_and_tls_choice) {
  auto s = sas_scenario();
  PreparedRegistry reg;
  reg.path = "/run/registry.toml";
  reg.device_cert_file = "/run/usr/F1.crt";
  auto o = hub_options_for(s, reg, "/run");
  BOOST_TEST(o.registry == "/run/registry.toml");
  BOOST_TEST(o.out_dir == "/run");
  BOOST_TEST(o.plugin.sas_skew_seconds.value_or(-1) == 30);  // 300 scenario seconds at ×10
  BOOST_TEST(o.port == 0);                                     // ephemeral unless [hub] port
  BOOST_TEST(!o.tls13);
  BOOST_TEST(!o.websocket_port.has_value());
  // An unregistered certificate needs no trust: the handshake takes any and the plugin refuses
  // it at CONNECT (a CA-signed one then chains to no registered CA).
  s.dut.register_certificate = false;
  reg.device_ca_file = "/run/device-ca.crt";
  s.hub.port = 8883;
  s.hub.tls13 = true;
  s.hub.ws_port = 0;
  o = hub_options_for(s, reg, "/run");
  BOOST_TEST(o.trust_files.empty());
  BOOST_TEST(o.port == 8883);
  BOOST_TEST(o.tls13);
  BOOST_TEST(o.websocket_port.value_or(1) == 0);
}

BOOST_AUTO_TEST_CASE(the_emulated_flexy_reaches_the_run_hub_and_plc_on_loopback) {
  const auto s = sas_scenario();
  const auto c = emulated_config(s, "/run/usr", HubRoute{"myhub.azure-devices.net", "127.0.0.1:40001"}, 40502);
  BOOST_TEST(c.usr_dir == "/run/usr");
  BOOST_TEST(c.time_scale == 10.0);
  BOOST_TEST(c.mqtt.resolve.at("myhub.azure-devices.net") == "127.0.0.1:40001");
  BOOST_TEST(c.topics[0].port == 40502);
  BOOST_TEST(c.topics[1].port == 502);
  BOOST_TEST(emulated_config(s, "/u", HubRoute{"h", "a"}, std::nullopt).topics[0].port == 502);
}

scenario::HostRoute route(const std::string& host, std::optional<std::uint16_t> port, scenario::HostTarget target) {
  scenario::HostRoute r;
  r.host = host;
  r.port = port;
  r.target = target;
  return r;
}

BOOST_AUTO_TEST_CASE(hosts_route_names_to_the_run_server_and_plc_with_host_port_winning) {
  using T = scenario::HostTarget;
  auto s = sas_scenario();
  s.dut.flexy->topics[1].ip = "192.0.2.7";   // a hard-coded PLC address the scenario maps to "plc"
  s.dut.flexy->topics[2].ip = "192.0.2.8";   // mapped to "plc" on another port: left alone
  s.dut.flexy->topics[2].port = 502;
  // In load order: "host" keys first, then "host:port" keys (which win).
  s.dut.hosts = {route("192.0.2.7", std::nullopt, T::plc), route("192.0.2.9", std::nullopt, T::plc),
                 route("52.1.2.3", std::nullopt, T::hub), route("192.0.2.8", 5020, T::plc),
                 route("192.0.2.9", 8883, T::hub)};
  const auto c = emulated_config(s, "/u", HubRoute{"myhub.azure-devices.net", "127.0.0.1:40001"}, 40502);
  BOOST_TEST(c.mqtt.resolve.at("myhub.azure-devices.net") == "127.0.0.1:40001");
  BOOST_TEST(c.mqtt.resolve.at("52.1.2.3") == "127.0.0.1:40001");
  BOOST_TEST(c.mqtt.resolve.at("192.0.2.9") == "127.0.0.1:40001");  // "192.0.2.9:8883" = hub wins over "plc"
  BOOST_TEST(c.mqtt.resolve.count("192.0.2.7") == 0u);              // a PLC name is no MQTT route
  BOOST_TEST(c.topics[1].ip == "127.0.0.1");
  BOOST_TEST(c.topics[1].port == 40502);
  BOOST_TEST(c.topics[2].ip == "192.0.2.8");  // its key names port 5020, the topic dials 502
  BOOST_TEST(c.topics[2].port == 502);
  // A plain broker has no name of its own: only the mapped names reach it.
  s.dut.hosts = {route("mqtt.example.com", std::nullopt, T::broker), route("192.168.0.23", 1883, T::broker)};
  const auto b = emulated_config(s, "/u", HubRoute{"", "127.0.0.1:41883"}, std::nullopt);
  BOOST_TEST(b.mqtt.resolve.size() == 2u);
  BOOST_TEST(b.mqtt.resolve.at("mqtt.example.com") == "127.0.0.1:41883");
  BOOST_TEST(b.mqtt.resolve.at("192.168.0.23") == "127.0.0.1:41883");
}

BOOST_AUTO_TEST_CASE(broker_options_carry_users_tls_port_filter_and_the_mapped_names_as_sans) {
  using T = scenario::HostTarget;
  auto s = sas_scenario();
  scenario::BrokerSpec b;
  b.tls = true;
  b.port = 18830;
  b.users = {{"flexy", "secret"}};
  s.broker = b;
  s.expect.telemetry_topic = "plant/#";
  s.dut.hosts = {route("mqtt.example.com", std::nullopt, T::broker), route("10.0.0.5", std::nullopt, T::plc),
                 route("192.168.0.23", 1883, T::broker), route("mqtt.example.com", 8883, T::broker)};
  const auto o = hub_options_for(s, PreparedRegistry{}, "/run");
  BOOST_REQUIRE(o.plain.has_value());
  BOOST_TEST(o.plain->tls);
  BOOST_TEST(o.plain->port == 18830);
  BOOST_REQUIRE_EQUAL(o.plain->users.size(), 1u);
  BOOST_TEST(o.plain->users[0].password == "secret");
  BOOST_TEST(o.plain->telemetry_filter == "plant/#");
  BOOST_TEST(o.registry.empty());
  BOOST_TEST(o.extra_names == (std::vector<std::string>{"mqtt.example.com", "192.168.0.23"}));
}

BOOST_AUTO_TEST_CASE(a_generated_sas_token_verifies_and_expires_after_the_scaled_time) {
  auto s = sas_scenario();
  scenario::GeneratedSasToken g;
  g.tag = "Sas";
  g.expires_after_s = 50;  // scenario seconds: 5 s of wall time at ×10
  s.dut.sas_token = g;
  broker::Registry reg;
  broker::Device d;
  d.id = "F1";
  d.primary_key = "c2NlbmFyaW8tbGlicmFyeS1zYXMta2V5";
  reg.devices.push_back(d);
  const auto t = sign_sas_token(s, reg, "myhub.azure-devices.net", 1'000'000.2);
  BOOST_TEST(t.expiry == 1'000'006);  // ceil(1,000,000.2 + 5)
  const auto parsed = certs::parse_sas_token(t.password);
  BOOST_REQUIRE(parsed);
  BOOST_TEST(parsed->sr_decoded == "myhub.azure-devices.net/devices/F1");
  BOOST_TEST(certs::verify_sas_signature(*parsed, d.primary_key));
  s.dut.sas_token->hub_wide = true;
  const auto wide = certs::parse_sas_token(sign_sas_token(s, reg, "myhub.azure-devices.net", 0).password);
  BOOST_REQUIRE(wide);
  BOOST_TEST(wide->sr_decoded == "myhub.azure-devices.net");
  s.dut.device = "Unknown";
  BOOST_CHECK_THROW(sign_sas_token(s, reg, "myhub.azure-devices.net", 0), ConfigError);
}

BOOST_AUTO_TEST_CASE(hub_options_keep_the_pki_dir_and_put_extra_names_and_advertise_into_the_certificate) {
  auto s = sas_scenario();
  PreparedRegistry reg;
  reg.path = "/run/registry.toml";
  auto o = hub_options_for(s, reg, "/run");
  BOOST_TEST(o.pki_dir.empty());  // the hub's default: a new CA in the run folder
  BOOST_TEST(o.extra_names.empty());
  s.hub.pki_dir = "/bench/pki";
  s.hub.extra_names = {"10.0.0.5", "bench.lan"};
  s.dut.advertise = "192.168.1.10";
  o = hub_options_for(s, reg, "/run");
  BOOST_TEST(o.pki_dir == "/bench/pki");
  BOOST_TEST((o.extra_names == std::vector<std::string>{"10.0.0.5", "bench.lan", "192.168.1.10"}));
}

namespace {
InstallFacts x509_facts() {
  InstallFacts f;
  f.hub_host = "benchhub.azure-devices.net";
  f.hub_name = "benchhub";
  f.bind = "0.0.0.0";
  f.port = 8883;
  f.ca_file = "/run/ca.crt";
  f.device = "Flexy205";
  f.auth = "x509-selfsigned";
  f.certificate = "/bench/Flexy205.crt";
  f.key_file = "/bench/Flexy205.key";
  f.plc = PlcFacts{"0.0.0.0", 502, {1, 11}};
  return f;
}
bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

BOOST_AUTO_TEST_CASE(install_block_of_an_x509_device_on_a_lan_bench_names_its_files_and_has_no_warnings) {
  auto f = x509_facts();
  f.advertise = "192.168.1.10";
  const auto text = install_block(f);
  BOOST_TEST(has(text, "hub host name   benchhub.azure-devices.net (map it to 192.168.1.10"), text);
  BOOST_TEST(has(text, "MQTT over TLS   192.168.1.10:8883 (X.509)"), text);
  BOOST_TEST(has(text, "CA certificate  /run/ca.crt  → upload to /usr/"), text);
  BOOST_TEST(has(text, "client id       Flexy205\n"), text);
  BOOST_TEST(has(text, "username        benchhub.azure-devices.net/Flexy205/?api-version=2021-04-12"), text);
  BOOST_TEST(has(text, "certificate     /bench/Flexy205.crt  → upload as /usr/Flexy205.crt"), text);
  BOOST_TEST(has(text, "key             /bench/Flexy205.key  → upload as /usr/Flexy205.key"), text);
  BOOST_TEST(has(text, "PLC (Modbus TCP IO server)  192.168.1.10:502, unit id 1, 11"), text);
  BOOST_TEST(!has(text, "warning:"), text);
}

BOOST_AUTO_TEST_CASE(install_block_warns_about_a_port_the_program_does_not_dial_and_loopback_listeners) {
  auto f = x509_facts();
  f.auth = "sas";
  f.bind = "127.0.0.1";
  f.port = 40001;
  f.plc = PlcFacts{"127.0.0.1", 5020, {1}};
  const auto text = install_block(f);
  BOOST_TEST(has(text, "MQTT over TLS   127.0.0.1:40001 (SAS)"), text);
  BOOST_TEST(has(text, "password        a SAS token: flexhil certs sas --hub benchhub --device Flexy205"), text);
  BOOST_TEST(!has(text, "upload as /usr/Flexy205.crt"), text);
  BOOST_TEST(has(text, "warning: the hub listens on port 40001, but the reference Azure program (like IoT Hub) dials "
                       "8883: set MQTT \"SETPARAM\", \"Port\", \"40001\""),
             text);
  BOOST_TEST(has(text, "warning: the PLC listens on port 5020, not 502"), text);
  BOOST_TEST(has(text, "warning: the MQTT listener is on 127.0.0.1 only"), text);
  BOOST_TEST(has(text, "warning: the PLC listens on 127.0.0.1 only"), text);
}

BOOST_AUTO_TEST_CASE(install_block_on_a_wildcard_listener_without_advertise_asks_for_the_lan_address) {
  auto f = x509_facts();
  f.certificate.clear();
  f.key_file.clear();
  f.plc.reset();
  const auto text = install_block(f);
  BOOST_TEST(has(text, "MQTT over TLS   <this PC's LAN address>:8883 (X.509)"), text);
  BOOST_TEST(has(text, "certificate     the one whose thumbprint is registered for Flexy205"), text);
  BOOST_TEST(!has(text, "PLC"), text);
}

BOOST_AUTO_TEST_SUITE_END()
