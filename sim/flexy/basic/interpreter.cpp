#include "sim/flexy/basic/interpreter.hpp"

#include <algorithm>
#include <cctype>
#include <deque>
#include <map>
#include <unordered_map>

#include "sim/flexy/basic/date_functions.hpp"
#include "sim/flexy/basic/event_statements.hpp"
#include "sim/flexy/basic/file_table.hpp"
#include "sim/flexy/basic/limits.hpp"
#include "sim/flexy/basic/parser.hpp"
#include "sim/flexy/basic/program.hpp"
#include "sim/flexy/basic/scanner.hpp"
#include "sim/flexy/basic/values.hpp"

namespace flexhil::basic {

std::string_view to_string(RequestKind kind) {
  switch (kind) {
    case RequestKind::init: return "init";
    case RequestKind::cyclic: return "cyclic";
    case RequestKind::timer: return "timer";
    case RequestKind::tag_change: return "tag_change";
    case RequestKind::mqtt_message: return "mqtt_message";
    case RequestKind::mqtt_status: return "mqtt_status";
    case RequestKind::error: return "error";
    case RequestKind::wan: return "wan";
    case RequestKind::command: return "command";
    case RequestKind::date: return "date";
    case RequestKind::alarm: return "alarm";
    case RequestKind::action_status: return "action_status";
    case RequestKind::sms: return "sms";
    case RequestKind::ppp: return "ppp";
  }
  return "command";
}

namespace {

struct Array {
  std::vector<int> dims;
  std::vector<Value> items;
  int width = -1;  // string arrays: fixed width, blank-padded
};

struct Variable {
  Value value;
  std::unique_ptr<Array> array;
};

struct ForLoop {
  bool local;
  int slot;
  Value limit;
  Value step;
  const Code* code;
  int body;
};

struct ReturnPoint {
  const Code* code;
  int pc;
};

struct Frame {
  const Function* function = nullptr;  // null: the request's main flow
  // The FUNCTION whose fresh locals `locals` holds while the frame is unused: a call to it again
  // (a loop calling @F) finds them ready instead of building them.
  const Function* prepared = nullptr;
  std::vector<Variable> locals;
  std::vector<ReturnPoint> gosubs;
  std::vector<ForLoop> loops;
};

struct Request {
  RequestKind kind;
  std::string command;
  int evtinfo;
};

// Argument lists reused across calls, one per nesting level of evaluation: a built-in, a
// function call or a `p$ = p$ + …` append allocates nothing once the lists are warm.
class ArgLists {
 public:
  class Lease {
   public:
    Lease(ArgLists& owner, std::vector<Value>& list) : owner_(owner), list_(list) {}
    ~Lease() {
      list_.clear();
      --owner_.depth_;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    std::vector<Value>& operator*() { return list_; }
    std::vector<Value>* operator->() { return &list_; }

   private:
    ArgLists& owner_;
    std::vector<Value>& list_;
  };
  Lease lease() {
    if (depth_ == lists_.size()) lists_.emplace_back();  // deque: earlier lists stay where they are
    auto& list = lists_[depth_++];
    list.clear();
    return Lease(*this, list);
  }

 private:
  std::deque<std::vector<Value>> lists_;
  std::size_t depth_ = 0;
};

// END: the request is over (not an error).
struct Halt {};

// An error that aborts the request (not resumed by RESUMENEXT, or not resumable).
struct Abort {
  int code;
  std::string message;
  int line;
};

std::string trim_copy(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  std::size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

}  // namespace

struct Interpreter::Impl {
  Impl(Program p, Host& h, InterpreterOptions o)
      : program(std::move(p)), code(*program.code()), host(h), options(o), symbols(code.globals) {
    format.significant_digits = options.real_significant_digits;
    format.single_precision = options.single_precision_reals;
    format.round_to_int = options.real_to_int == RealToInt::round_half_away;
    grow_globals();
  }

  Program program;
  const detail::ProgramCode& code;
  Host& host;
  InterpreterOptions options;
  NumberFormat format;
  Symbols symbols;  // the program's globals plus those new in event commands
  std::vector<Variable> globals;
  std::deque<Request> queue;
  std::unordered_map<std::string, std::unique_ptr<CompiledCommand>> commands;
  std::map<int, std::string> timer_handlers;
  std::map<int, std::string> change_handlers;
  std::optional<std::string> mqtt_handler, mqtt_status_handler, error_handler, wan_handler;
  std::unordered_map<std::string, int> tag_cache;
  int lsterr = 0;
  int evtinfo = 0;
  bool resume_next = false;
  int loaded_tag = -1;
  std::uint64_t executed = 0;
  // The budget as one comparison per statement (0 = unlimited).
  std::uint64_t statement_limit = options.statement_budget == 0 ? UINT64_MAX : options.statement_budget;
  std::uint64_t dropped = 0;
  // Call frames as a pool: frames[0, depth) are active, the others keep their vectors'
  // capacity for the next call (no allocation per @Function call once warm).
  // Owned one by one so that a frame stays where it is while the pool grows (`top`, references
  // held by a running statement), and indexing is a plain array access.
  std::vector<std::unique_ptr<Frame>> frames;
  std::size_t depth = 0;
  Frame* top = nullptr;
  ArgLists arg_lists;
  std::string pending_print;
  RequestOutcome outcome;
  EventHandlers events;  // ONDATE, ONALARM, ONSTATUS, ONSMS, ONPPP
  FileTable files;
  // The BASIC line of the ON… statement that registered each command string: an error inside
  // the command is reported there, as the Flexy's event log names the line (README.md).
  std::unordered_map<std::string, int> registered_at;
  bool halted = false;      // HALT: nothing runs any more
  bool restarting = false;  // REBOOT in this request: Init and Cyclic are queued afresh

  // ------------------------------------------------------------------ queue
  void grow_globals() {
    while (static_cast<int>(globals.size()) < symbols.size()) {
      globals.push_back(Variable{default_value(symbols.types[globals.size()]), nullptr});
    }
  }

  void enqueue(RequestKind kind, std::string command, int evtinfo_value) {
    if (halted) return;
    if (queue.size() >= options.queue_capacity) {
      ++dropped;
      host.log_event("BASIC queue full (" + std::to_string(options.queue_capacity) + " requests): dropped " +
                         std::string(to_string(kind)) + " request \"" + command + "\"",
                     options.overflow_log_level);
      return;
    }
    queue.push_back(Request{kind, std::move(command), evtinfo_value});
  }

  const CompiledCommand& compiled(const std::string& command) {
    auto it = commands.find(command);
    if (it != commands.end()) return *it->second;
    // Bounded: programs that build command strings (one per tag) stay cached; a flood of
    // distinct ad-hoc commands starts the cache over. Safe: no request is running here.
    if (commands.size() >= 4096) commands.clear();
    auto c = std::make_unique<CompiledCommand>(compile_command(command, code, symbols));
    grow_globals();
    return *commands.emplace(command, std::move(c)).first->second;
  }

