// `flexhil plc`: the simulated PLC on its own, for a lab bench where a real Flexy polls it.
#include <fmt/format.h>

#include <iostream>
#include <mutex>
#include <optional>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/net.hpp"
#include "common/event.hpp"
#include "common/signals.hpp"
#include "harness/cli/commands.hpp"
#include "sim/plc/plc_config.hpp"
#include "sim/plc/plc_console_line.hpp"
#include "sim/plc/plc_server.hpp"

namespace flexhil::cli {
namespace {

// Prints each line whole; the server thread and the main thread both write.
class LinePrinter {
 public:
  void operator()(const std::string& line) {
    std::lock_guard lock(mutex_);
    std::cout << line << std::endl;
  }

 private:
  std::mutex mutex_;
};

// Value changes and faults as readable lines, optionally also into a capture file.
class ConsoleSink final : public EventSink {
 public:
  ConsoleSink(LinePrinter& print, std::optional<std::string> capture) : print_(print) {
    if (capture) capture_.emplace(*capture);
  }
  void emit(Json e) override {
    if (const auto line = plc::plc_console_line(e)) print_(*line);
    if (capture_) capture_->emit(std::move(e));
  }

 private:
  LinePrinter& print_;
  std::optional<CaptureWriter> capture_;
};

struct PlcOptions {
  std::string scenario;
  std::string bind = "127.0.0.1";  // like `flexhil hub`: the bench LAN only when asked for
  int port = 502;
  double time_scale = 1.0;
  bool quiet = false;
  std::string capture;
  bool bind_given = false;  // on the command line: wins over the scenario's [plc] bind/port
  bool port_given = false;
};

int run_plc(const PlcOptions& o) {
  auto config = plc::load_plc_config_file(o.scenario);  // ConfigError -> exit 2 in main
  const std::string bind = o.bind_given ? o.bind : config.bind.value_or(o.bind);
  const auto port = o.port_given ? static_cast<std::uint16_t>(o.port) : config.port.value_or(static_cast<std::uint16_t>(o.port));
  StopSignals signals;  // before the server thread exists, so it inherits the blocked mask
  std::unique_ptr<Clock> clock;
  if (o.time_scale == 1.0)
    clock = std::make_unique<SystemClock>();
  else
    clock = std::make_unique<ScaledClock>(o.time_scale);
  LinePrinter print;
  ConsoleSink sink(print, o.capture.empty() ? std::nullopt : std::optional(o.capture));
  plc::PlcServer server(std::move(config), *clock, &sink);
  if (!o.quiet) server.set_log([&print](const std::string& line) { print(line); });
  server.start(bind, port);  // InfrastructureError -> exit 3
  print(fmt::format("flexhil plc: serving {} on {}:{} (time scale {}); Ctrl-C stops", o.scenario,
                    bind, server.port(), o.time_scale));
  int signo = 0;
  while ((signo = signals.wait(std::chrono::milliseconds(1000))) == 0) {
  }
  server.stop();
  const auto c = server.counters();
  print(fmt::format("flexhil plc: stopped by signal {}; {} connections, {} requests, {} replies, "
                    "{} exceptions, {} unanswered, {} malformed, {} writes",
                    signo, c.connections, c.requests, c.replies, c.exceptions, c.unanswered,
                    c.malformed, c.writes));
  return exit_code::ok;
}

}  // namespace

void add_plc_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<PlcOptions>();
  auto* cmd = app.add_subcommand(
      "plc", "Run the simulated Modbus TCP PLC of a scenario alone (lab bench): serves the [plc]\n"
             "points, runs waveforms and scheduled faults, logs requests and value changes.");
  cmd->add_option("--scenario", options->scenario, "Scenario file whose [plc] table is served")
      ->required()
      ->check(CLI::ExistingFile);
  auto* bind = cmd->add_option("--bind", options->bind,
                               "Address to listen on (0.0.0.0 = every interface, e.g. for a real Flexy on the bench "
                               "LAN; default: the scenario's [plc] bind, else 127.0.0.1)")
      ->check(CLI::Validator(
          [](std::string& v) { return flexhil::is_ip_address(v) ? std::string() : "not a numeric IP address: " + v; },
          "IP"))
      ->capture_default_str();
  auto* port = cmd->add_option("--port", options->port,
                               "TCP port (0 = any free port, printed at start; default: the scenario's [plc] port, else 502)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--time-scale", options->time_scale,
                  "Scenario seconds per real second (waveforms and faults run N times faster)")
      ->check(CLI::Range(0.001, 1000.0))
      ->capture_default_str();
  cmd->add_flag("--quiet", options->quiet, "Log value changes and faults only, not every request");
  cmd->add_option("--capture", options->capture, "Also write plc_change/plc_fault events to this JSON-lines file");
  cmd->footer(
      "Example: flexhil plc --scenario scenarios/demo.toml --bind 0.0.0.0 --port 5020\n"
      "         mbpoll -m tcp -p 5020 -a 1 -r 1 -c 2 -t 4:float -B 127.0.0.1\n"
      "The [plc] keys are described in docs/scenario-plc.md.");
  cmd->callback([options, bind, port, &exit_code] {
    options->bind_given = bind->count() > 0;
    options->port_given = port->count() > 0;
    exit_code = run_plc(*options);
  });
}

}  // namespace flexhil::cli
