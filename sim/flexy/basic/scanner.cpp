#include "sim/flexy/basic/scanner.hpp"

#include <cctype>
#include <cstdint>
#include <fmt/format.h>
#include <optional>
#include <utility>
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

// Blanks that programs copied from web pages carry where the indentation was: U+00A0 no-break
// space (UTF-8 C2 A0, or a lone A0 byte when the page was saved as Latin-1/Windows-1252),
// U+2009 thin space, U+200B zero-width space, U+202F narrow no-break space. The Flexy's IDE
// shows them as spaces, so they separate tokens like a space (sim/flexy/basic/README.md).
std::size_t pasted_blank_length(std::string_view s, std::size_t i) {
  const auto at = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  if (at(0) == 0xC2 && at(1) == 0xA0) return 2;
  if (at(0) == 0xA0) return 1;
  if (at(0) == 0xE2 && at(1) == 0x80 && (at(2) == 0x89 || at(2) == 0x8B || at(2) == 0xAF)) return 3;
  return 0;
}

// The character at `i` decoded from UTF-8: its code point and length, or nullopt for a byte
// that does not start a valid sequence.
std::optional<std::pair<char32_t, std::size_t>> decode_utf8(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t n = b0 < 0x80 ? 1 : (b0 & 0xE0) == 0xC0 ? 2 : (b0 & 0xF0) == 0xE0 ? 3 : (b0 & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return std::nullopt;
  char32_t cp = n == 1 ? b0 : n == 2 ? (b0 & 0x1F) : n == 3 ? (b0 & 0x0F) : (b0 & 0x07);
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (b & 0x3F);
  }
  return std::make_pair(cp, n);
}

// "unexpected character …" naming the character, and the fix for the usual culprits.
std::string unexpected_character(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 >= 0x20 && b0 < 0x7F) return fmt::format("unexpected character '{}'", s[i]);
  const auto decoded = decode_utf8(s, i);
  if (!decoded || decoded->first < 0x20 || decoded->first == 0x7F)
    return fmt::format("unexpected byte 0x{:02X} (not a character BASIC accepts here)", b0);
  const char32_t cp = decoded->first;
  const std::string shown(s.substr(i, decoded->second));
  if (cp == 0x201C || cp == 0x201D || cp == 0x201E || cp == 0x2033)
    return fmt::format("unexpected character U+{:04X} '{}': a typographic double quote (web pages and word "
                       "processors write them) — use \" instead",
                       static_cast<std::uint32_t>(cp), shown);
  if (cp == 0x2018 || cp == 0x2019 || cp == 0x201A || cp == 0x2032)
    return fmt::format("unexpected character U+{:04X} '{}': a typographic single quote — use ' instead",
                       static_cast<std::uint32_t>(cp), shown);
  if (cp == 0x2013 || cp == 0x2014 || cp == 0x2212)
    return fmt::format("unexpected character U+{:04X} '{}': a typographic dash — use - instead",
                       static_cast<std::uint32_t>(cp), shown);
  return fmt::format("unexpected character U+{:04X} '{}'", static_cast<std::uint32_t>(cp), shown);
}

}  // namespace

std::string pasted_blanks_to_spaces(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  for (std::size_t i = 0; i < line.size();) {
    if (const auto n = pasted_blank_length(line, i)) {
      out += ' ';
      i += n;
    } else {
      out += line[i++];
    }
  }
  return out;
}

namespace {

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
        case '#': r.tokens.push_back(Token{TokenKind::hash, "#", "#", {}}); continue;
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
          r.error = unexpected_character(s_, i_ - 1);
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
    while (i_ < s_.size()) {
      if (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r') {
        ++i_;
      } else if (const auto n = pasted_blank_length(s_, i_)) {
        i_ += n;
      } else {
        break;
      }
    }
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
