// The events and outbound actions of the real FlexyDevice: an alarm on a polled PLC tag
// (ONALARM, ALSTAT, ALMACK, dut_alarm events), SENDMAIL/PUTFTP/GETFTP as dut_action events with
// ONSTATUS and ACTIONSTAT under the scenario's outcome policy, ONDATE in the device's time zone,
// an SMS delivered to ONSMS and the WAN link going down for ONPPP.
#include <boost/test/unit_test.hpp>

#include "common/net.hpp"
#include "sim/flexy/runtime/flexy_device.hpp"
#include "sim/flexy/runtime/outbound_actions.hpp"
#include "sim/plc/plc_config.hpp"
#include "sim/plc/plc_server.hpp"
#include "tests/flexy_runtime/it_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_env.hpp"

using namespace flexhil;
using namespace flexhil::flexy;
using namespace flexhil::testing;
using namespace std::chrono_literals;

namespace {


std::vector<Json> events_of(const MemorySink& sink, const std::string& kind) {
  std::vector<Json> out;
  for (const auto& e : sink.events())
    if (e.value("kind", "") == kind) out.push_back(e);
  return out;
}

std::string last_log(const FlexyDevice& dev) { return dev.log().empty() ? "" : dev.log().back(); }

FlexyConfig config_for(const plc::PlcServer& plc, const std::string& usr_dir) {
  auto config = load_flexy_config_file(fixture("flexy/azure_x509.toml"));
  config.topics[0].port = plc.port();
  config.topics[0].poll_seconds = 0.2;
  config.usr_dir = usr_dir;
  return config;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(events_and_actions)

BOOST_AUTO_TEST_CASE(a_polled_tag_over_its_limit_raises_onalarm_and_almack_then_return_ends_it) {
  auto clock = std::make_shared<ScaledClock>(10.0);
  plc::PlcServer plc(plc::load_plc_config_string(kFixturePlc, "plc.toml"), *clock);
  plc.start("127.0.0.1", 0);
  TempDir dir;
  auto config = config_for(plc, dir.path().string());
  config.time_scale = 10;
  config.tags[0].alarm.enabled = true;  // Temperature
  config.tags[0].alarm.high = 25.0;
  config.tags[0].alarm.deadband = 1.0;
  config.tags[0].alarm.hint = "tank too hot";
  const char* program =
      "ONALARM \"Temperature\", \"GOTO Al\"\n"
      "SETSYS TAG,\"load\",\"Temperature\"\n"
      "PRINT \"setup \"; GETSYS TAG,\"AlEnabled\"; \" \"; GETSYS TAG,\"AlHigh\"; \" \"; GETSYS TAG,\"AlHint\"\n"
      "END\n"
      "Al:\n"
      "s% = ALSTAT \"Temperature\"\n"
      "PRINT \"alarm \"; GETSYS PRG,\"EVTINFO\"; \" \"; s%\n"
      "IF s% = 2 THEN ALMACK \"Temperature\", \"operator\"\n"
      "END\n";
  MemorySink sink;
  FlexyDevice dev(FlexyDeviceOptions{config, basic::parse_program(program, "alarm.bas"), clock, &sink, nullptr});
  dev.start();
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return has_line(dev.console(), "setup 1 25 tank too hot"); }, 5s), last_log(dev));
  BOOST_TEST(dev.alarm_status("Temperature").value_or(-1) == 0);

  plc.set_value("Temperature", 30.0);
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return has_line(dev.console(), "alarm 1 3"); }, 5s),
                        "console: " << dev.console().size() << " log: " << last_log(dev));
  BOOST_TEST(has_line(dev.console(), "alarm 1 2"));  // ALM, then the ACK the handler made
  BOOST_TEST(dev.alarm_status("Temperature").value_or(-1) == 3);

  // 24.5 is inside the limit but not by the deadband: still acknowledged; 20 ends the alarm.
  plc.set_value("Temperature", 24.5);
  plc.set_value("Temperature", 20.0);
  BOOST_REQUIRE(wait_until([&] { return dev.alarm_status("Temperature").value_or(-1) == 0; }, 5s));
  BOOST_REQUIRE(wait_until([&] { return events_of(sink, "dut_alarm").size() >= 3u; }, 5s));
  const auto alarms = events_of(sink, "dut_alarm");
  BOOST_TEST(alarms[0].value("transition", "") == "ALM");
  BOOST_TEST(alarms[0].value("tag", "") == "Temperature");
  BOOST_TEST(alarms[0].value("value", 0.0) == 30.0);
  BOOST_TEST(alarms[1].value("transition", "") == "ACK");
  BOOST_TEST(alarms[1].value("user", "") == "operator");
  BOOST_TEST(alarms[2].value("transition", "") == "END");
  dev.stop();
}

