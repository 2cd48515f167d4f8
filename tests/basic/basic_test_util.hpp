#pragma once
// Helpers shared by the test_basic suites: run a program's Init request on a FakeHost.
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "sim/flexy/basic/interpreter.hpp"
#include "tests/basic/fake_host.hpp"

namespace flexhil::basic {
inline std::ostream& operator<<(std::ostream& os, RequestKind k) { return os << to_string(k); }
}  // namespace flexhil::basic

namespace flexhil::basic::testing {

// A parsed program driven on its own FakeHost.
struct Session {
  explicit Session(const std::string& source, InterpreterOptions options = {}, FakeHost prepared = {})
      : host(std::move(prepared)), basic(parse_program(source, "program.bas"), host, options) {
    basic.start();
  }
  // Runs the next request; returns the outcome.
  const RequestOutcome& step() {
    basic.run_one();
    return basic.last_outcome();
  }
  FakeHost host;
  Interpreter basic;
};

// Runs the Init request of `source` (a file without section markers is all Init) and returns
// what it printed.
inline std::vector<std::string> prints_of(const std::string& source) {
  Session s(source);
  s.step();
  return s.host.prints;
}

// The value of a global variable after the Init request.
inline Value value_after(const std::string& source, const std::string& variable) {
  Session s(source);
  s.step();
  return s.basic.variable(variable).value_or(Value{std::string("<missing>")});
}

// The diagnostics of a program that must not parse.
inline std::vector<Diagnostic> syntax_errors(const std::string& source) {
  return check_program(source, "program.bas").diagnostics;
}

}  // namespace flexhil::basic::testing
