// The eWON BASIC front end: scanner (line by line), parser, the throwing and the non-throwing
// entry points (they must agree), lint, and event command strings compiled against the program.
// Only SyntaxError may leave parse_program; nothing may leave the others.
#include "fuzz/support/fuzz_target.hpp"
#include "sim/flexy/basic/interpreter.hpp"
#include "sim/flexy/basic/parser.hpp"
#include "sim/flexy/basic/program.hpp"
#include "sim/flexy/basic/scanner.hpp"

using namespace flexhil;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto source = fuzz::as_text(data, size);

  std::string_view rest = source;
  std::string_view last_line;
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    last_line = rest.substr(0, nl);
    const auto scanned = basic::scan_line(last_line);
    fuzz::require(!scanned.tokens.empty() && scanned.tokens.back().is(basic::TokenKind::end));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }

  const auto checked = basic::check_program(source, "fuzz.bas");
  fuzz::require(checked.program.has_value() == checked.diagnostics.empty());
  try {
    const auto program = basic::parse_program(source, "fuzz.bas");
    fuzz::require(checked.program.has_value());
  } catch (const basic::SyntaxError& e) {
    fuzz::require(!checked.program.has_value());
    fuzz::require(!e.all().empty());
  }
  if (!checked.program) return 0;

  const auto& program = *checked.program;
  (void)basic::lint_program(program);
  (void)program.section_names();
  (void)program.label_names();
  (void)program.function_names();
  // The last line once more, as an event command string (ONTIMER 1, "<line>").
  auto globals = program.code()->globals;
  (void)basic::compile_command(last_line, *program.code(), globals);
  return 0;
}
