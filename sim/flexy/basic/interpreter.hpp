#pragma once
// The eWON BASIC interpreter: parse a program.bas once, then drive it request by request.
//
//   Program program = parse_program(source, "program.bas");    // throws SyntaxError
//   Interpreter basic(std::move(program), host, {});
//   basic.start();                  // queues the Init section, then the Cyclic section
//   basic.post_timer(1);            // events queue their command strings (never preempt)
//   while (basic.run_one()) { … }   // one request until END or an error
//
// Pure: no sockets, threads or clock reads — everything outside the language goes through
// Host (host.hpp). Call everything from one thread.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/flexy/basic/errors.hpp"
#include "sim/flexy/basic/host.hpp"

namespace flexhil::basic {

namespace detail {
struct ProgramCode;  // the compiled program (program.hpp); opaque to users
}

// A parsed program: immutable code + labels + functions. Cheap to copy (shared).
class Program {
 public:
  Program();
  explicit Program(std::shared_ptr<detail::ProgramCode> code);
  const std::string& file_name() const;
  std::size_t line_count() const;                 // lines of the source
  std::size_t statement_count() const;            // compiled statements
  std::vector<std::string> section_names() const; // in file order ("Init Section", …)
  std::vector<std::string> label_names() const;   // global labels the program writes, upper-cased
  std::vector<std::string> function_names() const;
  bool has_label(std::string_view name) const;    // case-insensitive
  const std::shared_ptr<detail::ProgramCode>& code() const { return code_; }

 private:
  std::shared_ptr<detail::ProgramCode> code_;
};

// Parses a whole program.bas. Throws SyntaxError (first error; all() lists every error found).
Program parse_program(std::string_view source, std::string file_name);

// Same, without throwing: every syntax error found (empty → `program` is set).
struct ParseResult {
  std::optional<Program> program;
  std::vector<Diagnostic> diagnostics;
};
ParseResult check_program(std::string_view source, std::string file_name);

// Problems a parsed program will hit only when it runs (warnings, like the published ONMQTT
// handler whose label does not exist): GOTO/GOSUB to missing labels, and event command strings
// written as literals (ONTIMER, ONCHANGE, ONMQTT, …) that do not parse or jump to missing labels.
std::vector<Diagnostic> lint_program(const Program& program);

// How a real is converted where an integer is expected (unverified on a real Flexy).
enum class RealToInt { truncate, round_half_away };

struct InterpreterOptions {
  std::size_t queue_capacity = 100;           // requests; more are dropped and logged
  std::uint64_t statement_budget = 5'000'000; // per request; 0 = unlimited
  bool requeue_cyclic = true;                 // queue the Cyclic section again after each pass
  std::size_t max_depth = 256;                // GOSUB / FOR / @call nesting
  int error_log_level = 1;                    // Host::log_event level for runtime errors
  int overflow_log_level = 1;                 // … and for dropped requests
  // Number formatting (STR$, PRINT, string concatenation of reals); *unverified* on a Flexy.
  int real_significant_digits = 7;            // reals print with up to this many digits
  bool single_precision_reals = true;         // real arithmetic rounded to float
  RealToInt real_to_int = RealToInt::truncate;
};

enum class RequestKind {
  init, cyclic, timer, tag_change, mqtt_message, mqtt_status, error, wan, command,
  date, alarm, action_status, sms, ppp,  // events and outbound actions
};
std::string_view to_string(RequestKind kind);

// What the last run_one() did (for the runtime's console/event log and for tests).
struct RequestOutcome {
  RequestKind kind = RequestKind::command;
  std::string command;          // the BASIC command string that ran ("GOTO ewon_cyclic_section")
  bool ok = true;               // ended by END (or the end of the code) without an abort
  int error_code = 0;           // LSTERR of the aborting error
  std::string error_message;    // "program.bas:42: runtime error: division by zero (LSTERR 5)"
  int line = 0;                 // BASIC line of the aborting error (0 = in an event command)
  std::uint64_t statements = 0; // statements executed by the request
};

class Interpreter {
 public:
  Interpreter(Program program, Host& host, InterpreterOptions options = {});
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  void start();                       // queues init then cyclic (RUN)
  void post_timer(int number);        // ONTIMER number's command, if any
  void post_tag_change(int tag_index);// ONCHANGE of that tag (0-based index), if any
  void post_mqtt_message();           // ONMQTT command, if any
  void post_mqtt_status(int status);  // ONMQTTSTATUS command (EVTINFO = status), if any
  void post_wan(int status);          // ONWAN command (EVTINFO = status), if any
  // Queues one pass of the Cyclic section (for runtimes that pace it themselves with
  // requeue_cyclic = false). Never dropped by a full queue; no-op without a Cyclic section.
  void post_cyclic();
  // --- events and outbound actions ---
  void post_date(int number);          // ONDATE number's command (EVTINFO = number), if any
  void post_alarm(int tag_index);      // ONALARM of that tag (EVTINFO = tag id), if any
  void post_action_status(int action_id);  // ONSTATUS (EVTINFO = the action id), if any
  void post_sms();                     // ONSMS, if any
  void post_ppp(int status);           // ONPPP (EVTINFO 1 = link up, 2 = down), if any
  bool has_date_plan(int number) const;
  bool watches_alarm(int tag_index) const;
  // Any BASIC command line (like /rcgi.bin/ExeScriptForm); parsed when it runs.
  void post_command(std::string basic, int evtinfo = 0);

  bool run_one();                     // runs the next request to END or error; false if idle
  std::size_t pending() const;        // queued requests
  const RequestOutcome& last_outcome() const;
  std::uint64_t dropped_requests() const;

  // Introspection for the runtime and tests.
  bool watches_tag(int tag_index) const;        // an ONCHANGE is registered for it
  bool has_timer(int number) const;             // an ONTIMER is registered for it
  int last_error() const;                       // LSTERR
  bool halted() const;                          // HALT ran: nothing runs any more
  std::optional<Value> variable(std::string_view name) const;  // global scalar ("a%", "S$")
  std::optional<Value> element(std::string_view name, const std::vector<int>& index) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flexhil::basic
