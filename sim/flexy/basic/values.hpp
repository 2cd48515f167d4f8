#pragma once
// Operations on BASIC values: type checks and conversions (a string where a number is expected
// is a type mismatch), number formatting (STR$, PRINT), arithmetic with 32-bit wrapping integers
// and single-precision reals, comparisons giving 1/0.
#include <cstdint>
#include <string>

#include "sim/flexy/basic/ast.hpp"
#include "sim/flexy/basic/host.hpp"

namespace flexhil::basic {

enum class RealToInt;

struct NumberFormat {
  int significant_digits = 7;
  bool single_precision = true;
  bool round_to_int = false;  // real → integer: round half away from zero instead of truncating
};

inline bool is_string(const Value& v) { return v.index() == 2; }
inline bool is_int(const Value& v) { return v.index() == 0; }

// The common case of each conversion is inline (every loop and call goes through them); the
// rest (a real converted to an integer, a type mismatch) is out of line.
[[noreturn]] void throw_mismatch(const char* expected, const Value& v);
std::int32_t real_to_int(double d, const NumberFormat& format);
[[gnu::always_inline]] inline double to_real(const Value& v) {  // throws type mismatch
  if (const auto* i = std::get_if<std::int32_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  throw_mismatch("number", v);
}
[[gnu::always_inline]] inline std::int32_t to_int(const Value& v, const NumberFormat& format) {  // throws type mismatch
  if (const auto* i = std::get_if<std::int32_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) {
    // In range and truncating (the default): the cast is the conversion; the rest is out of line.
    if (!format.round_to_int && *d > -2147483648.0 && *d < 2147483647.0) return static_cast<std::int32_t>(*d);
    return real_to_int(*d, format);
  }
  throw_mismatch("number", v);
}
const std::string& to_str(const Value& v);                       // throws type mismatch
bool is_true(const Value& v);                                    // nonzero number
// Throws RuntimeError(string_too_long) when a string of `length` would exceed limits.hpp.
void check_string_length(std::size_t length);

std::string format_number(const Value& v, const NumberFormat& format);  // STR$, PRINT
std::string describe_type(const Value& v);                              // "integer", "real", "string"

// To single precision if configured.
inline double round_real(double d, const NumberFormat& format) {
  return format.single_precision ? static_cast<double>(static_cast<float>(d)) : d;
}
Value default_value(VarType type);
// Converts a value for storing into a variable of `type` (real → integer converted; a string
// into a number, or a number into a string, is a type mismatch).
Value coerce(Value v, VarType type, const NumberFormat& format);
// A value as text: strings as they are, numbers as STR$ writes them (the Flexy's conversion where
// a string meets a number in `+`, a comparison or a string assignment; sim/flexy/basic/README.md).
std::string as_text(const Value& v, const NumberFormat& format);

Value binary_op(Op op, const Value& a, const Value& b, const NumberFormat& format);
Value unary_op(Op op, const Value& a, const NumberFormat& format);
Value negate(const Value& a, const NumberFormat& format);

}  // namespace flexhil::basic
