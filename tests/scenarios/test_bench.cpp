// The lab bench as a bench user runs it, with stand-ins for the real Flexy (mosquitto_pub with the
// files a Flexy would hold in /usr/, mbpoll as its Modbus IO server, openssl s_client checking the
// hub certificate's names): `flexhil run` of an external device with a persistent PKI, a registry
// with paths relative to itself, the SANs of advertise/--extra-name, a PLC on a fixed port and the
// install block; `flexhil certs device --registry-block` and `flexhil hub --bundle`.
#define BOOST_TEST_MODULE test_bench
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "certs/pki.hpp"
#include "common/event.hpp"
#include "common/net.hpp"
#include "common/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_env.hpp"
#include "tests/support/file_text.hpp"

using flexhil::testing::read_text;

namespace fs = std::filesystem;
using namespace flexhil;
using namespace std::chrono_literals;

namespace {

std::string quote(const std::string& s) { return "'" + s + "'"; }

// `flexhil <args>` as a child whose stdout and stderr go to `log`, run in `cwd` (default: ours).
ChildProcess spawn_flexhil(std::vector<std::string> args, const std::string& log, const std::string& cwd = {}) {
  ChildProcess::Options o;
  o.working_dir = cwd;
  o.argv = {testing::flexhil_binary()};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.stdout_path = log;
  o.stderr_path = log;
  return ChildProcess::spawn(o);
}

// Waits until `log` holds `text` (or the child ended); the log then.
std::string wait_for_text(ChildProcess& child, const std::string& log, const std::string& text,
                          std::chrono::milliseconds timeout = 60s) {
  wait_until([&] { return read_text(log).find(text) != std::string::npos || !child.running(); }, timeout);
  return read_text(log);
}

// The port of "MQTT over TLS   <host>:<port>" in the install block (0 when absent).
std::uint16_t install_port(const std::string& text) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(R"(MQTT over TLS   \S+:(\d+) )"))) return 0;
  return static_cast<std::uint16_t>(std::stoi(m[1]));
}

std::string fingerprint(const std::string& pem_file) {
  return certs::sha256_thumbprint(certs::read_certificate_file(pem_file));
}

// The `connect` events of a capture for `device`: their verdicts in order.
std::vector<std::string> connect_verdicts(const std::string& capture, const std::string& device) {
  std::vector<std::string> verdicts;
  std::istringstream in(read_text(capture));
  for (std::string line; std::getline(in, line);) {
    const auto e = Json::parse(line, nullptr, false);
    if (e.is_object() && e.value("kind", "") == "connect" && e.value("device", "") == device)
      verdicts.push_back(e.value("verdict", ""));
  }
  return verdicts;
}

// A real X.509 device's CONNECT and one telemetry message with exactly the files it holds.
std::pair<int, std::string> publish_x509(std::uint16_t port, const std::string& hub, const std::string& id,
                                         const std::string& ca, const std::string& crt, const std::string& key) {
  return testing::run_shell("mosquitto_pub -h 127.0.0.1 -p " + std::to_string(port) + " --cafile " + quote(ca) +
                            " --cert " + quote(crt) + " --key " + quote(key) + " -i " + id + " -u " +
                            quote(hub + ".azure-devices.net/" + id + "/?api-version=2021-04-12") + " -t " +
                            quote("devices/" + id + "/messages/events/") + " -m '{\"a\":1}'");
}

// openssl s_client against the hub, checking the server certificate for `check` ("-verify_hostname
// NAME" or "-verify_ip IP") against `ca`: true when the chain and the name verify.
std::pair<bool, std::string> server_name_verifies(std::uint16_t port, const std::string& ca, const std::string& check) {
  const auto [code, out] = testing::run_shell("openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
                                              " -CAfile " + quote(ca) + " " + check +
                                              " -verify_return_error -brief </dev/null");
  return {code == 0 && out.find("Verification: OK") != std::string::npos, out};
}

