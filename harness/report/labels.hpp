#pragma once
// Display names of severities and hub behaviours as they appear in every report (the same words
// as rules::to_string, kept here so the report library has no link dependency on the rules).
#include <string_view>

#include "harness/rules/finding.hpp"

namespace flexhil::report {

std::string_view severity_label(rules::Severity s);    // "error", "warning", "info"
std::string_view hub_label(rules::HubBehaviour h);     // "refuses", …, "downstream-breaks"
// "hub" for hub-wide findings (no device), else the device id.
std::string_view device_label(std::string_view device);

}  // namespace flexhil::report
