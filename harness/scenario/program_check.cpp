#include "harness/scenario/program_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "sim/flexy/basic/interpreter.hpp"

namespace flexhil::scenario {

ProgramCheck check_dut_program(const Scenario& s) { return check_dut_program(s.dut); }

ProgramCheck check_dut_program(const DutSpec& dut) {
  ProgramCheck out;
  if (dut.kind != DutKind::emulated) return out;
  std::ifstream in(dut.program_file, std::ios::binary);
  if (!in) throw ConfigError({dut.program_file, 0, 0}, "cannot read the BASIC program (check the path)");
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = basic::check_program(text.str(), dut.program_file);
  for (auto& d : parsed.diagnostics) (d.warning ? out.warnings : out.errors).push_back(std::move(d));
  if (parsed.program && out.errors.empty()) {
    for (auto& w : basic::lint_program(*parsed.program)) out.warnings.push_back(std::move(w));
    out.program = std::move(parsed.program);
  }
  return out;
}

std::vector<ProgramOfFile> check_fleet_programs(const Scenario& s) {
  std::vector<ProgramOfFile> out;
  for (const auto* d : s.devices_under_test()) {
    if (d->kind != DutKind::emulated) continue;
    if (std::any_of(out.begin(), out.end(), [&](const ProgramOfFile& p) { return p.file == d->program_file; })) continue;
    out.push_back({d->program_file, check_dut_program(*d)});
  }
  return out;
}

std::string describe_errors(const ProgramCheck& check, const std::string& file) {
  std::string out;
  for (const auto& d : check.errors) out += d.to_string() + "\n";
  out += fmt::format("{}: {} syntax error(s)", file, check.errors.size());
  return out;
}

}  // namespace flexhil::scenario
