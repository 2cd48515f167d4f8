#include <algorithm>

#include "sim/flexy/basic/date_plan.hpp"
#include "sim/flexy/basic/file_table.hpp"
#include "sim/flexy/basic/interpreter.hpp"
#include "sim/flexy/basic/parser.hpp"
#include "sim/flexy/basic/program.hpp"

namespace flexhil::basic {

namespace {

const char* event_name(StmtKind kind) {
  switch (kind) {
    case StmtKind::ontimer: return "ONTIMER";
    case StmtKind::onchange: return "ONCHANGE";
    case StmtKind::onmqtt: return "ONMQTT";
    case StmtKind::onmqttstatus: return "ONMQTTSTATUS";
    case StmtKind::onerror: return "ONERROR";
    case StmtKind::onwan: return "ONWAN";
    case StmtKind::ondate: return "ONDATE";
    case StmtKind::onalarm: return "ONALARM";
    case StmtKind::onstatus: return "ONSTATUS";
    case StmtKind::onsms: return "ONSMS";
    case StmtKind::onppp: return "ONPPP";
    default: return nullptr;
  }
}

// The command argument of an ON… statement, when it is a string literal.
const std::string* literal_command(const Stmt& s) {
  std::size_t index = (s.kind == StmtKind::ontimer || s.kind == StmtKind::onchange || s.kind == StmtKind::onalarm) ? 1
                      : s.kind == StmtKind::ondate                                                           ? 2
                                                                                                              : 0;
  if (s.args.size() <= index) return nullptr;
  const Expr& e = *s.args[index];
  if (e.kind != ExprKind::constant || !std::holds_alternative<std::string>(e.value)) return nullptr;
  return &std::get<std::string>(e.value);
}

bool jumps_nowhere(const Stmt& s) {
  return (s.kind == StmtKind::go_to || s.kind == StmtKind::go_sub) && s.args.empty() && s.jump < 0;
}

}  // namespace

std::vector<Diagnostic> lint_program(const Program& program) {
  const detail::ProgramCode& code = *program.code();
  std::vector<Diagnostic> out;
  Symbols globals = code.globals;  // commands may add variables; the program stays untouched
  for (const Stmt& s : code.code) {
    if (jumps_nowhere(s)) {
      out.push_back(Diagnostic{code.file, s.line,
                               std::string(s.kind == StmtKind::go_to ? "GOTO " : "GOSUB ") + s.label +
                                   ": label not found (a runtime error when this line runs)",
                               true});
    }
    // A literal ONDATE plan that does not parse fails only when the statement runs.
    if (s.kind == StmtKind::ondate && s.args.size() > 1 && s.args[1]->kind == ExprKind::constant) {
      if (const auto* plan = std::get_if<std::string>(&s.args[1]->value);
          plan && plan->find_first_not_of(" \t") != std::string::npos) {
        const auto parsed = parse_date_plan(*plan);
        if (!parsed.plan)
          out.push_back(Diagnostic{code.file, s.line, "ONDATE plan \"" + *plan + "\": " + parsed.error +
                                                          " (a runtime error when this line runs)", true});
      }
    }
    if ((s.kind == StmtKind::open_file || s.kind == StmtKind::erase_file) && s.args[0]->kind == ExprKind::constant &&
        std::holds_alternative<std::string>(s.args[0]->value)) {
      const std::string& spec = std::get<std::string>(s.args[0]->value);
      const std::string statement = s.kind == StmtKind::open_file ? "OPEN" : "ERASE";
      if (spec.rfind("exp:", 0) != 0) {
        if (auto where = usr_relative_path(spec); !where.error.empty())
          out.push_back(Diagnostic{code.file, s.line, statement + " " + where.error + " (LSTERR 41 when this line runs)", true});
      } else if (s.kind == StmtKind::open_file && s.label != "TEXT INPUT" && s.label != "BINARY INPUT") {
        out.push_back(Diagnostic{code.file, s.line, "OPEN \"" + spec + "\" FOR " + s.label + ": an export can only be read (LSTERR 42 when this line runs)", true});
      }
    }
    if (s.kind == StmtKind::open_file && s.args[1]->kind == ExprKind::constant && std::holds_alternative<std::int32_t>(s.args[1]->value)) {
      const auto n = std::get<std::int32_t>(s.args[1]->value);
      if (n < 1 || n > FileTable::kMaxFiles)
        out.push_back(Diagnostic{code.file, s.line, "OPEN … AS " + std::to_string(n) + ": file numbers are 1 to 8 (LSTERR 40 when this line runs)", true});
    }
    const char* event = event_name(s.kind);
    if (!event) continue;
    const std::string* command = literal_command(s);
    if (!command) continue;
    CompiledCommand compiled = compile_command(*command, code, globals);
    std::string prefix = std::string(event) + " command \"" + *command + "\": ";
    if (!compiled.error.empty()) {
      out.push_back(Diagnostic{code.file, s.line, prefix + "syntax error: " + compiled.error + " (fails each time the event fires)", true});
      continue;
    }
    for (const Stmt& c : compiled.code) {
      if (jumps_nowhere(c)) {
        out.push_back(Diagnostic{code.file, s.line, prefix + "label " + c.label + " not found (fails each time the event fires)", true});
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
  return out;
}

}  // namespace flexhil::basic