BOOST_AUTO_TEST_CASE(outbound_actions_become_dut_action_events_and_onstatus_sees_the_policy_outcome) {
  auto clock = std::make_shared<ScaledClock>(10.0);
  plc::PlcServer plc(plc::load_plc_config_string(kFixturePlc, "plc.toml"), *clock);
  plc.start("127.0.0.1", 0);
  TempDir dir;
  auto config = config_for(plc, dir.path().string());
  config.time_scale = 10;
  config.actions.delay_seconds = 2;
  config.actions.per_kind["putftp"] = false;
  config.actions.fail_code = 7;
  config.actions.response_file = dir.write("recipe.txt", "speed=12\n");
  const char* program =
      "ONSTATUS \"GOTO Done\"\n"
      "SENDMAIL \"ops@example.com\", \"\", \"High temp\", \"T=30\"\n"
      "PRINT \"mail \"; GETSYS PRG,\"ACTIONID\"; \" \"; GETSYS PRG,\"ACTIONSTAT\"\n"
      "PUTFTP \"/daily.csv\", \"a;b\"\n"
      "GETFTP \"/recipe.txt\", \"/usr/recipe.txt\"\n"
      "REQUESTHTTPX \"https://api.example.com/recipe\", \"GET\"\n"
      "END\n"
      "Done:\n"
      "SETSYS PRG,\"ACTIONID\", GETSYS PRG,\"EVTINFO\"\n"
      "PRINT \"done \"; GETSYS PRG,\"EVTINFO\"; \" \"; GETSYS PRG,\"ACTIONSTAT\"\n"
      "IF GETSYS PRG,\"EVTINFO\" = 4 THEN PRINT \"http \"; RESPONSEHTTPX \"STATUSCODE\"; \" \"; RESPONSEHTTPX \"RESPONSE-BODY\"\n"
      "END\n";
  MemorySink sink;
  FlexyDevice dev(FlexyDeviceOptions{config, basic::parse_program(program, "actions.bas"), clock, &sink, nullptr});
  dev.start();
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return has_line(dev.console(), "http 200 speed=12\n"); }, 5s),
                        "console: " << dev.console().size() << " log: " << last_log(dev));
  BOOST_TEST(has_line(dev.console(), "mail 1 -1"));  // in progress right after SENDMAIL
  BOOST_TEST(has_line(dev.console(), "done 1 0"));
  BOOST_TEST(has_line(dev.console(), "done 2 7"));   // the policy fails PUTFTP with code 7
  BOOST_TEST(read_text(dir.file("recipe.txt")) == "speed=12\n");  // GETFTP wrote /usr/recipe.txt

  const auto actions = events_of(sink, "dut_action");
  BOOST_TEST(has_line(dev.console(), "done 3 0"));
  BOOST_REQUIRE(actions.size() == 8u);  // start + done of each
  BOOST_TEST(actions[0].value("action", "") == "sendmail");
  BOOST_TEST(actions[0].value("phase", "") == "start");
  BOOST_TEST(actions[0].value("destination", "") == "ops@example.com");
  BOOST_TEST(actions[0].value("subject", "") == "High temp");
  BOOST_TEST(actions[0].value("size", 0) == 4);
  BOOST_TEST(actions[0].value("sha256", "") == sha256_hex("T=30"));
  BOOST_TEST(actions[0].value("line", 0) == 2);
  BOOST_TEST(actions[0].value("device", "") == "Flexy205");
  bool putftp_failed = false;
  for (const auto& a : actions)
    if (a.value("action", "") == "putftp" && a.value("phase", "") == "done") putftp_failed = a.value("status", 0) == 7;
  BOOST_TEST(putftp_failed);
  dev.stop();
}

