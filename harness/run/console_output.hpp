#pragma once
// How findings and verdicts are printed on the terminal by `flexhil run` and `flexhil validate`.
#include <ostream>
#include <string>
#include <vector>

#include "harness/rules/finding.hpp"
#include "harness/rules/rules.hpp"

namespace flexhil::run {

// "error   PAYLOAD-DUPLICATE-KEY  Flexy1  downstream-breaks  key "T" appears … [seq 12, 40]"
std::string format_finding(const rules::Finding& f);
void print_findings(std::ostream& out, const std::vector<rules::Finding>& findings);
void print_verdict(std::ostream& out, const rules::Verdict& verdict);

}  // namespace flexhil::run
