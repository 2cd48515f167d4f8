// A `flexhil` with only the `plc` subcommand, wired like harness/cli/main.cpp (same exit-code
// mapping), so the command's tests do not depend on every other component building.
#include <iostream>

#include "common/error.hpp"
#include "harness/cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"flexhil (plc only, for tests)", "flexhil"};
  app.require_subcommand(1);
  int exit_code = flexhil::exit_code::ok;
  flexhil::cli::add_plc_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? flexhil::exit_code::ok : flexhil::exit_code::usage;
  } catch (const flexhil::ConfigError& e) {
    std::cerr << e.what() << '\n';
    return flexhil::exit_code::usage;
  } catch (const flexhil::InfrastructureError& e) {
    std::cerr << "error: " << e.what() << '\n';
    return flexhil::exit_code::infrastructure;
  }
  return exit_code;
}
