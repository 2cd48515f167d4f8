// `flexhil flexy`: one emulated Flexy running a program.bas against any broker.
#include <iostream>

#include "common/error.hpp"
#include "common/signals.hpp"
#include "harness/cli/commands.hpp"
#include "sim/flexy/runtime/flexy_device.hpp"

namespace flexhil::cli {

void add_flexy_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "flexy",
      "Run one emulated eWON Flexy: polls its tags from Modbus TCP, runs the BASIC program unchanged\n"
      "and talks MQTT(S) to the impersonated hub or the real Azure IoT Hub. Prints the Flexy's\n"
      "console (PRINT) and event log; stops on Ctrl-C.");
  struct Args {
    std::string config, program, usr;
    double time_scale = 0;
    bool quiet = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("--config", args->config, "Flexy configuration (TOML, see docs/scenario-flexy.md)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--program", args->program, "the program.bas to run")->required()->check(CLI::ExistingFile);
  cmd->add_option("--usr", args->usr, "folder standing for the Flexy's /usr/ (certificates, keys); overrides usr_dir")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--time-scale", args->time_scale, "run N times faster than real time (TSET, TIME$, polls)")
      ->check(CLI::Range(0.001, 1000.0));
  cmd->add_flag("--quiet", args->quiet, "do not print the console and the event log");
  cmd->footer(
      "Example:\n"
      "  flexhil flexy --config fixtures/flexy/azure_x509.toml \\\n"
      "                --program fixtures/programs/azure_x509_publisher.bas --usr ./usr\n"
      "Exit codes: 0 stopped by Ctrl-C, 2 configuration or BASIC syntax error, 3 infrastructure failure.");
  cmd->callback([args, &exit_code] {
    StopSignals signals;  // before any thread starts, so every thread blocks SIGINT/SIGTERM
    auto config = flexy::load_flexy_config_file(args->config);
    if (!args->usr.empty()) config.usr_dir = args->usr;
    if (args->time_scale > 0) config.time_scale = args->time_scale;
    basic::Program program;
    try {
      program = flexy::load_program_file(args->program);
    } catch (const basic::SyntaxError& e) {
      if (e.all().empty())
        std::cerr << e.what() << '\n';
      else
        for (const auto& d : e.all()) std::cerr << d.to_string() << '\n';
      exit_code = exit_code::usage;
      return;
    }
    flexy::FlexyDeviceOptions options{config, program, nullptr, nullptr, args->quiet ? nullptr : &std::cout};
    flexy::FlexyDevice device(std::move(options));
    device.start();
    if (!args->quiet)
      std::cerr << "flexhil flexy: '" << config.device_name << "' running " << args->program << " (time scale "
                << config.time_scale << "); Ctrl-C to stop\n";
    while (signals.wait(std::chrono::milliseconds(500)) == 0) {
    }
    device.stop();
    exit_code = exit_code::ok;
  });
}

}  // namespace flexhil::cli
