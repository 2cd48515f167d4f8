#pragma once
// Scanner: one physical line of eWON BASIC → tokens. Comments (`//…`, and `Rem …` where a
// statement starts) end the line; a number ends at the first character that cannot continue it
// (`1THEN` is `1` then `THEN`); strings use either quote, the other one being an ordinary
// character; `Name@` is a tag reference and `@Name` a function call.
#include <string>
#include <string_view>
#include <vector>

#include "sim/flexy/basic/host.hpp"

namespace flexhil::basic {

enum class TokenKind {
  number,      // value holds int32 or double
  string,      // text holds the contents
  identifier,  // text upper-cased, with its suffix (%, $) and a leading $ for locals
  tag_ref,     // Name@   (text = tag name as written)
  call,        // @Name   (text upper-cased)
  op,          // + - * / ^ = < > <= >= <>
  lparen,
  rparen,
  comma,
  semicolon,
  colon,
  end,         // end of line
  hash,        // '#' (PRINT #n)
};

struct Token {
  TokenKind kind = TokenKind::end;
  std::string text;  // identifiers upper-cased; operators as normalised ("<=", "<>")
  std::string raw;   // as written (identifiers, tag names) for messages
  Value value = std::int32_t{0};
  bool is(TokenKind k) const { return kind == k; }
  bool is_op(std::string_view o) const { return kind == TokenKind::op && text == o; }
  bool is_word(std::string_view w) const { return kind == TokenKind::identifier && text == w; }
};

struct ScanResult {
  std::vector<Token> tokens;  // always ends with TokenKind::end
  std::string error;          // non-empty: syntax error message for this line
};

ScanResult scan_line(std::string_view line);

// The line with every blank a web page pastes (U+00A0 no-break space and its kin, see
// scanner.cpp) turned into an ASCII space: for the checks made on whole lines (section markers).
std::string pasted_blanks_to_spaces(std::string_view line);

std::string upper(std::string_view s);

}  // namespace flexhil::basic
