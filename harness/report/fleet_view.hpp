#pragma once
// The fleet view of report.html (a scenario with more than one device under test): one row per
// device with its verdict and counts, a heat map of findings per device over scenario time, and
// a page of its own per device (devices/<id>.html: the single-device report of its events and
// findings). Pure functions of the ReportInput.
#include <string>

#include "harness/report/report_input.hpp"
#include "harness/report/run_stats.hpp"

namespace flexhil::report {

// More devices than this: the main page shows the fleet view instead of the per-device
// timeline, interval and value charts (each device's page has them).
inline constexpr std::size_t fleet_charts_limit = 40;
// Device pages are written for every device up to this many; beyond, for the devices with
// findings (the table says which have one).
inline constexpr std::size_t device_pages_limit = 200;

bool is_fleet(const ReportInput& input);
// Relative link of a device's page ("devices/Flexy042.html"); ids are made safe for a file name.
std::string device_page(const std::string& device);
bool has_device_page(const ReportInput& input, const std::string& device);

// The <section id="fleet"> of report.html.
std::string fleet_section(const ReportInput& input, const RunStats& stats);

// The report of one device: its events (and those of no device: run start/end, hub and PLC),
// its findings, the run's verdict; links point one folder up.
ReportInput device_report_input(const ReportInput& input, const std::string& device);

}  // namespace flexhil::report
