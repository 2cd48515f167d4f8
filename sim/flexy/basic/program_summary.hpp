#pragma once
// The one-line account of a program that parsed, as `flexhil basic check` prints it:
//   <file>: ok, 120 lines, 85 statements, 2 section(s) (Init Section, Main), 4 label(s), 1 function(s)
// Pure: reads the parsed program, nothing else.
#include <cstddef>
#include <string>

#include "sim/flexy/basic/interpreter.hpp"

namespace flexhil::basic {

// `warnings` is the number of lint_program() warnings; mentioned only when there are any.
std::string summarize_program(const Program& program, const std::string& file, std::size_t warnings);

}  // namespace flexhil::basic
