#pragma once
// Errors of the eWON BASIC interpreter: syntax errors (found before the program runs, with the
// BASIC line number, formatted like the Flexy IDE) and the runtime error codes a request can
// fail with (what GETSYS PRG,"LSTERR" returns). The numeric codes are *unverified* — no HMS
// source lists them — except 28 (raised by the host for MQTT "CONNECT" without WAN); they are
// documented in README.md.
#include <stdexcept>
#include <string>
#include <vector>

namespace flexhil::basic {

// One problem found while parsing: "program.bas:42: syntax error: THEN expected after IF condition".
struct Diagnostic {
  std::string file;
  int line = 0;  // BASIC line number, 1-based
  std::string message;
  bool warning = false;  // lint_program(): runs, but fails when that line or event runs
  std::string to_string() const;  // "file:line: syntax error: …" or "file:line: warning: …"
};

// Thrown by parse_program() for the first syntax error; what() is Diagnostic::to_string().
class SyntaxError : public std::runtime_error {
 public:
  explicit SyntaxError(Diagnostic first, std::vector<Diagnostic> all = {});
  const Diagnostic& diagnostic() const noexcept { return first_; }
  const std::vector<Diagnostic>& all() const noexcept { return all_; }  // every error found

 private:
  Diagnostic first_;
  std::vector<Diagnostic> all_;
};

// Runtime error codes (LSTERR). Host errors (HostResult::error) are passed through unchanged.
namespace error_code {
inline constexpr int none = 0;
inline constexpr int syntax = 1;              // an event command string does not parse
inline constexpr int unknown_label = 2;       // GOTO/GOSUB to a label that does not exist
inline constexpr int type_mismatch = 3;       // a string where a number is expected, or back
inline constexpr int index_out_of_range = 4;  // array index outside DIM, or array not DIMed
inline constexpr int division_by_zero = 5;
inline constexpr int return_without_gosub = 6;
inline constexpr int next_without_for = 7;
inline constexpr int unknown_function = 8;    // @Name with no FUNCTION Name
inline constexpr int wrong_arguments = 9;     // wrong number of arguments to a built-in/function
inline constexpr int invalid_parameter = 10;  // bad GETSYS/SETSYS field, bad value
inline constexpr int budget_exceeded = 11;    // statement budget of a request used up (endless loop?)
inline constexpr int unknown_tag = 12;        // Tag@, GETIO, ONCHANGE, SETSYS TAG,"load" of no tag
inline constexpr int stack_overflow = 13;     // GOSUB/FOR/@call nesting too deep
inline constexpr int goto_out_of_function = 14;
inline constexpr int string_too_long = 15;    // a string above limits::max_string_length
inline constexpr int out_of_memory = 16;      // variables above limits::memory_budget_bytes
inline constexpr int wan_down = 28;           // raised by the host (MQTT "CONNECT")
// Raised by the host: MQTT "CONNECT" with an unusable CAFile/CertFile/KeyFile (*unverified*: the
// emulator's choice, no Flexy documentation gives one).
inline constexpr int tls_file = 29;
// Files (OPEN/PUT/GET/CLOSE/ERASE, *unverified*: the emulator's choice). 40: a file number
// outside 1..8, already open (OPEN) or not open (PUT/GET/EOF/CLOSE); 41: the file cannot be
// opened, read, written or erased (missing, outside /usr, an unknown export); 42: the operation
// does not fit how the file was opened (PUT on INPUT, GET on OUTPUT, an export not for INPUT).
inline constexpr int file_number = 40;
inline constexpr int file_io = 41;
inline constexpr int file_mode = 42;
}  // namespace error_code

// Event-log levels (LOGEVENT's second argument, Host::log_event) the runtime logs with.
namespace log_level {
inline constexpr int error = 1;
inline constexpr int info = 3;
}  // namespace log_level

// A runtime error raised while a request runs; carries the LSTERR code.
class RuntimeError : public std::runtime_error {
 public:
  RuntimeError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const noexcept { return code_; }

 private:
  int code_;
};

}  // namespace flexhil::basic
