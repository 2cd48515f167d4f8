// The fixture Azure publishers (X.509 and SAS) run unchanged — only their configuration block is
// filled in — on the emulated Flexy against the real impersonated hub and a real PLC simulator,
// at time scale 10: they connect through the host-name override, push all tags every 20 s
// (2 s real) and changed tags every 2 s, with values equal to the PLC's, and reconnect after the
// hub restarts.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <ctime>
#include <regex>

#include "certs/sas_token.hpp"
#include "common/net.hpp"
#include "sim/flexy/runtime/flexy_device.hpp"
#include "sim/plc/plc_config.hpp"
#include "sim/plc/plc_server.hpp"
#include "tests/flexy_runtime/it_support.hpp"
#include "tests/support/test_env.hpp"

using namespace flexhil;
using namespace flexhil::flexy;
using namespace flexhil::testing;
using namespace std::chrono_literals;

namespace {

constexpr double kScale = 10.0;
const std::vector<std::string> kGroupA{"Temperature", "Pressure", "Running", "Counter"};

struct Push {
  Json body;
  std::int64_t mono_ns = 0;
};

// Accepted telemetry of `device`, parsed; full pushes carry every tag of group A.
std::vector<Push> pushes(HubFixture& f, const std::string& device, std::size_t since = 0) {
  std::vector<Push> out;
  const auto events = f.events().events();
  for (std::size_t k = since; k < events.size(); ++k) {
    const auto& e = events[k];
    if (e.value("kind", "") != "publish" || e.value("device", "") != device) continue;
    BOOST_TEST(e.value("topic", "") == "devices/" + device + "/messages/events/");
    out.push_back({Json::parse(payload_of(e)), e.value("mono_ns", std::int64_t{0})});
  }
  return out;
}

bool is_full(const Push& p) {
  for (const auto& k : kGroupA)
    if (!p.body.contains(k)) return false;
  return true;
}

std::vector<Push> full_pushes(HubFixture& f, const std::string& device, std::size_t since = 0) {
  std::vector<Push> out;
  for (auto& p : pushes(f, device, since))
    if (is_full(p)) out.push_back(p);
  return out;
}

double value_of(const Push& p, const std::string& tag) {
  BOOST_REQUIRE(p.body.at(tag).is_string());  // values are STR$ strings
  return std::stod(p.body.at(tag).get<std::string>());
}

// "time" is the Flexy's local time (Europe/Paris) as YYYY-MM-DD HH:MM:SS.
void check_time(const Push& p, const Clock& clock, const TimeZone& zone) {
  const auto text = p.body.at("time").get<std::string>();
  BOOST_REQUIRE(std::regex_match(text, std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)")));
  std::tm tm{};
  std::sscanf(text.c_str(), "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const auto local = static_cast<std::int64_t>(timegm(&tm));
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(clock.wall().time_since_epoch()).count();
  BOOST_TEST(std::abs(local - (now + zone.offset_at(now))) < 120);  // scenario seconds
}

struct Rig {
  HubFixture hub;
  std::shared_ptr<ScaledClock> clock = std::make_shared<ScaledClock>(kScale);
  std::unique_ptr<plc::PlcServer> plc;
  MemorySink dut_events;
  std::unique_ptr<FlexyDevice> device;

  FlexyConfig config(const std::string& fixture_toml, const std::string& id, std::uint16_t hub_port,
                     const DeviceCert* cert) {
    plc = std::make_unique<plc::PlcServer>(plc::load_plc_config_string(kFixturePlc, "plc.toml"), *clock);
    plc->start("127.0.0.1", 0);
    auto c = load_flexy_config_file(fixture(fixture_toml));
    c.device_name = id;
    c.time_scale = kScale;
    c.usr_dir = make_usr_dir(hub, "usr-" + id, cert);
    c.topics[0].port = plc->port();
    c.mqtt.resolve.clear();
    c.mqtt.resolve[hub.hub_host()] = "127.0.0.1:" + std::to_string(hub_port);
    c.mqtt.reconnect_delay_seconds = 2;  // 0.2 s real
    return c;
  }
  void run(FlexyConfig c, const std::string& program_text, const std::string& name) {
    device = std::make_unique<FlexyDevice>(
        FlexyDeviceOptions{std::move(c), basic::parse_program(program_text, name), clock, &dut_events, nullptr});
    device->start();
  }
  std::string diagnostics() const {
    std::string all;
    for (const auto& l : device->log()) all += "log: " + l + "\n";
    for (const auto& l : device->console()) all += "console: " + l + "\n";
    return all;
  }
};

// What both publishers must do once connected.
void check_publisher(Rig& rig, const std::string& id) {
  auto& f = rig.hub;
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return full_pushes(f, id).size() >= 3; }, 20s), rig.diagnostics());
  const auto full = full_pushes(f, id);
  for (const auto& p : full) {
    BOOST_TEST(value_of(p, "Temperature") == 21.5);
    BOOST_TEST(value_of(p, "Pressure") == 10.13, boost::test_tools::tolerance(1e-5));
    BOOST_TEST(value_of(p, "Running") == 1.0);
    BOOST_TEST(value_of(p, "Counter") == 123456.0);
    BOOST_TEST(!p.body.contains("Setpoint"));  // group B is not selected
    check_time(p, *rig.clock, rig.device->config().time_zone);
  }
  // Full pushes every 20 scenario seconds = 2 s real.
  for (std::size_t k = 1; k < full.size(); ++k) {
    const double gap = static_cast<double>(full[k].mono_ns - full[k - 1].mono_ns) / 1e9 * kScale;
    BOOST_TEST(gap > 18.0);
    BOOST_TEST(gap < 22.0);
  }
  // A PLC change shows up in a change push within one change period (2 s scenario).
  const auto mark = f.mark();
  rig.plc->set_value("Temperature", 30.25);
  BOOST_REQUIRE_MESSAGE(wait_until([&] {
                          for (const auto& p : pushes(f, id, mark))
                            if (!is_full(p) && p.body.contains("Temperature")) return true;
                          return false;
                        }, 5s),
                        rig.diagnostics());
  for (const auto& p : pushes(f, id, mark)) {
    if (is_full(p)) continue;
    BOOST_TEST(value_of(p, "Temperature") == 30.25);
    BOOST_TEST(!p.body.contains("Pressure"));  // only what changed
    BOOST_TEST(p.body.contains("time"));
    break;
  }
  // A cloud-to-device message reaches the program's ONMQTT handler (READ / MSGTOPIC / MSGDATA).
  f.hub().send_c2d(id, "ping from the cloud");
  BOOST_REQUIRE_MESSAGE(wait_until([&] {
                          for (const auto& l : rig.device->console())
                            if (l.rfind("Message on devices/" + id + "/messages/devicebound/", 0) == 0 &&
                                l.find(": ping from the cloud") != std::string::npos)
                              return true;
                          return false;
                        }, 5s),
                        rig.diagnostics());
  // The hub restarts: the Flexy reconnects by itself and full pushes resume.
  const auto before_restart = f.mark();
  f.hub().restart();
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return full_pushes(f, id, before_restart).size() >= 1; }, 20s),
                        rig.diagnostics());
  BOOST_TEST(value_of(full_pushes(f, id, before_restart).back(), "Temperature") == 30.25);
  bool saw_status_4 = false;
  for (const auto& l : rig.device->console()) saw_status_4 = saw_status_4 || l == "MQTT status 4";
  BOOST_TEST(saw_status_4);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(azure_publishers)