  std::string where(int line, const std::string& command) const {
    if (line > 0) return code.file + ":" + std::to_string(line) + ": runtime error";
    auto it = registered_at.find(command);
    if (it != registered_at.end() && it->second > 0)
      return code.file + ":" + std::to_string(it->second) + ": runtime error in \"" + command + "\" (event registered on this line)";
    return code.file + ": runtime error in \"" + command + "\"";
  }

  void note_registration(const std::string& command, int line) {
    if (line <= 0) return;
    // Bounded like the command cache: a program registering ever new command strings forgets
    // the old lines (its errors then read "runtime error in …" without one), never memory.
    if (registered_at.size() >= 4096 && !registered_at.count(command)) registered_at.clear();
    registered_at[command] = line;
  }

  bool run_one() {
    if (queue.empty() || halted) return false;
    Request request = std::move(queue.front());
    queue.pop_front();
    outcome = RequestOutcome{};
    outcome.kind = request.kind;
    outcome.command = request.command;
    if (request.kind != RequestKind::init && request.kind != RequestKind::cyclic) evtinfo = request.evtinfo;
    reset_frames();
    push_frame();
    executed = 0;
    const CompiledCommand& command = compiled(request.command);
    if (!command.error.empty()) {
      fail(request, Abort{error_code::syntax, "syntax error: " + command.error, 0});
    } else {
      try {
        run(&command.code, 0);
      } catch (const Halt&) {
      } catch (const Abort& a) {
        fail(request, a);
      }
    }
    reset_frames();
    outcome.statements = executed;
    if (restarting) {
      restarting = false;
      return true;  // REBOOT queued Init and Cyclic itself
    }
    if (halted) return true;
    if (request.kind == RequestKind::cyclic && options.requeue_cyclic) {
      queue.push_back(std::move(request));  // never dropped: the cyclic section always comes back
    }
    return true;
  }

  void fail(const Request& request, const Abort& a) {
    lsterr = a.code;
    outcome.ok = false;
    outcome.error_code = a.code;
    outcome.line = a.line;
    if (a.line == 0) {
      auto it = registered_at.find(request.command);
      if (it != registered_at.end()) outcome.line = it->second;
    }
    outcome.error_message = where(a.line, request.command) + ": " + a.message + " (LSTERR " + std::to_string(a.code) + ")";
    host.log_event(outcome.error_message, options.error_log_level);
    if (error_handler && request.kind != RequestKind::error) enqueue(RequestKind::error, *error_handler, a.code);
  }

  // ------------------------------------------------------------------ execution
  Frame& frame() { return *top; }
  [[gnu::always_inline]] Frame& push_frame() {
    if (depth == frames.size()) frames.push_back(std::make_unique<Frame>());
    Frame& f = *frames[depth++];
    f.function = nullptr;
    top = &f;
    return f;
  }
  void pop_frame() {
    Frame& f = *frames[--depth];
    if (f.function) {
      reset_locals(f);  // frees the strings and arrays of the call now, keeps the slots ready
    } else {
      f.locals.clear();
      f.prepared = nullptr;
    }
    f.gosubs.clear();
    f.loops.clear();
    top = depth > 0 ? frames[depth - 1].get() : nullptr;
  }
  [[gnu::always_inline]] void reset_locals(Frame& f) {
    const auto& types = f.function->locals.types;
    for (std::size_t i = 0; i < f.locals.size(); ++i) {
      Variable& v = f.locals[i];
      v.array.reset();
      switch (types[i]) {
        case VarType::integer:
          if (auto* p = std::get_if<std::int32_t>(&v.value)) *p = 0; else v.value = std::int32_t{0};
          break;
        case VarType::real:
          if (auto* p = std::get_if<double>(&v.value)) *p = 0.0; else v.value = 0.0;
          break;
        default:
          // A long text goes now (memory figures count only active calls); a short one keeps
          // its buffer for the next call.
          if (auto* p = std::get_if<std::string>(&v.value); p && p->capacity() <= 256) p->clear(); else v.value = std::string{};
          break;
      }
    }
    f.prepared = f.function;
  }
  [[gnu::always_inline]] Frame& enter(const Function& fn) {
    Frame& f = push_frame();
    if (f.prepared != &fn) {
      f.locals.clear();
      for (VarType t : fn.locals.types) f.locals.push_back(Variable{default_value(t), nullptr});
      f.prepared = &fn;
    }
    f.function = &fn;
    return f;
  }
  [[gnu::always_inline]] void store_param(Frame& f, const VarRef& param, Value&& value) {
    Value& slot = f.locals[static_cast<std::size_t>(param.slot)].value;
    if (param.type == VarType::integer) {
      const std::int32_t x = to_int(value, format);
      if (auto* p = std::get_if<std::int32_t>(&slot)) *p = x; else slot = x;
    } else if (param.type == VarType::real) {
      const double d = round_real(to_real(value), format);
      if (auto* p = std::get_if<double>(&slot)) *p = d; else slot = d;
    } else {
      slot = coerce(std::move(value), param.type, format);
    }
  }
  void reset_frames() {
    while (depth > 0) pop_frame();
  }

  [[gnu::always_inline]] Variable& var(const VarRef& r) {
    return r.local ? frame().locals[static_cast<std::size_t>(r.slot)] : globals[static_cast<std::size_t>(r.slot)];
  }

  [[noreturn]] static void raise(int code, std::string message) { throw RuntimeError(code, message); }

  // ------------------------------------------------------------------ memory (limits.hpp)
  static std::size_t bytes_of(const Variable& v) {
    std::size_t n = sizeof(Variable);
    if (const auto* s = std::get_if<std::string>(&v.value)) n += s->size();
    if (v.array) {
      n += v.array->items.size() * sizeof(Value);
      if (v.array->width > 0) n += v.array->items.size() * static_cast<std::size_t>(v.array->width);
    }
    return n;
  }
  // What every variable of the program holds now: globals and the locals of active calls.
  std::size_t variable_bytes() const {
    std::size_t n = 0;
    for (const auto& v : globals) n += bytes_of(v);
    for (std::size_t i = 0; i < depth; ++i)
      for (const auto& v : frames[i]->locals) n += bytes_of(v);
    return n;
  }
  // Before `name` grows from `old_bytes` to `new_bytes`: the Flexy's string and memory limits.
  void check_store(const std::string& name, std::size_t old_bytes, std::size_t new_bytes, bool is_string) {
    if (is_string) check_string_length(new_bytes);
    if (new_bytes <= old_bytes || new_bytes <= limits::budget_check_threshold) return;
    const std::size_t used = variable_bytes() - std::min(old_bytes, variable_bytes());
    if (used + new_bytes > limits::memory_budget_bytes)
      raise(error_code::out_of_memory, "out of memory: " + name + " would need " + std::to_string(new_bytes) +
                                           " bytes, the program's variables already hold " + std::to_string(used) +
                                           " of the Flexy's " + std::to_string(limits::memory_budget_bytes));
  }
  static std::size_t string_size(const Value& v) {
    const auto* s = std::get_if<std::string>(&v);
    return s ? s->size() : 0;
  }

