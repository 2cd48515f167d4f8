// `flexhil basic check program.bas […]`: syntax errors like the Flexy IDE (file:line: message).
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "common/error.hpp"
#include "harness/cli/commands.hpp"
#include "sim/flexy/basic/interpreter.hpp"
#include "sim/flexy/basic/program_summary.hpp"

namespace flexhil::cli {

namespace {

struct CheckOptions {
  std::vector<std::string> files;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(SourcePosition{path, 0, 0}, "cannot read the BASIC program (does the file exist?)");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int check_files(const CheckOptions& options) {
  int rc = exit_code::ok;
  for (const auto& file : options.files) {
    auto result = basic::check_program(read_file(file), file);
    if (!result.program) {
      for (const auto& d : result.diagnostics) std::cerr << d.to_string() << '\n';
      std::cerr << file << ": " << result.diagnostics.size() << " syntax error(s)\n";
      rc = exit_code::usage;
      continue;
    }
    const auto& p = *result.program;
    auto warnings = basic::lint_program(p);
    for (const auto& w : warnings) std::cerr << w.to_string() << '\n';
    std::cout << basic::summarize_program(p, file, warnings.size()) << "\n";
  }
  return rc;
}

}  // namespace

void add_basic_command(CLI::App& app, int& exit_code) {
  auto* basic = app.add_subcommand("basic", "eWON BASIC tools (the interpreter of the emulated Flexy)");
  basic->require_subcommand(1);
  auto options = std::make_shared<CheckOptions>();
  auto* check = basic->add_subcommand(
      "check", "Parse BASIC programs and report syntax errors like the Flexy IDE (file:line: message)");
  check->add_option("programs", options->files, "program.bas files to check")->required()->check(CLI::ExistingFile);
  check->footer(
      "Also warns (file:line: warning: …, exit code unchanged) about GOTO/GOSUB to missing labels and\n"
      "ON… command strings that do not parse or jump to missing labels: they fail only when they run.\n"
      "Exit codes: 0 every program parses, 2 a syntax error (printed as file:line: syntax error: message).\n"
      "Example: flexhil basic check fixtures/programs/azure_x509_publisher.bas");
  check->callback([options, &exit_code] { exit_code = check_files(*options); });
}

}  // namespace flexhil::cli
