#pragma once
// Everything a run's reports are made of. The harness fills one ReportInput at the end of
// `flexhil run` (or `flexhil validate` offline) and hands it to write_reports(); the writers are
// pure functions of it, so a report can be regenerated from a capture at any time.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/event.hpp"
#include "harness/rules/finding.hpp"

namespace flexhil::report {

// A finding the scenario declares it must produce (scenario library: the known-bad set).
struct ExpectedFinding {
  std::string rule_id;
  std::string device;  // "" = any device (or a hub-wide finding)
};

// The rules that were evaluated for one device ("" = hub-wide rules), so JUnit shows a passing
// test case for every rule that ran, not only for the ones that found something.
struct RulesRun {
  std::string device;
  std::vector<std::string> rule_ids;
};

// A tag plotted as "PLC value vs published value": `tag` is the key looked up in the published
// JSON payloads, `point` the PLC point name in plc_change events.
struct PlottedTag {
  std::string tag;
  std::string point;
};

struct ReportInput {
  std::string scenario;             // scenario name
  std::string run_id;               // e.g. "20261126T080012Z"
  std::string started_wall;         // ISO 8601 UTC wall time the run started
  double duration_s = 0;            // real seconds the run lasted
  double time_scale = 1;            // scenario seconds per real second
  bool passed = false;
  int exit_code = 0;                // 0 passed, 1 findings, 2 config, 3 infrastructure
  std::string exit_reason;          // one line: "completed", "interrupted (SIGINT)", "hub did not start: …"

  std::vector<std::string> devices;            // device ids under test
  std::vector<Json> events;                    // as in capture.jsonl (seq, mono_ns, wall, kind, …)
  std::vector<rules::Finding> findings;
  std::vector<rules::RuleInfo> catalogue;      // rules::catalogue(): titles, severities, hub behaviour
  std::vector<RulesRun> rules_run;             // empty = every catalogue rule for every device

  std::optional<double> full_push_period_s;    // expected periods (scenario seconds), histogram marks
  std::optional<double> change_push_period_s;
  std::vector<PlottedTag> plotted_tags;

  // Set for scenario-library runs that declare their findings; nullopt = nothing declared.
  std::optional<std::vector<ExpectedFinding>> expected_findings;

  // File names linked from report.html (relative to the report folder).
  std::string capture_file = "capture.jsonl";
  std::string broker_log_file = "broker.log";
  std::string dut_console_file = "dut-console.log";
};

// Expected vs actual findings, matched by rule id (and device when the expectation names one).
struct ExpectationCheck {
  std::vector<ExpectedFinding> missing;       // declared but not produced
  std::vector<rules::Finding> unexpected;     // produced (error/warning) but not declared
  std::vector<std::size_t> matched_findings;  // indexes into ReportInput::findings
  bool ok() const { return missing.empty() && unexpected.empty(); }
};
// nullopt when the input declares no expectations.
std::optional<ExpectationCheck> check_expectations(const ReportInput& input);

}  // namespace flexhil::report
