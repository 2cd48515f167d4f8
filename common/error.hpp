#pragma once
// Errors that cross component boundaries, and the exit codes they map to (docs/architecture.md "Errors, one style per layer").
#include <stdexcept>
#include <string>

namespace flexhil {

namespace exit_code {
inline constexpr int ok = 0;
inline constexpr int findings = 1;        // the device under test failed
inline constexpr int usage = 2;           // usage or configuration error
inline constexpr int infrastructure = 3;  // a part would not start
}  // namespace exit_code

struct SourcePosition {
  std::string file;
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based; 0 = unknown
  std::string to_string() const;  // "file:line:col", "file:line" or "file"
};

// A malformed configuration file (scenario, registry, flexy config, PLC points): exit code 2.
// what() is "file:line:col: error: message", ready to print.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(SourcePosition where, std::string message);
  const SourcePosition& where() const noexcept { return where_; }
  const std::string& message() const noexcept { return message_; }

 private:
  SourcePosition where_;
  std::string message_;
};

// A part (broker, PLC, child process, port) would not start or died: exit code 3.
class InfrastructureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace flexhil
