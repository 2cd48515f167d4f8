#pragma once
// One emulated eWON Flexy: configuration, tag database, Modbus TCP poller, MQTT client bridge
// and the BASIC interpreter running the user's program.bas unchanged. Everything the program
// sees is serialised onto one BASIC thread: poll results, MQTT messages and status changes
// arriving on other threads are queued to it, timers (TSET) run on the injected clock.
// PRINT lines and the event log become `dut_console` / `dut_log` events (docs/events.md).
//
//   auto config = flexy::load_flexy_config_file("fixtures/flexy/azure_x509.toml");
//   auto program = flexy::load_program_file("fixtures/programs/azure_x509_publisher.bas");
//   flexy::FlexyDevice dev({.config = config, .program = program, .events = &capture});
//   dev.start();   // ... dev.stop() (also on destruction)
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "common/event.hpp"
#include "sim/flexy/basic/interpreter.hpp"
#include "sim/flexy/runtime/export_block.hpp"
#include "sim/flexy/runtime/flexy_config.hpp"
#include "sim/flexy/runtime/system_config.hpp"
#include "sim/flexy/runtime/tag_database.hpp"
#include "sim/flexy/runtime/tag_history.hpp"

namespace flexhil {
class SelectRangeReserve;
}

namespace flexhil::flexy {

class ModbusPoller;
class OutboundActions;
class ActionRunner;
class AlarmState;
class MqttBridge;
class PahoWake;

// Reads and parses a program.bas; throws basic::SyntaxError (with the BASIC line number), or
// ConfigError when the file cannot be read.
basic::Program load_program_file(const std::string& path);

struct FlexyDeviceOptions {
  FlexyConfig config;
  basic::Program program;
  // The clock everything runs on. Default: a ScaledClock at config.time_scale starting now.
  std::shared_ptr<const Clock> clock;
  EventSink* events = nullptr;          // dut_console / dut_log events (optional)
  std::ostream* console_out = nullptr;  // echo PRINT lines and log lines (optional)
  // Ends paho's receive-thread poll when the MQTT client's connection is accepted
  // (paho_wake.hpp). Give one that is already ready() to make the program's first CONNECT as
  // fast as the later ones; null: the device makes its own (its first connect may then wait
  // for one paho poll, up to 1.1 s, when another paho client idles in the process).
  std::shared_ptr<PahoWake> paho_wake = nullptr;
  // Numbers below FD_SETSIZE for the Modbus poller's libmodbus sockets (common/fd_range.hpp): a
  // fleet shares one. Null: the socket is moved into that range if it can be.
  std::shared_ptr<SelectRangeReserve> select_fds = nullptr;
};

class FlexyDevice {
 public:
  explicit FlexyDevice(FlexyDeviceOptions options);
  ~FlexyDevice();  // stop()
  FlexyDevice(const FlexyDevice&) = delete;
  FlexyDevice& operator=(const FlexyDevice&) = delete;

  void start();  // RUN: Init section, then Cyclic; starts polling. Idempotent; not after stop().
  void stop();   // stops the BASIC thread, the poller and the MQTT client. Idempotent.

  const FlexyConfig& config() const noexcept { return options_.config; }
  const Clock& clock() const noexcept { return *options_.clock; }

  // Thread-safe views for the harness and tests.
  std::optional<basic::Value> tag_value(std::string_view name) const;
  std::optional<int> tag_quality(std::string_view name) const;
  std::optional<QualityLevel> tag_quality_level(std::string_view name) const;
  SlaveStatus slave_status(const std::string& slave) const;  // "127.0.0.1:502/1"
  int mqtt_status() const;
  std::vector<std::string> console() const;  // PRINT lines so far (the last 1000)
  std::vector<std::string> log() const;      // event log lines so far (the last 1000)
  std::uint64_t requests_run() const;
  // Set when the BASIC thread stopped on an internal error of the emulator (never a program
  // error: those are LSTERR/ONERROR); the device is then dead and the run must say so.
  std::optional<std::string> failure() const;
  // Queues a BASIC command line, like /rcgi.bin/ExeScriptForm on a real unit.
  void execute(std::string basic_command);
  // --- events and outbound actions ---
  // An SMS arrives (ONSMS; the program reads it with GETSYS PRG,"SmsRead"/"SmsFrom"/"SmsMsg").
  void deliver_sms(std::string from, std::string text);
  // The WAN (PPP) link goes up or down: the MQTT link with it (MqttBridge::set_link), then ONPPP
  // with EVTINFO 1 / 2 and ONWAN with 1 / 0.
  void set_wan_link(bool up);
  // ALSTAT of a tag (0 none … 4 returned), nullopt for an unknown tag. Thread-safe.
  std::optional<int> alarm_status(std::string_view tag) const;

 private:
  class Host;
  struct Post;
  void basic_loop();
  void record_failure(const std::string& what);
  void post(Post p);
  void emit_console(const std::string& line);
  void emit_log(const std::string& message, int level, const Json& extra = Json::object());
  void emit_event(std::string kind, Json fields);  // dut_action, dut_alarm
  void evaluate_alarm(int index);                  // on the BASIC thread, db_mutex_ held
  double scenario_seconds() const;
  std::int64_t wall_seconds() const;
  // The device's clock: the run's wall clock moved by SETTIME (clock_offset_s_).
  Clock::WallTime device_wall() const { return clock().wall() + std::chrono::seconds(clock_offset_s_.load()); }
  std::string render_export(const ExportRequest& request) const;  // BASIC thread

  FlexyDeviceOptions options_;
  Clock::Nanos start_steady_{};
  mutable std::mutex db_mutex_;  // the BASIC thread writes, other threads read
  TagDatabase db_;
  TagHistory history_;     // BASIC thread only: $dtHL
  SystemConfig system_;    // BASIC thread only: GETSYS/SETSYS SYS, CFGSAVE
  std::unique_ptr<Host> host_;
  std::unique_ptr<basic::Interpreter> interpreter_;
  std::unique_ptr<ModbusPoller> poller_;
  std::unique_ptr<MqttBridge> mqtt_;
  std::unique_ptr<ActionRunner> action_runner_;  // real HTTP, mail and FTP actions; null when no host is mapped
  std::unique_ptr<OutboundActions> actions_;  // BASIC thread only
  std::vector<AlarmState> alarms_;            // per tag; guarded by db_mutex_

  mutable std::mutex mutex_;  // inbox, timers, console/log buffers, lifecycle
  std::condition_variable wake_;
  std::deque<std::unique_ptr<Post>> inbox_;
  bool running_ = false;
  std::optional<std::string> failure_;
  bool stopping_ = false;
  std::deque<std::string> console_;
  std::deque<std::string> log_;
  std::deque<EventLine> events_;  // the event log as $dtEV exports it (the last 1000)
  std::uint64_t requests_ = 0;
  std::atomic<std::int64_t> clock_offset_s_{0};  // SETTIME: device clock minus the run's wall clock
  std::thread thread_;
};

}  // namespace flexhil::flexy
