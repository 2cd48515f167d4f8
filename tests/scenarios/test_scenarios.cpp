#define BOOST_TEST_MODULE test_scenarios
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>

#include "common/event.hpp"
#include "harness/rules/rules.hpp"
#include "harness/scenario/scenario.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_env.hpp"
#include "tests/support/output_on_failure.hpp"

namespace fs = std::filesystem;
namespace bdata = boost::unit_test::data;
using namespace flexhil;

namespace {

// Runs a shell command line and returns its exit code and output.
std::pair<int, std::string> run_flexhil_raw(const std::string& command_line) { return testing::run_shell(command_line); }

std::pair<int, std::string> run_flexhil(const std::string& args) {
  return run_flexhil_raw(testing::flexhil_binary() + " " + args);
}

Json read_json_file(const std::string& path) {
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return Json::parse(text, nullptr, /*allow_exceptions=*/false);
}

const char* const library[] = {
    "pass/x509_selfsigned.toml",        "pass/sas.toml",
    "pass/c2d_twin.toml",               "bad/duplicate_keys.toml",
    "bad/local_time.toml",              "bad/expired_sas.toml",
    "bad/wrong_thumbprint.toml",        "bad/cadence_drift.toml",
    "bad/unescaped_quote.toml",         "bad/publish_while_disconnected.toml",
    "bad/missing_onmqtt_label.toml",    "pass/x509_ca_signed.toml",
    "pass/several_groups.toml",         "pass/direct_method.toml",
    "bad/sas_expires_during_run.toml",  "bad/old_ca_bundle.toml",
    "pass/plain_broker.toml",           "bad/plain_broker_wrong_password.toml",
    "pass/connect_at_x20.toml",         "pass/wan_outage.toml",
    "pass/link_cut.toml",               "pass/link_blackhole.toml",
    "pass/link_latency.toml",           "pass/link_bandwidth.toml",
    "pass/link_flap.toml",              "pass/fleet_100.toml",
    "bad/fleet_two_misconfigured.toml", "bad/fleet_reconnect_herd.toml",
    "pass/link_plc_cut.toml",
};

// Every direct method the scenario calls reached the device and came back answered 200 from the
// program (a method_response with the request's $rid) — unless the scenario declares otherwise.
void check_method_round_trips(const scenario::Scenario& s, const std::vector<Json>& events) {
  const auto calls = std::count_if(s.actions.begin(), s.actions.end(),
                                   [](const auto& a) { return a.kind == scenario::ActionKind::method; });
  if (calls == 0 || std::count(s.findings.exact->begin(), s.findings.exact->end(), "METHOD-NO-RESPONSE")) return;
  std::set<std::string> requested, answered_200;
  for (const auto& ev : events) {
    const auto kind = ev.value("kind", "");
    if (kind == "method_request" && ev.value("delivered", false)) requested.insert(ev.value("rid", ""));
    if (kind == "method_response" && ev.value("status", 0) == 200) answered_200.insert(ev.value("rid", ""));
  }
  BOOST_TEST(static_cast<long>(requested.size()) == calls, "direct methods delivered to the device");
  BOOST_TEST(requested == answered_200, "every delivered direct method answered with status 200");
}

// Each WAN outage of the scenario really cut the device off: no accepted connect while the link
// was down; the device logged its MQTT connection lost; it connected again after the link came
// back, and that connect replaced the session the hub still held (nothing had reached the hub:
// the cut is silent on the hub's side).
void check_wan_outages(const std::vector<Json>& events) {
  struct Outage {
    std::uint64_t down_seq = 0;
    bool up = false, lost = false, reconnected = false, replaced = false;
  };
  std::vector<Outage> outages;
  for (const auto& ev : events) {
    const auto kind = ev.value("kind", "");
    const auto seq = ev.value("seq", std::uint64_t{0});
    if (kind == "action" && ev.value("action", "") == "wan") {
      if (ev.value("link", "") == "down") outages.push_back({seq});
      else if (!outages.empty()) outages.back().up = true;
      continue;
    }
    if (outages.empty()) continue;
    auto& o = outages.back();
    if (kind == "dut_log" && ev.value("source", "") == "mqtt" && ev.value("message", "").find("lost") != std::string::npos)
      o.lost = true;
    if (kind == "connect" && ev.value("verdict", "") == "accepted") {
      BOOST_TEST(o.up, "accepted connect (seq " << seq << ") while the WAN link was down");
      if (o.up) o.reconnected = true;
    }
    if (kind == "disconnect" && ev.value("reason", "") == "replaced" && o.up) o.replaced = true;
  }
  BOOST_TEST(!outages.empty());
  for (const auto& o : outages) {
    BOOST_TEST(o.lost, "the device's MQTT connection was not lost when the WAN went down (seq " << o.down_seq << ")");
    BOOST_TEST(o.reconnected, "no connect after the WAN outage of seq " << o.down_seq);
    BOOST_TEST(o.replaced, "the reconnect did not replace the silent session of seq " << o.down_seq);
  }
}

// A fleet: every member published to the hub under its own id (each read its name from the
// system configuration), unless the scenario declares that it never connected; each has its page.
void check_fleet(const scenario::Scenario& s, const std::vector<Json>& events, const testing::TempDir& dir) {
  if (!s.is_fleet()) return;
  std::map<std::string, int> published;
  for (const auto& ev : events)
    if (ev.value("kind", "") == "publish" && ev.value("verdict", "") == "accepted" &&
        ev.value("topic", "").rfind("devices/" + ev.value("device", "") + "/messages/events/", 0) == 0)
      ++published[ev.value("device", "")];
  for (const auto& m : s.members) {
    const bool never = std::count(s.findings.exact->begin(), s.findings.exact->end(),
                                  "CONN-NOT-CONNECTED-WITHIN@" + m.device) > 0;
    BOOST_TEST((published[m.device] > 0) != never, m.device << " published " << published[m.device] << " message(s)");
    BOOST_TEST(fs::exists(dir.file("devices/" + m.device + ".html")), m.device << ": no device page");
  }
  BOOST_TEST(published.size() <= s.members.size());
}

}  // namespace

