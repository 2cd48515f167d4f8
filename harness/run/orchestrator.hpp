#pragma once
// `flexhil run`: PKI → hub → PLC → device under test → observer (capture.jsonl first) →
// scheduled actions → rules → reports. Every part is stopped on exit, on error and on
// SIGINT/SIGTERM, and the report is still written.
#include <ostream>
#include <string>
#include <vector>

#include "common/event.hpp"
#include "harness/rules/rules.hpp"
#include "harness/scenario/scenario.hpp"

namespace flexhil::run {

struct RunOptions {
  std::string out_dir;   // "" = reports/<scenario>/<run-id>/
  bool progress = true;  // live progress line when `out` is a terminal
};

// Runs the scenario; returns the exit code (0 passed, 1 findings, 2 configuration, 3 infrastructure).
int run_scenario(const scenario::Scenario& s, const RunOptions& options, std::ostream& out, std::ostream& err);

// junit.xml, summary.json and report.html for an offline validation (`flexhil validate --out`).
// A non-empty `capture_problem` marks the reports partial (summary.json "partial": true) with
// that reason; `code` < 0 takes the exit code from the verdict.
void write_offline_reports(const scenario::Scenario& s, const std::vector<Json>& events,
                           const std::vector<rules::Finding>& findings, const rules::Verdict& verdict,
                           const std::string& dir, const std::string& capture_problem = {}, int code = -1,
                           const rules::EvaluationTimes& times = {});

}  // namespace flexhil::run