  void run(const Code* c, int pc) {
    while (true) {
      const Stmt& s = (*c)[static_cast<std::size_t>(pc)];
      if (++executed > statement_limit) {
        throw Abort{error_code::budget_exceeded,
                    "statement budget of " + std::to_string(options.statement_budget) +
                        " statements per request exceeded (endless loop?); request aborted",
                    s.line};
      }
      try {
        switch (s.kind) {
          case StmtKind::nop: ++pc; break;
          case StmtKind::assign:
            assign(s);
            ++pc;
            break;
          case StmtKind::jump: pc = s.jump; break;
          case StmtKind::jump_if_false: {
            const Expr& condition = *s.args[0];
            const bool yes = condition.int_only ? eval_int(condition) != 0 : is_true(eval_value(condition));
            pc = yes ? pc + 1 : s.jump;
            break;
          }
          case StmtKind::go_to: {
            int target = jump_target(s);
            c = &code.code;
            pc = target;
            break;
          }
          case StmtKind::go_sub: {
            int target = jump_target(s);
            if (frame().gosubs.size() >= options.max_depth) raise(error_code::stack_overflow, "GOSUB nesting too deep");
            frame().gosubs.push_back(ReturnPoint{c, pc + 1});
            c = &code.code;
            pc = target;
            break;
          }
          case StmtKind::return_: {
            if (frame().gosubs.empty()) raise(error_code::return_without_gosub, "RETURN without GOSUB");
            ReturnPoint r = frame().gosubs.back();
            frame().gosubs.pop_back();
            c = r.code;
            pc = r.pc;
            break;
          }
          case StmtKind::end: throw Halt{};
          case StmtKind::function: pc = s.jump; break;  // FUNCTION bodies are skipped by flow
          case StmtKind::endfn:
            if (frame().function == nullptr) throw Halt{};
            return;
          case StmtKind::for_: {
            if (for_start(s, c, pc)) {
              ++pc;
            } else {
              if (s.jump < 0) raise(error_code::next_without_for, "FOR without NEXT");
              pc = s.jump;
            }
            break;
          }
          case StmtKind::next: {
            const ForLoop* again = next(s);
            if (again) {
              c = again->code;
              pc = again->body;
            } else {
              ++pc;
            }
            break;
          }
          default:
            execute_simple(s);
            ++pc;
            break;
        }
      } catch (const RuntimeError& e) {
        if (!resume_next) throw Abort{e.code(), e.what(), s.line};
        lsterr = e.code();  // RESUMENEXT: go on with the next statement
        ++pc;
      }
    }
  }

  int jump_target(const Stmt& s) {
    int target = s.jump;
    std::string name = s.label;
    if (!s.args.empty()) {
      name = upper(trim_copy(to_str(eval(*s.args[0]))));
      target = -1;
      if (!name.empty() && name[0] == '$') {
        if (frame().function) {
          auto it = frame().function->labels.find(name);
          if (it != frame().function->labels.end()) target = it->second;
        }
      } else {
        auto it = code.labels.find(name);
        if (it != code.labels.end()) target = it->second;
      }
    }
    if (target < 0) raise(error_code::unknown_label, "label " + name + " not found");
    if (const Function* f = frame().function; f && (target <= f->start || target > f->end)) {
      raise(error_code::goto_out_of_function, "GOTO/GOSUB " + name + " leaves FUNCTION " + f->name);
    }
    return target;
  }

  bool for_start(const Stmt& s, const Code* c, int pc) {
    Value from = eval(*s.args[0]);
    Value limit = eval(*s.args[1]);
    Value step = s.args.size() > 2 ? eval(*s.args[2]) : Value{std::int32_t{1}};
    Variable& v = var(s.target.var);
    v.value = coerce(std::move(from), s.target.var.type, format);
    auto& loops = frame().loops;
    // A FOR on a variable that already has a loop replaces it (and the loops inside it).
    for (std::size_t i = 0; i < loops.size(); ++i) {
      if (loops[i].local == s.target.var.local && loops[i].slot == s.target.var.slot) {
        loops.erase(loops.begin() + static_cast<std::ptrdiff_t>(i), loops.end());
        break;
      }
    }
    to_real(limit);
    if (!continues(v.value, limit, step)) return false;
    if (loops.size() >= options.max_depth) raise(error_code::stack_overflow, "FOR nesting too deep");
    loops.push_back(ForLoop{s.target.var.local, s.target.var.slot, std::move(limit), std::move(step), c, pc + 1});
    return true;
  }

  static bool continues(const Value& v, const Value& limit, const Value& step) {
    if (v.index() == 0 && limit.index() == 0 && step.index() == 0) {
      return std::get<0>(step) >= 0 ? std::get<0>(v) <= std::get<0>(limit) : std::get<0>(v) >= std::get<0>(limit);
    }
    return to_real(step) >= 0 ? to_real(v) <= to_real(limit) : to_real(v) >= to_real(limit);
  }

  const ForLoop* next(const Stmt& s) {
    auto& loops = frame().loops;
    std::size_t i = loops.size();
    if (s.has_target) {
      while (i > 0 && !(loops[i - 1].local == s.target.var.local && loops[i - 1].slot == s.target.var.slot)) --i;
    }
    if (i == 0) {
      raise(error_code::next_without_for,
            "NEXT " + (s.has_target ? s.target.var.name + " " : std::string()) + "without FOR");
    }
    loops.erase(loops.begin() + static_cast<std::ptrdiff_t>(i), loops.end());
    ForLoop& loop = loops.back();
    Variable& v = loop.local ? frame().locals[static_cast<std::size_t>(loop.slot)]
                             : globals[static_cast<std::size_t>(loop.slot)];
    const auto* step = std::get_if<std::int32_t>(&loop.step);
    const auto* limit = std::get_if<std::int32_t>(&loop.limit);
    if (auto* x = std::get_if<std::int32_t>(&v.value); x && step && limit) {  // FOR i% = 1 TO n%
      *x = static_cast<std::int32_t>(static_cast<std::uint32_t>(*x) + static_cast<std::uint32_t>(*step));
      if (*step >= 0 ? *x <= *limit : *x >= *limit) return &loop;
      loops.pop_back();
      return nullptr;
    }
    if (v.value.index() == 0 && loop.step.index() == 0) {
      v.value = static_cast<std::int32_t>(static_cast<std::uint32_t>(std::get<0>(v.value)) +
                                          static_cast<std::uint32_t>(std::get<0>(loop.step)));
    } else {
      v.value = coerce(binary_op(Op::add, v.value, loop.step, format), v.value.index() == 0 ? VarType::integer : VarType::real, format);
    }
    if (continues(v.value, loop.limit, loop.step)) return &loop;
    loops.pop_back();
    return nullptr;
  }

