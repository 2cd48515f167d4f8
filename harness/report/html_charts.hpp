#pragma once
// The inline SVG charts of report.html. Each returns a complete <svg> element (or a short
// <p class="empty"> note when there is nothing to draw); all text is escaped.
#include <string>

#include "harness/report/report_input.hpp"
#include "harness/report/run_stats.hpp"

namespace flexhil::report {

// One row per device: publishes (ticks), accepted/refused connects, disconnects, over run time.
std::string timeline_svg(const ReportInput& input, const RunStats& stats);
// Publish intervals of all devices against the expected full-push and change-push periods.
std::string interval_histogram_svg(const ReportInput& input);
// PLC value (step line) vs the values devices published for `tag` (dots), over run time.
std::string value_chart_svg(const ReportInput& input, const RunStats& stats, const PlottedTag& tag);

// Scenario seconds shown on the time axis: the run's length, or the last event if later.
double time_axis_end(const ReportInput& input, const RunStats& stats);

}  // namespace flexhil::report
