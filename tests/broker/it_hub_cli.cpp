// `flexhil hub` as a user runs it: a child process with a registry, third-party clients
// (mosquitto_pub) accepted and refused on the one MQTTS port, one verdict line per event,
// capture.jsonl, Ctrl-C; the deprecated --x509-port/--sas-port.
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "broker/hub_event_line.hpp"
#include "common/net.hpp"
#include "common/process.hpp"
#include "tests/broker/hub_fixture.hpp"
#include "tests/support/test_env.hpp"
#include "tests/support/file_text.hpp"

using flexhil::testing::read_text;

using namespace flexhil;
using namespace flexhil::testing;

namespace {

std::uint16_t banner_port(const std::string& banner, const std::string& label) {
  std::smatch m;
  if (!std::regex_search(banner, m, std::regex(label + R"(\s+(\d+))"))) return 0;
  return static_cast<std::uint16_t>(std::stoi(m[1]));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(hub_cli)

BOOST_AUTO_TEST_CASE(malformed_registry_makes_flexhil_hub_exit_2_with_file_line_col_after_one_deprecation_line) {
  TempDir dir("flexhil-hub-cli");
  const auto registry = dir.write("bad.toml",
                                  "hub = \"clihub\"\n"
                                  "[[device]]\n"
                                  "id = \"Flexy1\"\n"
                                  "auth = \"kerberos\"\n");
  const auto r = run_program({flexhil_binary(), "hub", "--registry", registry, "--out", dir.file("out"), "--x509-port",
                              "0", "--sas-port", "0"},
                             dir);
  BOOST_TEST(r.exit_status == 2, r.output);
  BOOST_TEST(r.output.find("bad.toml:4:") != std::string::npos, r.output);
  BOOST_TEST(r.output.find("kerberos") != std::string::npos, r.output);
  // The old two-port options still parse, with one warning line naming the new option.
  const auto warning = r.output.find("warning: --x509-port/--sas-port are deprecated");
  BOOST_TEST(warning != std::string::npos, r.output);
  BOOST_TEST(r.output.find("warning:", warning + 1) == std::string::npos, r.output);
  BOOST_TEST(r.output.find("use --port") != std::string::npos, r.output);
}

BOOST_AUTO_TEST_CASE(contradicting_deprecated_port_options_are_a_usage_error) {
  TempDir dir("flexhil-hub-cli");
  const auto registry = dir.write("ok.toml", "hub = \"clihub\"\n");
  const auto r = run_program({flexhil_binary(), "hub", "--registry", registry, "--out", dir.file("out"), "--x509-port",
                              "8883", "--sas-port", "8884"},
                             dir);
  BOOST_TEST(r.exit_status == 2, r.output);
  BOOST_TEST(r.output.find("use --port") != std::string::npos, r.output);
}

BOOST_AUTO_TEST_CASE(flexhil_hub_judges_mosquitto_pub_clients_and_stops_with_mosquitto_on_ctrl_c) {
  HubFixture f("clihub");
  const auto sas = f.add_sas_device("FlexySas");
  const auto dev = f.add_self_signed_device("Flexy205Self");
  const auto stranger = f.make_unregistered_self_signed("Stranger");
  const auto registry = f.write_registry();
  const auto out_dir = f.dir().file("run");
  const auto stdout_path = f.dir().file("hub.out");

  ChildProcess::Options o;
  o.argv = {flexhil_binary(), "hub", "--registry", registry, "--out", out_dir, "--pki", f.dir().file("pki"),
            "--port", "0"};
  o.stdout_path = stdout_path;
  o.stderr_path = stdout_path;
  auto hub = ChildProcess::spawn(o);
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return read_text(stdout_path).find("Press Ctrl-C") != std::string::npos || !hub.running(); },
                                   std::chrono::seconds(20)) &&
                            hub.running(),
                        read_text(stdout_path));
  const auto banner = read_text(stdout_path);
  const auto port = banner_port(banner, "MQTTS port");
  BOOST_REQUIRE(port != 0);
  BOOST_TEST(banner.find("TLS 1.2 only") != std::string::npos, banner);
  std::smatch m;
  BOOST_REQUIRE(std::regex_search(banner, m, std::regex(R"(mosquitto pid (\d+))")));
  const int mosquitto_pid = std::stoi(m[1]);
  const auto ca = out_dir + "/ca.crt";
  BOOST_TEST(banner.find(ca) != std::string::npos);
  BOOST_TEST(banner.find("clihub.azure-devices.net") != std::string::npos);

  auto pub = [&](std::uint16_t port, const std::string& id, const std::string& password, const DeviceCert* cert) {
    std::vector<std::string> argv{"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(port), "--cafile", ca, "-i",
                                  id, "-u", f.username(id), "-t", "devices/" + id + "/messages/events/", "-m", "{}"};
    if (!password.empty()) argv.insert(argv.end(), {"-P", password});
    if (cert) argv.insert(argv.end(), {"--cert", cert->crt, "--key", cert->key});
    return run_program(argv, f.dir());
  };
  const auto sas_ok = pub(port, "FlexySas", f.sas_token("FlexySas"), nullptr);
  BOOST_TEST(sas_ok.exit_status == 0, sas_ok.output);
  const auto x509_ok = pub(port, "Flexy205Self", "", &dev);
  BOOST_TEST(x509_ok.exit_status == 0, x509_ok.output);
  const auto wrong_key = pub(port, "FlexySas",
                             f.sas_token("FlexySas", std::chrono::hours(1), certs::SrSpelling::percent_upper, random_sas_key()),
                             nullptr);
  BOOST_TEST(wrong_key.exit_status != 0);
  BOOST_TEST(wrong_key.output.find("not authorised") != std::string::npos, wrong_key.output);
  const auto unknown_cert = pub(port, "Flexy205Self", "", &stranger);  // completes TLS, CONNACK 5
  BOOST_TEST(unknown_cert.exit_status != 0, unknown_cert.output);
  BOOST_TEST(unknown_cert.output.find("not authorised") != std::string::npos, unknown_cert.output);
  // A device that distrusts the hub's certificate still fails at TLS.
  const auto distrusting = run_program({"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(port), "--cafile",
                                        dev.crt, "-t", "t", "-m", "x"},
                                       f.dir());
  BOOST_TEST(distrusting.exit_status != 0, distrusting.output);

  // One verdict line per event on the hub's output.
  const bool all_lines = wait_until(
      [&] {
        const auto text = read_text(stdout_path);
        return text.find("connect FlexySas mqtts accepted") != std::string::npos &&
               text.find("connect Flexy205Self mqtts accepted") != std::string::npos &&
               text.find("connect FlexySas mqtts refused (AUTH-SAS-SIGNATURE") != std::string::npos &&
               text.find("connect Flexy205Self mqtts refused (AUTH-X509-THUMBPRINT") != std::string::npos &&
               text.find("tls_failure 127.0.0.1:") != std::string::npos;
      },
      std::chrono::seconds(5));
  BOOST_TEST(all_lines, read_text(stdout_path));

  // Ctrl-C: the hub stops, and mosquitto with it.
  hub.signal(SIGINT);
  const auto status = hub.wait_for(std::chrono::seconds(10));
  BOOST_REQUIRE(status.has_value());
  BOOST_TEST(*status == 0, read_text(stdout_path));
  BOOST_TEST(wait_until([&] { return !std::filesystem::exists("/proc/" + std::to_string(mosquitto_pid)); },
                        std::chrono::seconds(5)),
             "mosquitto (pid " << mosquitto_pid << ") survived the hub");

  const auto events = read_capture(out_dir + "/capture.jsonl");
  int connects = 0, tls_failures = 0;
  for (const auto& e : events) {
    connects += e.value("kind", "") == "connect";
    tls_failures += e.value("kind", "") == "tls_failure";
  }
  BOOST_TEST(connects == 4);
  BOOST_TEST(tls_failures == 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(hub_event_lines)

BOOST_AUTO_TEST_CASE(refused_connect_line_gives_the_rule_id_and_the_reason) {
  const Json e{{"kind", "connect"},          {"wall", "2026-11-26T12:00:01.123456Z"}, {"device", "FlexySas"},
               {"listener", "mqtts"},          {"verdict", "refused"},                   {"connack", 5},
               {"reason_id", "AUTH-SAS-EXPIRED"}, {"reason", "token expired 3600 s ago"}};
  BOOST_TEST(broker::describe_event(e) == "12:00:01 connect FlexySas mqtts refused (AUTH-SAS-EXPIRED: token expired 3600 s ago)");
}

BOOST_AUTO_TEST_CASE(accepted_connect_and_publish_lines_are_one_line_each) {
  BOOST_TEST(broker::describe_event(Json{{"kind", "connect"}, {"wall", "2026-11-26T12:00:01Z"}, {"device", "Flexy205Self"},
                                         {"listener", "mqtts"}, {"verdict", "accepted"}}) ==
             "12:00:01 connect Flexy205Self mqtts accepted");
  BOOST_TEST(broker::describe_event(Json{{"kind", "publish"}, {"wall", "2026-11-26T12:00:02Z"}, {"device", "D"},
                                         {"topic", "devices/D/messages/events/"}, {"size", 12}, {"qos", 1},
                                         {"retain", false}, {"verdict", "accepted"}}) ==
             "12:00:02 publish D devices/D/messages/events/ 12 B qos 1 accepted");
}

BOOST_AUTO_TEST_CASE(fields_of_unexpected_types_are_shown_not_thrown) {
  // `retain` as a number and `qos` as a string (another producer, a hand-edited capture): the line
  // is still written, with the values as they are.
  BOOST_TEST(broker::describe_event(Json{{"kind", "publish"}, {"wall", "2026-11-26T12:00:02Z"}, {"device", "D"},
                                         {"topic", "t"}, {"size", 3}, {"qos", "1"}, {"retain", 1},
                                         {"verdict", "accepted"}}) == "12:00:02 publish D t 3 B qos 1 accepted");
  BOOST_TEST(broker::describe_event(Json::array({1})) == "--:--:-- ");
}

BOOST_AUTO_TEST_SUITE_END()
