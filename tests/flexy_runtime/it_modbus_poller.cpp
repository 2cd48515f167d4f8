// The Modbus TCP poller against the real PLC simulator (PlcServer on an ephemeral port):
// values after Coef/Offset, quality falling when the PLC goes down, reconnection, SETIO writes.
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "common/clock.hpp"
#include "common/net.hpp"
#include "sim/flexy/runtime/modbus_poller.hpp"
#include "sim/plc/plc_config.hpp"
#include "sim/plc/plc_server.hpp"
#include "tests/flexy_runtime/it_support.hpp"

using namespace flexhil;
using namespace flexhil::flexy;
using namespace std::chrono_literals;

namespace {

const char* const kPlc = testing::kFixturePlc;  // the same four points the fixture configurations poll

std::string flexy_toml(std::uint16_t port, const std::string& poll = "50ms") {
  return "[topic.A]\npoll = \"" + poll + "\"\nport = " + std::to_string(port) +
         "\ntimeout = \"200ms\"\n"
         "[[tag]]\nname = \"Temperature\"\naddress = \"40001F\"\n"
         "[[tag]]\nname = \"Counter\"\ntype = \"dword\"\naddress = \"40003D\"\n"
         "[[tag]]\nname = \"Pressure\"\naddress = \"30001\"\ncoef = 0.01\noffset = 1\n"
         "[[tag]]\nname = \"Running\"\ntype = \"boolean\"\naddress = \"1\"\n";
}

// A TagDatabase fed by a poller, as FlexyDevice does it (but without the BASIC thread).
struct PollRig {
  FlexyConfig config;
  std::mutex mutex;
  std::unique_ptr<TagDatabase> db;
  std::vector<int> changes;
  std::vector<std::string> logs;
  std::unique_ptr<ModbusPoller> poller;

  PollRig(const Clock& clock, std::uint16_t port, const std::string& poll = "50ms") {
    const auto doc = parse_toml_string(flexy_toml(port, poll), "flexy.toml");
    TomlTable t(doc, "flexy.toml");
    config = load_flexy_config(t);
    db = std::make_unique<TagDatabase>(config.tags, false);
    poller = std::make_unique<ModbusPoller>(
        config, clock,
        [this](PollResult r) {
          std::lock_guard lock(mutex);
          db->set_slave_status(r.slave, r.status);
          for (const auto& reading : r.readings) {
            if (reading.raw) {
              if (db->poll_succeeded(reading.tag, *reading.raw)) changes.push_back(reading.tag);
            } else {
              db->poll_failed(reading.tag);
            }
          }
        },
        [this](const std::string& m, int) {
          std::lock_guard lock(mutex);
          logs.push_back(m);
        });
  }
  double number(const std::string& name) {
    std::lock_guard lock(mutex);
    return *numeric(db->value(*db->find(name)));
  }
  QualityLevel level(const std::string& name) {
    std::lock_guard lock(mutex);
    return db->quality_level(*db->find(name));
  }
  SlaveStatus slave(std::uint16_t port) {
    std::lock_guard lock(mutex);
    return db->slave_status("127.0.0.1:" + std::to_string(port) + "/1");
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(modbus_poller)

BOOST_AUTO_TEST_CASE(polled_values_equal_the_plcs_after_coef_and_offset) {
  SystemClock clock;
  plc::PlcServer plc(plc::load_plc_config_string(kPlc, "plc.toml"), clock);
  plc.start("127.0.0.1", 0);
  PollRig rig(clock, plc.port());
  rig.poller->start();
  BOOST_REQUIRE(wait_until([&] { return rig.level("Running") == QualityLevel::good; }, 5s));
  BOOST_TEST(rig.number("Temperature") == 21.5);
  BOOST_TEST(rig.number("Counter") == 123456);
  BOOST_TEST(rig.number("Pressure") == static_cast<double>(static_cast<float>(1013 * 0.01 + 1)));
  BOOST_TEST(rig.number("Running") == 1);
  BOOST_TEST(static_cast<int>(rig.slave(plc.port())) == 1);

  plc.set_value("Temperature", 30.25);
  BOOST_REQUIRE(wait_until([&] { return rig.number("Temperature") == 30.25; }, 5s));
  std::lock_guard lock(rig.mutex);
  BOOST_TEST(std::count(rig.changes.begin(), rig.changes.end(), 0) == 2);  // first read, then the change
}

BOOST_AUTO_TEST_CASE(quality_falls_to_bad_when_the_plc_goes_down_and_recovers_after_it_returns) {
  SystemClock clock;
  plc::PlcServer plc(plc::load_plc_config_string(kPlc, "plc.toml"), clock);
  plc.start("127.0.0.1", 0);
  PollRig rig(clock, plc.port());
  rig.poller->start();
  BOOST_REQUIRE(wait_until([&] { return rig.level("Temperature") == QualityLevel::good; }, 5s));
  plc::FaultSpec down;
  down.kind = plc::FaultKind::down;
  const auto id = plc.inject_fault(down);
  BOOST_REQUIRE(wait_until([&] { return rig.level("Temperature") == QualityLevel::bad; }, 5s));
  BOOST_TEST(static_cast<int>(rig.slave(plc.port())) == 2);
  BOOST_TEST(rig.number("Temperature") == 21.5);  // the last value is kept
  plc.end_fault(id);
  BOOST_REQUIRE(wait_until([&] { return rig.level("Temperature") == QualityLevel::good; }, 5s));
  BOOST_TEST(static_cast<int>(rig.slave(plc.port())) == 1);
}

BOOST_AUTO_TEST_CASE(setio_on_a_modbus_tag_writes_the_raw_value_to_the_plc) {
  SystemClock clock;
  plc::PlcServer plc(plc::load_plc_config_string(kPlc, "plc.toml"), clock);
  plc.start("127.0.0.1", 0);
  PollRig rig(clock, plc.port());
  rig.poller->start();
  rig.poller->write(1, 777);
  rig.poller->write(0, -3.5);
  BOOST_REQUIRE(wait_until([&] { return plc.value("Counter") == 777.0 && plc.value("Temperature") == -3.5; }, 5s));
  BOOST_REQUIRE(wait_until([&] { return rig.number("Counter") == 777; }, 5s));
}

BOOST_AUTO_TEST_CASE(polls_follow_the_scaled_clock) {
  // A poll every 10 scenario minutes at ×60000 is one every 10 ms of real time. A poller that
  // slept in real time would poll once in the whole timeout; one that follows the clock reaches
  // five polls (3 requests each: holding, input, coils) within milliseconds, however loaded the
  // machine is.
  ScaledClock fast(60000);
  plc::PlcServer plc(plc::load_plc_config_string(kPlc, "plc.toml"), fast);
  plc.start("127.0.0.1", 0);
  PollRig rig(fast, plc.port(), "10min");
  rig.poller->start();
  BOOST_TEST(wait_until([&] { return plc.counters().requests >= 5 * 3u; }, 30s));
}

BOOST_AUTO_TEST_SUITE_END()
