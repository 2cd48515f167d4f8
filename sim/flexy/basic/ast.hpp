#pragma once
// The AST: expressions as trees, statements as a flat list ("code") where control flow
// (block and single-line IF, FOR/NEXT, FUNCTION skipping) is already resolved into jumps.
// Every statement keeps its BASIC line number for error messages.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/flexy/basic/builtins.hpp"
#include "sim/flexy/basic/host.hpp"

namespace flexhil::basic {

// The type a variable name carries: a% integer, a$ string, a real.
enum class VarType : std::uint8_t { integer, real, string };
VarType type_of_name(const std::string& upper_name);

// A resolved variable: a global slot or a slot in the current function's frame.
struct VarRef {
  bool local = false;
  int slot = -1;
  VarType type = VarType::real;
  std::string name;  // upper-cased, for messages
};

enum class ExprKind : std::uint8_t {
  constant,  // value
  variable,  // var
  element,   // var(args…)            array element
  slice,     // var(args… a TO [b])   string slice (args: indexes…, from, [to])
  tag,       // Name@                 name
  negate,    // -args[0]
  unary,     // NOT / BNOT args[0]    op
  binary,    // args[0] op args[1]
  builtin,   // built-in function     builtin, args
  call,      // @Name(args)           function (index), name
  mqtt,      // MQTT "cmd", args      args
  getsys,    // GETSYS group, field   name = group, args[0] = field
};

enum class Op : std::uint8_t { add, sub, mul, div, pow, mod, eq, ne, lt, gt, le, ge, and_, or_, xor_, not_, bnot };

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind = ExprKind::constant;
  Op op = Op::add;
  Builtin builtin = Builtin::str;
  bool open_slice = false;  // slice without an end: s$(5 TO)
  // Set by the parser: the whole subtree is integer constants, integer scalars (a%) and the
  // operators that keep integers integers, so the interpreter can evaluate it without
  // building Values (the loop counters and conditions of every cyclic section).
  bool int_only = false;
  int function = -1;
  Value value = std::int32_t{0};
  VarRef var;
  std::string name;
  std::vector<ExprPtr> args;
};

enum class StmtKind : std::uint8_t {
  nop,
  assign,        // target = args[0]
  print,         // args with separators; newline unless trailing separator
  jump,          // unconditional jump to `jump` (same code)
  jump_if_false, // args[0] false → `jump`
  go_to,         // label (static, resolved into `jump` in the program code) or args[0] (dynamic)
  go_sub,
  return_,
  end,
  for_,          // target var = args[0] TO args[1] [STEP args[2]]; `jump` = after matching NEXT
  next,          // target var (optional: has_target)
  dim,           // target var, args = dimensions
  call,          // @Name(args) as a statement: expr[args[0]]
  mqtt,          // MQTT args (args[0] = command)
  setsys,        // SETSYS group(name), args[0] field, args[1] value (optional)
  setio,         // SETIO args[0] name, args[1] value
  cls,
  logevent,      // args[0] message, args[1] level (optional)
  ontimer,       // args[0] number, args[1] command (optional → cancel)
  tset,          // args[0] number, args[1] seconds
  onchange,      // args[0] tag, args[1] command (optional)
  onmqtt,        // args[0] command (optional)
  onmqttstatus,
  onerror,
  onwan,
  ondate,        // args[0] number, args[1] plan "mm hh dd MM ww", args[2] command (event_statements.cpp)
  function,      // start of FUNCTION: skipped by sequential flow (`jump` = after ENDFN)
  endfn,         // end of a FUNCTION: return to the caller
  // --- events and outbound actions (event_statements.cpp) ---
  onalarm,       // args[0] tag, args[1] command (optional → cancel)
  almack,        // args[0] tag, args[1] user (optional)
  onstatus,      // args[0] command (optional)
  onsms,
  onppp,
  outbound,      // label = SENDMAIL, SENDSMS, PUTFTP, …; args as written
  // --- files and system (file_table.hpp) ---
  open_file,     // OPEN args[0] spec FOR label AS args[1]; label = "TEXT INPUT", "BINARY APPEND", …
  put,           // PUT args[0] number, args[1…] items; newline = false after a trailing ';'
  close_file,    // CLOSE [args[0]] (none: every file)
  erase_file,    // ERASE args[0]
  print_file,    // PRINT #args[0], args[1…] with separators (as print)
  cfgsave,
  reboot,
  halt,
  logio,         // LOGIO args[0] tag name
  settime,       // SETTIME args[0] "dd/mm/yyyy hh:mm:ss" | "dd/mm/yyyy" | "hh:mm:ss"
  clear,         // CLEAR: every global variable back to 0 / "" (arrays undimensioned)
};

struct Target {
  enum class Kind : std::uint8_t { variable, element, tag } kind = Kind::variable;
  VarRef var;
  std::vector<ExprPtr> index;
  std::string tag;
};

struct Stmt {
  StmtKind kind = StmtKind::nop;
  int line = 0;
  bool has_target = false;
  bool newline = true;        // PRINT
  int jump = -1;              // resolved jump target (pc), -1 = unresolved label
  int scope = -1;             // function index whose $labels apply (-1 = global)
  Target target;
  std::vector<ExprPtr> args;
  std::vector<char> separators;  // PRINT: separator after args[i] (';' or ',')
  std::string label;             // GOTO/GOSUB static label, upper-cased; SETSYS group
};

using Code = std::vector<Stmt>;

}  // namespace flexhil::basic
