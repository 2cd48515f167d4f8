#include <algorithm>

#include "harness/report/report_input.hpp"

namespace flexhil::report {

bool is_declared(const ReportInput& input, const rules::Finding& finding) {
  if (!input.declared_findings) return false;
  const auto& expected = input.declared_findings->expected;
  return std::find(expected.begin(), expected.end(), finding.rule_id) != expected.end();
}

}  // namespace flexhil::report
