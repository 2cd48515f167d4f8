// Real HTTP actions of the emulated Flexy: a BASIC program's REQUESTHTTPX, PUTHTTP and GETHTTP
// to hosts [actions] resolve maps reach a real HttpEndpoint on loopback, and ONSTATUS,
// ACTIONSTAT and RESPONSEHTTPX see the server's answer — 201 with its body, 500, a refused
// connection (an error status, STATUSCODE 0), a GETHTTP file written under /usr — while a host
// that is not mapped keeps the scenario's scripted outcome.
#include <boost/test/unit_test.hpp>

#include <fmt/format.h>
#include <fstream>
#include <iterator>

#include "common/net.hpp"
#include "common/sha256.hpp"
#include "common/toml_reader.hpp"
#include "sim/endpoints/http_endpoint.hpp"
#include "sim/flexy/runtime/flexy_device.hpp"
#include "tests/support/temp_dir.hpp"

using namespace flexhil;
using namespace flexhil::flexy;
using namespace std::chrono_literals;

namespace {

endpoints::HttpEndpointConfig endpoint_config() {
  const auto doc = parse_toml_string(
      "routes = [{ path = \"/api/data\", status = 201, body = \"created\" },\n"
      "          { path = \"/api/fail\", status = 500, body = \"boom\" },\n"
      "          { path = \"/files/recipe.txt\", body = \"speed=12\" }]\n",
      "e.toml");
  TomlTable t(doc, "e.toml");
  return endpoints::load_http_endpoint_config(t);
}

bool has_prefix(const std::vector<std::string>& lines, const std::string& prefix) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.rfind(prefix, 0) == 0; });
}

std::vector<Json> of_kind(const MemorySink& sink, const std::string& kind) {
  std::vector<Json> out;
  for (const auto& e : sink.events())
    if (e.value("kind", "") == kind) out.push_back(e);
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "|";
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http_actions)

BOOST_AUTO_TEST_CASE(mapped_http_actions_are_performed_and_the_program_sees_the_server_answer) {
  testing::TempDir dir;
  MemorySink endpoint_events;
  endpoints::HttpEndpoint http({endpoint_config(), dir.file("bodies"), "bodies", &endpoint_events, 2});
  http.start("127.0.0.1", 0);
  const auto closed_port = pick_free_port();

  FlexyConfig config;
  config.usr_dir = dir.file("usr");
  std::filesystem::create_directories(config.usr_dir);
  config.actions.fail_code = 7;
  config.actions.delay_seconds = 0.2;
  config.actions.resolve["api.example.com"] = fmt::format("127.0.0.1:{}", http.port());
  config.actions.resolve["down.example.com"] = fmt::format("127.0.0.1:{}", closed_port);
  const char* program =
      "ONSTATUS \"GOTO Done\"\n"
      "Step% = 1\n"
      "REQUESTHTTPX \"http://api.example.com/api/data?site=7\", \"POST\", \"Content-Type=application/json\", "
      "'{\"t\":21.5}', \"\", \"/usr/resp.txt\"\n"
      "END\n"
      "Done:\n"
      "SETSYS PRG,\"ACTIONID\", GETSYS PRG,\"EVTINFO\"\n"
      "PRINT \"step \"; Step%; \" stat \"; GETSYS PRG,\"ACTIONSTAT\"; \" http \"; RESPONSEHTTPX \"STATUSCODE\"; "
      "\" body \"; RESPONSEHTTPX \"RESPONSE-BODY\"\n"
      "Step% = Step% + 1\n"
      "IF Step% = 2 THEN REQUESTHTTPX \"http://api.example.com/api/fail\", \"GET\"\n"
      "IF Step% = 3 THEN REQUESTHTTPX \"http://down.example.com/x\", \"GET\"\n"
      "IF Step% = 4 THEN PUTHTTP \"api.example.com\", \"/api/fail\", \"a=1\", \"\"\n"
      "IF Step% = 5 THEN GETHTTP \"api.example.com\", \"/usr/recipe.txt\", \"/files/recipe.txt\"\n"
      "IF Step% = 6 THEN REQUESTHTTPX \"http://unmapped.example.com/x\", \"GET\"\n"
      "END\n";
  MemorySink sink;
  FlexyDevice dev(FlexyDeviceOptions{config, basic::parse_program(program, "http.bas"), nullptr, &sink, nullptr});
  dev.start();
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return has_prefix(dev.console(), "step 6 "); }, 10s), joined(dev.console()));
  const auto console = dev.console();
  BOOST_TEST(has_prefix(console, "step 1 stat 0 http 201 body created"), joined(console));
  BOOST_TEST(has_prefix(console, "step 2 stat 0 http 500 body boom"), joined(console));  // an answer, not a failure
  BOOST_TEST(has_prefix(console, "step 3 stat 7 http 0 body"), joined(console));         // refused: an error
  BOOST_TEST(has_prefix(console, "step 4 stat 7 "), joined(console));                    // PUTHTTP fails on 500
  BOOST_TEST(has_prefix(console, "step 5 stat 0 "), joined(console));
  BOOST_TEST(has_prefix(console, "step 6 stat 0 http 200 body"), joined(console));       // scripted
  dev.stop();

  std::ifstream resp(dir.file("usr/resp.txt"));
  BOOST_TEST(std::string(std::istreambuf_iterator<char>(resp), {}) == "created");
  std::ifstream recipe(dir.file("usr/recipe.txt"));
  BOOST_TEST(std::string(std::istreambuf_iterator<char>(recipe), {}) == "speed=12");

  // What the server received: four requests (the refused and the unmapped ones never arrive).
  const auto got = of_kind(endpoint_events, "endpoint_request");
  BOOST_REQUIRE(got.size() == 4u);
  BOOST_TEST(got[0].value("method", "") == "POST");
  BOOST_TEST(got[0].value("path", "") == "/api/data");
  BOOST_TEST(got[0].value("query", "") == "site=7");
  BOOST_TEST(got[0].value("host", "") == "api.example.com");
  BOOST_TEST(got[0].value("sha256", "") == sha256_hex(R"({"t":21.5})"));
  BOOST_TEST(got[0]["headers"].value("Content-Type", "") == "application/json");
  BOOST_TEST(got[2].value("method", "") == "POST");
  BOOST_TEST(got[2].value("sha256", "") == sha256_hex("a=1"));
  BOOST_TEST(got[3].value("method", "") == "GET");
  BOOST_TEST(got[3].value("path", "") == "/files/recipe.txt");

  // The device's own account: performed actions say so, with the server's status or the error.
  const auto actions = of_kind(sink, "dut_action");
  int performed_done = 0;
  for (const auto& a : actions) {
    if (a.value("phase", "") != "done" || !a.value("performed", false)) continue;
    ++performed_done;
    if (a.value("action_id", 0) == 1) BOOST_TEST(a.value("http_status", 0) == 201);
    if (a.value("action_id", 0) == 3) BOOST_TEST(a.value("error", "").find("refused") != std::string::npos);
  }
  BOOST_TEST(performed_done == 5);
  const auto start1 = std::find_if(actions.begin(), actions.end(), [](const Json& a) {
    return a.value("action_id", 0) == 1 && a.value("phase", "") == "start";
  });
  BOOST_REQUIRE(start1 != actions.end());
  BOOST_TEST(start1->value("sha256", "") == got[0].value("sha256", ""));
  BOOST_TEST(start1->value("endpoint", "") == fmt::format("127.0.0.1:{}", http.port()));
}

BOOST_AUTO_TEST_SUITE_END()