// The library in two halves, each its own CTest entry (tests/scenarios/CMakeLists.txt), so that
// `ctest -j` runs them side by side: one after the other they were the suite's long pole.
std::vector<std::string> library_half(std::size_t half) {
  std::vector<std::string> out;
  for (std::size_t i = half; i < std::size(library); i += 2) out.emplace_back(library[i]);
  return out;
}

void check_library_scenario(const std::string& name) {
  testing::TempDir dir;
  const std::string file = testing::source_dir() + "/scenarios/" + name;
  const auto s = scenario::load_scenario(file);
  BOOST_REQUIRE_MESSAGE(s.findings.exact.has_value(), name << " declares no exact_findings");
  testing::OutputOnFailure console("flexhil run " + name);
  const auto [code, out] = run_flexhil("run " + file + " --out " + dir.path().string());
  console.set(out);
  BOOST_TEST(code == 0, name << ": exit code " << code);

  // The capture re-validated offline gives the same verdict, and the same findings.
  const auto capture = dir.file("capture.jsonl");
  BOOST_REQUIRE(fs::exists(capture));
  const auto events = read_capture(capture);
  check_method_round_trips(s, events);
  if (std::any_of(s.actions.begin(), s.actions.end(), [](const auto& a) { return a.kind == scenario::ActionKind::wan; }))
    check_wan_outages(events);
  // Each link fault was applied on the device's route, start and end, as the scenario says.
  const auto link_actions = std::count_if(s.actions.begin(), s.actions.end(),
                                          [](const auto& a) { return a.kind == scenario::ActionKind::link; });
  const auto link_events = std::count_if(events.begin(), events.end(), [](const Json& e) {
    return e.value("kind", "") == "action" && e.value("action", "") == "link" && e.contains("fault") && e.contains("link");
  });
  BOOST_TEST(link_events == link_actions);
  check_fleet(s, events, dir);
  // Exactly the declared findings ("RULE", or "RULE@device" for one device of a fleet).
  const auto findings = rules::evaluate(events, s.expect);
  const auto verdict = rules::judge(findings, s.findings);
  BOOST_TEST(verdict.passed, name << ": " << verdict.summary);
  // Live == offline, finding by finding (rule, device, severity, hub, message, evidence): the
  // live run's summary.json against that of `validate --out` on its capture.
  const auto offline_dir = dir.path() / "offline";
  const auto [vcode, vout] = run_flexhil("validate " + capture + " --scenario " + file + " --out " + offline_dir.string());
  BOOST_TEST(vcode == 0, vout);
  const auto live_summary = read_json_file(dir.file("summary.json"));
  const auto offline_summary = read_json_file((offline_dir / "summary.json").string());
  BOOST_REQUIRE(live_summary.contains("findings"));
  BOOST_REQUIRE(offline_summary.contains("findings"));
  BOOST_TEST(live_summary["findings"] == offline_summary["findings"],
             name << ": live findings\n" << live_summary["findings"].dump(1) << "\noffline findings\n"
                  << offline_summary["findings"].dump(1));
  BOOST_TEST(offline_summary.value("partial", true) == false, name << ": the live run's capture is incomplete");
  for (const char* report : {"junit.xml", "summary.json", "report.html", "broker.log", "dut-console.log"})
    BOOST_TEST(fs::exists(dir.file(report)), report << " missing");
}

