#pragma once
// The device's program compiled exactly as the run will compile it, before anything starts:
// `flexhil check` and `flexhil run` report every syntax error with its BASIC line (not only the
// first, and not after the hub and the PLC have been started), and the warnings of what fails only
// at run time (basic::lint_program).
#include <optional>
#include <string>
#include <vector>

#include "harness/scenario/scenario.hpp"
#include "sim/flexy/basic/errors.hpp"
#include "sim/flexy/basic/interpreter.hpp"

namespace flexhil::scenario {

struct ProgramCheck {
  std::optional<basic::Program> program;   // set when it compiled
  std::vector<basic::Diagnostic> errors;    // syntax errors, in line order
  std::vector<basic::Diagnostic> warnings;  // lint: compiles, fails when that line or event runs
};

// For an emulated device: reads and compiles s.dut.program_file (ConfigError when it cannot be
// read). For an external device: nothing to check (no program, no errors).
ProgramCheck check_dut_program(const Scenario& s);
ProgramCheck check_dut_program(const DutSpec& dut);

// Every distinct program of the devices under test (a fleet shares one, or a few), each compiled
// once, in the order the devices name them.
struct ProgramOfFile {
  std::string file;
  ProgramCheck check;
};
std::vector<ProgramOfFile> check_fleet_programs(const Scenario& s);

// Every error as "file:line: syntax error: …", one per line, then "file: N syntax error(s)".
std::string describe_errors(const ProgramCheck& check, const std::string& file);

}  // namespace flexhil::scenario
