#pragma once
// The one place where any exception becomes an exit code and a one-line message, so that no
// user mistake and no failure of a part ends in std::terminate (exit 134) without a word:
//   ConfigError, std::invalid_argument, and path errors the user caused (a name too long, a
//   component that is a regular file, a missing folder, no permission) → 2 (usage/input);
//   InfrastructureError, std::bad_alloc, any other exception → 3 (infrastructure).
#include <exception>
#include <functional>
#include <ostream>
#include <string>
#include <system_error>

namespace flexhil {

struct Failure {
  int exit_code = 3;
  std::string message;  // one line, ready to print: "error: …" or ConfigError's "file:line:col: error: …"
};

// What `error` means for the user; never rethrows. `error` must not be null.
Failure describe_exception(std::exception_ptr error);

// True for errno values of a path the user gave (ENAMETOOLONG, ENOTDIR, ENOENT, EACCES, …):
// their fault is exit 2, not an infrastructure failure.
bool is_input_path_error(const std::error_code& ec);

// Runs `body` and returns its exit code; any exception is printed to `err` as one line and
// mapped by describe_exception().
int run_guarded(const std::function<int()>& body, std::ostream& err);

// Process-wide last resort for exceptions that escape a thread: prints one line to stderr and
// exits 3 instead of aborting (exit 134). Installed once by main().
void install_terminate_handler();

}  // namespace flexhil