BOOST_AUTO_TEST_CASE(x509_publisher_pushes_plc_values_at_the_configured_periods_and_survives_a_hub_restart) {
  Rig rig;
  const std::string id = "FlexyX509";
  const auto cert = rig.hub.add_self_signed_device(id);
  rig.hub.start();
  auto config = rig.config("flexy/azure_x509.toml", id, rig.hub.hub().ports().mqtts, &cert);
  const auto program = configure_program(read_text(fixture("programs/azure_x509_publisher.bas")),
                                         {{"DeviceId$", "\"" + id + "\""}, {"IoTHub$", "\"" + rig.hub.hub_name() + "\""}});
  rig.run(config, program, "azure_x509_publisher.bas");
  const auto connect = rig.hub.wait_for_connect(id, 0, 15s);
  BOOST_REQUIRE_MESSAGE(connect.has_value(), rig.diagnostics());
  BOOST_TEST(connect->value("verdict", "") == "accepted", connect->dump());
  check_publisher(rig, id);
}

BOOST_AUTO_TEST_CASE(sas_publisher_pushes_plc_values_with_a_sas_token_password) {
  Rig rig;
  const std::string id = "FlexySas";
  rig.hub.add_sas_device(id);
  rig.hub.start();
  const auto token = certs::parse_sas_token(rig.hub.sas_token(id, std::chrono::hours(2), certs::SrSpelling::percent_upper));
  BOOST_REQUIRE(token.has_value());
  auto config = rig.config("flexy/azure_sas.toml", id, rig.hub.hub().ports().mqtts, nullptr);
  const auto program = configure_program(read_text(fixture("programs/azure_sas_publisher.bas")),
                                         {{"DeviceId$", "\"" + id + "\""},
                                          {"IoTHub$", "\"" + rig.hub.hub_name() + "\""},
                                          {"SasSig$", "\"" + certs::url_encode(token->signature) + "\""},
                                          {"SasExpiry$", "\"" + token->se_raw + "\""}});
  rig.run(config, program, "azure_sas_publisher.bas");
  const auto connect = rig.hub.wait_for_connect(id, 0, 15s);
  BOOST_REQUIRE_MESSAGE(connect.has_value(), rig.diagnostics());
  BOOST_TEST(connect->value("verdict", "") == "accepted", connect->dump());
  BOOST_TEST(connect->value("auth", "") == "sas");
  check_publisher(rig, id);
}

BOOST_AUTO_TEST_SUITE_END()
