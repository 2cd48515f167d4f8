#include "sim/flexy/basic/parser.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <unordered_set>

#include "sim/flexy/basic/event_statements.hpp"
#include "sim/flexy/basic/scanner.hpp"
#include "sim/flexy/basic/values.hpp"

namespace flexhil::basic {

namespace {

// A syntax error on the current line; the parser records it and goes on with the next line.
struct LineError {
  std::string message;
};

const std::unordered_set<std::string>& keywords() {
  static const std::unordered_set<std::string> k{
      "IF", "THEN", "ELSE", "ENDIF", "FOR", "TO", "STEP", "NEXT", "GOTO", "GOSUB", "RETURN", "END",
      "DIM", "PRINT", "CLS", "LOGEVENT", "FUNCTION", "ENDFN", "ONTIMER", "TSET", "ONCHANGE",
      "ONMQTT", "ONMQTTSTATUS", "ONERROR", "ONWAN", "ONDATE", "MQTT", "GETSYS", "SETSYS", "SETIO",
      "AND", "OR", "XOR", "NOT", "BNOT", "MOD", "REM", "LET",
      "OPEN", "PUT", "CLOSE", "ERASE", "CFGSAVE", "REBOOT", "HALT", "LOGIO", "SETTIME", "CLEAR"};
  return k;
}

bool is_keyword(const std::string& upper_word) {
  return keywords().count(upper_word) > 0 || find_builtin(upper_word).has_value() ||
         find_event_statement(upper_word).has_value();
}

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// "Rem --- eWON start section: Cyclic Section" → {start, "Cyclic Section"}.
struct Marker {
  bool start = false;
  std::string name;
};
std::optional<Marker> section_marker(std::string_view line) {
  std::string u = upper(trim(line));
  if (u.rfind("REM", 0) != 0) return std::nullopt;
  std::string rest = trim(std::string_view(u).substr(3));
  if (rest.rfind("---", 0) != 0) return std::nullopt;
  rest = trim(std::string_view(rest).substr(3));
  Marker m;
  std::string prefix;
  if (rest.rfind("EWON START SECTION", 0) == 0) {
    m.start = true;
    prefix = "EWON START SECTION";
  } else if (rest.rfind("EWON END SECTION", 0) == 0) {
    prefix = "EWON END SECTION";
  } else {
    return std::nullopt;
  }
  std::string name = trim(std::string_view(rest).substr(prefix.size()));
  if (!name.empty() && name[0] == ':') name = trim(std::string_view(name).substr(1));
  // Keep the name as written in the file.
  std::string original = trim(line);
  auto colon = original.find(':');
  m.name = colon == std::string::npos ? name : trim(std::string_view(original).substr(colon + 1));
  return m;
}

class Parser {
 public:
  // Program mode.
  Parser(detail::ProgramCode& program, std::string file)
      : program_(program), mutable_program_(&program), globals_(program.globals), out_(program.code),
        file_(std::move(file)), command_mode_(false) {}
  // Command mode: compiles into `out` against a finished program.
  Parser(const detail::ProgramCode& program, Symbols& globals, Code& out)
      : program_(program), mutable_program_(nullptr), globals_(globals), out_(out), command_mode_(true) {}

  std::vector<Diagnostic> parse_program(std::string_view source) {
    if (source.substr(0, 3) == "\xEF\xBB\xBF") source.remove_prefix(3);  // UTF-8 BOM of Windows editors
    std::size_t begin = 0;
    int line = 0;
    bool any_marker = false;
    while (begin <= source.size()) {
      auto nl = source.find('\n', begin);
      std::string_view text = source.substr(begin, nl == std::string_view::npos ? std::string_view::npos : nl - begin);
      ++line;
      line_ = line;
      if (auto marker = section_marker(pasted_blanks_to_spaces(text))) {
        any_marker = true;
        on_marker(*marker);
      } else {
        parse_line(text);
      }
      if (nl == std::string_view::npos) break;
      begin = nl + 1;
    }
    // A final newline ends the last line; it does not start another one.
    if (!source.empty() && source.back() == '\n') --line;
    mutable_program_->lines = static_cast<std::size_t>(line);
    finish(any_marker);
    return std::move(diagnostics_);
  }

  std::string parse_command(std::string_view text) {
    line_ = 0;
    auto scanned = scan_line(text);
    if (!scanned.error.empty()) return scanned.error;
    toks_ = std::move(scanned.tokens);
    pos_ = 0;
    try {
      if (peek().is(TokenKind::identifier) && peek(1).is(TokenKind::colon)) {
        throw LineError{"a label cannot be defined in a command"};
      }
      statements(false);
      expect_end();
      if (!ifs_.empty()) throw LineError{"ENDIF expected: a block IF cannot start in a command"};
    } catch (const LineError& e) {
      return e.message;
    }
    emit(StmtKind::end);
    return {};
  }

 private:
  // ---------------------------------------------------------------- lines and structure
  void error(int line, std::string message) { diagnostics_.push_back(Diagnostic{file_, line, std::move(message)}); }

  void on_marker(const Marker& m) {
    if (m.start) {
      mutable_program_->sections.push_back(m.name);
      section_start_ = pc();
      return;
    }
    // The IDE puts END at the end of every section: flow never runs into the next one.
    emit(StmtKind::end);
    std::string u = upper(m.name);
    if (u.find("INIT") != std::string::npos) define_implicit_label("EWON_INIT_SECTION", section_start_);
    if (u.find("CYCLIC") != std::string::npos) define_implicit_label("EWON_CYCLIC_SECTION", section_start_);
  }

