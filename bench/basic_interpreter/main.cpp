// Benchmark: eWON BASIC interpreter throughput (statements/s) on loop-heavy programs, against a
// baseline measured in the same run: the same loop written in C++ over the interpreter's value
// type (std::variant), i.e. the cost of dynamic typing without any interpretation.
// Usage: bench_basic_interpreter [iterations]   (prints, never asserts)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <variant>

#include "sim/flexy/basic/interpreter.hpp"

namespace {

using flexhil::basic::HostResult;
using flexhil::basic::Value;

// A host with no tags and no side effects.
class NullHost : public flexhil::basic::Host {
 public:
  std::int64_t time_seconds() override { return 0; }
  std::int64_t milliseconds() override { return 0; }
  std::string time_string() override { return "26/11/2026 09:10:05"; }
  void print(std::string_view) override {}
  void log_event(std::string_view m, int) override { std::fprintf(stderr, "log: %.*s\n", static_cast<int>(m.size()), m.data()); }
  int tag_count() override { return 0; }
  std::optional<int> find_tag(std::string_view) override { return std::nullopt; }
  Value tag_value(int) override { return std::int32_t{0}; }
  HostResult set_tag_value(int, const Value&) override { return HostResult::ok(); }
  std::optional<Value> tag_field(int, std::string_view) override { return std::nullopt; }
  HostResult set_tag_field(int, std::string_view, const Value&) override { return HostResult::ok(); }
  HostResult save_tag(int) override { return HostResult::ok(); }
  void set_timer(int, double) override {}
  HostResult mqtt(std::string_view, const std::vector<Value>&) override { return HostResult::ok(); }
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Measure {
  std::uint64_t statements;
  double seconds;
  double rate() const { return static_cast<double>(statements) / seconds; }
};

Measure run_basic(const std::string& source) {
  NullHost host;
  flexhil::basic::InterpreterOptions options;
  options.statement_budget = 0;  // unlimited
  flexhil::basic::Interpreter basic(flexhil::basic::parse_program(source, "bench.bas"), host, options);
  basic.start();
  auto t0 = std::chrono::steady_clock::now();
  basic.run_one();
  double s = seconds_since(t0);
  if (!basic.last_outcome().ok) std::fprintf(stderr, "%s\n", basic.last_outcome().error_message.c_str());
  return Measure{basic.last_outcome().statements, s};
}

// The integer loop of the first program in C++ over std::variant values; each line of the
// BASIC loop body counts as one "statement" (3 per iteration: assignment, IF, NEXT).
Measure run_baseline(std::int32_t n) {
  auto t0 = std::chrono::steady_clock::now();
  Value s = std::int32_t{0};
  Value i = std::int32_t{1};
  std::uint64_t statements = 0;
  while (std::get<std::int32_t>(i) <= n) {
    Value term = std::get<std::int32_t>(i) % 7;
    s = std::get<std::int32_t>(s) + std::get<std::int32_t>(term);
    if (std::get<std::int32_t>(s) > 1000000) s = std::get<std::int32_t>(s) - 1000000;
    i = std::get<std::int32_t>(i) + 1;
    statements += 3;
    asm volatile("" : : "r"(&s), "r"(&i) : "memory");  // keep the loop: values stay in memory
  }
  double secs = seconds_since(t0);
  volatile std::int32_t sink = std::get<std::int32_t>(s);
  (void)sink;
  return Measure{statements, secs};
}

}  // namespace

int main(int argc, char** argv) {
  const std::int32_t n = argc > 1 ? std::atoi(argv[1]) : 2'000'000;
  const std::string loop =
      "s% = 0\n"
      "FOR i% = 1 TO " + std::to_string(n) + "\n"
      "  s% = s% + i% MOD 7\n"
      "  IF s% > 1000000 THEN s% = s% - 1000000\n"
      "NEXT i%\n";
  const std::string strings =
      "DIM v(50)\n"
      "FOR k% = 1 TO " + std::to_string(n / 100) + "\n"
      "  p$ = \"{\"\n"
      "  FOR j% = 1 TO 50\n"
      "    v(j%) = v(j%) + 0.5\n"
      "    p$ = p$ + '\"Tag' + STR$ j% + '\":\"' + STR$(v(j%)) + '\",'\n"
      "  NEXT j%\n"
      "  t$ = TIME$\n"
      "  p$ = p$ + '\"time\":\"' + t$(7 TO 10) + '\"}'\n"
      "NEXT k%\n";
  const std::string calls =
      "FOR i% = 1 TO " + std::to_string(n / 4) + "\n"
      "  x% = @Inc(i%)\n"
      "NEXT i%\n"
      "FUNCTION Inc($a%)\n"
      "  $Inc = $a% + 1\n"
      "ENDFN\n";

  Measure base = run_baseline(n);
  Measure integer_loop = run_basic(loop);
  Measure string_loop = run_basic(strings);
  Measure call_loop = run_basic(calls);
  std::printf("baseline C++ over std::variant: %.0f statements/s (%llu in %.3f s)\n", base.rate(),
              static_cast<unsigned long long>(base.statements), base.seconds);
  std::printf("basic integer FOR loop:         %.0f statements/s (%llu in %.3f s)\n", integer_loop.rate(),
              static_cast<unsigned long long>(integer_loop.statements), integer_loop.seconds);
  std::printf("basic string/JSON building:     %.0f statements/s (%llu in %.3f s)\n", string_loop.rate(),
              static_cast<unsigned long long>(string_loop.statements), string_loop.seconds);
  std::printf("basic @function calls:          %.0f statements/s (%llu in %.3f s)\n", call_loop.rate(),
              static_cast<unsigned long long>(call_loop.statements), call_loop.seconds);
  std::printf("ratio flexhil/baseline = %.4f\n", integer_loop.rate() / base.rate());
  return 0;
}
