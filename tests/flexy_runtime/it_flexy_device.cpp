// FlexyDevice with a small program against a real PlcServer: timers on the scaled clock,
// ONCHANGE from polled values, PRINT as dut_console events, SETIO writing to the PLC, quality
// of the tags when the PLC goes down.
#include <boost/test/unit_test.hpp>

#include "common/net.hpp"
#include "sim/flexy/runtime/device_info.hpp"
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

const char* kProgram = R"(Rem --- eWON start section: Init Section
eWON_init_section:
PRINT "boot "; TIME$
ONCHANGE "Temperature", "GOTO TempChanged"
ONTIMER 1, "GOTO Tick"
TSET 1, 1
Ticks% = 0
END
Rem --- eWON end section: Init Section
Rem --- eWON start section: Cyclic Section
eWON_cyclic_section:
END
Rem --- eWON end section: Cyclic Section
Rem --- eWON start section: Handlers
Tick:
Ticks% = Ticks% + 1
PRINT "tick "; Ticks%
IF Ticks% = 3 THEN SETIO "Counter", 4242
END
TempChanged:
PRINT "temperature "; Temperature@
END
Rem --- eWON end section: Handlers
)";


// What every test here starts from: a scaled clock, a real PLC on an ephemeral loopback port with
// the fixture's points, and the fixture Flexy configuration polling it (its time scale is each
// test's own choice).
struct PlcBench {
  explicit PlcBench(double clock_scale)
      : clock(std::make_shared<ScaledClock>(clock_scale)),
        plc(plc::load_plc_config_string(kFixturePlc, "plc.toml"), *clock),
        config(load_flexy_config_file(fixture("flexy/azure_x509.toml"))) {
    plc.start("127.0.0.1", 0);
    config.topics[0].port = plc.port();
  }
  std::shared_ptr<ScaledClock> clock;
  plc::PlcServer plc;
  FlexyConfig config;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(flexy_device)

BOOST_AUTO_TEST_CASE(timers_onchange_print_and_setio_run_on_the_scaled_clock) {
  PlcBench bench(10.0);
  auto& [clock, plc, config] = bench;
  config.time_scale = 10;
  MemorySink sink;
  FlexyDevice dev(FlexyDeviceOptions{config, basic::parse_program(kProgram, "device.bas"), clock, &sink, nullptr});
  dev.start();
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return has_line(dev.console(), "tick 3"); }, 5s),
                        "console: " << dev.console().size() << " lines; log: " << (dev.log().empty() ? "" : dev.log().back()));
  BOOST_REQUIRE(wait_until([&] { return plc.value("Counter") == 4242.0; }, 5s));
  BOOST_TEST(has_line(dev.console(), "temperature 21.5"));
  BOOST_TEST(dev.console().front().rfind("boot ", 0) == 0);
  BOOST_TEST(dev.console().front().size() == 5 + 19);  // "boot DD/MM/YYYY HH:MM:SS"

  // Ticks 1 s apart in scenario time are ~100 ms apart in real time.
  std::vector<std::int64_t> ticks;
  for (const auto& e : sink.events())
    if (e.value("kind", "") == "dut_console" && e.value("line", "").rfind("tick ", 0) == 0) {
      ticks.push_back(e.value("mono_ns", std::int64_t{0}));
      BOOST_TEST(e.value("device", "") == "Flexy205");
    }
  BOOST_REQUIRE(ticks.size() >= 3u);
  for (std::size_t k = 1; k < 3; ++k) {
    const double gap = static_cast<double>(ticks[k] - ticks[k - 1]) / 1e9;
    BOOST_TEST(gap > 0.05);
    BOOST_TEST(gap < 0.3);
  }

  plc.set_value("Temperature", 30.25);
  BOOST_REQUIRE(wait_until([&] { return has_line(dev.console(), "temperature 30.25"); }, 5s));
  BOOST_TEST(std::get<double>(*dev.tag_value("temperature")) == 30.25);
  dev.stop();
}

