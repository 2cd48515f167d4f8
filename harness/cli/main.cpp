// flexhil — hardware-in-the-loop test harness for gateways publishing to Azure IoT Hub.
#include <iostream>

#include "common/error.hpp"
#include "common/fd_range.hpp"
#include "common/error_barrier.hpp"
#include "harness/cli/commands.hpp"
#include "sim/flexy/basic/errors.hpp"

int main(int argc, char** argv) {
  flexhil::install_terminate_handler();
  // A fleet opens several descriptors per emulated Flexy (common/fd_range.hpp).
  (void)flexhil::raise_open_file_limit();
  // The exception barrier: every subcommand's failure is exit 2 (input) or 3 (infrastructure)
  // with one line on stderr, whatever was thrown (common/error_barrier.hpp).
  return flexhil::run_guarded(
      [&] {
        CLI::App app{
            "flexhil — test eWON Flexy (and other) gateways against an impersonated Azure IoT Hub,\n"
            "a simulated Modbus PLC and rules that judge every connect, topic and message.",
            "flexhil"};
        app.require_subcommand(1);
        app.set_version_flag("--version", "flexhil 0.1.0");
        app.footer(
            "Exit codes: 0 ok/passed, 1 findings, 2 usage or configuration error, 3 infrastructure failure.\n"
            "Example: flexhil run scenarios/demo.toml");
        int exit_code = flexhil::exit_code::ok;
        flexhil::cli::add_certs_command(app, exit_code);
        flexhil::cli::add_hub_command(app, exit_code);
        flexhil::cli::add_plc_command(app, exit_code);
        flexhil::cli::add_basic_command(app, exit_code);
        flexhil::cli::add_flexy_command(app, exit_code);
        // Registration order is the order `flexhil --help` lists the subcommands in.
        flexhil::cli::add_run_command(app, exit_code);
        flexhil::cli::add_check_command(app, exit_code);
        flexhil::cli::add_validate_command(app, exit_code);
        flexhil::cli::add_rules_command(app, exit_code);
        try {
          app.parse(argc, argv);
        } catch (const CLI::ParseError& e) {
          const int rc = app.exit(e);
          return rc == 0 ? flexhil::exit_code::ok : flexhil::exit_code::usage;
        } catch (const flexhil::basic::SyntaxError& e) {
          std::cerr << e.what() << '\n';
          return flexhil::exit_code::usage;
        }
        return exit_code;
      },
      std::cerr);
}