BOOST_AUTO_TEST_CASE(ondate_fires_at_the_planned_local_minute_of_the_device_time_zone) {
  // 06:59:45 UTC is 07:59:45 in Paris (winter): "0 8 * * *" fires 15 s later, 0.25 s real at x60.
  const auto start = std::chrono::system_clock::time_point(std::chrono::seconds(1796021985));
  auto clock = std::make_shared<ScaledClock>(60.0, start);
  plc::PlcServer plc(plc::load_plc_config_string(kFixturePlc, "plc.toml"), *clock);
  plc.start("127.0.0.1", 0);
  TempDir dir;
  auto config = config_for(plc, dir.path().string());
  config.time_scale = 60;
  const char* program =
      "ONDATE 2, \"0 8 * * *\", \"GOTO Daily\"\n"
      "ONDATE 3, \"0 9 * * *\", \"GOTO Daily\"\n"
      "END\n"
      "Daily:\n"
      "PRINT \"daily \"; GETSYS PRG,\"EVTINFO\"; \" \"; TIME$\n"
      "END\n";
  MemorySink sink;
  FlexyDevice dev(FlexyDeviceOptions{config, basic::parse_program(program, "date.bas"), clock, &sink, nullptr});
  dev.start();
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return !dev.console().empty(); }, 5s), last_log(dev));
  const auto line = dev.console().front();
  BOOST_TEST(line.rfind("daily 2 30/11/2026 08:00:", 0) == 0, line);
  dev.stop();
}

BOOST_AUTO_TEST_CASE(an_sms_reaches_onsms_and_the_wan_link_going_down_reaches_onppp) {
  auto clock = std::make_shared<ScaledClock>(10.0);
  plc::PlcServer plc(plc::load_plc_config_string(kFixturePlc, "plc.toml"), *clock);
  plc.start("127.0.0.1", 0);
  TempDir dir;
  auto config = config_for(plc, dir.path().string());
  const char* program =
      "ONSMS \"GOTO Sms\"\n"
      "ONPPP \"PRINT 'ppp '; GETSYS PRG,'EVTINFO'\"\n"
      "PRINT \"ready\"\n"
      "END\n"
      "Sms:\n"
      "WHILE_:\n"
      "IF GETSYS PRG,\"SmsRead\" = 0 THEN END\n"
      "PRINT \"sms \"; GETSYS PRG,\"SmsFrom\"; \" \"; GETSYS PRG,\"SmsMsg\"\n"
      "GOTO WHILE_\n";
  MemorySink sink;
  FlexyDevice dev(FlexyDeviceOptions{config, basic::parse_program(program, "sms.bas"), clock, &sink, nullptr});
  dev.start();
  BOOST_REQUIRE(wait_until([&] { return has_line(dev.console(), "ready"); }, 5s));
  dev.deliver_sms("+32470111222", "RESET");
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return has_line(dev.console(), "sms +32470111222 RESET"); }, 5s), last_log(dev));
  dev.set_wan_link(false);
  BOOST_REQUIRE(wait_until([&] { return has_line(dev.console(), "ppp 2"); }, 5s));
  BOOST_TEST(events_of(sink, "dut_sms_received").size() == 1u);
  dev.stop();
}

BOOST_AUTO_TEST_SUITE_END()