  // ------------------------------------------------------------------ variables and arrays
  Value& element(Variable& v, const VarRef& ref, const std::vector<ExprPtr>& index_exprs, std::size_t count) {
    if (!v.array) raise(error_code::index_out_of_range, "array " + ref.name + " is not dimensioned (DIM)");
    Array& a = *v.array;
    if (count != a.dims.size()) {
      raise(error_code::index_out_of_range, "array " + ref.name + " has " + std::to_string(a.dims.size()) +
                                                " dimension(s), " + std::to_string(count) + " index(es) given");
    }
    std::size_t flat = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const Expr& index = *index_exprs[i];
      const std::int32_t idx = index.int_only ? eval_int(index) : to_int(eval_value(index), format);
      if (idx < 1 || idx > a.dims[i]) {
        raise(error_code::index_out_of_range, "index " + std::to_string(idx) + " out of range 1.." +
                                                  std::to_string(a.dims[i]) + " of " + ref.name);
      }
      flat = flat * static_cast<std::size_t>(a.dims[i]) + static_cast<std::size_t>(idx - 1);
    }
    return a.items[flat];
  }

  void dim(const Stmt& s) {
    const VarRef& ref = s.target.var;
    std::vector<int> dims;
    for (const auto& e : s.args) {
      std::int32_t n = to_int(eval(*e), format);
      if (n < 1) raise(error_code::index_out_of_range, "DIM " + ref.name + ": size " + std::to_string(n) + " must be at least 1");
      dims.push_back(n);
    }
    Variable& v = var(ref);
    int width = -1;
    if (ref.type == VarType::string) {
      width = dims.back();  // string arrays: the last size is the fixed width of each string
      dims.pop_back();
      check_string_length(static_cast<std::size_t>(width));
      if (dims.empty()) {  // DIM s$(n): one blank string of n characters
        check_store("DIM " + ref.name, bytes_of(v), static_cast<std::size_t>(width), false);
        v.array.reset();
        v.value = std::string(static_cast<std::size_t>(width), ' ');
        return;
      }
    }
    std::size_t total = 1;
    for (int d : dims) {
      total *= static_cast<std::size_t>(d);
      if (total > limits::max_array_elements)
        raise(error_code::index_out_of_range, "DIM " + ref.name + ": array too large (more than " +
                                                  std::to_string(limits::max_array_elements) + " elements)");
    }
    check_store("DIM " + ref.name, bytes_of(v),
                total * (sizeof(Value) + static_cast<std::size_t>(std::max(width, 0))), false);
    auto a = std::make_unique<Array>();
    a->dims = std::move(dims);
    a->width = width;
    Value init = ref.type == VarType::string ? Value{std::string(static_cast<std::size_t>(width), ' ')} : default_value(ref.type);
    a->items.assign(total, init);
    v.array = std::move(a);
  }

  Value fit(Value value, const VarRef& ref, const Array* a) {
    value = coerce(std::move(value), ref.type, format);
    if (a && a->width >= 0) {
      auto& s = std::get<std::string>(value);
      s.resize(static_cast<std::size_t>(a->width), ' ');
    }
    return value;
  }

  // Numbers into a variable, the statement loops and calls spend their time in, stay small; the
  // rest (strings, elements, tags) is out of line so this one needs no large stack frame.
  [[gnu::always_inline]] void assign(const Stmt& s) {
    const Target& t = s.target;
    if (t.kind == Target::Kind::variable) {
      const Expr& e = *s.args[0];
      if (t.var.type == VarType::integer) {  // `x% = @F(…)`, `n% = r * 2`: converted in place
        const std::int32_t x = e.int_only ? eval_int(e) : to_int(eval_value(e), format);
        Variable& v = var(t.var);
        if (auto* p = std::get_if<std::int32_t>(&v.value)) *p = x; else v.value = x;
        return;
      }
      if (t.var.type == VarType::real) {
        const double d = round_real(e.int_only ? static_cast<double>(eval_int(e)) : to_real(eval_value(e)), format);
        Variable& v = var(t.var);
        if (auto* p = std::get_if<double>(&v.value)) *p = d; else v.value = d;
        return;
      }
    }
    assign_other(s);
  }

  [[gnu::noinline]] void assign_other(const Stmt& s) {
    const Target& t = s.target;
    switch (t.kind) {
      case Target::Kind::variable: {
        if (append_in_place(t.var, *s.args[0])) return;  // a string variable (numbers: assign)
        Variable& v = var(t.var);
        Value value = eval(*s.args[0]);
        check_store(t.var.name, string_size(v.value), string_size(value), true);
        if (value.index() == v.value.index()) {
          v.value = std::move(value);
        } else {
          v.value = coerce(std::move(value), t.var.type, format);
        }
        return;
      }
      case Target::Kind::element: {
        Value value = eval(*s.args[0]);
        Variable& v = var(t.var);
        Value& slot = element(v, t.var, t.index, t.index.size());
        slot = fit(std::move(value), t.var, v.array.get());
        return;
      }
      case Target::Kind::tag: {
        Value value = eval(*s.args[0]);
        check(host.set_tag_value(tag_index(t.tag), value), t.tag + "@");
        return;
      }
    }
  }

  // `p$ = p$ + a$ + b$`: appends to p$ instead of copying it (payload building stays linear).
  bool append_in_place(const VarRef& target, const Expr& e) {
    const Expr* node = &e;
    std::vector<const Expr*> tail;
    while (node->kind == ExprKind::binary && node->op == Op::add) {
      tail.push_back(node->args[1].get());
      node = node->args[0].get();
    }
    if (tail.empty() || node->kind != ExprKind::variable || node->var.local != target.local ||
        node->var.slot != target.slot) {
      return false;
    }
    auto lease = arg_lists.lease();
    auto& parts = *lease;
    for (auto it = tail.rbegin(); it != tail.rend(); ++it) {
      parts.push_back(eval(**it));
      if (parts.back().index() != 2) parts.back() = as_text(parts.back(), format);  // "x" + n%
    }
    auto& str = std::get<std::string>(var(target).value);
    std::size_t total = str.size();
    for (const auto& p : parts) total += std::get<std::string>(p).size();
    check_store(target.name, str.size(), total, true);
    for (const auto& p : parts) str += std::get<std::string>(p);
    return true;
  }

  // ------------------------------------------------------------------ tags
  int tag_index(const std::string& name) {
    std::string key = upper(name);
    auto it = tag_cache.find(key);
    if (it != tag_cache.end()) return it->second;
    auto found = host.find_tag(name);
    if (!found) raise(error_code::unknown_tag, "unknown tag " + name);
    tag_cache.emplace(key, *found);
    return *found;
  }

  // A tag given by name, by id (> 0: id = index + 1) or by negative index (-i for index i).
  int select_tag(const Value& v) {
    if (is_string(v)) return tag_index(std::get<std::string>(v));
    std::int32_t n = to_int(v, format);
    int index = n <= 0 ? -n : n - 1;
    if (index >= host.tag_count()) raise(error_code::unknown_tag, "no tag with " + std::string(n <= 0 ? "index " : "id ") + std::to_string(n <= 0 ? -n : n));
    return index;
  }

  static void check(const HostResult& r, const std::string& what) {
    if (r.error != 0) throw RuntimeError(r.error, what + ": " + (r.message.empty() ? "failed" : r.message));
  }

