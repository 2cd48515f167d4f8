#include "harness/run/console_output.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace flexhil::run {

std::string format_finding(const rules::Finding& f) {
  std::string evidence;
  if (!f.evidence.empty()) {
    std::vector<std::uint64_t> shown(f.evidence.begin(),
                                     f.evidence.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(f.evidence.size(), 8)));
    evidence = fmt::format(" [seq {}{}]", fmt::join(shown, ", "), f.evidence.size() > shown.size() ? ", …" : "");
  }
  return fmt::format("{:<7} {:<34} {:<16} {:<17} {}{}", rules::to_string(f.severity), f.rule_id,
                     f.device.empty() ? "(hub)" : f.device, rules::to_string(f.hub), f.message, evidence);
}

void print_findings(std::ostream& out, const std::vector<rules::Finding>& findings) {
  if (findings.empty()) {
    out << "no findings\n";
    return;
  }
  out << findings.size() << " finding" << (findings.size() == 1 ? "" : "s") << ":\n";
  for (const auto& f : findings) out << "  " << format_finding(f) << '\n';
}

void print_verdict(std::ostream& out, const rules::Verdict& verdict) { out << verdict.summary << '\n'; }

}  // namespace flexhil::run
