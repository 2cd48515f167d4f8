#include <algorithm>

#include "harness/report/report_input.hpp"

namespace flexhil::report {

std::optional<ExpectationCheck> check_expectations(const ReportInput& input) {
  if (!input.expected_findings) return std::nullopt;
  ExpectationCheck check;
  std::vector<bool> used(input.findings.size(), false);
  for (const auto& expected : *input.expected_findings) {
    bool found = false;
    for (std::size_t i = 0; i < input.findings.size(); ++i) {
      const auto& f = input.findings[i];
      if (f.rule_id != expected.rule_id) continue;
      if (!expected.device.empty() && f.device != expected.device) continue;
      found = true;
      // Every finding of a declared rule counts as expected (a rule may fire several times).
      if (!used[i]) check.matched_findings.push_back(i);
      used[i] = true;
    }
    if (!found) check.missing.push_back(expected);
  }
  for (std::size_t i = 0; i < input.findings.size(); ++i) {
    if (used[i] || input.findings[i].severity == rules::Severity::info) continue;
    check.unexpected.push_back(input.findings[i]);
  }
  std::sort(check.matched_findings.begin(), check.matched_findings.end());
  return check;
}

}  // namespace flexhil::report