  // ------------------------------------------------------------------ simple statements
  void execute_simple(const Stmt& s) {
    switch (s.kind) {
      case StmtKind::print: print(s); return;
      case StmtKind::dim: dim(s); return;
      case StmtKind::call: eval(*s.args[0]); return;
      case StmtKind::mqtt: mqtt(s.args, s.args.size()); return;
      case StmtKind::setsys: setsys(s); return;
      case StmtKind::setio: {
        std::string name = to_str(eval(*s.args[0]));
        Value value = eval(*s.args[1]);
        check(host.set_tag_value(tag_index(name), value), "SETIO " + name);
        return;
      }
      case StmtKind::cls:
        pending_print.clear();
        host.clear_screen();
        return;
      case StmtKind::logevent: {
        std::string message = format_number(eval(*s.args[0]), format);
        int level = s.args.size() > 1 ? to_int(eval(*s.args[1]), format) : 0;
        host.log_event(message, level);
        return;
      }
      case StmtKind::ontimer: {
        std::int32_t n = to_int(eval(*s.args[0]), format);
        if (s.args.size() > 1) {
          timer_handlers[n] = to_str(eval(*s.args[1]));
          note_registration(timer_handlers[n], s.line);
        } else {
          timer_handlers.erase(n);
        }
        return;
      }
      case StmtKind::tset: {
        std::int32_t n = to_int(eval(*s.args[0]), format);
        double seconds = to_real(eval(*s.args[1]));
        if (seconds < 0) raise(error_code::invalid_parameter, "TSET " + std::to_string(n) + ": negative period");
        host.set_timer(n, seconds);
        return;
      }
      case StmtKind::onchange: {
        int index = select_tag(eval(*s.args[0]));
        if (s.args.size() > 1) {
          change_handlers[index] = to_str(eval(*s.args[1]));
          note_registration(change_handlers[index], s.line);
        } else {
          change_handlers.erase(index);
        }
        return;
      }
      case StmtKind::onmqtt: set_handler(mqtt_handler, s); return;
      case StmtKind::onmqttstatus: set_handler(mqtt_status_handler, s); return;
      case StmtKind::onerror: set_handler(error_handler, s); return;
      case StmtKind::onwan: set_handler(wan_handler, s); return;
      case StmtKind::open_file:
      case StmtKind::put:
      case StmtKind::close_file:
      case StmtKind::erase_file:
      case StmtKind::print_file:
        file_statement(s);
        return;
      case StmtKind::cfgsave:
        check(host.save_config(), "CFGSAVE");
        return;
      case StmtKind::reboot: reboot(s); return;
      case StmtKind::logio: {
        const std::string name = to_str(eval(*s.args[0]));
        check(host.log_io(tag_index(name)), "LOGIO " + name);
        return;
      }
      case StmtKind::settime: settime(s); return;
      case StmtKind::clear:
        // CLEAR (policy, README.md): every global variable back to its default, arrays undimensioned;
        // handlers, timers, files, LSTERR and the locals of a running FUNCTION stay.
        globals.clear();
        grow_globals();
        return;
      case StmtKind::halt:
        host.log_event(code.file + ":" + std::to_string(s.line) + ": HALT: the BASIC program stopped", log_level::info);
        halted = true;
        queue.clear();
        files.close_all(host);
        throw Halt{};
      case StmtKind::ondate:
      case StmtKind::onalarm:
      case StmtKind::almack:
      case StmtKind::onstatus:
      case StmtKind::onsms:
      case StmtKind::onppp:
      case StmtKind::outbound: {
        std::vector<Value> args;
        args.reserve(s.args.size());
        for (const auto& a : s.args) args.push_back(eval(*a));
        EventContext context{host, events, [this](const Value& v) { return select_tag(v); },
                             [this](const Value& v) { return to_int(v, format); }, s.line};
        run_event_statement(s, args, context);
        // The line an error inside the handler's command is reported at (as for ONTIMER).
        const std::size_t with_command = s.kind == StmtKind::ondate ? 3 : s.kind == StmtKind::onalarm ? 2 : 1;
        const bool registers = s.kind == StmtKind::ondate || s.kind == StmtKind::onalarm ||
                               s.kind == StmtKind::onstatus || s.kind == StmtKind::onsms || s.kind == StmtKind::onppp;
        if (registers && args.size() >= with_command && is_string(args.back()))
          note_registration(std::get<std::string>(args.back()), s.line);
        return;
      }
      default: return;
    }
  }

  // ------------------------------------------------------------------ files (file_table.hpp)
  void file_statement(const Stmt& s) {
    switch (s.kind) {
      case StmtKind::open_file: {
        const std::string spec = to_str(eval(*s.args[0]));
        const std::int32_t number = to_int(eval(*s.args[1]), format);
        const bool binary = s.label.rfind("BINARY", 0) == 0;
        const auto mode_word = s.label.substr(s.label.find(' ') + 1);
        const Host::FileMode mode = mode_word == "INPUT" ? Host::FileMode::input
                                    : mode_word == "OUTPUT" ? Host::FileMode::output
                                                            : Host::FileMode::append;
        files.open(host, number, spec, binary, mode);
        return;
      }
      case StmtKind::put: {
        const std::int32_t number = to_int(eval(*s.args[0]), format);
        std::vector<Value> items;
        items.reserve(s.args.size() - 1);
        for (std::size_t i = 1; i < s.args.size(); ++i) items.push_back(eval(*s.args[i]));
        files.put(host, number, items, !s.newline, format);
        return;
      }
      case StmtKind::close_file:
        if (s.args.empty()) files.close_all(host);
        else files.close(host, to_int(eval(*s.args[0]), format));
        return;
      case StmtKind::erase_file: {
        const std::string spec = to_str(eval(*s.args[0]));
        check(host.erase_file(spec), "ERASE \"" + spec + "\"");
        return;
      }
      case StmtKind::print_file: {
        const std::int32_t number = to_int(eval(*s.args[0]), format);
        std::string text;
        for (std::size_t i = 1; i < s.args.size(); ++i) {
          text += format_number(eval(*s.args[i]), format);
          if (s.separators[i] == ',' && (i + 1 < s.args.size() || !s.newline)) text += '\t';
        }
        files.print(host, number, text, !s.newline);
        return;
      }
      default: return;
    }
  }

  // SETTIME "dd/mm/yyyy hh:mm:ss" | "dd/mm/yyyy" (time of day kept) | "hh:mm:ss" (date kept):
  // the new local time goes to the host, which moves the device's clock (policy, README.md).
  void settime(const Stmt& s) {
    const Value v = eval(*s.args[0]);
    if (!is_string(v)) raise(error_code::type_mismatch, "SETTIME: a time string \"dd/mm/yyyy hh:mm:ss\" is expected");
    const std::string& text = std::get<std::string>(v);
    std::optional<CalendarTime> t = parse_ewon_time(text, false);
    if (!t) {
      const std::optional<CalendarTime> now = parse_ewon_time(host.time_string(), true);
      if (auto date = parse_ewon_time(text, true)) {
        t = date;
        if (now) t->hour = now->hour, t->minute = now->minute, t->second = now->second;
      } else if (auto clock = parse_time_of_day(text); clock && now) {
        t = now;
        t->hour = clock->hour, t->minute = clock->minute, t->second = clock->second;
      }
    }
    if (!t) raise(error_code::invalid_parameter, "SETTIME \"" + text + "\": not a time dd/mm/yyyy hh:mm:ss");
    check(host.set_clock(seconds_of_calendar(*t)), "SETTIME \"" + text + "\"");
  }

