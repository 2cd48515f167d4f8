#pragma once
// The report writers (issue 5 "Reports"): pure functions from a ReportInput to the text of each
// file, and write_reports() that puts them into the run's report folder next to capture.jsonl,
// broker.log and dut-console.log.
#include <string>

#include "harness/report/report_input.hpp"

namespace flexhil::report {

// JUnit XML (what CI systems read): one <testcase> per rule and device (classname = device, or
// "hub" for hub-wide rules; name = rule id); error findings are <failure>s with their evidence.
std::string render_junit(const ReportInput& input);

// summary.json: verdict, counts by severity, every finding, per-device traffic, connect verdicts.
std::string render_summary_json(const ReportInput& input);

// report.html: one self-contained page (inline CSS and SVG, no script, no network).
std::string render_html(const ReportInput& input);

// Writes junit.xml, summary.json and report.html into `dir` (created if missing).
// Throws InfrastructureError when a file cannot be written.
void write_reports(const ReportInput& input, const std::string& dir);

}  // namespace flexhil::report
