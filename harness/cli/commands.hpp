#pragma once
// Every `flexhil` subcommand lives in harness/cli/, one file per command; the components
// (certs, broker, sim/…) stay libraries with plain C++ interfaces and know nothing of the CLI.
// Each add_* creates its subcommand on `app` with --help text and an example, and sets
// `exit_code` (flexhil::exit_code) when the subcommand has run. ConfigError and
// InfrastructureError may escape; main maps them to exit codes 2 and 3.
#include <CLI/CLI.hpp>

#include <ostream>
#include <string>

namespace flexhil::cli {

void add_certs_command(CLI::App& app, int& exit_code);     // certs_command.cpp
void add_hub_command(CLI::App& app, int& exit_code);       // hub_command.cpp
// `flexhil hub c2d|desired|method|devices` on the hub subcommand (hub_bench_commands.cpp).
void add_hub_bench_commands(CLI::App& hub, int& exit_code);
void add_plc_command(CLI::App& app, int& exit_code);       // plc_command.cpp
void add_basic_command(CLI::App& app, int& exit_code);     // basic_command.cpp
void add_flexy_command(CLI::App& app, int& exit_code);     // flexy_command.cpp
void add_run_command(CLI::App& app, int& exit_code);       // run_command.cpp
void add_check_command(CLI::App& app, int& exit_code);     // check_command.cpp
void add_validate_command(CLI::App& app, int& exit_code);  // validate_command.cpp
void add_rules_command(CLI::App& app, int& exit_code);     // rules_command.cpp

// check_ca_command.cpp: `flexhil certs check-ca`, shared with its alias `flexhil hub --check-ca`.
struct CheckCaArgs {
  std::string file;
  std::string roots;  // "" = Debian's ca-certificates folder
  std::string at;     // "" = today; else YYYY-MM-DD
};
void add_check_ca(CLI::App& certs, int& exit_code);
// --roots and --at on `cmd`.
void add_check_ca_options(CLI::App& cmd, CheckCaArgs& args);
// Prints the certificates and the verdict; returns 0 (ok) or 1 (finding). Throws ConfigError for
// an unreadable or non-PEM bundle, InfrastructureError when the reference roots are missing.
int run_check_ca(const CheckCaArgs& args, std::ostream& out);

}  // namespace flexhil::cli