  // REBOOT (policy, README.md): logged, then the program starts over as after a power cycle —
  // variables, ON… handlers, timers and files gone, the queue replaced by Init and Cyclic.
  void reboot(const Stmt& s) {
    host.log_event(code.file + ":" + std::to_string(s.line) + ": REBOOT: the BASIC program restarts from Init", log_level::info);
    files.close_all(host);
    host.reboot();
    queue.clear();
    timer_handlers.clear();
    change_handlers.clear();
    mqtt_handler.reset();
    mqtt_status_handler.reset();
    error_handler.reset();
    wan_handler.reset();
    for (const auto& entry : events.date) host.set_date_plan(entry.first, "");  // the runtime's plans go too
    events = EventHandlers{};
    registered_at.clear();
    lsterr = 0;
    evtinfo = 0;
    resume_next = false;
    loaded_tag = -1;
    pending_print.clear();
    globals.clear();
    grow_globals();
    restarting = true;
    queue_sections();
    throw Halt{};
  }

  void queue_sections() {
    if (code.labels.count("EWON_INIT_SECTION")) queue.push_back(Request{RequestKind::init, "GOTO ewon_init_section", 0});
    if (code.labels.count("EWON_CYCLIC_SECTION")) queue.push_back(Request{RequestKind::cyclic, "GOTO ewon_cyclic_section", 0});
  }

  void set_handler(std::optional<std::string>& handler, const Stmt& s) {
    if (s.args.empty()) {
      handler.reset();
    } else {
      handler = to_str(eval(*s.args[0]));
      note_registration(*handler, s.line);
    }
  }

  void print(const Stmt& s) {
    std::string text;
    for (std::size_t i = 0; i < s.args.size(); ++i) {
      text += format_number(eval(*s.args[i]), format);
      if (s.separators[i] == ',' && (i + 1 < s.args.size() || !s.newline)) text += '\t';
    }
    if (!s.newline) {
      pending_print += text;
      return;
    }
    host.print(pending_print + text);
    pending_print.clear();
  }

  Value mqtt(const std::vector<ExprPtr>& arg_exprs, std::size_t count) {
    std::string command = to_str(eval(*arg_exprs[0]));
    std::vector<Value> args;
    args.reserve(count - 1);
    for (std::size_t i = 1; i < count; ++i) args.push_back(eval(*arg_exprs[i]));
    HostResult r = host.mqtt(command, args);
    check(r, "MQTT \"" + command + "\"");
    return std::move(r.value);
  }

  void setsys(const Stmt& s) {
    std::string field = to_str(eval(*s.args[0]));
    std::string key = upper(field);
    Value value = s.args.size() > 1 ? eval(*s.args[1]) : Value{std::int32_t{0}};
    if (s.label == "PRG") {
      if (key == "RESUMENEXT") resume_next = is_true(value);
      else if (key == "LSTERR") lsterr = to_int(value, format);
      else if (key == "EVTINFO") evtinfo = to_int(value, format);
      else if (host.set_system_field("PRG", field, value).error != 0)  // ACTIONID, … kept by the host
        raise(error_code::invalid_parameter, "SETSYS PRG,\"" + field + "\": unknown or read-only field");
      return;
    }
    if (s.label == "INF" || s.label == "SYS" || s.label == "COM" || s.label == "USER") {
      check(host.set_system_field(s.label, field, value), "SETSYS " + s.label + ",\"" + field + "\"");
      return;
    }
    if (s.label == "TAG") {
      if (key == "LOAD") {
        loaded_tag = select_tag(value);
        return;
      }
      if (loaded_tag < 0) raise(error_code::invalid_parameter, "SETSYS TAG,\"" + field + "\": no tag loaded (SETSYS TAG,\"load\",…)");
      if (key == "SAVE") {
        check(host.save_tag(loaded_tag), "SETSYS TAG,\"save\"");
        return;
      }
      if (s.args.size() < 2) raise(error_code::wrong_arguments, "SETSYS TAG,\"" + field + "\" needs a value");
      check(host.set_tag_field(loaded_tag, field, value), "SETSYS TAG,\"" + field + "\"");
      return;
    }
    raise(error_code::invalid_parameter, "SETSYS " + s.label + ": unknown group (PRG, INF, SYS, COM, USER or TAG)");
  }

  Value getsys(const Expr& e) {
    std::string field = to_str(eval(*e.args[0]));
    std::string key = upper(field);
    if (e.name == "PRG") {
      if (key == "NBTAGS") return static_cast<std::int32_t>(host.tag_count());
      if (key == "LSTERR") return lsterr;
      if (key == "EVTINFO") return evtinfo;
      if (key == "TIMESEC") return static_cast<std::int32_t>(host.time_seconds());
      if (key == "MSEC") return static_cast<std::int32_t>(host.milliseconds());
      if (key == "RESUMENEXT") return std::int32_t{resume_next ? 1 : 0};
      if (auto v = host.system_field("PRG", field)) return *v;
      raise(error_code::invalid_parameter, "GETSYS PRG,\"" + field + "\": unknown field");
    }
    if (e.name == "INF" || e.name == "SYS" || e.name == "COM" || e.name == "USER") {
      if (auto v = host.system_field(e.name, field)) return *v;
      raise(error_code::invalid_parameter, "GETSYS " + e.name + ",\"" + field + "\": unknown field");
    }
    if (e.name == "TAG") {
      if (loaded_tag < 0) raise(error_code::invalid_parameter, "GETSYS TAG,\"" + field + "\": no tag loaded (SETSYS TAG,\"load\",…)");
      auto v = host.tag_field(loaded_tag, field);
      if (!v) raise(error_code::invalid_parameter, "GETSYS TAG,\"" + field + "\": unknown field");
      return *v;
    }
    raise(error_code::invalid_parameter, "GETSYS " + e.name + ": unknown group (PRG, INF, SYS, COM, USER or TAG)");
  }

  static bool is_leaf(const Expr& e) { return e.kind == ExprKind::variable || e.kind == ExprKind::constant; }
  const Value& leaf(const Expr& e) { return e.kind == ExprKind::constant ? e.value : var(e.var).value; }

  Value binary(Op op, const Value& a, const Value& b) {
    if (a.index() == 0 && b.index() == 0) {
      std::int64_t x = std::get<0>(a), y = std::get<0>(b);
      switch (op) {
        case Op::add: return static_cast<std::int32_t>(static_cast<std::uint32_t>(x + y));
        case Op::sub: return static_cast<std::int32_t>(static_cast<std::uint32_t>(x - y));
        case Op::mul: return static_cast<std::int32_t>(static_cast<std::uint32_t>(x * y));
        case Op::lt: return std::int32_t{x < y};
        case Op::gt: return std::int32_t{x > y};
        case Op::le: return std::int32_t{x <= y};
        case Op::ge: return std::int32_t{x >= y};
        case Op::eq: return std::int32_t{x == y};
        case Op::ne: return std::int32_t{x != y};
        default: break;
      }
    }
    return binary_op(op, a, b, format);
  }

