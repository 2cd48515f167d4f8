#include "common/toml_text_check.hpp"

#include <string>

namespace flexhil {

namespace {

bool is_ascii(char c) { return static_cast<unsigned char>(c) < 0x80; }

class TextScanner {
 public:
  explicit TextScanner(std::string_view text) : s_(text) {}

  std::optional<TomlTextProblem> run() {
    if (starts_with("\xEF\xBB\xBF")) pos_ = 3;  // a UTF-8 byte order mark, which toml++ skips
    // A quote opens a string only where toml++ starts a key or a value: at the start of a line,
    // after the '=' of a key, a '[' or '{' that opens an array, table or header, a ',' in an
    // array or inline table, or a '.' in a key. Elsewhere (`auth = 5"é…"`, `x = 9.'''…`,
    // `n = 6E=""""…`) toml++ reads it as part of a bare token and classifies what follows
    // character by character, so that is checked as bare text.
    bool at_start = true;  // a key or a value may start here (after spaces)
    bool in_key = true;    // before the '=' of a key/value pair, or in a [table] header
    std::string nesting;   // '[' and '{' open in values (arrays may span lines)
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      const bool quote = c == '"' || c == '\'';
      if (c == '#') {
        skip_comment();
      } else if (quote && at_start) {
        if (starts_with("\"\"\"") || starts_with("'''")) {
          if (auto p = multi_line(c)) return p;
        } else {
          single_line(c);
        }
        at_start = false;
      } else if (!is_ascii(c)) {
        return problem("non-ASCII character outside a string or comment (TOML allows it only in quotes)");
      } else {
        if (c != ' ' && c != '\t' && c != '\r') {
          bool next = false;
          if (c == '\n') {
            next = true;
            if (nesting.empty()) in_key = true;
          } else if (c == '=' && in_key) {
            next = true;
            in_key = false;
          } else if (c == '[' && at_start) {
            next = true;
            if (!(in_key && nesting.empty())) nesting += '[';  // an array, not a [table] header
          } else if (c == '{' && at_start && !in_key) {
            next = true;
            nesting += '{';
            in_key = true;
          } else if (c == ',' && !nesting.empty()) {
            next = true;
            if (nesting.back() == '{') in_key = true;
          } else if (c == '.' && in_key) {
            next = true;
          } else if ((c == ']' || c == '}') && !nesting.empty() && nesting.back() == (c == ']' ? '[' : '{')) {
            nesting.pop_back();
            in_key = false;
          }
          at_start = next;
        }
        advance();
      }
    }
    return std::nullopt;
  }

 private:
  bool starts_with(std::string_view what) const { return s_.substr(pos_, what.size()) == what; }

  void advance() {
    const char c = s_[pos_++];
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++column_;  // UTF-8 continuation bytes belong to the character before
    }
  }

  void skip_comment() {
    while (pos_ < s_.size() && s_[pos_] != '\n') advance();
  }

  // "…" or '…': ends at its quote or at the end of the line (toml++ reports that error itself).
  void single_line(char quote) {
    advance();
    while (pos_ < s_.size() && s_[pos_] != '\n') {
      const char c = s_[pos_];
      if (quote == '"' && c == '\\' && pos_ + 1 < s_.size() && s_[pos_ + 1] != '\n') {
        advance();
      } else if (c == quote) {
        advance();
        return;
      }
      advance();
    }
  }

  // """…""" or '''…''': up to two quotes may end the content right before the closing three.
  std::optional<TomlTextProblem> multi_line(char quote) {
    for (int i = 0; i < 3; ++i) advance();
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == quote && starts_with(std::string(3, quote))) {
        int quotes = 0;
        while (pos_ < s_.size() && s_[pos_] == quote && quotes < 5) {
          advance();
          ++quotes;
        }
        return std::nullopt;
      }
      if (quote == '"' && c == '\\') {
        advance();
        if (line_ending_backslash()) {
          if (pos_ < s_.size() && !is_ascii(s_[pos_]))
            return problem("non-ASCII character right after a line-ending backslash in a multi-line string "
                           "(put an ASCII character or an escape such as \\u00e9 first)");
          continue;
        }
        // `\` then spaces then anything but a line end is no valid escape; toml++ classifies the
        // spaces and what follows as whitespace first, so a non-ASCII character there is refused.
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) advance();
        if (pos_ < s_.size() && !is_ascii(s_[pos_]))
          return problem("non-ASCII character after a backslash in a string (not a TOML escape)");
        if (pos_ < s_.size()) advance();
        continue;
      }
      advance();
    }
    return std::nullopt;
  }

  // After a '\' in a multi-line basic string: if only spaces and tabs follow on the line, skips
  // them, the newline and the whitespace after it, and returns true.
  bool line_ending_backslash() {
    std::size_t p = pos_;
    while (p < s_.size() && (s_[p] == ' ' || s_[p] == '\t')) ++p;
    if (p < s_.size() && s_[p] == '\r') ++p;
    if (p >= s_.size() || s_[p] != '\n') return false;
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r' || s_[pos_] == '\n')) advance();
    return true;
  }

  TomlTextProblem problem(std::string message) const { return {line_, column_, std::move(message)}; }

  std::string_view s_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

}  // namespace

std::optional<TomlTextProblem> check_toml_text(std::string_view text) { return TextScanner(text).run(); }

}  // namespace flexhil
