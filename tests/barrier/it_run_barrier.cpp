#define BOOST_TEST_MODULE test_barrier_runs
// Whole runs whose device is misconfigured the way users misconfigure it — a CertFile missing
// from /usr, a CAFile that does not verify the hub (the real Baltimore root), a program that
// doubles a string until it is huge — end with findings and reports (exit 1), never a crash;
// two runs sharing --out do not crash either; and the run's secrets are 0600 from the start.
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "common/net.hpp"
#include "common/process.hpp"
#include "tests/barrier/process_helpers.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace flexhil;
using namespace flexhil::testing;
using namespace std::chrono_literals;

namespace {

void replace(std::string& text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, "'" << from << "' not in the scenario");
  text.replace(at, from.size(), to);
}

// scenarios/pass/x509_selfsigned.toml, shortened to 40 s at ×10, with the program path made
// absolute and `edit` applied; it must no longer pass, so no exact_findings.
std::string x509_scenario(const TempDir& dir, const std::function<void(std::string&)>& edit) {
  auto text = read_text(source_dir() + "/scenarios/pass/x509_selfsigned.toml");
  replace(text, "../programs/", source_dir() + "/scenarios/programs/");
  replace(text, "duration = \"100s\"", "duration = \"40s\"");
  replace(text, "exact_findings = []\n", "");
  edit(text);
  return dir.write("scenario.toml", text);
}

nlohmann::json summary_of(const std::string& dir) {
  const auto text = read_text(dir + "/summary.json");
  BOOST_REQUIRE_MESSAGE(!text.empty(), "no summary.json in " << dir);
  return nlohmann::json::parse(text);
}

bool has_finding(const nlohmann::json& summary, const std::string& rule, const std::string& fragment) {
  for (const auto& f : summary["findings"])
    if (f["rule"] == rule && f["message"].get<std::string>().find(fragment) != std::string::npos) return true;
  return false;
}

unsigned mode_of(const std::string& path) {
  struct stat st {};
  BOOST_REQUIRE_MESSAGE(::stat(path.c_str(), &st) == 0, path);
  return st.st_mode & 0777;
}

}  // namespace

BOOST_AUTO_TEST_CASE(missing_certfile_is_the_devices_finding_with_a_report_and_private_secrets) {
  TempDir dir;
  // The harness installs the certificate under /usr/certs/, the program loads /usr/Flexy205.crt.
  const auto scenario = x509_scenario(dir, [](std::string& t) {
    replace(t, "device_cert = \"/usr/Flexy205.crt\"", "device_cert = \"/usr/certs/Flexy205.crt\"");
    replace(t, "device_key = \"/usr/Flexy205.key\"", "device_key = \"/usr/certs/Flexy205.key\"");
  });
  const auto out = dir.file("run");
  const auto r = run_flexhil("run " + scenario + " --out " + out);
  BOOST_TEST(r.code == 1, r.output);
  BOOST_TEST(r.output.find("DUT-TLS-FILE") != std::string::npos, r.output);
  const auto summary = summary_of(out);
  BOOST_TEST(summary["verdict"] == "failed");
  BOOST_TEST(has_finding(summary, "DUT-TLS-FILE", "CertFile /usr/Flexy205.crt: not found"), summary.dump(2));
  BOOST_TEST(read_text(out + "/report.html").find("DUT-TLS-FILE") != std::string::npos);
  BOOST_TEST(fs::exists(out + "/junit.xml"));
  // The device stayed disconnected: the hub never saw it.
  BOOST_TEST(read_text(out + "/capture.jsonl").find("\"kind\":\"connect\"") == std::string::npos);
  // Secrets of the run: born 0600.
  for (const char* secret : {"registry.toml", "mosquitto.conf", "hub.key", "usr/certs/Flexy205.key"})
    BOOST_TEST(mode_of(out + "/" + secret) == 0600u, secret);
}