  // ------------------------------------------------------------------ expressions
  // An int_only subtree (ast.hpp), evaluated on plain integers with the semantics of
  // binary_op/unary_op/negate (values.cpp): wrap-around arithmetic, comparisons give 1/0.
  std::int32_t int_of(const Value& v) {
    if (const auto* p = std::get_if<std::int32_t>(&v)) return *p;
    return to_int(v, format);  // not reached while every a% holds an integer; kept safe
  }
  // Leaves without a call of their own: a tree walk spends most of its time entering functions.
  [[gnu::always_inline]] std::int32_t int_operand(const Expr& e) {
    if (e.kind == ExprKind::variable) return int_of(var(e.var).value);
    if (e.kind == ExprKind::constant) return int_of(e.value);
    return eval_int(e);
  }
  std::int32_t eval_int(const Expr& e) {
    switch (e.kind) {
      case ExprKind::constant: return int_of(e.value);
      case ExprKind::variable: return int_of(var(e.var).value);
      case ExprKind::negate: return static_cast<std::int32_t>(0u - static_cast<std::uint32_t>(eval_int(*e.args[0])));
      case ExprKind::unary: {
        const std::int32_t x = eval_int(*e.args[0]);
        return e.op == Op::not_ ? std::int32_t{x == 0} : static_cast<std::int32_t>(~x);
      }
      case ExprKind::binary: {
        const std::int64_t x = int_operand(*e.args[0]);
        const std::int64_t y = int_operand(*e.args[1]);
        switch (e.op) {
          case Op::add: return static_cast<std::int32_t>(static_cast<std::uint32_t>(x + y));
          case Op::sub: return static_cast<std::int32_t>(static_cast<std::uint32_t>(x - y));
          case Op::mul: return static_cast<std::int32_t>(static_cast<std::uint32_t>(x * y));
          case Op::mod:
            if (y == 0) raise(error_code::division_by_zero, "division by zero (MOD 0)");
            return static_cast<std::int32_t>(static_cast<std::uint32_t>(x % y));
          case Op::eq: return std::int32_t{x == y};
          case Op::ne: return std::int32_t{x != y};
          case Op::lt: return std::int32_t{x < y};
          case Op::gt: return std::int32_t{x > y};
          case Op::le: return std::int32_t{x <= y};
          case Op::ge: return std::int32_t{x >= y};
          case Op::and_: return static_cast<std::int32_t>(x & y);
          case Op::or_: return static_cast<std::int32_t>(x | y);
          case Op::xor_: return static_cast<std::int32_t>(x ^ y);
          default: break;
        }
        break;
      }
      default: break;
    }
    return int_of(eval_value(e));  // the parser marked something it should not have: stay correct
  }

  [[gnu::always_inline]] Value eval(const Expr& e) {
    if (e.int_only) return int_operand(e);
    return eval_value(e);
  }

  Value eval_value(const Expr& e) {
    switch (e.kind) {
      case ExprKind::constant: return e.value;
      case ExprKind::variable: return var(e.var).value;
      case ExprKind::element: {
        Variable& v = var(e.var);
        return element(v, e.var, e.args, e.args.size());
      }
      case ExprKind::slice: return slice(e);
      case ExprKind::tag: return host.tag_value(tag_index(e.name));
      case ExprKind::negate: return negate(eval(*e.args[0]), format);
      case ExprKind::unary: return unary_op(e.op, eval(*e.args[0]), format);
      case ExprKind::binary: {
        const Expr& l = *e.args[0];
        const Expr& r = *e.args[1];
        if (is_leaf(l) && is_leaf(r)) return binary(e.op, leaf(l), leaf(r));  // no copies of strings
        return binary(e.op, eval(l), eval(r));
      }
      case ExprKind::builtin: {
        if (e.builtin == Builtin::time) return host.time_string();
        if (e.builtin == Builtin::getio) return host.tag_value(tag_index(to_str(eval(*e.args[0]))));
        if (e.builtin == Builtin::alstat) return static_cast<std::int32_t>(host.alarm_status(select_tag(eval(*e.args[0]))));
        if (e.builtin == Builtin::responsehttpx) {
          const Value field = eval(*e.args[0]);
          const Value name = e.args.size() > 1 ? eval(*e.args[1]) : Value{std::string()};
          if (!is_string(field) || !is_string(name)) raise(error_code::type_mismatch, "RESPONSEHTTPX: a string is expected");
          HostResult r = host.http_response(std::get<std::string>(field), std::get<std::string>(name));
          check(r, "RESPONSEHTTPX \"" + std::get<std::string>(field) + "\"");
          return std::move(r.value);
        }
        if (e.builtin == Builtin::get) {
          const std::int32_t number = to_int(eval(*e.args[0]), format);
          std::optional<int> count;
          if (e.args.size() > 1) count = to_int(eval(*e.args[1]), format);
          return files.get(host, number, count);
        }
        if (e.builtin == Builtin::iomod) return std::int32_t{host.tag_modified(select_tag(eval(*e.args[0]))) ? 1 : 0};
        if (e.builtin == Builtin::memory) {
          const Value which = eval(*e.args[0]);
          if (!is_string(which)) raise(error_code::type_mismatch, "MEMORY: \"PROG\", \"VAR\" or \"ALL\" is expected");
          std::string name = std::get<std::string>(which);
          for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          if (auto figure = host.memory_figure(name)) return *figure;
          raise(error_code::invalid_parameter, "MEMORY \"" + std::get<std::string>(which) + "\": unknown figure (PROG, VAR or ALL)");
        }
        if (e.builtin == Builtin::tget) return std::int32_t{host.timer_expired(to_int(eval(*e.args[0]), format)) ? 1 : 0};
        if (e.builtin == Builtin::eof) return std::int32_t{files.eof(host, to_int(eval(*e.args[0]), format)) ? 1 : 0};
        auto lease = arg_lists.lease();
        for (const auto& a : e.args) lease->push_back(eval(*a));
        return call_builtin(e.builtin, *lease, format);
      }
      case ExprKind::call: return call(e);
      case ExprKind::mqtt: return mqtt(e.args, e.args.size());
      case ExprKind::getsys: return getsys(e);
    }
    return std::int32_t{0};
  }

  Value slice(const Expr& e) {
    std::size_t bounds = e.open_slice ? 1 : 2;
    std::size_t count = e.args.size() - bounds;
    Variable& v = var(e.var);
    std::string s = count == 0 ? to_str(v.value) : to_str(element(v, e.var, e.args, count));
    std::int32_t from = to_int(eval(*e.args[count]), format);
    std::int32_t to = e.open_slice ? std::max(static_cast<std::int32_t>(s.size()), from - 1)
                                   : to_int(eval(*e.args[count + 1]), format);
    if (from < 1 || to < from - 1) {
      raise(error_code::index_out_of_range, e.var.name + "(" + std::to_string(from) + " TO " + std::to_string(to) +
                                                "): invalid slice");
    }
    if (static_cast<std::size_t>(from) > s.size()) return std::string{};
    std::size_t end = std::min(static_cast<std::size_t>(to), s.size());
    return s.substr(static_cast<std::size_t>(from - 1), end - static_cast<std::size_t>(from - 1));
  }

