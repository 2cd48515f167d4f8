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

// What the scenario declares about its findings (`[expect]` exact_findings / must_find /
// must_not_find) and how the run measured up — copy it from rules::judge()'s Verdict so the
// reports and the exit code always agree.
struct DeclaredFindings {
  bool exact = false;                   // exact_findings: these ids, no more, no less
  std::vector<std::string> expected;    // exact_findings or must_find rule ids
  std::vector<std::string> must_not;    // must_not_find rule ids
  std::vector<std::string> missing;     // rules::Verdict::missing
  std::vector<std::string> unexpected;  // rules::Verdict::unexpected
  bool ok() const { return missing.empty() && unexpected.empty(); }
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
  // The Flexy's tag scaling (published = raw × coef + offset): PLC values are drawn scaled so
  // both series share one axis.
  double coef = 1.0;
  double offset = 0.0;
};

struct ReportInput {
  std::string scenario;             // scenario name
  std::string run_id;               // e.g. "20261126T080012Z"
  std::string started_wall;         // ISO 8601 UTC wall time the run started
  double duration_s = 0;            // real seconds the run lasted
  double time_scale = 1;            // scenario seconds per real second
  std::string hostname;             // the machine that ran it (junit.xml's hostname; "" = "localhost")
  // The rules' evaluation (rules::EvaluationTimes): junit.xml gives every evaluated rule case an
  // equal share of `rules_s` (the families judge several rules in one pass over the stream) and
  // lists each family's time as a property.
  double rules_s = 0;
  std::vector<std::pair<std::string, double>> rule_family_s;
  bool passed = false;
  int exit_code = 0;                // 0 passed, 1 findings, 2 config, 3 infrastructure
  std::string exit_reason;          // one line: "completed", "interrupted (SIGINT)", "hub did not start: …"
  bool interrupted = false;         // stopped by SIGINT/SIGTERM: verdict "interrupted", not passed/failed

  // "passed", "failed" (findings), "interrupted" or "error" (exit code 2/3): summary.json's
  // verdict and report.html's header.
  std::string verdict() const {
    if (interrupted) return "interrupted";
    if (passed) return "passed";
    return exit_code == 2 || exit_code == 3 ? "error" : "failed";
  }
  // `flexhil validate --allow-partial` of an incomplete capture (no run_end, or counts that do not
  // match): the verdict stands but covers only what was recorded.
  bool partial = false;
  std::string capture_problem;      // why the capture is incomplete (empty when complete)

  std::vector<std::string> devices;            // device ids under test
  std::vector<Json> events;                    // as in capture.jsonl (seq, mono_ns, wall, kind, …)
  std::vector<rules::Finding> findings;
  std::vector<rules::RuleInfo> catalogue;      // rules::catalogue(): titles, severities, hub behaviour
  std::vector<RulesRun> rules_run;             // empty = every catalogue rule for every device
  // Rules that do not apply to what the device publishes to (the Azure-only ones against a plain
  // MQTT broker): shown as "not applicable" (JUnit <skipped>), never as passed.
  std::vector<std::string> not_applicable;
  std::string not_applicable_reason;           // one line, e.g. "not applicable: … plain MQTT broker …"

  std::optional<double> full_push_period_s;    // expected periods (scenario seconds), histogram marks
  std::optional<double> change_push_period_s;
  std::vector<PlottedTag> plotted_tags;

  // Set when the scenario declares findings (scenario library: the known-bad set);
  // nullopt = nothing declared (every error finding fails the run).
  std::optional<DeclaredFindings> declared_findings;

  // File names linked from report.html (relative to the report folder).
  std::string capture_file = "capture.jsonl";
  std::string broker_log_file = "broker.log";
  std::string dut_console_file = "dut-console.log";
  // A device's own page of a fleet report: the fleet's report.html, linked from its header.
  std::string fleet_report;
};

// True when the scenario declares `finding`'s rule as expected: such a finding is the intended
// outcome of a known-bad scenario and does not fail its JUnit test case.
bool is_declared(const ReportInput& input, const rules::Finding& finding);

}  // namespace flexhil::report