BOOST_DATA_TEST_CASE(library_scenarios_1_of_2, bdata::make(library_half(0)), name) { check_library_scenario(name); }
BOOST_DATA_TEST_CASE(library_scenarios_2_of_2, bdata::make(library_half(1)), name) { check_library_scenario(name); }

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <sstream>

#include "common/net.hpp"
#include "common/process.hpp"
#include "tests/support/file_text.hpp"

using flexhil::testing::read_text;

namespace {

// Processes (other than ourselves) whose command line mentions `needle` — e.g. a mosquitto
// started with <run dir>/mosquitto.conf.
int processes_mentioning(const std::string& needle) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    auto cmdline = read_text(entry.path().string() + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(needle) != std::string::npos && cmdline.find("mosquitto") != std::string::npos) ++n;
  }
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(sigint_stops_every_part_and_still_writes_the_report) {
  using namespace std::chrono_literals;
  testing::TempDir dir;
  const std::string out = dir.path().string();
  ChildProcess::Options o;
  o.argv = {testing::flexhil_binary(), "run", testing::source_dir() + "/scenarios/demo.toml", "--out", out};
  o.stdout_path = dir.file("run.out");
  o.stderr_path = dir.file("run.out");
  auto run = ChildProcess::spawn(o);
  // Interrupt once the device is really publishing (the hub, the PLC and the DUT all run).
  const bool publishing = wait_until(
      [&] { return read_text(dir.file("capture.jsonl")).find("\"kind\":\"publish\"") != std::string::npos; }, 60s);
  BOOST_REQUIRE_MESSAGE(publishing, read_text(dir.file("run.out")));
  BOOST_TEST(processes_mentioning(out) >= 1);  // mosquitto of this run is up
  run.signal(SIGINT);
  const auto status = run.wait_for(30s);
  BOOST_REQUIRE(status.has_value());
  BOOST_TEST(*status == 3, read_text(dir.file("run.out")));
  BOOST_TEST(fs::exists(dir.file("report.html")));
  BOOST_TEST(fs::exists(dir.file("summary.json")));
  BOOST_TEST(read_text(dir.file("capture.jsonl")).find("\"reason\":\"interrupted (signal 2)\"") != std::string::npos);
  // Neither passed nor failed: INTERRUPTED in the console, summary.json and report.html.
  BOOST_TEST(read_text(dir.file("run.out")).find("INTERRUPTED") != std::string::npos, read_text(dir.file("run.out")));
  BOOST_TEST(read_text(dir.file("summary.json")).find("\"verdict\": \"interrupted\"") != std::string::npos,
             read_text(dir.file("summary.json")));
  BOOST_TEST(read_text(dir.file("report.html")).find(">INTERRUPTED<") != std::string::npos);
  BOOST_TEST(processes_mentioning(out) == 0);  // nothing of the run survives
  // An interrupted run still ends its capture with run_end and exact counts: `validate` judges it
  // as complete (exit 0 or 1, never 3 INCOMPLETE) even though hub events kept coming meanwhile.
  const auto [vcode, vout] =
      run_flexhil("validate " + dir.file("capture.jsonl") + " --scenario " + testing::source_dir() + "/scenarios/demo.toml");
  BOOST_TEST((vcode == 0 || vcode == 1), vout);
  BOOST_TEST(vout.find("INCOMPLETE") == std::string::npos, vout);
}

