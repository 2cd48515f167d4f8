#pragma once
// Every `flexhil` subcommand is added by the component that owns it; main.cpp only wires them.
// Each add_* creates its subcommand on `app` with --help text and an example, and sets
// `exit_code` (flexhil::exit_code) when the subcommand has run. ConfigError and
// InfrastructureError may escape; main maps them to exit codes 2 and 3.
#include <CLI/CLI.hpp>

namespace flexhil::cli {

void add_certs_command(CLI::App& app, int& exit_code);     // certs/certs_command.cpp
void add_hub_command(CLI::App& app, int& exit_code);       // broker/hub_command.cpp
void add_plc_command(CLI::App& app, int& exit_code);       // sim/plc/plc_command.cpp
void add_basic_command(CLI::App& app, int& exit_code);     // sim/flexy/basic/basic_command.cpp
void add_flexy_command(CLI::App& app, int& exit_code);     // sim/flexy/runtime/flexy_command.cpp
void add_harness_commands(CLI::App& app, int& exit_code);  // harness/cli/harness_commands.cpp (run, check, validate)

}  // namespace flexhil::cli