  void define_implicit_label(const std::string& name, int at) {
    if (mutable_program_->labels.emplace(name, at).second) mutable_program_->implicit_labels.insert(name);
  }

  void parse_line(std::string_view text) {
    auto scanned = scan_line(text);
    if (!scanned.error.empty()) {
      error(line_, scanned.error);
      return;
    }
    toks_ = std::move(scanned.tokens);
    pos_ = 0;
    // The expressions of a line that fails are freed with it: so are the @call fixups that
    // point into them (finish() would write through them otherwise).
    const std::size_t call_fixups_before = call_fixups_.size();
    try {
      if (peek().is(TokenKind::end)) return;
      // `Name:` at the start of a line is a label (`$Name:` inside a FUNCTION).
      if (is_label_definition()) {
        define_label(peek().text);
        pos_ += 2;
      }
      statements(false);
      expect_end();
    } catch (const LineError& e) {
      depth_ = 0;
      call_fixups_.resize(call_fixups_before);
      error(line_, e.message);
    }
  }

  // `Name:` at the start of a line. A keyword is a label only when alone on its line and not a
  // statement that could stand there (`Next:` is a label, published scripts use `GOTO Next`).
  bool is_label_definition() const {
    const Token& t = peek();
    if (!t.is(TokenKind::identifier) || !peek(1).is(TokenKind::colon)) return false;
    if (t.text.back() == '%' || t.text.back() == '$') return false;
    if (!is_keyword(t.text)) return true;
    static const std::unordered_set<std::string> statements_alone{"END", "RETURN", "CLS", "ENDIF", "ELSE", "ENDFN", "REM", "CLEAR"};
    return peek(2).is(TokenKind::end) && !statements_alone.count(t.text) && !find_builtin(t.text);
  }

  void define_label(const std::string& name) {
    if (name[0] == '$') {
      if (function_ < 0) throw LineError{"label " + name + " starts with $ outside a FUNCTION"};
      auto& labels = mutable_program_->functions[static_cast<std::size_t>(function_)].labels;
      if (!labels.emplace(name, pc()).second) throw LineError{"duplicate label " + name};
      return;
    }
    if (!mutable_program_->labels.emplace(name, pc()).second) throw LineError{"duplicate label " + name};
  }