  Value call(const Expr& e) {
    if (e.function < 0) raise(error_code::unknown_function, "unknown function @" + e.name);
    const Function& fn = code.functions[static_cast<std::size_t>(e.function)];
    if (e.args.size() != fn.params.size()) {
      raise(error_code::wrong_arguments, "@" + fn.name + " expects " + std::to_string(fn.params.size()) +
                                             " argument(s), got " + std::to_string(e.args.size()));
    }
    if (depth >= options.max_depth) raise(error_code::stack_overflow, "@" + fn.name + ": calls nested too deep");
    // The arguments are evaluated in the caller's frame, before the callee's exists: @F(@G(x))
    // nests. Up to three wait in named locals (an array of variants would be zeroed on every
    // call), in order: a braced list is evaluated left to right.
    switch (e.args.size()) {
      case 0: return invoke(fn, nullptr);
      case 1: {
        Value a = eval(*e.args[0]);
        return invoke(fn, &a);
      }
      case 2: {
        Value a[] = {eval(*e.args[0]), eval(*e.args[1])};
        return invoke(fn, a);
      }
      case 3: {
        Value a[] = {eval(*e.args[0]), eval(*e.args[1]), eval(*e.args[2])};
        return invoke(fn, a);
      }
      default: break;
    }
    auto lease = arg_lists.lease();
    for (const auto& a : e.args) lease->push_back(eval(*a));
    return invoke(fn, lease->data());
  }

  Value invoke(const Function& fn, Value* args) {
    Frame& f = enter(fn);
    struct PopFrame {
      Impl& impl;
      ~PopFrame() { impl.pop_frame(); }
    } pop{*this};
    for (std::size_t i = 0; i < fn.params.size(); ++i) store_param(f, fn.params[i], std::move(args[i]));
    run(&code.code, fn.start + 1);
    if (fn.return_slot < 0) return std::int32_t{0};
    Value& result = f.locals[static_cast<std::size_t>(fn.return_slot)].value;
    if (const auto* d = std::get_if<double>(&result)) return *d;  // no variant move for numbers
    if (const auto* i = std::get_if<std::int32_t>(&result)) return *i;
    return std::move(result);
  }
};

Interpreter::Interpreter(Program program, Host& host, InterpreterOptions options)
    : impl_(std::make_unique<Impl>(std::move(program), host, options)) {}
Interpreter::~Interpreter() = default;

void Interpreter::start() { impl_->queue_sections(); }

void Interpreter::post_cyclic() {
  if (impl_->halted) return;
  if (impl_->code.labels.count("EWON_CYCLIC_SECTION")) impl_->queue.push_back(Request{RequestKind::cyclic, "GOTO ewon_cyclic_section", 0});
}

void Interpreter::post_timer(int number) {
  auto it = impl_->timer_handlers.find(number);
  if (it != impl_->timer_handlers.end()) impl_->enqueue(RequestKind::timer, it->second, number);
}

void Interpreter::post_tag_change(int tag_index) {
  auto it = impl_->change_handlers.find(tag_index);
  if (it != impl_->change_handlers.end()) impl_->enqueue(RequestKind::tag_change, it->second, tag_index + 1);
}

void Interpreter::post_mqtt_message() {
  if (impl_->mqtt_handler) impl_->enqueue(RequestKind::mqtt_message, *impl_->mqtt_handler, 0);
}

void Interpreter::post_mqtt_status(int status) {
  if (impl_->mqtt_status_handler) impl_->enqueue(RequestKind::mqtt_status, *impl_->mqtt_status_handler, status);
}

void Interpreter::post_wan(int status) {
  if (impl_->wan_handler) impl_->enqueue(RequestKind::wan, *impl_->wan_handler, status);
}

void Interpreter::post_date(int number) {
  auto it = impl_->events.date.find(number);
  if (it != impl_->events.date.end()) impl_->enqueue(RequestKind::date, it->second, number);
}

void Interpreter::post_alarm(int tag_index) {
  auto it = impl_->events.alarm.find(tag_index);
  if (it != impl_->events.alarm.end()) impl_->enqueue(RequestKind::alarm, it->second, tag_index + 1);
}

void Interpreter::post_action_status(int action_id) {
  if (impl_->events.status) impl_->enqueue(RequestKind::action_status, *impl_->events.status, action_id);
}

void Interpreter::post_sms() {
  if (impl_->events.sms) impl_->enqueue(RequestKind::sms, *impl_->events.sms, 0);
}

void Interpreter::post_ppp(int status) {
  if (impl_->events.ppp) impl_->enqueue(RequestKind::ppp, *impl_->events.ppp, status);
}

bool Interpreter::has_date_plan(int number) const { return impl_->events.date.count(number) > 0; }
bool Interpreter::watches_alarm(int tag_index) const { return impl_->events.alarm.count(tag_index) > 0; }

void Interpreter::post_command(std::string basic, int evtinfo) {
  impl_->enqueue(RequestKind::command, std::move(basic), evtinfo);
}

bool Interpreter::run_one() { return impl_->run_one(); }
std::size_t Interpreter::pending() const { return impl_->queue.size(); }
const RequestOutcome& Interpreter::last_outcome() const { return impl_->outcome; }
std::uint64_t Interpreter::dropped_requests() const { return impl_->dropped; }
bool Interpreter::watches_tag(int tag_index) const { return impl_->change_handlers.count(tag_index) > 0; }
bool Interpreter::has_timer(int number) const { return impl_->timer_handlers.count(number) > 0; }
int Interpreter::last_error() const { return impl_->lsterr; }
bool Interpreter::halted() const { return impl_->halted; }

std::optional<Value> Interpreter::variable(std::string_view name) const {
  auto it = impl_->symbols.slots.find(upper(name));
  if (it == impl_->symbols.slots.end()) return std::nullopt;
  return impl_->globals[static_cast<std::size_t>(it->second)].value;
}

std::optional<Value> Interpreter::element(std::string_view name, const std::vector<int>& index) const {
  auto it = impl_->symbols.slots.find(upper(name));
  if (it == impl_->symbols.slots.end()) return std::nullopt;
  const auto& v = impl_->globals[static_cast<std::size_t>(it->second)];
  if (!v.array || index.size() != v.array->dims.size()) return std::nullopt;
  std::size_t flat = 0;
  for (std::size_t i = 0; i < index.size(); ++i) {
    if (index[i] < 1 || index[i] > v.array->dims[i]) return std::nullopt;
    flat = flat * static_cast<std::size_t>(v.array->dims[i]) + static_cast<std::size_t>(index[i] - 1);
  }
  return v.array->items[flat];
}

}  // namespace flexhil::basic