namespace {

// `flexhil run` of the SAS library scenario, started as a user would; once the device publishes,
// the run's broker pid (from <out>/mosquitto.pid) is handed to `fault`, then the run's exit
// status and console come back.
struct FaultedRun {
  int status = -1;
  std::string console;
  std::string capture;
};

template <typename Fault>
FaultedRun run_with_broker_fault(testing::TempDir& dir, Fault fault) {
  using namespace std::chrono_literals;
  ChildProcess::Options o;
  o.argv = {testing::flexhil_binary(), "run", testing::source_dir() + "/scenarios/pass/sas.toml", "--out",
            dir.path().string()};
  o.stdout_path = dir.file("run.out");
  o.stderr_path = dir.file("run.out");
  auto run = ChildProcess::spawn(o);
  const bool publishing = wait_until(
      [&] { return read_text(dir.file("capture.jsonl")).find("\"kind\":\"publish\"") != std::string::npos; }, 30s);
  BOOST_REQUIRE_MESSAGE(publishing, read_text(dir.file("run.out")));
  const int pid = std::stoi(read_text(dir.file("mosquitto.pid")));
  BOOST_REQUIRE(pid > 0);
  fault(pid);
  const auto status = run.wait_for(40s);
  BOOST_REQUIRE(status.has_value());
  return {*status, read_text(dir.file("run.out")), read_text(dir.file("capture.jsonl"))};
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_broker_killed_mid_run_is_hub_down_exit_3_and_the_reports_are_written) {
  testing::TempDir dir;
  const auto r = run_with_broker_fault(dir, [](int pid) { BOOST_REQUIRE(::kill(pid, SIGKILL) == 0); });
  BOOST_TEST(r.status == 3, r.console);
  BOOST_TEST(r.console.find("HARNESS-HUB-DOWN") != std::string::npos, r.console);
  BOOST_TEST(r.console.find("the harness failed, not the device") != std::string::npos, r.console);
  BOOST_TEST(fs::exists(dir.file("report.html")));
  const auto summary = read_text(dir.file("summary.json"));
  BOOST_TEST(summary.find("HARNESS-HUB-DOWN") != std::string::npos, summary);
  BOOST_TEST(r.capture.find("\"cause\":\"exited\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_broker_frozen_mid_run_is_hub_down_unresponsive_exit_3) {
  testing::TempDir dir;
  int stopped = 0;
  struct Resume {
    int& pid;
    ~Resume() {
      if (pid > 0) ::kill(pid, SIGCONT);  // never leave a stopped broker behind
    }
  } resume{stopped};
  const auto r = run_with_broker_fault(dir, [&](int pid) {
    stopped = pid;
    BOOST_REQUIRE(::kill(pid, SIGSTOP) == 0);
  });
  BOOST_TEST(r.status == 3, r.console);
  BOOST_TEST(r.console.find("HARNESS-HUB-DOWN") != std::string::npos, r.console);
  BOOST_TEST(r.capture.find("\"cause\":\"unresponsive\"") != std::string::npos);
  BOOST_TEST(fs::exists(dir.file("summary.json")));
}

BOOST_AUTO_TEST_CASE(a_capture_with_a_src_seq_gap_validates_as_exit_3_never_passed) {
  // Offline: `flexhil validate` of a capture whose audit stream has a gap (a line lost).
  testing::TempDir dir;
  const std::string capture = dir.file("capture.jsonl");
  {
    std::ofstream c(capture);
    c << R"({"kind":"run_start","seq":1,"mono_ns":1000000000000,"wall":"2026-11-26T08:00:00.000000Z","time_scale":1})" << '\n'
      << R"({"kind":"pong","id":1,"src":"hub#1","src_seq":1,"seq":2,"mono_ns":1000100000000,"wall":"2026-11-26T08:00:00.100000Z"})" << '\n'
      << R"({"kind":"pong","id":3,"src":"hub#1","src_seq":3,"seq":3,"mono_ns":1000200000000,"wall":"2026-11-26T08:00:00.200000Z"})" << '\n';
  }
  const auto [code, text] = run_flexhil("validate " + capture + " --scenario " + testing::source_dir() +
                                        "/scenarios/pass/sas.toml");
  BOOST_TEST(code == 3, text);
  BOOST_TEST(text.find("HARNESS-CAPTURE-GAP") != std::string::npos, text);
  BOOST_TEST(text.find("PASSED") == std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(hub_that_cannot_start_exits_3_and_still_writes_the_report) {
  testing::TempDir dir;
  // Hold a port, then ask the scenario's hub to listen on it.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  BOOST_REQUIRE(::listen(fd, 1) == 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  auto text = read_text(testing::source_dir() + "/scenarios/pass/sas.toml");
  text.replace(text.find("[hub]\n"), 6, "[hub]\nport = " + std::to_string(ntohs(a.sin_port)) + "\n");
  text.replace(text.find("../programs/"), 12, testing::source_dir() + "/scenarios/programs/");
  const auto file = dir.write("busy.toml", text);
  const auto [code, out] = run_flexhil("run " + file + " --out " + dir.file("run"));
  ::close(fd);
  BOOST_TEST(code == 3, out);
  BOOST_TEST(out.find("Address already in use") != std::string::npos, out);
  BOOST_TEST(fs::exists(dir.file("run/report.html")));
  BOOST_TEST(fs::exists(dir.file("run/summary.json")));
}

// `flexhil run scenario --out <dir>/run` in the background, its console in <dir>/run.out.
ChildProcess start_run(const std::string& scenario, const testing::TempDir& dir) {
  ChildProcess::Options o;
  o.argv = {testing::flexhil_binary(), "run", scenario, "--out", dir.file("run")};
  o.stdout_path = dir.file("run.out");
  o.stderr_path = dir.file("run.out");
  return ChildProcess::spawn(o);
}

// The hub, its registry and the external device of the tests below (a real Flexy's stand-in).
const char* const kExternalFlexy205 = R"([hub]
[hub.registry]
hub = "flexhil-hub"
[[hub.registry.device]]
id = "Flexy205"
auth = "sas"
primary_key = "c2NlbmFyaW8tbGlicmFyeS1zYXMta2V5"
[dut]
kind = "external"
device = "Flexy205"
wait = "30s"
)";

BOOST_AUTO_TEST_CASE(external_device_gets_instructions_and_is_judged_once_it_connects) {
  using namespace std::chrono_literals;
  testing::TempDir dir;
  const auto scen = dir.write("external.toml", R"(name = "external"
duration = "8s"
)" + std::string(kExternalFlexy205) + R"([expect]
timestamp_key = ""
exact_findings = ["PAYLOAD-DUPLICATE-KEY", "CADENCE-FULL-PUSH-INCOMPLETE"]
)");
  auto run = start_run(scen, dir);
  // The instructions name the port and the CA file to install on the device.
  std::string port;
  BOOST_REQUIRE(wait_until(
      [&] {
        const auto text = read_text(dir.file("run.out"));
        const auto at = text.find("MQTT over TLS   127.0.0.1:");
        if (at == std::string::npos) return false;
        port = text.substr(at + 26, text.find(' ', at + 26) - at - 26);
        return true;
      },
      30s));
  BOOST_TEST(read_text(dir.file("run.out")).find("CA certificate") != std::string::npos);
  // A real MQTT client plays the real device: a SAS token signed now by `flexhil certs sas` (as a
  // user would make one), then a message with a duplicate key.
  auto [sas_code, sas] = run_flexhil(
      "certs sas --hub flexhil-hub --device Flexy205 --key c2NlbmFyaW8tbGlicmFyeS1zYXMta2V5 --ttl 1h");
  BOOST_TEST_REQUIRE(sas_code == 0, sas);
  while (!sas.empty() && (sas.back() == '\n' || sas.back() == '\r')) sas.pop_back();
  BOOST_TEST_REQUIRE(sas.rfind("SharedAccessSignature sr=", 0) == 0, sas);
  const auto [pub, pub_out] = run_flexhil_raw(
      "mosquitto_pub -h 127.0.0.1 -p " + port + " --cafile " + dir.file("run/ca.crt") +
      " -i Flexy205 -u 'flexhil-hub.azure-devices.net/Flexy205/?api-version=2021-04-12' -P '" + sas +
      "' -t 'devices/Flexy205/messages/events/$.ct=application%2Fjson&$.ce=utf-8' -m '{\"a\":1,\"a\":2}'");
  BOOST_TEST(pub == 0, pub_out);
  const auto status = run.wait_for(60s);
  BOOST_REQUIRE(status.has_value());
  BOOST_TEST(*status == 0, read_text(dir.file("run.out")));
}

// A real device on a bench reaches the hub through the fault point: the install block names the
// fault point's port (on the hub's address), a cut there drops the device's session on the hub's
// side, it is refused while the link is down and connects again after.
BOOST_AUTO_TEST_CASE(an_external_device_is_cut_off_by_a_link_fault_and_comes_back) {
  using namespace std::chrono_literals;
  testing::TempDir dir;
  const auto scen = dir.write("external_link.toml", R"(name = "external-link"
duration = "40s"
time_scale = 4
)" + std::string(kExternalFlexy205) + R"([[action]]
at = "16s"
kind = "link"
fault = "cut"
duration = "8s"
[expect]
timestamp_key = ""
)");
  auto run = start_run(scen, dir);
  std::string port, link_port;
  BOOST_REQUIRE(wait_until(
      [&] {
        const auto text = read_text(dir.file("run.out"));
        const auto at = text.find("MQTT over TLS   127.0.0.1:");
        const auto link = text.find("link fault point ready on 127.0.0.1:");
        if (at == std::string::npos || link == std::string::npos) return false;
        port = text.substr(at + 26, text.find(' ', at + 26) - at - 26);
        link_port = text.substr(link + 36, text.find(' ', link + 36) - link - 36);
        return true;
      },
      30s));
  BOOST_TEST(port == link_port, read_text(dir.file("run.out")));  // the device is told to dial the fault point
  auto [sas_code, sas] = run_flexhil(
      "certs sas --hub flexhil-hub --device Flexy205 --key c2NlbmFyaW8tbGlicmFyeS1zYXMta2V5 --ttl 1h");
  BOOST_TEST_REQUIRE(sas_code == 0, sas);
  while (!sas.empty() && (sas.back() == '\n' || sas.back() == '\r')) sas.pop_back();
  // The device: mosquitto_sub stays connected; when its connection is lost it exits, and the loop
  // connects again half a second later, as a Flexy's MQTT client does (its subscriber ends with it).
  const std::string sub = "mosquitto_sub -h 127.0.0.1 -p " + port + " --cafile '" + dir.file("run/ca.crt") +
                          "' -i Flexy205 -u 'flexhil-hub.azure-devices.net/Flexy205/?api-version=2021-04-12' -P '" +
                          sas + "' -k 30 -q 1 -t 'devices/Flexy205/messages/devicebound/#'";
  ChildProcess::Options d;
  d.argv = {"bash", "-c", "trap 'kill $c 2>/dev/null; exit 0' TERM; while :; do " + sub +
                              " & c=$!; wait $c; sleep 0.5; done"};
  d.stdout_path = dir.file("device.out");
  d.stderr_path = dir.file("device.out");
  auto device = ChildProcess::spawn(d);
  const auto status = run.wait_for(60s);
  device.stop();
  BOOST_REQUIRE(status.has_value());
  BOOST_TEST((*status == 0 || *status == 1), read_text(dir.file("run.out")));
  // In the capture: connected, dropped at the cut, refused no CONNECT while cut, back after.
  std::uint64_t down = 0, up = 0;
  std::vector<std::uint64_t> accepted, dropped;
  for (const auto& ev : read_capture(dir.file("run/capture.jsonl"))) {
    const auto kind = ev.value("kind", "");
    const auto seq = ev.value("seq", std::uint64_t{0});
    if (kind == "action" && ev.value("action", "") == "link") (ev.value("link", "") == "down" ? down : up) = seq;
    if (kind == "connect" && ev.value("verdict", "") == "accepted") accepted.push_back(seq);
    if (kind == "disconnect" && ev.value("device", "") == "Flexy205") dropped.push_back(seq);
  }
  BOOST_REQUIRE(down > 0);
  BOOST_REQUIRE(up > down);
  BOOST_REQUIRE_GE(accepted.size(), 2u);
  BOOST_TEST(accepted.front() < down);
  BOOST_TEST(std::any_of(dropped.begin(), dropped.end(), [&](auto s) { return s > down && s < up; }),
             "the hub saw no disconnect during the cut");
  BOOST_TEST(std::none_of(accepted.begin(), accepted.end(), [&](auto s) { return s > down && s < up; }),
             "a connect got through the cut link");
  BOOST_TEST(accepted.back() > up, "the device did not come back after the cut");
}

namespace {

// GET `path` over a real loopback TCP connection (HTTP/1.0: the server closes when done);
// "" when nothing answers (yet).
std::string http_get(std::uint16_t port, const std::string& path = "/metrics") {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size())) {
      char buf[4096];
      for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) response.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return response;
}

// The value of one sample line ("name{labels} value"), or -1 when absent.
double sample(const std::string& exposition, const std::string& series) {
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  return -1;
}

}  // namespace

BOOST_AUTO_TEST_CASE(metrics_are_served_during_a_run_and_the_run_still_passes) {
  using namespace std::chrono_literals;
  testing::TempDir dir;
  const std::string scen = testing::source_dir() + "/scenarios/pass/sas.toml";
  ChildProcess run;
  std::uint16_t port = 0;
  // Another process may take the picked port before the run binds it: then the run exits 3
  // ("cannot serve /metrics") at once, and one retry with a new port is enough.
  for (int attempt = 0; attempt < 2; ++attempt) {
    port = pick_free_port();
    ChildProcess::Options o;
    o.argv = {testing::flexhil_binary(), "run", scen, "--out", dir.file("run"), "--metrics",
              "127.0.0.1:" + std::to_string(port), "--metrics-linger", "30"};
    o.stdout_path = dir.file("run.out");
    o.stderr_path = dir.file("run.out");
    run = ChildProcess::spawn(o);
    if (wait_for_tcp_port("127.0.0.1", port, 30s, [&] { return run.running(); })) break;
    BOOST_TEST_MESSAGE("attempt " << attempt << ": " << read_text(dir.file("run.out")));
  }
  BOOST_REQUIRE_MESSAGE(run.running(), read_text(dir.file("run.out")));

  // While the run goes on: the device is connected and its messages are counted.
  std::string exposition;
  const bool seen = wait_until(
      [&] {
        exposition = http_get(port);
        return sample(exposition, "flexhil_messages_received_total{device=\"Flexy205\"}") > 0 &&
               sample(exposition, "flexhil_device_connected{device=\"Flexy205\"}") == 1;
      },
      30s);
  const bool still_running = run.running();
  BOOST_TEST(seen, exposition);
  BOOST_TEST(still_running, "the run ended before /metrics showed the device publishing");
  BOOST_TEST(exposition.find("HTTP/1.") == 0);
  BOOST_TEST(exposition.find("flexhil_run_info{") != std::string::npos, exposition);

  // After the reports: /metrics lingers with the outcome, then Ctrl-C ends the wait at once.
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return read_text(dir.file("run.out")).find("stays up 30 s") != std::string::npos; }, 90s),
                        read_text(dir.file("run.out")));
  const auto last = http_get(port);
  BOOST_TEST(sample(last, "flexhil_run_finished") == 1, last);
  BOOST_TEST(sample(last, "flexhil_run_exit_code") == 0, last);
  BOOST_TEST(sample(last, "flexhil_plc_requests_total") > 0, last);
  BOOST_TEST(run.running());
  run.signal(SIGINT);
  const auto status = run.wait_for(10s);
  BOOST_REQUIRE(status.has_value());
  BOOST_TEST(*status == 0, read_text(dir.file("run.out")));
  BOOST_TEST(read_text(dir.file("run.out")).find("metrics: http://127.0.0.1:" + std::to_string(port)) !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(findings_reach_metrics_while_the_run_goes_on) {
  using namespace std::chrono_literals;
  testing::TempDir dir;
  const std::string scen = testing::source_dir() + "/scenarios/bad/duplicate_keys.toml";
  ChildProcess run;
  std::uint16_t port = 0;
  for (int attempt = 0; attempt < 2; ++attempt) {  // a port taken meanwhile: one retry (see above)
    port = pick_free_port();
    ChildProcess::Options o;
    o.argv = {testing::flexhil_binary(), "run", scen, "--out", dir.file("run"), "--time-scale", "10", "--metrics",
              "127.0.0.1:" + std::to_string(port), "--metrics-linger", "0"};
    o.stdout_path = dir.file("run.out");
    o.stderr_path = dir.file("run.out");
    run = ChildProcess::spawn(o);
    if (wait_for_tcp_port("127.0.0.1", port, 30s, [&] { return run.running(); })) break;
  }
  BOOST_REQUIRE_MESSAGE(run.running(), read_text(dir.file("run.out")));
  const std::string series = "flexhil_findings_total{rule=\"PAYLOAD-DUPLICATE-KEY\",severity=\"error\"}";
  std::string exposition = http_get(port);
  BOOST_TEST(sample(exposition, series) == 0, exposition);  // there from the start
  const bool live = wait_until(
      [&] {
        exposition = http_get(port);
        return sample(exposition, series) > 0 && sample(exposition, "flexhil_run_finished") == 0;
      },
      30s);
  BOOST_TEST(live, exposition);
  const auto status = run.wait_for(60s);
  BOOST_REQUIRE(status.has_value());
  BOOST_TEST(*status == 0, read_text(dir.file("run.out")));
}

// ---------------------------------------------------------------- the user's real CA bundle

namespace {

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, "'" << from << "' not in the scenario");
  return text.replace(at, from.size(), to);
}