  void finish(bool any_marker) {
    emit(StmtKind::end);  // flow never runs past the last line
    if (!any_marker) define_implicit_label("EWON_INIT_SECTION", 0);  // whole file = Init body
    for (const auto& block : ifs_) error(block.line, "ENDIF expected for the block IF of this line");
    if (function_ >= 0) {
      const auto& f = program_.functions[static_cast<std::size_t>(function_)];
      error(f.line, "ENDFN expected for FUNCTION " + f.name);
    }
    for (const auto& fix : label_fixups_) {
      Stmt& s = out_[static_cast<std::size_t>(fix.pc)];
      s.jump = resolve_label(fix.label, fix.scope);  // -1: a runtime error when it executes
    }
    for (const auto& fix : call_fixups_) {
      auto it = program_.function_index.find(fix.name);
      if (it == program_.function_index.end()) {
        error(fix.line, "unknown function @" + fix.name);
        continue;
      }
      *fix.slot = it->second;
    }
    std::sort(diagnostics_.begin(), diagnostics_.end(),
              [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
  }

  int resolve_label(const std::string& name, int scope) const {
    if (name[0] == '$') {
      if (scope < 0) return -1;
      const auto& labels = program_.functions[static_cast<std::size_t>(scope)].labels;
      auto it = labels.find(name);
      return it == labels.end() ? -1 : it->second;
    }
    auto it = program_.labels.find(name);
    return it == program_.labels.end() ? -1 : it->second;
  }

  // ---------------------------------------------------------------- tokens
  const Token& peek(std::size_t ahead = 0) const {
    std::size_t i = std::min(pos_ + ahead, toks_.size() - 1);
    return toks_[i];
  }
  const Token& advance() {
    const Token& t = toks_[pos_];
    if (pos_ + 1 < toks_.size()) ++pos_;
    return t;
  }
  bool at_word(std::string_view w) const { return peek().is_word(w); }
  bool accept_word(std::string_view w) {
    if (!at_word(w)) return false;
    advance();
    return true;
  }
  bool accept(TokenKind k) {
    if (!peek().is(k)) return false;
    advance();
    return true;
  }
  static std::string describe(const Token& t) {
    switch (t.kind) {
      case TokenKind::end: return "end of line";
      case TokenKind::string: return "string \"" + t.text + "\"";
      case TokenKind::tag_ref: return "'" + t.raw + "@'";
      case TokenKind::call: return "'@" + t.raw + "'";
      default: return "'" + (t.raw.empty() ? t.text : t.raw) + "'";
    }
  }
  void expect(TokenKind k, const std::string& what) {
    if (!accept(k)) throw LineError{what + " expected, got " + describe(peek())};
  }
  void expect_end() {
    if (!peek().is(TokenKind::end)) throw LineError{"unexpected " + describe(peek()) + " after statement"};
  }
  bool at_statement_end() const {
    return peek().is(TokenKind::end) || peek().is(TokenKind::colon) || at_word("ELSE");
  }

  // ---------------------------------------------------------------- emitting
  int pc() const { return static_cast<int>(out_.size()); }
  Stmt& emit(StmtKind kind) {
    out_.emplace_back();
    Stmt& s = out_.back();
    s.kind = kind;
    s.line = line_;
    s.scope = function_;
    return s;
  }

  // ---------------------------------------------------------------- statements
  // A statement list up to the end of the line (or ELSE inside a single-line IF's THEN part).
  void statements(bool then_part) {
    while (true) {
      if (peek().is(TokenKind::end)) return;
      if (then_part && at_word("ELSE")) return;
      if (accept(TokenKind::colon)) continue;
      statement(then_part);
      if (accept(TokenKind::colon)) continue;
      if (peek().is(TokenKind::end)) return;
      if (then_part && at_word("ELSE")) return;
      throw LineError{"':' or end of line expected after the statement, got " + describe(peek())};
    }
  }

  void statement(bool in_single_if) {
    const Token& t = peek();
    if (t.is(TokenKind::call)) {
      Stmt& s = emit(StmtKind::call);
      s.args.push_back(call_expr());
      return;
    }
    if (t.is(TokenKind::tag_ref)) {
      assignment();
      return;
    }
    if (!t.is(TokenKind::identifier)) throw LineError{"statement expected, got " + describe(t)};
    const std::string w = t.text;
    if (w == "LET") {
      advance();
      assignment();
    } else if (w == "IF") {
      if_statement(in_single_if);
    } else if (w == "ELSE") {
      if (in_single_if || ifs_.empty() || ifs_.back().else_jump >= 0) throw LineError{"ELSE without IF"};
      advance();
      int j = pc();
      emit(StmtKind::jump);
      out_[static_cast<std::size_t>(ifs_.back().if_pc)].jump = pc();
      ifs_.back().else_jump = j;
    } else if (w == "ENDIF" || (w == "END" && peek(1).is_word("IF"))) {
      advance();
      if (w == "END") advance();
      if (in_single_if || ifs_.empty()) throw LineError{"ENDIF without IF"};
      auto block = ifs_.back();
      ifs_.pop_back();
      if (block.else_jump >= 0) {
        out_[static_cast<std::size_t>(block.else_jump)].jump = pc();
      } else {
        out_[static_cast<std::size_t>(block.if_pc)].jump = pc();
      }
    } else if (w == "END") {
      advance();
      emit(StmtKind::end);
    } else if (w == "FOR") {
      for_statement();
    } else if (w == "NEXT") {
      next_statement();
    } else if (w == "GOTO" || w == "GOSUB") {
      advance();
      jump_statement(w == "GOTO" ? StmtKind::go_to : StmtKind::go_sub);
    } else if (w == "RETURN") {
      advance();
      emit(StmtKind::return_);
    } else if (w == "DIM") {
      advance();
      dim_statement();
    } else if (w == "PRINT") {
      advance();
      print_statement();
    } else if (w == "CLS") {
      advance();
      emit(StmtKind::cls);
    } else if (w == "LOGEVENT") {
      advance();
      args_statement(StmtKind::logevent, 1, 2, "LOGEVENT");
    } else if (w == "FUNCTION") {
      function_statement(in_single_if);
    } else if (w == "ENDFN") {
      advance();
      if (in_single_if || function_ < 0) throw LineError{"ENDFN without FUNCTION"};
      auto& f = mutable_program_->functions[static_cast<std::size_t>(function_)];
      f.end = pc();
      emit(StmtKind::endfn);
      out_[static_cast<std::size_t>(f.start)].jump = pc();
      // FOR loops still open inside the function cannot be closed outside it.
      fors_.erase(std::remove_if(fors_.begin(), fors_.end(), [&](const OpenFor& o) { return o.function == function_; }),
                  fors_.end());
      function_ = -1;
    } else if (w == "ONTIMER") {
      advance();
      args_statement(StmtKind::ontimer, 1, 2, "ONTIMER");
    } else if (w == "TSET") {
      advance();
      args_statement(StmtKind::tset, 2, 2, "TSET");
    } else if (w == "ONCHANGE") {
      advance();
      args_statement(StmtKind::onchange, 1, 2, "ONCHANGE");
    } else if (w == "ONMQTT") {
      advance();
      args_statement(StmtKind::onmqtt, 0, 1, "ONMQTT");
    } else if (w == "ONMQTTSTATUS") {
      advance();
      args_statement(StmtKind::onmqttstatus, 0, 1, "ONMQTTSTATUS");
    } else if (w == "ONERROR") {
      advance();
      args_statement(StmtKind::onerror, 0, 1, "ONERROR");
    } else if (w == "ONWAN") {
      advance();
      args_statement(StmtKind::onwan, 0, 1, "ONWAN");
    } else if (w == "ONDATE") {
      advance();
      args_statement(StmtKind::ondate, 1, 3, "ONDATE");
    } else if (auto event = find_event_statement(w)) {
      advance();
      args_statement(event->kind, event->min_args, event->max_args, std::string(event->name).c_str());
      out_.back().label = std::string(event->name);
    } else if (w == "MQTT") {
      advance();
      args_statement(StmtKind::mqtt, 1, 16, "MQTT");
    } else if (w == "SETIO") {
      advance();
      args_statement(StmtKind::setio, 2, 2, "SETIO");
    } else if (w == "SETSYS") {
      advance();
      setsys_statement();
    } else if (w == "OPEN") {
      advance();
      open_statement();
    } else if (w == "PUT") {
      advance();
      put_statement();
    } else if (w == "CLOSE") {
      advance();
      accept(TokenKind::hash);
      args_statement(StmtKind::close_file, 0, 1, "CLOSE");
    } else if (w == "ERASE") {
      advance();
      args_statement(StmtKind::erase_file, 1, 1, "ERASE");
    } else if (w == "LOGIO") {
      advance();
      args_statement(StmtKind::logio, 1, 1, "LOGIO");
    } else if (w == "SETTIME") {
      advance();
      args_statement(StmtKind::settime, 1, 1, "SETTIME");
    } else if (w == "CLEAR") {
      advance();
      emit(StmtKind::clear);
    } else if (w == "IOMOD") {
      // IOMOD tag as a statement: reads (and so clears) the tag's modification flag.
      ExprPtr e = expression();
      emit(StmtKind::call).args.push_back(std::move(e));
    } else if (w == "CFGSAVE" || w == "REBOOT" || w == "HALT") {
      advance();
      emit(w == "CFGSAVE" ? StmtKind::cfgsave : (w == "REBOOT" ? StmtKind::reboot : StmtKind::halt));
    } else if (w == "THEN") {
      throw LineError{"THEN without IF"};
    } else if (is_keyword(w)) {
      throw LineError{"unexpected " + describe(t) + " at the start of a statement"};
    } else {
      assignment();
    }
  }

  void assignment() {
    Target target;
    const Token& t = peek();
    if (t.is(TokenKind::tag_ref)) {
      target.kind = Target::Kind::tag;
      target.tag = t.text;
      advance();
    } else {
      std::string name = t.text;
      advance();
      target.var = variable(name);
      if (accept(TokenKind::lparen)) {
        target.kind = Target::Kind::element;
        do {
          target.index.push_back(expression());
          if (at_word("TO")) throw LineError{"a string slice cannot be assigned"};
        } while (accept(TokenKind::comma));
        expect(TokenKind::rparen, "')'");
      }
      if (!peek().is_op("=")) {
        throw LineError{"'=' expected after " + t.raw + " (unknown statement or missing assignment)"};
      }
    }
    if (!peek().is_op("=")) throw LineError{"'=' expected after " + t.raw + "@"};
    advance();
    Stmt& s = emit(StmtKind::assign);
    s.has_target = true;
    s.target = std::move(target);
    s.args.push_back(expression());
  }

  // After THEN / ELSE of a single-line IF: a bare label means GOTO label.
  bool bare_label_here() const {
    const Token& t = peek();
    if (!t.is(TokenKind::identifier) || is_keyword(t.text)) return false;
    const Token& n = peek(1);
    return n.is(TokenKind::end) || n.is(TokenKind::colon) || n.is_word("ELSE");
  }

  void if_statement(bool in_single_if) {
    DepthGuard guard(depth_);  // IF 1 THEN IF 1 THEN … nests
    advance();  // IF
    ExprPtr condition = expression();
    if (!accept_word("THEN")) throw LineError{"THEN expected after IF condition, got " + describe(peek())};
    if (peek().is(TokenKind::end)) {
      if (in_single_if) throw LineError{"a block IF cannot follow THEN/ELSE of a single-line IF"};
      int at = pc();
      emit(StmtKind::jump_if_false).args.push_back(std::move(condition));
      ifs_.push_back(OpenIf{at, -1, line_});
      return;
    }
    // Single-line IF: every statement after THEN on this line is conditional.
    int jif = pc();
    emit(StmtKind::jump_if_false).args.push_back(std::move(condition));
    branch();
    if (accept_word("ELSE")) {
      int j = pc();
      emit(StmtKind::jump);
      out_[static_cast<std::size_t>(jif)].jump = pc();
      branch();
      out_[static_cast<std::size_t>(j)].jump = pc();
    } else {
      out_[static_cast<std::size_t>(jif)].jump = pc();
    }
  }

  void branch() {
    if (bare_label_here()) {
      jump_statement(StmtKind::go_to);
      if (accept(TokenKind::colon)) statements(true);
      return;
    }
    statements(true);
  }

  void jump_statement(StmtKind kind) {
    const Token& t = peek();
    Stmt* s = nullptr;
    std::string label;
    if (t.is(TokenKind::identifier) && t.text.back() != '$' && t.text.back() != '%' && !find_builtin(t.text) &&
        t.text != "GETSYS" && t.text != "MQTT") {
      label = t.text;  // any other word, keywords included: `GOTO Next`
      advance();
    } else if (t.is(TokenKind::string) && (peek(1).is(TokenKind::end) || peek(1).is(TokenKind::colon) ||
                                          peek(1).is_word("ELSE"))) {
      label = upper(trim(t.text));  // GOTO "Label"
      advance();
    }
    if (!label.empty()) {
      int at = pc();
      s = &emit(kind);
      s->label = label;
      if (command_mode_) {
        s->jump = resolve_label(label, -1);
      } else {
        label_fixups_.push_back(LabelFixup{at, label, function_});
      }
      return;
    }
    if (at_statement_end()) throw LineError{"label expected after " + std::string(kind == StmtKind::go_to ? "GOTO" : "GOSUB")};
    s = &emit(kind);
    s->args.push_back(expression());  // computed label name, resolved when it runs
  }

  void for_statement() {
    advance();  // FOR
    const Token& t = peek();
    if (!t.is(TokenKind::identifier) || is_keyword(t.text) || type_of_name(t.text) == VarType::string) {
      throw LineError{"numeric variable expected after FOR, got " + describe(t)};
    }
    std::string name = t.text;
    advance();
    if (!peek().is_op("=")) throw LineError{"'=' expected after FOR " + name};
    advance();
    ExprPtr from = expression();
    if (!accept_word("TO")) throw LineError{"TO expected in FOR, got " + describe(peek())};
    ExprPtr to = expression();
    ExprPtr step;
    if (accept_word("STEP")) step = expression();
    int at = pc();
    Stmt& s = emit(StmtKind::for_);
    s.has_target = true;
    s.target.var = variable(name);
    s.args.push_back(std::move(from));
    s.args.push_back(std::move(to));
    if (step) s.args.push_back(std::move(step));
    fors_.push_back(OpenFor{at, name, function_});
  }

  void next_statement() {
    advance();  // NEXT
    int at = pc();
    Stmt& s = emit(StmtKind::next);
    std::string name;
    if (peek().is(TokenKind::identifier) && !is_keyword(peek().text)) {
      name = peek().text;
      advance();
      s.has_target = true;
      s.target.var = variable(name);
    }
    // Link the matching FOR (statically) so that a loop that does not run skips its body.
    for (std::size_t i = fors_.size(); i-- > 0;) {
      if (fors_[i].function != function_) continue;
      if (name.empty() || fors_[i].var == name) {
        out_[static_cast<std::size_t>(fors_[i].pc)].jump = at + 1;
        fors_.erase(fors_.begin() + static_cast<std::ptrdiff_t>(i), fors_.end());
        break;
      }
    }
  }

  void dim_statement() {
    do {
      const Token& t = peek();
      if (!t.is(TokenKind::identifier) || is_keyword(t.text)) throw LineError{"array name expected after DIM, got " + describe(t)};
      std::string name = t.text;
      advance();
      expect(TokenKind::lparen, "'(' after DIM " + name);
      Stmt& s = emit(StmtKind::dim);
      s.has_target = true;
      s.target.var = variable(name);
      do {
        s.args.push_back(expression());
      } while (accept(TokenKind::comma));
      expect(TokenKind::rparen, "')'");
    } while (accept(TokenKind::comma));
  }

  static bool is_string_literal(const Expr& e) {
    return e.kind == ExprKind::constant && std::holds_alternative<std::string>(e.value);
  }

  // OPEN spec FOR BINARY|TEXT INPUT|OUTPUT|APPEND AS n
  void open_statement() {
    ExprPtr spec = expression();
    if (!accept_word("FOR")) throw LineError{"FOR expected in OPEN, got " + describe(peek())};
    const std::string framing = peek().is(TokenKind::identifier) ? peek().text : std::string();
    if (framing != "BINARY" && framing != "TEXT") throw LineError{"BINARY or TEXT expected after OPEN … FOR, got " + describe(peek())};
    advance();
    const std::string mode = peek().is(TokenKind::identifier) ? peek().text : std::string();
    if (mode != "INPUT" && mode != "OUTPUT" && mode != "APPEND")
      throw LineError{"INPUT, OUTPUT or APPEND expected after OPEN … FOR " + framing + ", got " + describe(peek())};
    advance();
    if (!accept_word("AS")) throw LineError{"AS expected in OPEN, got " + describe(peek())};
    accept(TokenKind::hash);
    ExprPtr number = expression();
    Stmt& s = emit(StmtKind::open_file);
    s.label = framing + " " + mode;
    s.args.push_back(std::move(spec));
    s.args.push_back(std::move(number));
  }

  // PUT n, item[;item…][;] — a trailing ';' continues the record with the next PUT.
  void put_statement() {
    accept(TokenKind::hash);
    Stmt& s = emit(StmtKind::put);
    s.args.push_back(expression());
    expect(TokenKind::comma, "',' after the file number of PUT");
    while (true) {
      s.args.push_back(expression());
      if (accept(TokenKind::semicolon) || accept(TokenKind::comma)) {
        if (at_statement_end()) {
          s.newline = false;
          return;
        }
        continue;
      }
      return;
    }
  }

  void print_statement() {
    const bool to_file = accept(TokenKind::hash);  // PRINT #n, items
    Stmt& s = emit(to_file ? StmtKind::print_file : StmtKind::print);
    if (to_file) {
      s.args.push_back(expression());
      s.separators.push_back(';');
      if (!at_statement_end()) expect(TokenKind::comma, "',' after PRINT #n");
    }
    bool trailing_separator = false;
    while (!at_statement_end()) {
      trailing_separator = false;
      s.args.push_back(expression());
      s.separators.push_back(';');
      if (peek().is(TokenKind::semicolon) || peek().is(TokenKind::comma)) {
        s.separators.back() = peek().is(TokenKind::comma) ? ',' : ';';
        advance();
        trailing_separator = true;
      } else if (!at_statement_end() && !(is_string_literal(*s.args.back()) || peek().is(TokenKind::string))) {
        // Juxtaposed items join like `;` only next to a string literal (`PRINT "a" a$ "b"`,
        // as published programs write them); `PRINT 1 2` is far more likely a typo.
        throw LineError{"';' or ',' expected between PRINT items, got " + describe(peek())};
      }
    }
    s.newline = !trailing_separator;
  }

  void args_statement(StmtKind kind, std::size_t min, std::size_t max, const char* name) {
    std::vector<ExprPtr> args = argument_list(true);
    if (args.size() < min || args.size() > max) {
      throw LineError{std::string(name) + " expects " + count_text(min, max) + ", got " + std::to_string(args.size())};
    }
    Stmt& s = emit(kind);
    s.args = std::move(args);
  }

  static std::string count_text(std::size_t min, std::size_t max) {
    if (min == max) return std::to_string(min) + (min == 1 ? " argument" : " arguments");
    return std::to_string(min) + " to " + std::to_string(max) + " arguments";
  }

  // Comma-separated expressions, optionally inside one pair of brackets: `MQTT("OPEN", a$, b$)`.
  std::vector<ExprPtr> argument_list(bool statement) {
    std::vector<ExprPtr> args;
    if (statement && at_statement_end()) return args;
    if (peek().is(TokenKind::lparen)) {
      // Bracketed list only if the closing bracket ends the statement.
      const std::size_t save = pos_;
      const std::size_t call_fixups_before = call_fixups_.size();  // see parse_line()
      try {
        advance();
        if (!accept(TokenKind::rparen)) {
          do {
            args.push_back(expression());
          } while (accept(TokenKind::comma));
          expect(TokenKind::rparen, "')'");
        }
        if (at_statement_end()) return args;
      } catch (const LineError&) {
      }
      args.clear();
      call_fixups_.resize(call_fixups_before);
      pos_ = save;
    }
    do {
      args.push_back(expression());
    } while (accept(TokenKind::comma));
    return args;
  }

  void setsys_statement() {
    bool bracket = accept(TokenKind::lparen);
    const Token& g = peek();
    if (!g.is(TokenKind::identifier)) throw LineError{"PRG, INF or TAG expected after SETSYS, got " + describe(g)};
    std::string group = g.text;
    advance();
    expect(TokenKind::comma, "',' after SETSYS " + group);
    Stmt& s = emit(StmtKind::setsys);
    s.label = group;
    s.args.push_back(expression());
    if (accept(TokenKind::comma)) s.args.push_back(expression());
    if (bracket) expect(TokenKind::rparen, "')'");
  }

  void function_statement(bool in_single_if) {
    advance();  // FUNCTION
    if (command_mode_) throw LineError{"FUNCTION cannot be defined in a command"};
    if (in_single_if) throw LineError{"FUNCTION cannot be defined inside IF"};
    if (function_ >= 0) throw LineError{"FUNCTION inside FUNCTION " + program_.functions[static_cast<std::size_t>(function_)].name};
    const Token& t = peek();
    // A built-in's name is fine (`FUNCTION Log`): calls are written @Log, never Log.
    if (!t.is(TokenKind::identifier) || keywords().count(t.text)) throw LineError{"function name expected after FUNCTION"};
    std::string name = t.text;
    advance();
    // A name may carry a type suffix (FUNCTION Add$): the return variable is $Add$ either way.
    std::string base = name;
    if (base.back() == '%' || base.back() == '$') base.pop_back();
    if (mutable_program_->function_index.count(base)) throw LineError{"duplicate FUNCTION " + base};
    Function f;
    f.name = base;
    f.line = line_;
    f.start = pc();
    int index = static_cast<int>(mutable_program_->functions.size());
    mutable_program_->functions.push_back(std::move(f));
    mutable_program_->function_index.emplace(base, index);
    emit(StmtKind::function);
    function_ = index;
    out_.back().scope = index;
    if (accept(TokenKind::lparen)) {
      if (!accept(TokenKind::rparen)) {
        do {
          const Token& p = peek();
          if (!p.is(TokenKind::identifier) || is_keyword(p.text)) throw LineError{"parameter name expected, got " + describe(p)};
          VarRef v = local_variable(p.text);
          mutable_program_->functions[static_cast<std::size_t>(index)].params.push_back(v);
          advance();
        } while (accept(TokenKind::comma));
        expect(TokenKind::rparen, "')' after the parameters");
      }
    }
  }

  // ---------------------------------------------------------------- variables
  VarRef local_variable(const std::string& name) {
    auto& f = mutable_program_->functions[static_cast<std::size_t>(function_)];
    VarRef v;
    v.local = true;
    v.name = name;
    v.type = type_of_name(name);
    v.slot = f.locals.lookup_or_add(name);
    std::string stripped = name.substr(name[0] == '$' ? 1 : 0);
    if (!stripped.empty() && (stripped.back() == '%' || stripped.back() == '$')) stripped.pop_back();
    if (f.return_slot < 0 && name[0] == '$' && stripped == f.name) f.return_slot = v.slot;
    return v;
  }

  VarRef variable(const std::string& name) {
    if (name[0] == '$' && function_ >= 0) return local_variable(name);
    VarRef v;
    v.name = name;
    v.type = type_of_name(name);
    v.slot = globals_.lookup_or_add(name);
    return v;
  }

  // ---------------------------------------------------------------- expressions
  // Priority, lowest first: AND OR XOR; NOT BNOT; comparisons; + -; * / ^ MOD; unary minus;
  // functions; brackets.
  // Bounds the recursion of the expression parser (and so of evaluation): hostile or broken
  // input such as 100000 opening brackets is a syntax error, not a stack overflow.
  struct DepthGuard {
    explicit DepthGuard(int& depth) : depth_(depth) {
      if (++depth_ > kMaxDepth) {
        --depth_;
        throw LineError{"expression too deeply nested"};
      }
    }
    ~DepthGuard() { --depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
    static constexpr int kMaxDepth = 300;
    int& depth_;
  };

  ExprPtr expression() {
    DepthGuard guard(depth_);
    ExprPtr left = not_level();
    while (true) {
      Op op;
      if (at_word("AND")) op = Op::and_;
      else if (at_word("OR")) op = Op::or_;
      else if (at_word("XOR")) op = Op::xor_;
      else return left;
      advance();
      left = binary(op, std::move(left), not_level());
    }
  }

  ExprPtr not_level() {
    DepthGuard guard(depth_);
    if (at_word("NOT") || at_word("BNOT")) {
      Op op = at_word("NOT") ? Op::not_ : Op::bnot;
      advance();
      auto e = std::make_unique<Expr>();
      e->kind = ExprKind::unary;
      e->op = op;
      e->args.push_back(not_level());
      e->int_only = e->args[0]->int_only;
      return e;
    }
    return comparison();
  }

  ExprPtr comparison() {
    ExprPtr left = additive();
    while (peek().is(TokenKind::op)) {
      const std::string& o = peek().text;
      Op op;
      if (o == "=") op = Op::eq;
      else if (o == "<>") op = Op::ne;
      else if (o == "<") op = Op::lt;
      else if (o == ">") op = Op::gt;
      else if (o == "<=") op = Op::le;
      else if (o == ">=") op = Op::ge;
      else break;
      advance();
      left = binary(op, std::move(left), additive());
    }
    return left;
  }

  ExprPtr additive() {
    ExprPtr left = multiplicative();
    while (peek().is_op("+") || peek().is_op("-")) {
      Op op = peek().is_op("+") ? Op::add : Op::sub;
      advance();
      left = binary(op, std::move(left), multiplicative());
    }
    return left;
  }

  ExprPtr multiplicative() {
    ExprPtr left = unary();
    while (true) {
      Op op;
      if (peek().is_op("*")) op = Op::mul;
      else if (peek().is_op("/")) op = Op::div;
      else if (peek().is_op("^")) op = Op::pow;
      else if (at_word("MOD")) op = Op::mod;
      else return left;
      advance();
      left = binary(op, std::move(left), unary());
    }
  }

  ExprPtr unary() {
    DepthGuard guard(depth_);
    if (peek().is_op("-")) {
      advance();
      ExprPtr operand = unary();
      if (operand->kind == ExprKind::constant && !is_string(operand->value)) {
        operand->value = negate(operand->value, NumberFormat{17, false, false});
        return operand;
      }
      auto e = std::make_unique<Expr>();
      e->kind = ExprKind::negate;
      e->int_only = operand->int_only;
      e->args.push_back(std::move(operand));
      return e;
    }
    if (peek().is_op("+")) {
      advance();
      return unary();
    }
    return primary();
  }

  static ExprPtr binary(Op op, ExprPtr a, ExprPtr b) {
    auto e = std::make_unique<Expr>();
    e->kind = ExprKind::binary;
    e->op = op;
    // `/` and `^` give reals even on integers; every other operator keeps integers integers.
    e->int_only = a->int_only && b->int_only && op != Op::div && op != Op::pow;
    e->args.push_back(std::move(a));
    e->args.push_back(std::move(b));
    return e;
  }

  ExprPtr primary() {
    const Token& t = peek();
    switch (t.kind) {
      case TokenKind::number:
      case TokenKind::string: {
        auto e = std::make_unique<Expr>();
        e->value = t.kind == TokenKind::string ? Value{t.text} : t.value;
        e->int_only = std::holds_alternative<std::int32_t>(e->value);
        advance();
        return e;
      }
      case TokenKind::lparen: {
        advance();
        ExprPtr e = expression();
        expect(TokenKind::rparen, "')'");
        return e;
      }
      case TokenKind::tag_ref: {
        auto e = std::make_unique<Expr>();
        e->kind = ExprKind::tag;
        e->name = t.text;
        advance();
        return e;
      }
      case TokenKind::call: return call_expr();
      case TokenKind::identifier: break;
      default: throw LineError{"expression expected, got " + describe(t)};
    }
    std::string word = t.text;
    if (auto info = find_builtin(word)) return builtin_expr(*info);
    if (word == "MQTT") return mqtt_expr();
    if (word == "GETSYS") return getsys_expr();
    if (is_keyword(word)) throw LineError{"expression expected, got " + describe(t)};
    advance();
    auto e = std::make_unique<Expr>();
    e->kind = ExprKind::variable;
    e->var = variable(word);
    e->int_only = e->var.type == VarType::integer;
    if (accept(TokenKind::lparen)) {
      e->kind = ExprKind::element;
      e->int_only = false;
      while (true) {
        ExprPtr item = expression();
        if (accept_word("TO")) {
          if (e->var.type != VarType::string) throw LineError{"TO slicing needs a string variable, " + word + " is not one"};
          e->kind = ExprKind::slice;
          e->args.push_back(std::move(item));
          if (peek().is(TokenKind::rparen)) {
            e->open_slice = true;
          } else {
            e->args.push_back(expression());
          }
          break;
        }
        e->args.push_back(std::move(item));
        if (!accept(TokenKind::comma)) break;
      }
      expect(TokenKind::rparen, "')'");
    }
    return e;
  }

  // Arguments of a function written without brackets: each one binds tighter than any
  // operator (`STR$ k% + "x"` is `STR$(k%) + "x"`).
  std::vector<ExprPtr> function_args(int max) {
    std::vector<ExprPtr> args;
    if (max == 0) {
      if (peek().is(TokenKind::lparen) && peek(1).is(TokenKind::rparen)) advance(), advance();  // `PI()`
      return args;
    }
    if (accept(TokenKind::lparen)) {
      if (accept(TokenKind::rparen)) return args;
      do {
        args.push_back(expression());
      } while (accept(TokenKind::comma));
      expect(TokenKind::rparen, "')'");
      return args;
    }
    args.push_back(unary());
    while (static_cast<int>(args.size()) < max && accept(TokenKind::comma)) args.push_back(unary());
    return args;
  }

  ExprPtr builtin_expr(const BuiltinInfo& info) {
    advance();
    auto e = std::make_unique<Expr>();
    e->kind = ExprKind::builtin;
    e->builtin = info.id;
    e->name = std::string(info.name);
    e->args = function_args(info.max_args);
    int n = static_cast<int>(e->args.size());
    if (n < info.min_args || n > info.max_args) {
      throw LineError{std::string(info.name) + " expects " +
                      count_text(static_cast<std::size_t>(info.min_args), static_cast<std::size_t>(info.max_args)) +
                      ", got " + std::to_string(n)};
    }
    return e;
  }

  ExprPtr mqtt_expr() {
    advance();
    auto e = std::make_unique<Expr>();
    e->kind = ExprKind::mqtt;
    e->args = function_args(1);
    if (e->args.empty()) throw LineError{"MQTT expects a command"};
    return e;
  }

  ExprPtr getsys_expr() {
    advance();
    bool bracket = accept(TokenKind::lparen);
    const Token& g = peek();
    if (!g.is(TokenKind::identifier)) throw LineError{"PRG, INF or TAG expected after GETSYS, got " + describe(g)};
    auto e = std::make_unique<Expr>();
    e->kind = ExprKind::getsys;
    e->name = g.text;
    advance();
    expect(TokenKind::comma, "',' after GETSYS " + e->name);
    e->args.push_back(bracket ? expression() : unary());
    if (bracket) expect(TokenKind::rparen, "')'");
    return e;
  }

  ExprPtr call_expr() {
    const Token& t = peek();
    auto e = std::make_unique<Expr>();
    e->kind = ExprKind::call;
    e->name = t.text;
    if (e->name.back() == '%' || e->name.back() == '$') e->name.pop_back();  // @Twice$ → TWICE
    advance();
    if (accept(TokenKind::lparen)) {
      if (!accept(TokenKind::rparen)) {
        do {
          e->args.push_back(expression());
        } while (accept(TokenKind::comma));
        expect(TokenKind::rparen, "')'");
      }
    }
    if (command_mode_) {
      auto it = program_.function_index.find(e->name);
      e->function = it == program_.function_index.end() ? -1 : it->second;
    } else {
      call_fixups_.push_back(CallFixup{&e->function, e->name, line_});
    }
    return e;
  }

  struct OpenIf {
    int if_pc;
    int else_jump;
    int line;
  };
  struct OpenFor {
    int pc;
    std::string var;
    int function;
  };
  struct LabelFixup {
    int pc;
    std::string label;
    int scope;
  };
  struct CallFixup {
    int* slot;  // points into an Expr owned by the code (stable: Exprs are heap nodes)
    std::string name;
    int line;
  };

  const detail::ProgramCode& program_;
  detail::ProgramCode* mutable_program_;
  Symbols& globals_;
  Code& out_;
  std::string file_;
  bool command_mode_;
  std::vector<Diagnostic> diagnostics_;
  std::vector<Token> toks_;
  std::size_t pos_ = 0;
  int line_ = 0;
  int function_ = -1;
  int depth_ = 0;
  int section_start_ = 0;
  std::vector<OpenIf> ifs_;
  std::vector<OpenFor> fors_;
  std::vector<LabelFixup> label_fixups_;
  std::vector<CallFixup> call_fixups_;
};

}  // namespace

CompiledProgram compile_program(std::string_view source, std::string file_name) {
  auto code = std::make_shared<detail::ProgramCode>();
  code->file = file_name;
  Parser parser(*code, std::move(file_name));
  CompiledProgram out;
  out.diagnostics = parser.parse_program(source);
  if (out.diagnostics.empty()) out.code = std::move(code);
  return out;
}

CompiledCommand compile_command(std::string_view text, const detail::ProgramCode& program, Symbols& globals) {
  CompiledCommand out;
  Parser parser(program, globals, out.code);
  out.error = parser.parse_command(text);
  if (!out.error.empty()) out.code.clear();
  return out;
}

}  // namespace flexhil::basic
