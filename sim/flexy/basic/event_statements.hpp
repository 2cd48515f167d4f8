#pragma once
// The event and outbound-action statements of eWON BASIC: ONDATE (the plan, date_plan.hpp),
// ONALARM/ALMACK, ONSTATUS, ONSMS, ONPPP, and SENDMAIL, SENDSMS, SENDTRAP, PUTFTP, GETFTP,
// PUTHTTP, GETHTTP, REQUESTHTTPX, NTPSYNC, DYNDNS. The parser finds them in one table; the
// interpreter evaluates their arguments and hands them here with the handlers they register.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/flexy/basic/ast.hpp"
#include "sim/flexy/basic/host.hpp"

namespace flexhil::basic {

struct EventStatementInfo {
  std::string_view name;  // upper case, as the scanner delivers it
  StmtKind kind;
  std::size_t min_args;
  std::size_t max_args;
};
// nullopt: not one of these statements.
std::optional<EventStatementInfo> find_event_statement(std::string_view upper_name);

// The command strings these statements register (what post_date/post_alarm/… queue).
struct EventHandlers {
  std::map<int, std::string> date;   // ONDATE number → command
  std::map<int, std::string> alarm;  // ONALARM tag index → command
  std::optional<std::string> status, sms, ppp;
};

// What a statement needs from the interpreter besides the host.
struct EventContext {
  Host& host;
  EventHandlers& handlers;
  std::function<int(const Value&)> select_tag;  // a tag by name or id (raises when unknown)
  std::function<std::int32_t(const Value&)> to_integer;
  int line = 0;                                 // BASIC line (0 = in an event command)
};

// Runs one of these statements (s.kind, s.label = the action name) on its evaluated arguments.
// Throws RuntimeError (bad plan, wrong type, failed host call); the interpreter adds the line.
void run_event_statement(const Stmt& s, std::vector<Value>& args, EventContext& context);

}  // namespace flexhil::basic
