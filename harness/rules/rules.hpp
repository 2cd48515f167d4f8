#pragma once
// The rules: pure functions of the event stream (capture.jsonl objects, docs/events.md) and the
// scenario's expectations. The same code judges a live run and a capture offline
// (`flexhil validate`). Findings are aggregated per rule and device, ordered by first evidence.
#include <string>
#include <utility>
#include <vector>

#include "common/event.hpp"
#include "harness/rules/expectations.hpp"
#include "harness/rules/finding.hpp"

namespace flexhil::rules {

// How long each family of rules took (wall seconds of this process), for junit.xml's times.
// The families run one after the other over the whole stream; a family judges several rule ids.
struct EvaluationTimes {
  std::vector<std::pair<std::string, double>> families;  // {"connection", 0.0012}, …
  double total_s = 0;
};

// `times`: optional, filled with the families' evaluation times.
std::vector<Finding> evaluate(const std::vector<Json>& events, const Expectations& expect,
                              EvaluationTimes* times = nullptr);

struct Verdict {
  bool passed = true;
  std::vector<std::string> missing;     // expected rule ids that were not found
  std::vector<std::string> unexpected;  // found rule ids that fail the scenario
  std::string summary;                  // one line for the terminal
  // A HARNESS-… finding: our own part failed, so the run is an infrastructure failure (exit 3)
  // whatever the device did; `summary` says so.
  bool infrastructure = false;
};

// HARNESS-HUB-DOWN, HARNESS-PLC-DOWN, HARNESS-CAPTURE-GAP, …: the harness, not the device, failed.
bool is_infrastructure(const Finding& f);

// exact_findings: passed iff the set of rule ids found equals it. Otherwise: every must_find id
// found, no must_not_find id found, and no error-severity finding outside must_find.
Verdict judge(const std::vector<Finding>& findings, const FindingExpectations& expect);

}  // namespace flexhil::rules
