// `flexhil check`: load a scenario strictly without running it.
#include <fmt/format.h>

#include <ctime>
#include <iostream>
#include <memory>

#include "common/error.hpp"
#include "harness/cli/commands.hpp"
#include "harness/run/user_ca_check.hpp"
#include "harness/scenario/program_check.hpp"
#include "harness/scenario/scenario.hpp"

namespace flexhil::cli {

void add_check_command(CLI::App& app, int& exit_code) {
  auto path = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("check", "Validate a scenario file without running it");
  cmd->footer("Loads the scenario strictly (unknown keys, wrong types and out-of-range values are errors\n"
              "with file:line:col), including its [plc], [dut.flexy] and device registry, and compiles the\n"
              "emulated device's program as the run will: every syntax error with its BASIC line, then\n"
              "warnings for what fails only when it runs (an ONMQTT label that does not exist).\n"
              "The user's CA bundle ([dut] user_ca_file, or the file at ca_file in the usr folder) is read\n"
              "and its verdict against today's Azure roots printed (a bundle that is not PEM is invalid).\n"
              "Exit codes: 0 valid, 2 invalid.\nExample: flexhil check scenarios/demo.toml");
  cmd->add_option("scenario", *path, "Scenario file (TOML)")->required();
  cmd->callback([path, &exit_code] {
    const auto s = scenario::load_scenario(*path);
    for (const auto& [file, program] : scenario::check_fleet_programs(s)) {
      for (const auto& w : program.warnings) std::cout << w.to_string() << '\n';
      if (!program.errors.empty()) {
        std::cerr << scenario::describe_errors(program, file) << '\n';
        exit_code = exit_code::usage;
        return;
      }
    }
    // Judged today: the run judges it again at its own date.
    if (const auto ca = run::check_user_ca_bundle(s, std::time(nullptr)))
      std::cout << fmt::format("CA bundle {}: {} — {}\n", (*ca)["file"].get<std::string>(),
                               (*ca)["verdict"].get<std::string>(), (*ca)["message"].get<std::string>());
    const auto dut = s.is_fleet() ? fmt::format("fleet of {} emulated devices '{}' … '{}'", s.members.size(),
                                                s.members.front().device, s.members.back().device)
                                  : fmt::format("DUT {} '{}'",
                                                s.dut.kind == scenario::DutKind::emulated ? "emulated" : "external",
                                                s.dut.device);
    std::cout << fmt::format("{}: ok — scenario '{}', {} s at time scale {} ({} s wall), {}, {} selected "
                             "tag(s), {} action(s){}\n",
                             *path, s.name, s.duration_s, s.time_scale, s.duration_s / s.time_scale, dut,
                             s.expect.tags.size(), s.actions.size(),
                             s.plain_broker() ? ", against a plain MQTT broker" : "");
    exit_code = exit_code::ok;
  });
}

}  // namespace flexhil::cli