// The device's clock jumps 5 s while it sleeps towards its 1 s timer — what a starved host does
// to a scaled clock: the expiry it then handles late is told (dut_timer_late), so the cadence
// rules do not blame the program for it.
BOOST_AUTO_TEST_CASE(a_timer_expiry_handled_late_because_the_host_was_away_is_a_dut_timer_late_event) {
  PlcBench bench(1.0);
  auto clock = std::make_shared<ManualClock>();
  MemorySink sink;
  FlexyDevice dev(FlexyDeviceOptions{bench.config, basic::parse_program(kProgram, "device.bas"), clock, &sink, nullptr});
  dev.start();
  BOOST_REQUIRE(wait_until([&] { return !dev.console().empty(); }, 5s));  // "boot …": TSET 1, 1 is set
  auto late_events = [&] {
    std::vector<Json> out;
    for (const auto& e : sink.events())
      if (e.value("kind", "") == "dut_timer_late") out.push_back(e);
    return out;
  };
  clock->advance(1050ms);  // on time, give or take the wake-up
  BOOST_REQUIRE(wait_until([&] { return has_line(dev.console(), "tick 1"); }, 5s));
  BOOST_TEST(late_events().empty());
  clock->advance(5s);
  BOOST_REQUIRE(wait_until([&] { return has_line(dev.console(), "tick 2"); }, 5s));
  const auto late = late_events();
  BOOST_REQUIRE(late.size() == 1u);
  BOOST_TEST(late[0].value("timer", 0) == 1);
  BOOST_TEST(late[0].value("device", "") == "Flexy205");
  BOOST_TEST(late[0].value("late_s", 0.0) == 4.05, boost::test_tools::tolerance(0.01));
  dev.stop();
}

BOOST_AUTO_TEST_CASE(sernum_inf_tag_server_fields_and_sfmt_are_served_by_the_device) {
  PlcBench bench(1.0);
  auto& [clock, plc, config] = bench;
  const char* program =
      "SETSYS INF,\"LOAD\"\n"
      "PRINT \"prg \" GETSYS PRG,\"SERNUM\"\n"
      "PRINT \"inf \" GETSYS INF,\"SERNUM\"\n"
      "SETSYS TAG,\"load\",\"Temperature\"\n"
      "PRINT GETSYS TAG,\"ServerName\"; \" \"; GETSYS TAG,\"Address\"; \" \"; GETSYS TAG,\"AlEnabled\"\n"
      "PRINT SFMT 0, 10, \"%Y-%m-%d\"; \" \"; SFMT 42, 20, \"%04d\"\n"
      "PRINT \"done\"\n";
  FlexyDevice dev(FlexyDeviceOptions{config, basic::parse_program(program, "info.bas"), clock, nullptr, nullptr});
  dev.start();
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return has_line(dev.console(), "done"); }, 5s),
                        "log: " << (dev.log().empty() ? "" : dev.log().back()));
  const std::string serial = serial_number(config.device_name);
  BOOST_TEST(has_line(dev.console(), "prg " + serial));
  BOOST_TEST(has_line(dev.console(), "inf " + serial));
  BOOST_TEST(has_line(dev.console(), "MODBUS 40001F 0"));
  BOOST_TEST(has_line(dev.console(), "1970-01-01 0042"));
  dev.stop();
}

// SETTIME, MEMORY and IOMOD against the real device: the clock the program sets is what TIME$
// and ONDATE follow (and the log says so), MEMORY gives the Flexy's figures, IOMOD sees SETIO
// and Modbus polls once per change.
BOOST_AUTO_TEST_CASE(settime_moves_the_device_clock_memory_answers_and_iomod_sees_each_change_once) {
  PlcBench bench(60.0);
  auto& [clock, plc, config] = bench;
  config.time_scale = 60;
  const char* program =
      "SETTIME \"01/01/2030 07:59:50\"\n"
      "PRINT \"time \"; TIME$\n"
      "PRINT \"mem \"; MEMORY \"PROG\"; \" \"; MEMORY \"VAR\"; \" \"; MEMORY \"ALL\"\n"
      "SETIO \"Counter\", 7\n"
      "PRINT \"iomod \"; IOMOD \"Counter\"; \" \"; IOMOD \"Counter\"\n"
      "ONDATE 1, \"0 8 * * *\", \"GOTO Daily\"\n"
      "ONTIMER 1, \"GOTO Tick\"\n"
      "TSET 1, 1\n"
      "END\n"
      "Daily:\n"
      "PRINT \"daily \"; TIME$\n"
      "END\n"
      "Tick:\n"
      "n% = n% + 1\n"
      "IF IOMOD \"Temperature\" THEN PRINT \"temp mod \"; Temperature@\n"
      "PRINT \"tick \"; n%\n"
      "END\n";
  MemorySink sink;
  FlexyDevice dev(FlexyDeviceOptions{config, basic::parse_program(program, "clock.bas"), clock, &sink, nullptr});
  dev.start();
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return has_line(dev.console(), "tick 2"); }, 5s),
                        "log: " << (dev.log().empty() ? "" : dev.log().back()));
  BOOST_TEST(dev.console().front().rfind("time 01/01/2030 07:59:5", 0) == 0);
  BOOST_TEST(has_line(dev.console(), "mem 130547 4194304 4324851"));
  BOOST_TEST(has_line(dev.console(), "iomod 1 0"));
  BOOST_REQUIRE(wait_until([&] { return plc.value("Counter") == 7.0; }, 5s));
  bool logged = false;
  for (const auto& e : sink.events())
    logged = logged || (e.value("kind", "") == "dut_log" && e.value("settime", "").rfind("01/01/2030 07:59:5", 0) == 0);
  BOOST_TEST(logged);

  // Ten scenario seconds later the device's own clock reaches 08:00: ONDATE fires on it.
  const auto daily = [&] {
    for (const auto& l : dev.console())
      if (l.rfind("daily ", 0) == 0) return l;
    return std::string();
  };
  BOOST_REQUIRE(wait_until([&] { return !daily().empty(); }, 10s));
  BOOST_TEST(daily().rfind("daily 01/01/2030 08:00:0", 0) == 0);

  plc.set_value("Temperature", 30.25);
  BOOST_REQUIRE(wait_until([&] { return has_line(dev.console(), "temp mod 30.25"); }, 10s));
  // Each change is seen once: more ticks go by without another "temp mod 30.25".
  std::string later;
  for (const auto& l : dev.console())
    if (l.rfind("tick ", 0) == 0) later = "tick " + std::to_string(std::stoi(l.substr(5)) + 5);
  BOOST_REQUIRE(wait_until([&] { return has_line(dev.console(), later); }, 10s));
  int seen = 0;
  for (const auto& l : dev.console()) seen += l == "temp mod 30.25";
  BOOST_TEST(seen == 1);
  dev.stop();
}

