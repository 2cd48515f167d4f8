#include "sim/flexy/basic/values.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "sim/flexy/basic/errors.hpp"
#include "sim/flexy/basic/limits.hpp"

namespace flexhil::basic {

VarType type_of_name(const std::string& upper_name) {
  if (!upper_name.empty()) {
    if (upper_name.back() == '%') return VarType::integer;
    if (upper_name.back() == '$') return VarType::string;
  }
  return VarType::real;
}

void throw_mismatch(const char* expected, const Value& got) {
  throw RuntimeError(error_code::type_mismatch,
                     std::string("type mismatch: ") + expected + " expected, got " + describe_type(got));
}

std::int32_t real_to_int(double d, const NumberFormat& f) {
  if (std::isnan(d)) return 0;
  double r = f.round_to_int ? std::round(d) : std::trunc(d);
  if (r >= 2147483647.0) return std::numeric_limits<std::int32_t>::max();
  if (r <= -2147483648.0) return std::numeric_limits<std::int32_t>::min();
  return static_cast<std::int32_t>(r);
}

namespace {
[[noreturn]] void mismatch(const char* expected, const Value& got) { throw_mismatch(expected, got); }

std::int32_t wrap(std::int64_t v) { return static_cast<std::int32_t>(static_cast<std::uint32_t>(v)); }
}  // namespace

std::string describe_type(const Value& v) {
  switch (v.index()) {
    case 0: return "integer";
    case 1: return "real";
    default: return "string";
  }
}

void check_string_length(std::size_t length) {
  if (length > limits::max_string_length)
    throw RuntimeError(error_code::string_too_long,
                       "string too long: " + std::to_string(length) + " characters, the Flexy's limit is " +
                           std::to_string(limits::max_string_length));
}

const std::string& to_str(const Value& v) {
  if (v.index() == 2) return std::get<2>(v);
  mismatch("string", v);
}

bool is_true(const Value& v) {
  if (v.index() == 0) return std::get<0>(v) != 0;
  if (v.index() == 1) return std::get<1>(v) != 0.0;
  mismatch("number", v);
}

std::string format_number(const Value& v, const NumberFormat& f) {
  if (v.index() == 0) return std::to_string(std::get<0>(v));
  if (v.index() == 2) return std::get<2>(v);
  double d = std::get<1>(v);
  if (std::isnan(d)) return "NAN";
  if (std::isinf(d)) return d > 0 ? "INF" : "-INF";
  // Integral reals print without a decimal point ("22"); others with up to N significant
  // digits, trailing zeros dropped ("21.5"). Unverified on a real Flexy (README.md).
  // std::to_chars is specified to give printf's "%.*g" digits, without printf's locale and
  // format parsing: STR$ of a real is in every payload a publisher builds.
  if (d == std::trunc(d) && std::fabs(d) < 1e9) return std::to_string(static_cast<std::int64_t>(d));  // "-0" → "0"
  char buf[48];
  const auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::general, f.significant_digits);
  return std::string(buf, r.ptr);
}

Value default_value(VarType type) {
  switch (type) {
    case VarType::integer: return std::int32_t{0};
    case VarType::real: return 0.0;
    default: return std::string{};
  }
}

Value coerce(Value v, VarType type, const NumberFormat& f) {
  switch (type) {
    case VarType::integer:
      if (v.index() == 0) return v;
      return to_int(v, f);
    case VarType::real:
      if (v.index() == 1) return round_real(std::get<1>(v), f);
      return round_real(to_real(v), f);
    default:
      // A number stored into a string variable is its STR$ text (`t$ = GETSYS TAG,"ID"`).
      if (v.index() != 2) return format_number(v, f);
      return v;
  }
}

Value negate(const Value& a, const NumberFormat& f) {
  if (a.index() == 0) return wrap(-static_cast<std::int64_t>(std::get<0>(a)));
  return round_real(-to_real(a), f);
}

Value unary_op(Op op, const Value& a, const NumberFormat& f) {
  if (op == Op::not_) return std::int32_t{is_true(a) ? 0 : 1};
  return static_cast<std::int32_t>(~to_int(a, f));  // BNOT
}

std::string as_text(const Value& v, const NumberFormat& f) {
  return v.index() == 2 ? std::get<2>(v) : format_number(v, f);
}

namespace {
int compare(const Value& a, const Value& b, const NumberFormat& f) {
  if (a.index() == 2 || b.index() == 2) {
    // A number compared with a string is compared as its text (`t$ = GETSYS TAG,"Type"` then
    // `IF t$ = "0"`, or the number itself against "0"): published programs rely on it.
    int c = as_text(a, f).compare(as_text(b, f));
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (a.index() == 0 && b.index() == 0) {
    auto x = std::get<0>(a), y = std::get<0>(b);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  double x = to_real(a), y = to_real(b);
  return x < y ? -1 : (x > y ? 1 : 0);
}
}  // namespace

Value binary_op(Op op, const Value& a, const Value& b, const NumberFormat& f) {
  switch (op) {
    case Op::eq: return std::int32_t{compare(a, b, f) == 0};
    case Op::ne: return std::int32_t{compare(a, b, f) != 0};
    case Op::lt: return std::int32_t{compare(a, b, f) < 0};
    case Op::gt: return std::int32_t{compare(a, b, f) > 0};
    case Op::le: return std::int32_t{compare(a, b, f) <= 0};
    case Op::ge: return std::int32_t{compare(a, b, f) >= 0};
    case Op::and_: return to_int(a, f) & to_int(b, f);
    case Op::or_: return to_int(a, f) | to_int(b, f);
    case Op::xor_: return to_int(a, f) ^ to_int(b, f);
    default: break;
  }
  if (op == Op::add && (a.index() == 2 || b.index() == 2)) {
    // + concatenates; a number on either side is written as STR$ writes it ("x" + n%).
    const auto x = as_text(a, f);
    const auto y = as_text(b, f);
    check_string_length(x.size() + y.size());
    return x + y;
  }
  const bool both_int = a.index() == 0 && b.index() == 0;
  if (both_int) {
    std::int64_t x = std::get<0>(a), y = std::get<0>(b);
    switch (op) {
      case Op::add: return wrap(x + y);
      case Op::sub: return wrap(x - y);
      case Op::mul: return wrap(x * y);
      case Op::mod:
        if (y == 0) throw RuntimeError(error_code::division_by_zero, "division by zero (MOD 0)");
        return wrap(x % y);
      default: break;
    }
  }
  double x = to_real(a), y = to_real(b);
  switch (op) {
    case Op::add: return round_real(x + y, f);
    case Op::sub: return round_real(x - y, f);
    case Op::mul: return round_real(x * y, f);
    case Op::div:
      if (y == 0.0) throw RuntimeError(error_code::division_by_zero, "division by zero");
      return round_real(x / y, f);
    case Op::pow: return round_real(std::pow(x, y), f);
    case Op::mod: {
      std::int32_t xi = to_int(a, f), yi = to_int(b, f);
      if (yi == 0) throw RuntimeError(error_code::division_by_zero, "division by zero (MOD 0)");
      return wrap(static_cast<std::int64_t>(xi) % yi);
    }
    default: break;
  }
  throw RuntimeError(error_code::invalid_parameter, "bad operator");
}

}  // namespace flexhil::basic
