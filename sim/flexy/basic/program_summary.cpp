#include "sim/flexy/basic/program_summary.hpp"

#include <vector>

namespace flexhil::basic {

namespace {
std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}
}  // namespace

std::string summarize_program(const Program& p, const std::string& file, std::size_t warnings) {
  const auto sections = p.section_names();
  return file + ": ok, " + std::to_string(p.line_count()) + " lines, " + std::to_string(p.statement_count()) +
         " statements, " + std::to_string(sections.size()) + " section(s)" +
         (sections.empty() ? " (whole file is the Init section)" : " (" + join(sections) + ")") + ", " +
         std::to_string(p.label_names().size()) + " label(s), " + std::to_string(p.function_names().size()) +
         " function(s)" + (warnings == 0 ? "" : ", " + std::to_string(warnings) + " warning(s)");
}

}  // namespace flexhil::basic