BOOST_AUTO_TEST_CASE(tag_quality_falls_when_the_plc_goes_down_and_the_value_is_kept) {
  PlcBench bench(10.0);
  auto& [clock, plc, config] = bench;
  config.topics[0].timeout_seconds = 0.2;
  FlexyDevice dev(FlexyDeviceOptions{config, basic::parse_program("PRINT \"up\"\n", "tiny.bas"), clock, nullptr, nullptr});
  dev.start();
  BOOST_REQUIRE(wait_until([&] { return dev.tag_quality_level("Pressure") == QualityLevel::good; }, 5s));
  const std::string slave = "127.0.0.1:" + std::to_string(plc.port()) + "/1";
  BOOST_TEST(static_cast<int>(dev.slave_status(slave)) == 1);
  plc::FaultSpec down;
  down.kind = plc::FaultKind::down;
  plc.inject_fault(down);
  BOOST_REQUIRE(wait_until([&] { return dev.tag_quality_level("Pressure") == QualityLevel::bad; }, 10s));
  BOOST_TEST(static_cast<int>(dev.slave_status(slave)) == 2);
  BOOST_TEST(*numeric(*dev.tag_value("Pressure")) == static_cast<double>(static_cast<float>(10.13)));
  BOOST_TEST(has_line(dev.console(), "up"));
  bool logged = false;
  for (const auto& l : dev.log()) logged = logged || l.find("NOT OK") != std::string::npos;
  BOOST_TEST(logged);
}

BOOST_AUTO_TEST_CASE(publish_while_disconnected_is_a_flagged_dut_log_event) {
  FlexyConfig config;
  config.device_name = "FlexyOffline";
  MemorySink sink;
  FlexyDevice dev(FlexyDeviceOptions{
      config,
      basic::parse_program("MQTT \"OPEN\", \"FlexyOffline\", \"localhost\"\n"
                           "MQTT \"PUBLISH\", \"devices/FlexyOffline/messages/events/\", \"{}\", 0, 0\n"
                           "PRINT \"after publish\"\n",
                           "offline.bas"),
      nullptr, &sink, nullptr});
  dev.start();
  BOOST_REQUIRE(wait_until([&] { return has_line(dev.console(), "after publish"); }, 5s));
  bool flagged = false;
  for (const auto& e : sink.events())
    if (e.value("kind", "") == "dut_log" && e.value("publish_while_disconnected", false)) {
      flagged = true;
      BOOST_TEST(e.value("topic", "") == "devices/FlexyOffline/messages/events/");
      BOOST_TEST(e.value("level", 0) == 1);
      BOOST_TEST(e.value("device", "") == "FlexyOffline");
    }
  BOOST_TEST(flagged);
}

BOOST_AUTO_TEST_SUITE_END()
