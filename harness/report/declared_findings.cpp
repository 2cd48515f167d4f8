#include <algorithm>

#include "harness/report/report_input.hpp"

namespace flexhil::report {

bool is_declared(const ReportInput& input, const rules::Finding& finding) {
  if (!input.declared_findings) return false;
  const auto& expected = input.declared_findings->expected;
  // "RULE" on any device, "RULE@device" on that device only.
  return std::find(expected.begin(), expected.end(), finding.rule_id) != expected.end() ||
         std::find(expected.begin(), expected.end(), finding.rule_id + "@" + finding.device) != expected.end();
}

}  // namespace flexhil::report
