// Temporary compiling stub of the driving API (replaced by the real parser and interpreter).
#include <deque>

#include "sim/flexy/basic/interpreter.hpp"

namespace flexhil::basic {
namespace detail {
struct ProgramCode {
  std::string file;
};
}  // namespace detail

std::string Diagnostic::to_string() const { return file + ":" + std::to_string(line) + ": syntax error: " + message; }
SyntaxError::SyntaxError(Diagnostic first, std::vector<Diagnostic> all)
    : std::runtime_error(first.to_string()), first_(std::move(first)), all_(std::move(all)) {}

Program::Program() : code_(std::make_shared<detail::ProgramCode>()) {}
Program::Program(std::shared_ptr<detail::ProgramCode> code) : code_(std::move(code)) {}
const std::string& Program::file_name() const { return code_->file; }
std::size_t Program::line_count() const { return 0; }
std::size_t Program::statement_count() const { return 0; }
std::vector<std::string> Program::section_names() const { return {}; }
std::vector<std::string> Program::label_names() const { return {}; }
std::vector<std::string> Program::function_names() const { return {}; }
bool Program::has_label(std::string_view) const { return false; }

Program parse_program(std::string_view, std::string file_name) {
  auto code = std::make_shared<detail::ProgramCode>();
  code->file = std::move(file_name);
  return Program(code);
}
ParseResult check_program(std::string_view source, std::string file_name) {
  return {parse_program(source, std::move(file_name)), {}};
}
std::string_view to_string(RequestKind) { return "command"; }

struct Interpreter::Impl {
  Program program;
  Host& host;
  InterpreterOptions options;
  std::deque<std::string> queue;
  RequestOutcome outcome;
};
Interpreter::Interpreter(Program program, Host& host, InterpreterOptions options)
    : impl_(std::make_unique<Impl>(Impl{std::move(program), host, options, {}, {}})) {}
Interpreter::~Interpreter() = default;
void Interpreter::start() {}
void Interpreter::post_timer(int) {}
void Interpreter::post_tag_change(int) {}
void Interpreter::post_mqtt_message() {}
void Interpreter::post_mqtt_status(int) {}
void Interpreter::post_wan(int) {}
void Interpreter::post_command(std::string, int) {}
bool Interpreter::run_one() { return false; }
std::size_t Interpreter::pending() const { return 0; }
const RequestOutcome& Interpreter::last_outcome() const { return impl_->outcome; }
std::uint64_t Interpreter::dropped_requests() const { return 0; }
bool Interpreter::watches_tag(int) const { return false; }
bool Interpreter::has_timer(int) const { return false; }
int Interpreter::last_error() const { return 0; }
std::optional<Value> Interpreter::variable(std::string_view) const { return std::nullopt; }
std::optional<Value> Interpreter::element(std::string_view, const std::vector<int>&) const { return std::nullopt; }
}  // namespace flexhil::basic
