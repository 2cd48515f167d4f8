#include "sim/flexy/basic/event_statements.hpp"

#include <array>

#include "sim/flexy/basic/date_plan.hpp"
#include "sim/flexy/basic/errors.hpp"
#include "sim/flexy/basic/values.hpp"

namespace flexhil::basic {
namespace {

// Argument counts as RG-0006 writes the statements; the optional trailing arguments of the
// HTTP family are the ones later firmware added.
constexpr std::array<EventStatementInfo, 15> kStatements{{
    {"ONALARM", StmtKind::onalarm, 1, 2},
    {"ALMACK", StmtKind::almack, 1, 2},
    {"ONSTATUS", StmtKind::onstatus, 0, 1},
    {"ONSMS", StmtKind::onsms, 0, 1},
    {"ONPPP", StmtKind::onppp, 0, 1},
    {"SENDMAIL", StmtKind::outbound, 4, 4},      // to$, cc$, subject$, message$
    {"SENDSMS", StmtKind::outbound, 2, 2},       // recipient$ ("number,gsm,0"), message$
    {"SENDTRAP", StmtKind::outbound, 2, 2},      // param1%, param2$
    {"PUTFTP", StmtKind::outbound, 2, 2},        // server file$, content$ (or [export block])
    {"GETFTP", StmtKind::outbound, 2, 2},        // server file$, Flexy file$
    {"PUTHTTP", StmtKind::outbound, 4, 5},       // server$, url$, post data$, upload data$[, method$]
    {"GETHTTP", StmtKind::outbound, 3, 3},       // server$, Flexy file$, server file$
    {"REQUESTHTTPX", StmtKind::outbound, 2, 6},  // url$, method$[, headers$[, body$[, upload file$[, response file$]]]]
    {"NTPSYNC", StmtKind::outbound, 0, 0},
    {"DYNDNS", StmtKind::outbound, 0, 0},
}};

// Which arguments must be strings (index → name) and which integers; others are free.
struct ArgRule {
  std::string_view kind;
  std::string_view types;  // one letter per argument: s string, i integer
};
constexpr std::array<ArgRule, 10> kArgTypes{{
    {"SENDMAIL", "ssss"},
    {"SENDSMS", "ss"},
    {"SENDTRAP", "is"},
    {"PUTFTP", "ss"},
    {"GETFTP", "ss"},
    {"PUTHTTP", "sssss"},
    {"GETHTTP", "sss"},
    {"REQUESTHTTPX", "ssssss"},
    {"NTPSYNC", ""},
    {"DYNDNS", ""},
}};

void check_types(const std::string& kind, const std::vector<Value>& args) {
  for (const auto& rule : kArgTypes) {
    if (rule.kind != kind) continue;
    for (std::size_t i = 0; i < args.size() && i < rule.types.size(); ++i) {
      const bool want_string = rule.types[i] == 's';
      if (want_string != is_string(args[i]))
        throw RuntimeError(error_code::type_mismatch, kind + ": argument " + std::to_string(i + 1) + " must be " +
                                                          (want_string ? "a string" : "a number"));
    }
  }
}

void set_or_clear(std::optional<std::string>& handler, std::vector<Value>& args) {
  if (args.empty()) handler.reset();
  else handler = to_str(args[0]);
}

std::string command_of(const Value& v, const char* statement) {
  if (!is_string(v)) throw RuntimeError(error_code::type_mismatch, std::string(statement) + ": the command must be a string");
  return std::get<std::string>(v);
}

}  // namespace

std::optional<EventStatementInfo> find_event_statement(std::string_view upper_name) {
  for (const auto& s : kStatements)
    if (s.name == upper_name) return s;
  return std::nullopt;
}

void run_event_statement(const Stmt& s, std::vector<Value>& args, EventContext& c) {
  switch (s.kind) {
    case StmtKind::ondate: {
      const std::int32_t n = c.to_integer(args[0]);
      if (n < 1 || n > 10) throw RuntimeError(error_code::invalid_parameter, "ONDATE " + std::to_string(n) + ": the plan number must be 1 to 10");
      if (args.size() > 1 && !is_string(args[1])) throw RuntimeError(error_code::type_mismatch, "ONDATE: the plan must be a string");
      const std::string plan = args.size() > 1 ? std::get<std::string>(args[1]) : std::string();
      if (plan.find_first_not_of(" \t") == std::string::npos) {
        c.handlers.date.erase(n);  // ONDATE n / ONDATE n,"" : the plan is removed
        c.host.set_date_plan(n, "");
        return;
      }
      if (args.size() < 3) throw RuntimeError(error_code::wrong_arguments, "ONDATE " + std::to_string(n) + ": a plan needs a command");
      const auto parsed = parse_date_plan(plan);
      if (!parsed.plan) throw RuntimeError(error_code::invalid_parameter, "ONDATE " + std::to_string(n) + ",\"" + plan + "\": " + parsed.error);
      c.handlers.date[n] = command_of(args[2], "ONDATE");
      c.host.set_date_plan(n, plan);
      return;
    }
    case StmtKind::onalarm: {
      const int index = c.select_tag(args[0]);
      if (args.size() > 1) c.handlers.alarm[index] = command_of(args[1], "ONALARM");
      else c.handlers.alarm.erase(index);
      return;
    }
    case StmtKind::almack: {
      const int index = c.select_tag(args[0]);
      const std::string user = args.size() > 1 ? to_str(args[1]) : std::string();
      const HostResult r = c.host.acknowledge_alarm(index, user);
      if (r.error != 0) throw RuntimeError(r.error, "ALMACK: " + r.message);
      return;
    }
    case StmtKind::onstatus: set_or_clear(c.handlers.status, args); return;
    case StmtKind::onsms: set_or_clear(c.handlers.sms, args); return;
    case StmtKind::onppp: set_or_clear(c.handlers.ppp, args); return;
    case StmtKind::outbound: {
      check_types(s.label, args);
      const HostResult r = c.host.outbound_action(s.label, args, c.line);
      if (r.error != 0) throw RuntimeError(r.error, s.label + ": " + r.message);
      return;
    }
    default: return;
  }
}

}  // namespace flexhil::basic
