#include "sim/flexy/basic/program.hpp"

#include <algorithm>

#include "sim/flexy/basic/interpreter.hpp"
#include "sim/flexy/basic/parser.hpp"
#include "sim/flexy/basic/scanner.hpp"

namespace flexhil::basic {

int Symbols::lookup_or_add(const std::string& upper_name) {
  auto it = slots.find(upper_name);
  if (it != slots.end()) return it->second;
  int slot = size();
  slots.emplace(upper_name, slot);
  types.push_back(type_of_name(upper_name));
  names.push_back(upper_name);
  return slot;
}

std::string Diagnostic::to_string() const {
  return file + ":" + std::to_string(line) + (warning ? ": warning: " : ": syntax error: ") + message;
}

SyntaxError::SyntaxError(Diagnostic first, std::vector<Diagnostic> all)
    : std::runtime_error(first.to_string()), first_(std::move(first)), all_(std::move(all)) {}

Program::Program() : code_(std::make_shared<detail::ProgramCode>()) {}
Program::Program(std::shared_ptr<detail::ProgramCode> code) : code_(std::move(code)) {}
const std::string& Program::file_name() const { return code_->file; }
std::size_t Program::line_count() const { return code_->lines; }
std::size_t Program::statement_count() const { return code_->code.size(); }
std::vector<std::string> Program::section_names() const { return code_->sections; }

std::vector<std::string> Program::label_names() const {
  std::vector<std::string> out;
  for (const auto& [name, pc] : code_->labels)
    if (!code_->implicit_labels.count(name)) out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Program::function_names() const {
  std::vector<std::string> out;
  for (const auto& f : code_->functions) out.push_back(f.name);
  return out;
}

bool Program::has_label(std::string_view name) const { return code_->labels.count(upper(name)) > 0; }

Program parse_program(std::string_view source, std::string file_name) {
  auto compiled = compile_program(source, std::move(file_name));
  if (!compiled.diagnostics.empty()) {
    Diagnostic first = compiled.diagnostics.front();
    throw SyntaxError(std::move(first), std::move(compiled.diagnostics));
  }
  return Program(std::move(compiled.code));
}

ParseResult check_program(std::string_view source, std::string file_name) {
  auto compiled = compile_program(source, std::move(file_name));
  ParseResult r;
  r.diagnostics = std::move(compiled.diagnostics);
  if (r.diagnostics.empty()) r.program = Program(std::move(compiled.code));
  return r;
}

}  // namespace flexhil::basic
