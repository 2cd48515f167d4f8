// [endpoints.http], [endpoints.smtp], [endpoints.ftp] and the "http", "smtp" and "ftp" targets of
// [dut.flexy.hosts] in the scenario loader: what loads,
// and a ConfigError with file:line:col for a host routed to an endpoint the scenario lacks, a
// target that does not exist and a bad route.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>

#include "common/error.hpp"
#include "harness/run/run_parts.hpp"
#include "harness/scenario/scenario.hpp"
#include "tests/scenarios/loader_errors.hpp"
#include "tests/support/test_env.hpp"

using namespace flexhil;
using flexhil::testing::error_of;
using flexhil::testing::expect_error_at;

namespace {

std::string scenario_text(const std::string& endpoints, const std::string& hosts) {
  return "name = \"h\"\nduration = \"60s\"\n[hub]\n[hub.registry]\nhub = \"flexhil-hub\"\n[[hub.registry.device]]\n"
         "id = \"D1\"\nauth = \"sas\"\nprimary_key = \"c2NlbmFyaW8tbGlicmFyeS1zYXMta2V5\"\n" +
         endpoints + "\n[dut]\ndevice = \"D1\"\nprogram = \"" + testing::source_dir() +
         "/scenarios/programs/configurable_publisher.bas\"\n[dut.flexy]\n[dut.flexy.hosts]\n" + hosts;
}




const std::string kEndpoint =
    "[endpoints.http]\nroutes = [{ path = \"/api/data\", status = 201, body = \"ok\" }]\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(endpoints_loader)

BOOST_AUTO_TEST_CASE(a_host_routed_to_http_loads_with_the_endpoint_and_its_routes) {
  const auto s = scenario::load_scenario_string(
      scenario_text(kEndpoint, "\"API.example.com\" = \"http\"\n\"files.example.com:8080\" = \"http\"\n"), "s.toml");
  BOOST_REQUIRE(s.endpoints.http);
  BOOST_REQUIRE_EQUAL(s.endpoints.http->routes.size(), 1u);
  BOOST_TEST(s.endpoints.http->routes[0].answer.status == 201);
  BOOST_REQUIRE_EQUAL(s.dut.hosts.size(), 2u);
  BOOST_TEST((s.dut.hosts[0].target == scenario::HostTarget::http));
  BOOST_TEST(s.dut.hosts[0].host == "api.example.com");

  // The emulated Flexy's actions go to the endpoint by the key as written; MQTT is not rerouted.
  const auto config = run::emulated_config(s, "/tmp/usr", run::HubRoute{"flexhil-hub.azure-devices.net", "127.0.0.1:1"},
                                           std::nullopt, std::uint16_t{18080});
  BOOST_TEST(config.actions.resolve.at("api.example.com") == "127.0.0.1:18080");
  BOOST_TEST(config.actions.resolve.at("files.example.com:8080") == "127.0.0.1:18080");
  BOOST_TEST(config.mqtt.resolve.count("api.example.com") == 0u);
}

BOOST_AUTO_TEST_CASE(a_host_routed_to_http_without_an_endpoint_is_refused_at_its_key) {
  const auto text = scenario_text("", "\"api.example.com\" = \"http\"\n");
  expect_error_at(text, "\"http\"", "no [endpoints.http] table");
}

BOOST_AUTO_TEST_CASE(an_unknown_target_lists_the_endpoints_among_the_valid_ones) {
  const auto text = scenario_text(kEndpoint, "\"pop.example.com\" = \"pop3\"\n");
  expect_error_at(text, "\"pop3\"", "expected one of: broker, plc, hub, http, smtp, ftp");
}

BOOST_AUTO_TEST_CASE(hosts_routed_to_smtp_and_ftp_load_with_their_sinks) {
  const auto s = scenario::load_scenario_string(
      scenario_text("[endpoints.smtp]\nfail_code = 554\n[endpoints.ftp]\nuser = \"u\"\npassword = \"p\"\n",
                    "\"Mail.example.com\" = \"smtp\"\n\"ftp.example.com:2121\" = \"ftp\"\n"),
      "s.toml");
  BOOST_REQUIRE(s.endpoints.smtp);
  BOOST_TEST(s.endpoints.smtp->fail_code == 554);
  BOOST_REQUIRE(s.endpoints.ftp);
  BOOST_TEST(s.endpoints.ftp->user == "u");
  const auto config = run::emulated_config(s, "/tmp/usr", run::HubRoute{"flexhil-hub.azure-devices.net", "127.0.0.1:1"},
                                           std::nullopt, run::EndpointPorts{std::nullopt, 12525, 12121});
  BOOST_TEST(config.actions.smtp_resolve.at("mail.example.com") == "127.0.0.1:12525");
  BOOST_TEST(config.actions.ftp_resolve.at("ftp.example.com:2121") == "127.0.0.1:12121");
  BOOST_TEST(config.actions.resolve.empty());  // an HTTP action to the mail host stays scripted
}

BOOST_AUTO_TEST_CASE(a_host_routed_to_smtp_or_ftp_without_its_sink_is_refused_at_its_key) {
  expect_error_at(scenario_text("", "\"mail.example.com\" = \"smtp\"\n"), "\"smtp\"", "no [endpoints.smtp] table");
  expect_error_at(scenario_text(kEndpoint, "\"ftp.example.com\" = \"ftp\"\n"), "\"ftp\"", "no [endpoints.ftp] table");
}

BOOST_AUTO_TEST_CASE(bad_endpoint_tables_are_refused_with_their_position) {
  expect_error_at(scenario_text("[endpoints.http]\nroutes = [{ path = \"api\" }]\n", ""), "path = \"api\"",
                  "not a request path");
  expect_error_at(scenario_text("[endpoints.imap]\n", ""), "[endpoints.imap]", "imap");
  expect_error_at(scenario_text("[endpoints.smtp]\nfail_code = 250\n", ""), "fail_code = 250", "fail_code");
  expect_error_at(scenario_text("[endpoints.smtp]\nbanner = \"x\"\n", ""), "banner", "banner");
  expect_error_at(scenario_text("[endpoints.ftp]\nserve_dir = \"/nonexistent-flexhil\"\n", ""), "serve_dir", "not a folder");
  expect_error_at(scenario_text("[endpoints.ftp]\nfiles = { \"/a/../b\" = \"x\" }\n", ""), "\"/a/../b\"",
                  "not a server file path");
  expect_error_at(scenario_text("[endpoints.http]\nstatus = 700\n", ""), "status = 700", "status");
}

BOOST_AUTO_TEST_SUITE_END()
