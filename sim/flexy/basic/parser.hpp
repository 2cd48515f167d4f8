#pragma once
// Parser: program.bas → compiled program (program.hpp), line by line, recovering after an error
// on a line so that every syntax error of a file is reported with its BASIC line number.
// Also compiles event command strings ("goto Label", '@readMsg(mqtt("read"))') against a
// parsed program when they run.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/flexy/basic/errors.hpp"
#include "sim/flexy/basic/program.hpp"

namespace flexhil::basic {

struct CompiledProgram {
  std::shared_ptr<detail::ProgramCode> code;  // null when diagnostics is not empty
  std::vector<Diagnostic> diagnostics;
};

CompiledProgram compile_program(std::string_view source, std::string file_name);

// A command string compiled against `program`; new global variables go into `globals` (the
// interpreter's copy of the program's symbols). `error` is set instead on a syntax error.
struct CompiledCommand {
  Code code;  // ends with END
  std::string error;
};
CompiledCommand compile_command(std::string_view text, const detail::ProgramCode& program, Symbols& globals);

}  // namespace flexhil::basic
