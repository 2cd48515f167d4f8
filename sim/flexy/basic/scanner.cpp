#include "sim/flexy/basic/scanner.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace flexhil::basic {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

namespace {

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

class LineScanner {
 public:
  explicit LineScanner(std::string_view line) : s_(line) {}

  ScanResult run() {
    ScanResult r;
    while (true) {
      skip_blanks();
      if (i_ >= s_.size()) break;
      char c = s_[i_];
      if (c == '/' && i_ + 1 < s_.size() && s_[i_ + 1] == '/') break;  // comment to end of line
      if (c == '"' || c == '\'') {
        auto close = s_.find(c, i_ + 1);
        if (close == std::string_view::npos) {
          r.error = std::string("missing closing quote ") + c + " of string";
          break;
        }
        Token t{TokenKind::string, std::string(s_.substr(i_ + 1, close - i_ - 1)), {}, {}};
        r.tokens.push_back(std::move(t));
        i_ = close + 1;
        continue;
      }
      if (is_digit(c) || (c == '.' && i_ + 1 < s_.size() && is_digit(s_[i_ + 1]))) {
        r.tokens.push_back(number());
        continue;
      }
      if (c == '&' && i_ + 2 < s_.size() && (s_[i_ + 1] == 'H' || s_[i_ + 1] == 'h') &&
          std::isxdigit(static_cast<unsigned char>(s_[i_ + 2]))) {
        r.tokens.push_back(hex());
        continue;
      }
      if (is_ident_start(c) || (c == '$' && i_ + 1 < s_.size() && is_ident_start(s_[i_ + 1]))) {
        std::size_t start = i_;
        ++i_;
        while (i_ < s_.size() && is_ident_char(s_[i_])) ++i_;
        if (i_ < s_.size() && (s_[i_] == '%' || s_[i_] == '$')) ++i_;
        std::string raw(s_.substr(start, i_ - start));
        if (i_ < s_.size() && s_[i_] == '@' && raw.back() != '%' && raw.back() != '$') {
          ++i_;
          r.tokens.push_back(Token{TokenKind::tag_ref, raw, raw, {}});
          continue;
        }
        std::string up = upper(raw);
        const bool statement_start = r.tokens.empty() || r.tokens.back().is(TokenKind::colon) ||
                                     r.tokens.back().is_word("THEN") || r.tokens.back().is_word("ELSE");
        if (up == "REM" && statement_start) break;  // Rem comment to end of line
        r.tokens.push_back(Token{TokenKind::identifier, std::move(up), std::move(raw), {}});
        continue;
      }
      if (c == '@') {
        std::size_t start = ++i_;
        while (i_ < s_.size() && is_ident_char(s_[i_])) ++i_;
        if (i_ < s_.size() && i_ > start && (s_[i_] == '%' || s_[i_] == '$')) ++i_;
        if (i_ == start) {
          r.error = "function name expected after @";
          break;
        }
        std::string raw(s_.substr(start, i_ - start));
        r.tokens.push_back(Token{TokenKind::call, upper(raw), raw, {}});
        continue;
      }
      ++i_;
      switch (c) {
        case '(': r.tokens.push_back(Token{TokenKind::lparen, "(", "(", {}}); continue;
        case ')': r.tokens.push_back(Token{TokenKind::rparen, ")", ")", {}}); continue;
        case ',': r.tokens.push_back(Token{TokenKind::comma, ",", ",", {}}); continue;
        case ';': r.tokens.push_back(Token{TokenKind::semicolon, ";", ";", {}}); continue;
        case ':': r.tokens.push_back(Token{TokenKind::colon, ":", ":", {}}); continue;
        case '+': case '-': case '*': case '/': case '^':
          r.tokens.push_back(op(std::string(1, c)));
          continue;
        case '=':
          if (i_ < s_.size() && (s_[i_] == '<' || s_[i_] == '>')) {
            r.tokens.push_back(op(s_[i_++] == '<' ? "<=" : ">="));
          } else {
            r.tokens.push_back(op("="));
          }
          continue;
        case '<':
          if (i_ < s_.size() && s_[i_] == '=') { ++i_; r.tokens.push_back(op("<=")); }
          else if (i_ < s_.size() && s_[i_] == '>') { ++i_; r.tokens.push_back(op("<>")); }
          else r.tokens.push_back(op("<"));
          continue;
        case '>':
          if (i_ < s_.size() && s_[i_] == '=') { ++i_; r.tokens.push_back(op(">=")); }
          else if (i_ < s_.size() && s_[i_] == '<') { ++i_; r.tokens.push_back(op("<>")); }
          else r.tokens.push_back(op(">"));
          continue;
        default:
          r.error = std::string("unexpected character '") + c + "'";
          break;
      }
      break;
    }
    r.tokens.push_back(Token{TokenKind::end, "", "", {}});
    return r;
  }

 private:
  static Token op(std::string o) { return Token{TokenKind::op, o, o, {}}; }

  void skip_blanks() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
  }

  Token number() {
    std::size_t start = i_;
    bool real = false;
    while (i_ < s_.size() && is_digit(s_[i_])) ++i_;
    if (i_ < s_.size() && s_[i_] == '.') {
      real = true;
      ++i_;
      while (i_ < s_.size() && is_digit(s_[i_])) ++i_;
    }
    // An exponent only when digits follow, so that `1ELSE` stays `1` `ELSE`.
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      std::size_t j = i_ + 1;
      if (j < s_.size() && (s_[j] == '+' || s_[j] == '-')) ++j;
      if (j < s_.size() && is_digit(s_[j])) {
        real = true;
        i_ = j;
        while (i_ < s_.size() && is_digit(s_[i_])) ++i_;
      }
    }
    std::string text(s_.substr(start, i_ - start));
    Token t{TokenKind::number, text, text, {}};
    double d = std::strtod(text.c_str(), nullptr);
    if (!real && d <= static_cast<double>(std::numeric_limits<std::int32_t>::max())) {
      t.value = static_cast<std::int32_t>(d);
    } else {
      t.value = d;
    }
    return t;
  }

  Token hex() {
    std::size_t start = i_;
    i_ += 2;
    std::uint64_t v = 0;
    while (i_ < s_.size() && std::isxdigit(static_cast<unsigned char>(s_[i_]))) {
      v = (v << 4) | static_cast<std::uint64_t>(std::stoi(std::string(1, s_[i_]), nullptr, 16));
      v &= 0xFFFFFFFFu;
      ++i_;
    }
    std::string text(s_.substr(start, i_ - start));
    return Token{TokenKind::number, text, text, static_cast<std::int32_t>(static_cast<std::uint32_t>(v))};
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

ScanResult scan_line(std::string_view line) { return LineScanner(line).run(); }

}  // namespace flexhil::basic