BOOST_AUTO_TEST_CASE(a_cafile_that_does_not_verify_the_hub_is_a_failed_connect_not_a_crash) {
  TempDir dir;
  // The real Azure root of old, as integrators leave it on their Flexy; any other root will do.
  fs::create_directories(dir.path() / "usr");
  const std::string baltimore = "/etc/ssl/certs/Baltimore_CyberTrust_Root.pem";
  if (fs::exists(baltimore)) {
    fs::copy_file(baltimore, dir.path() / "usr" / "ca.pem");
  } else {
    BOOST_TEST_MESSAGE("no Baltimore root on this machine: a CA of our own stands in");
    BOOST_REQUIRE(run_flexhil("certs ca --out " + dir.file("other")).code == 0);
    fs::copy_file(dir.path() / "other" / "ca.crt", dir.path() / "usr" / "ca.pem");
  }
  const auto scenario = x509_scenario(dir, [](std::string& t) {
    replace(t, "device_key = \"/usr/Flexy205.key\"", "device_key = \"/usr/Flexy205.key\"\nca_file = \"/usr/hub-ca.pem\"");
    replace(t, "time_zone = \"UTC\"", "time_zone = \"UTC\"\nusr_dir = \"usr\"");
  });
  const auto out = dir.file("run");
  const auto r = run_flexhil("run " + scenario + " --out " + out);
  BOOST_TEST(r.code == 1, r.output);
  const auto capture = read_text(out + "/capture.jsonl");
  BOOST_TEST(capture.find("does not verify with CAFile /usr/ca.pem") != std::string::npos, capture);
  BOOST_TEST(capture.find("unable to get local issuer certificate") != std::string::npos);
  const auto summary = summary_of(out);
  BOOST_TEST(summary["verdict"] == "failed");
  // The hub saw the device give up in the handshake: the device's finding, not ours.
  BOOST_TEST(has_finding(summary, "TLS-HANDSHAKE-FAILED", "unknown ca"), summary.dump(2));
  BOOST_TEST(fs::exists(out + "/report.html"));
}

BOOST_AUTO_TEST_CASE(a_program_doubling_a_string_gets_its_runtime_error_and_the_run_goes_on) {
  TempDir dir;
  const auto program = dir.write("double.bas",
                                 "a$ = \"x\"\n"
                                 "FOR i% = 1 TO 40\n"
                                 "  a$ = a$ + a$\n"
                                 "NEXT i%\n"
                                 "PRINT \"never printed\"\n");
  const auto scenario = x509_scenario(dir, [&](std::string& t) {
    replace(t, source_dir() + "/scenarios/programs/configurable_publisher.bas", program);
  });
  const auto out = dir.file("run");
  const auto r = run_flexhil("run " + scenario + " --out " + out + " --time-scale 20");
  BOOST_TEST(r.code == 1, r.output);
  const auto summary = summary_of(out);
  BOOST_TEST(has_finding(summary, "DUT-RUNTIME-ERROR", "double.bas:3: runtime error: string too long"),
             summary.dump(2));
  BOOST_TEST(read_text(out + "/dut-console.log").find("never printed") == std::string::npos);
  BOOST_TEST(fs::exists(out + "/report.html"));
}

BOOST_AUTO_TEST_CASE(two_runs_sharing_out_do_not_crash) {
  TempDir dir;
  const auto out = dir.file("shared");
  std::vector<ChildProcess> runs;
  for (int i = 0; i < 2; ++i) {
    ChildProcess::Options o;
    o.argv = {flexhil_binary(), "run", source_dir() + "/scenarios/pass/x509_selfsigned.toml", "--out", out,
              "--time-scale", "20"};
    o.stdout_path = dir.file("run" + std::to_string(i) + ".out");
    o.stderr_path = o.stdout_path;
    runs.push_back(ChildProcess::spawn(o));
  }
  for (int i = 0; i < 2; ++i) {
    const auto status = runs[static_cast<std::size_t>(i)].wait_for(120s);
    BOOST_REQUIRE(status.has_value());
    BOOST_TEST_INFO(read_text(dir.file("run" + std::to_string(i) + ".out")));
    BOOST_TEST(*status >= 0);
    BOOST_TEST(*status <= 3);  // passed, findings (they disturb each other) or infrastructure — never 134/139
  }
  BOOST_TEST(fs::exists(out + "/summary.json"));
}

BOOST_AUTO_TEST_CASE(a_metrics_server_that_cannot_start_still_leaves_the_reports) {
  TempDir dir;
  // A port that answers already: the run's /metrics cannot listen there.
  ChildProcess::Options o;
  o.argv = {flexhil_binary(), "plc", "--scenario", source_dir() + "/scenarios/demo.toml", "--port", "0", "--quiet"};
  o.stdout_path = dir.file("plc.out");
  o.stderr_path = o.stdout_path;
  auto plc = ChildProcess::spawn(o);
  BOOST_REQUIRE(wait_until([&] { return read_text(dir.file("plc.out")).find("serving") != std::string::npos; }, 30s));
  const auto text = read_text(dir.file("plc.out"));
  const auto port = std::stoi(text.substr(text.find("on 127.0.0.1:") + 13));
  const auto out = dir.file("run");
  const auto r = run_flexhil("run " + source_dir() + "/scenarios/pass/sas.toml --out " + out +
                             " --metrics 127.0.0.1:" + std::to_string(port));
  BOOST_TEST(r.code == 3, r.output);
  BOOST_TEST(r.output.find("cannot serve /metrics") != std::string::npos, r.output);
  const auto summary = summary_of(out);
  BOOST_TEST(summary["verdict"] == "error");
  BOOST_TEST(summary["exit_code"] == 3);
  BOOST_TEST(fs::exists(out + "/report.html"));
  BOOST_TEST(fs::exists(out + "/junit.xml"));
}
