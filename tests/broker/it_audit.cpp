// The audit stream must not lose what happens while no harness connection listens: a device
// that reconnects right after a broker restart can be faster than the harness's own client.
// The plugin holds audit events until an internal client subscribes, then sends them in order.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <regex>

#include "common/net.hpp"
#include "common/process.hpp"
#include "tests/broker/hub_fixture.hpp"

using namespace flexhil;
using namespace flexhil::testing;
using namespace std::chrono_literals;

namespace {
std::string conf_value(const std::string& conf_path, const std::string& key) {
  std::ifstream in(conf_path);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + " ", 0) == 0) return line.substr(key.size() + 1);
  return {};
}
}  // namespace

BOOST_AUTO_TEST_CASE(connect_verdicts_before_the_harness_subscribes_are_delivered_when_it_does) {
  HubFixture f;
  f.add_sas_device("Early");
  f.start();
  const auto conf = f.hub().config_file();
  const auto sas_port = f.hub().ports().sas;
  const auto internal_port = f.hub().ports().internal;
  const auto user = conf_value(conf, "plugin_opt_internal_username");
  const auto password = conf_value(conf, "plugin_opt_internal_password");
  BOOST_REQUIRE(!user.empty() && !password.empty());
  f.hub().stop();

  // The same broker and plugin, but nobody subscribed to the audit stream yet.
  ChildProcess::Options o;
  o.argv = {"mosquitto", "-c", conf};
  o.env = broker::mosquitto_environment();
  auto broker = ChildProcess::spawn(o);
  BOOST_REQUIRE(wait_for_tcp_port("127.0.0.1", internal_port, 10s, [&] { return broker.running(); }));
  BOOST_REQUIRE(wait_for_tcp_port("127.0.0.1", sas_port, 10s, [&] { return broker.running(); }));
  const auto pub = run_program({"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(sas_port), "--cafile",
                                f.ca_file(), "-i", "Early", "-u", f.username("Early"), "-P", f.sas_token("Early"),
                                "-V", "mqttv311", "-t", "devices/Early/messages/events/", "-m", "{\"a\":1}"},
                               f.dir());
  BOOST_TEST_INFO(pub.output);
  BOOST_REQUIRE(pub.exit_status == 0);

  // Now the harness arrives: the held connect, publish and disconnect come first, in order.
  const auto sub = run_program({"mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(internal_port), "-u", user,
                                "-P", password, "-t", "$flexhil/audit", "-C", "3", "-W", "10"},
                               f.dir(), 15s);
  BOOST_TEST_INFO(sub.output);
  BOOST_REQUIRE(sub.exit_status == 0);
  std::istringstream lines(sub.output);
  std::vector<Json> events;
  for (std::string line; std::getline(lines, line);)
    if (!line.empty() && line.front() == '{') events.push_back(Json::parse(line));
  BOOST_REQUIRE(events.size() == 3u);
  BOOST_TEST(events[0]["kind"] == "connect");
  BOOST_TEST(events[0]["device"] == "Early");
  BOOST_TEST(events[0]["verdict"] == "accepted");
  BOOST_TEST(events[1]["kind"] == "publish");
  BOOST_TEST(events[2]["kind"] == "disconnect");
  broker.stop();
}