// A self-signed device certificate made as a bench user makes it; {crt, key}.
std::pair<std::string, std::string> make_device(const std::string& id, const std::string& dir) {
  const auto [code, out] = testing::flexhil_command("certs device --id " + id + " --self-signed --out " + quote(dir));
  BOOST_TEST_REQUIRE(code == 0, out);
  return {dir + "/" + id + ".crt", dir + "/" + id + ".key"};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(bench)

BOOST_AUTO_TEST_CASE(two_runs_with_one_pki_dir_present_the_same_ca_and_accept_the_device_with_a_registry_relative_certificate) {
  testing::TempDir dir("flexhil-bench");
  // The registry lives in its own folder and names the certificate next to it.
  fs::create_directories(dir.file("reg"));
  fs::create_directories(dir.file("scen"));
  const auto [crt, key] = make_device("Flexy205", dir.file("reg"));
  dir.write("reg/devices.toml", "hub = \"benchpki\"\n[[device]]\nid = \"Flexy205\"\nauth = \"x509-selfsigned\"\n"
                                "certificate = \"Flexy205.crt\"\n");
  auto scenario = [](const std::string& pki) {
    return "name = \"bench-pki\"\nduration = \"1s\"\n[hub]\nregistry = \"../reg/devices.toml\"\npki_dir = \"" + pki +
           "\"\n[dut]\nkind = \"external\"\ndevice = \"Flexy205\"\nwait = \"60s\"\n[expect]\ntimestamp_key = \"\"\n";
  };
  dir.write("scen/bench.toml", scenario("pki"));  // pki_dir relative to the scenario's folder
  // Run 2's scenario names another folder: --pki wins.
  const auto scen2 = dir.write("scen/bench2.toml", scenario("other-pki"));
  const auto pki = dir.file("scen/pki");
  BOOST_REQUIRE(!fs::exists(pki));

  // `check` and `run` agree on the registry: the certificate resolves next to the registry file,
  // also when the user names the scenario by a relative path (the run reads a copy of the
  // registry from its run folder).
  const auto [check_code, check_out] =
      testing::run_shell("cd " + quote(dir.path().string()) + " && " + testing::flexhil_binary() + " check scen/bench.toml");
  BOOST_TEST(check_code == 0, check_out);

  std::string flexy_ca;  // the one CA file the bench Flexy keeps in /usr/
  for (int run = 1; run <= 2; ++run) {
    const auto out_dir = dir.file("run" + std::to_string(run));
    const auto log = dir.file("run" + std::to_string(run) + ".log");
    auto child = run == 1 ? spawn_flexhil({"run", "scen/bench.toml", "--out", "run1"}, log, dir.path().string())
                          : spawn_flexhil({"run", scen2, "--out", out_dir, "--pki", pki}, log);
    const auto text = wait_for_text(child, log, "Waiting up to");
    const auto port = install_port(text);
    BOOST_TEST_REQUIRE(port != 0, text);
    BOOST_TEST_REQUIRE(fs::exists(pki + "/ca.crt"), text);  // made on the first run, where the scenario said
    BOOST_TEST(fingerprint(out_dir + "/ca.crt") == fingerprint(pki + "/ca.crt"));
    if (run == 1) {
      flexy_ca = dir.file("flexy-usr-ca.pem");
      fs::copy_file(out_dir + "/ca.crt", flexy_ca);
    }
    // The Flexy's CA file from run 1 still verifies the hub of run 2.
    const auto [pub, pub_out] = publish_x509(port, "benchpki", "Flexy205", flexy_ca, crt, key);
    BOOST_TEST(pub == 0, pub_out);
    const auto status = child.wait_for(60s);
    BOOST_REQUIRE(status.has_value());
    BOOST_TEST((*status == 0 || *status == 1), read_text(log));  // judged: neither a usage nor an infrastructure error
    const auto verdicts = connect_verdicts(out_dir + "/capture.jsonl", "Flexy205");
    BOOST_TEST_REQUIRE(verdicts.size() == 1u, read_text(out_dir + "/capture.jsonl"));
    BOOST_TEST(verdicts.front() == "accepted");
  }
  BOOST_TEST(!fs::exists(dir.file("scen/other-pki")));
}

BOOST_AUTO_TEST_CASE(external_run_prints_the_install_block_names_the_bench_in_the_hub_certificate_and_serves_the_plc_on_its_port) {
  testing::TempDir dir("flexhil-bench");
  const auto plc_port = pick_free_port();  // a fixed port, as a bench's 502
  const auto scen = dir.write("bench.toml", R"(name = "bench-san"
duration = "1s"
[hub]
[hub.registry]
hub = "benchsan"
[[hub.registry.device]]
id = "Flexy9"
auth = "sas"
primary_key = "YmVuY2gtc2FuLXNhcy1kZXZpY2Uta2V5"
[plc]
bind = "127.0.0.1"
port = )" + std::to_string(plc_port) + R"(
[[plc.point]]
name = "Setpoint"
address = "40001"
value = 1234
[[plc.point]]
name = "Level"
address = "40002"
value = 77
[dut]
kind = "external"
device = "Flexy9"
wait = "60s"
advertise = "flexy-bench.lan"
[expect]
timestamp_key = ""
)");
  const auto out_dir = dir.file("run");
  const auto log = dir.file("run.log");
  auto child = spawn_flexhil({"run", scen, "--out", out_dir, "--extra-name", "10.11.12.13"}, log);
  const auto text = wait_for_text(child, log, "Waiting up to");
  const auto port = install_port(text);
  BOOST_TEST_REQUIRE(port != 0, text);
  const auto ca = out_dir + "/ca.crt";
  const std::string p = std::to_string(port), pp = std::to_string(plc_port);
  const std::vector<std::string> expected_lines{
      "hub host name   benchsan.azure-devices.net (map it to flexy-bench.lan in the Flexy's DNS/hosts",
      "MQTT over TLS   flexy-bench.lan:" + p + " (SAS)",
      "CA certificate  " + ca + "  → upload to /usr/",
      "client id       Flexy9",
      "username        benchsan.azure-devices.net/Flexy9/?api-version=2021-04-12",
      "password        a SAS token: flexhil certs sas --hub benchsan --device Flexy9 --key",
      "PLC (Modbus TCP IO server)  flexy-bench.lan:" + pp + ", unit id 1",
      "warning: the hub listens on port " + p + ", but the reference Azure program (like IoT Hub) dials 8883",
      "warning: the PLC listens on port " + pp + ", not 502"};
  for (const auto& expected : expected_lines)
    BOOST_TEST(text.find(expected) != std::string::npos, expected << "\n--- in ---\n" << text);
  // The same block in the run folder, for the bench user.
  const auto install = read_text(out_dir + "/install.txt");
  BOOST_TEST(install.find("MQTT over TLS   flexy-bench.lan:" + p) != std::string::npos, install);
  BOOST_TEST(text.find(install) != std::string::npos);

  // The names a bench device dials are in the hub's certificate; others are not.
  const auto [dns_ok, dns_out] = server_name_verifies(port, ca, "-verify_hostname flexy-bench.lan");
  BOOST_TEST(dns_ok, dns_out);
  const auto [ip_ok, ip_out] = server_name_verifies(port, ca, "-verify_ip 10.11.12.13");
  BOOST_TEST(ip_ok, ip_out);
  const auto [hub_ok, hub_out] = server_name_verifies(port, ca, "-verify_hostname benchsan.azure-devices.net");
  BOOST_TEST(hub_ok, hub_out);
  const auto [other_ok, other_out] = server_name_verifies(port, ca, "-verify_hostname other-bench.lan");
  BOOST_TEST(!other_ok, other_out);
  const auto [other_ip_ok, other_ip_out] = server_name_verifies(port, ca, "-verify_ip 10.11.12.14");
  BOOST_TEST(!other_ip_ok, other_ip_out);

  // A third-party Modbus master reads the registers on the port the scenario fixed.
  const auto [mb, mb_out] = testing::run_shell("mbpoll -m tcp -a 1 -r 1 -c 2 -t 4 -1 -p " + pp + " 127.0.0.1");
  BOOST_TEST(mb == 0, mb_out);
  BOOST_TEST(std::regex_search(mb_out, std::regex(R"(\[1\]:\s+1234)")), mb_out);
  BOOST_TEST(std::regex_search(mb_out, std::regex(R"(\[2\]:\s+77)")), mb_out);

  // The device connects as the block says; the run then judges it and ends.
  auto [sas_code, sas] = testing::flexhil_command(
      "certs sas --hub benchsan --device Flexy9 --key YmVuY2gtc2FuLXNhcy1kZXZpY2Uta2V5 --ttl 1h");
  BOOST_TEST_REQUIRE(sas_code == 0, sas);
  while (!sas.empty() && (sas.back() == '\n' || sas.back() == '\r')) sas.pop_back();
  const auto [pub, pub_out] = testing::run_shell(
      "mosquitto_pub -h 127.0.0.1 -p " + p + " --cafile " + quote(ca) +
      " -i Flexy9 -u 'benchsan.azure-devices.net/Flexy9/?api-version=2021-04-12' -P " + quote(sas) +
      " -t 'devices/Flexy9/messages/events/' -m '{\"a\":1}'");
  BOOST_TEST(pub == 0, pub_out);
  const auto status = child.wait_for(60s);
  BOOST_REQUIRE(status.has_value());
  BOOST_TEST((*status == 0 || *status == 1), read_text(log));
  const auto verdicts = connect_verdicts(out_dir + "/capture.jsonl", "Flexy9");
  BOOST_TEST_REQUIRE(verdicts.size() == 1u);
  BOOST_TEST(verdicts.front() == "accepted");
}

BOOST_AUTO_TEST_CASE(registry_block_and_hub_bundle_give_a_device_exactly_the_files_it_connects_with) {
  testing::TempDir dir("flexhil-bench");
  fs::create_directories(dir.file("bench"));
  // The registry block goes straight into the registry file, next to the certificate.
  const auto [block_code, block] = testing::run_shell(
      testing::flexhil_binary() + " certs device --id Flexy205 --self-signed --out " + quote(dir.file("bench")) +
      " --registry-block --hub benchbundle 2>/dev/null > " + quote(dir.file("bench/devices.toml")) + " && cat " +
      quote(dir.file("bench/devices.toml")));
  BOOST_TEST_REQUIRE(block_code == 0, block);
  BOOST_TEST(block.find("hub = \"benchbundle\"") != std::string::npos, block);
  BOOST_TEST(block.find("certificate = \"Flexy205.crt\"") != std::string::npos, block);
  const auto thumbprint = certs::sha1_thumbprint(certs::read_certificate_file(dir.file("bench/Flexy205.crt")));
  BOOST_TEST(block.find("primary_thumbprint = \"" + thumbprint + "\"") != std::string::npos, block);

  const auto log = dir.file("hub.log");
  const auto bundle = dir.file("usr");
  auto hub = spawn_flexhil({"hub", "--registry", dir.file("bench/devices.toml"), "--out", dir.file("hub"), "--pki",
                            dir.file("pki"), "--port", "0", "--extra-name", "10.20.30.40", "--bundle", bundle},
                           log);
  const auto text = wait_for_text(hub, log, "provisioning bundle in");
  BOOST_TEST_REQUIRE(hub.running(), text);
  std::smatch m;
  BOOST_REQUIRE_MESSAGE(std::regex_search(text, m, std::regex(R"(MQTTS port\s+(\d+))")), text);
  const auto port = static_cast<std::uint16_t>(std::stoi(m[1]));
  for (const char* f : {"ca.pem", "Flexy205.crt", "Flexy205.key", "README.txt"})
    BOOST_TEST(fs::is_regular_file(bundle + "/" + f), f);
  BOOST_TEST(((fs::status(bundle + "/Flexy205.key").permissions() & fs::perms::others_read) == fs::perms::none));
  const auto readme = read_text(bundle + "/README.txt");
  for (const char* expected : {"ftp> cd /usr", "ftp> put ca.pem", "ftp> put Flexy205.crt", "ftp> put Flexy205.key",
                               "\"CertFile\", \"/usr/Flexy205.crt\"", "benchbundle.azure-devices.net"})
    BOOST_TEST(readme.find(expected) != std::string::npos, expected << "\n--- in ---\n" << readme);

  // Exactly the bundle's files connect and are accepted.
  const auto [pub, pub_out] = publish_x509(port, "benchbundle", "Flexy205", bundle + "/ca.pem",
                                           bundle + "/Flexy205.crt", bundle + "/Flexy205.key");
  BOOST_TEST(pub == 0, pub_out);
  BOOST_TEST(wait_for_text(hub, log, "Flexy205 mqtts accepted").find("Flexy205 mqtts accepted") != std::string::npos,
             read_text(log));
  // --extra-name puts the bench address into the hub's certificate.
  const auto [ip_ok, ip_out] = server_name_verifies(port, bundle + "/ca.pem", "-verify_ip 10.20.30.40");
  BOOST_TEST(ip_ok, ip_out);
  hub.signal(SIGINT);
  const auto status = hub.wait_for(20s);
  BOOST_TEST((status && *status == 0), read_text(log));
}

BOOST_AUTO_TEST_CASE(bundle_of_a_device_without_its_key_is_a_usage_error) {
  testing::TempDir dir("flexhil-bench");
  const auto [crt, key] = make_device("Flexy7", dir.path().string());
  fs::remove(key);
  dir.write("devices.toml", "hub = \"benchbundle\"\n[[device]]\nid = \"Flexy7\"\nauth = \"x509-selfsigned\"\n"
                            "certificate = \"Flexy7.crt\"\n");
  const auto [code, out] = testing::flexhil_command(
      "hub --registry " + quote(dir.file("devices.toml")) + " --out " + quote(dir.file("hub")) + " --port 0 --bundle " +
      quote(dir.file("usr")) + " --bundle-device Flexy7");
  BOOST_TEST(code == 2, out);
  BOOST_TEST(out.find("cannot bundle device 'Flexy7'") != std::string::npos, out);
  BOOST_TEST(out.find("Flexy7.key") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(flexhil_plc_serves_on_the_scenario_plc_bind_and_port_unless_the_command_line_says_otherwise) {
  testing::TempDir dir("flexhil-bench");
  const auto port = pick_free_port();
  const auto scen = dir.write("plc.toml", "[plc]\nbind = \"127.0.0.1\"\nport = " + std::to_string(port) +
                                              "\n[[plc.point]]\nname = \"Setpoint\"\naddress = \"40001\"\nvalue = 4321\n");
  const auto log = dir.file("plc.log");
  auto plc = spawn_flexhil({"plc", "--scenario", scen}, log);
  const auto text = wait_for_text(plc, log, "serving");
  BOOST_TEST_REQUIRE(text.find("on 127.0.0.1:" + std::to_string(port)) != std::string::npos, text);
  const auto [mb, mb_out] =
      testing::run_shell("mbpoll -m tcp -a 1 -r 1 -c 1 -t 4 -1 -p " + std::to_string(port) + " 127.0.0.1");
  BOOST_TEST(mb == 0, mb_out);
  BOOST_TEST(std::regex_search(mb_out, std::regex(R"(\[1\]:\s+4321)")), mb_out);
  plc.signal(SIGINT);
  BOOST_TEST(plc.wait_for(10s).value_or(-1) == 0, read_text(log));
  // --port wins over the scenario's.
  auto other = spawn_flexhil({"plc", "--scenario", scen, "--port", "0"}, dir.file("plc2.log"));
  const auto text2 = wait_for_text(other, dir.file("plc2.log"), "serving");
  BOOST_TEST(text2.find("on 127.0.0.1:" + std::to_string(port) + " ") == std::string::npos, text2);
  BOOST_TEST(text2.find("serving") != std::string::npos, text2);
}

BOOST_AUTO_TEST_SUITE_END()