// bad/old_ca_bundle.toml moved into `dir`, its bundle line replaced by `bundle_line`.
std::string ca_bundle_scenario(const testing::TempDir& dir, const std::string& bundle_line, bool usr_dir) {
  auto text = read_text(testing::source_dir() + "/scenarios/bad/old_ca_bundle.toml");
  text = replaced(text, "program = \"../programs/configurable_publisher.bas\"",
                  "program = \"" + testing::source_dir() + "/scenarios/programs/configurable_publisher.bas\"");
  text = replaced(text, "user_ca_file = \"old_ca_bundle.pem\"", bundle_line);
  if (usr_dir) text = replaced(text, "[dut.flexy]\n", "[dut.flexy]\nusr_dir = \"usr\"\n");
  text = replaced(text, "exact_findings = [\"TLS-CA-BUNDLE-OUTDATED\"]", "exact_findings = []");
  return dir.write("bundle.toml", text);
}

std::string root_pem(const std::string& name) { return read_text("/usr/share/ca-certificates/mozilla/" + name + ".crt"); }

}  // namespace

BOOST_AUTO_TEST_CASE(a_ca_file_already_in_the_usr_folder_is_judged_and_the_run_installs_its_own_ca) {
  testing::TempDir dir;
  fs::create_directories(dir.path() / "usr");
  const auto users = root_pem("DigiCert_Global_Root_G2") + root_pem("Microsoft_RSA_Root_Certificate_Authority_2017");
  dir.write("usr/ca.pem", users);
  const auto file = ca_bundle_scenario(dir, "", true);
  const auto [code, out] = run_flexhil("run " + file + " --out " + dir.file("run"));
  BOOST_TEST(code == 0, out);
  const auto events = read_capture(dir.file("run/capture.jsonl"));
  const auto it = std::find_if(events.begin(), events.end(), [](const Json& e) { return e.value("kind", "") == "ca_bundle"; });
  BOOST_REQUIRE(it != events.end());
  BOOST_TEST(it->value("verdict", "") == "ok");
  BOOST_TEST(it->value("source", "") == "usr_dir");
  BOOST_TEST(it->value("accepted_root", "") == "DigiCert Global Root G2");
  // The device ran with the hub's CA in place of the user's bundle (it connected: no findings),
  // and the user's file was not touched.
  BOOST_TEST(read_text(dir.file("run/usr/ca.pem")) != users);
  BOOST_TEST(read_text(dir.file("usr/ca.pem")) == users);
}

BOOST_AUTO_TEST_CASE(a_user_ca_bundle_that_is_not_pem_stops_the_run_with_exit_2_before_any_part_starts) {
  testing::TempDir dir;
  dir.write("garbage.pem", "MIIDjjCCAnagAwIBAgIQAzrx5qcRqaC7KGSxHQn65TANBgkqhkiG9w0BAQsFADBh\n");
  const auto file = ca_bundle_scenario(dir, "user_ca_file = \"garbage.pem\"", false);
  const auto [code, out] = run_flexhil("run " + file + " --out " + dir.file("run"));
  BOOST_TEST(code == 2, out);
  BOOST_TEST(out.find("garbage.pem: error: no PEM certificate") != std::string::npos, out);
  BOOST_TEST(out.find("ready") == std::string::npos, out);  // neither hub nor PLC started
  BOOST_TEST(fs::exists(dir.file("run/summary.json")));
}
