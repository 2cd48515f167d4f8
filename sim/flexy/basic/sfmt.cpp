#include "sim/flexy/basic/sfmt.hpp"

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string_view>

#include "sim/flexy/basic/errors.hpp"
#include "sim/flexy/basic/values.hpp"

namespace flexhil::basic {

namespace {

// A width or precision this large cannot be a real format, and would let one SFMT build a
// string beyond the Flexy's string limit.
constexpr int kMaxFieldWidth = 255;
constexpr std::size_t kMaxTimeText = 1024;

[[noreturn]] void bad_format(const std::string& format, std::string_view why) {
  throw RuntimeError(error_code::invalid_parameter, "SFMT format \"" + format + "\": " + std::string(why));
}

bool digit(char c) { return c >= '0' && c <= '9'; }

// Reads the digits at `i` (advancing it); saturates so a long digit run cannot overflow.
int read_count(const std::string& format, std::size_t& i) {
  int n = 0;
  for (; i < format.size() && digit(format[i]); ++i) n = n > 9999 ? n : n * 10 + (format[i] - '0');
  return n;
}

// Checks that `format` holds exactly one printf conversion whose letter is in `letters` (plus
// any number of "%%"), so the value handed to snprintf always matches its conversion.
void check_printf_format(const std::string& format, std::string_view letters) {
  int conversions = 0;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (i + 1 < format.size() && format[i + 1] == '%') {
      ++i;
      continue;
    }
    ++i;
    while (i < format.size() && std::string_view("-+ #0").find(format[i]) != std::string_view::npos) ++i;
    const int width = read_count(format, i);
    int precision = 0;
    if (i < format.size() && format[i] == '.') precision = read_count(format, ++i);
    if (width > kMaxFieldWidth || precision > kMaxFieldWidth) bad_format(format, "width or precision above 255");
    if (i >= format.size() || letters.find(format[i]) == std::string_view::npos) {
      bad_format(format, "expected one conversion of " + std::string(letters));
    }
    ++conversions;
  }
  if (conversions != 1) bad_format(format, "expected exactly one conversion");
}

std::string integer_text(std::int32_t v, const std::string& format) {
  check_printf_format(format, "dioxXuc");
  // Cast to the exact promoted type snprintf reads for every accepted conversion.
  const int n = std::snprintf(nullptr, 0, format.c_str(), static_cast<int>(v));
  std::string out(static_cast<std::size_t>(n > 0 ? n : 0), '\0');
  std::snprintf(out.data(), out.size() + 1, format.c_str(), static_cast<int>(v));
  return out;
}

std::string real_text(double v, const std::string& format) {
  check_printf_format(format, "feEgG");
  const int n = std::snprintf(nullptr, 0, format.c_str(), v);
  std::string out(static_cast<std::size_t>(n > 0 ? n : 0), '\0');
  std::snprintf(out.data(), out.size() + 1, format.c_str(), v);
  return out;
}

std::string time_text(std::int64_t seconds, const std::string& format) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) throw RuntimeError(error_code::invalid_parameter, "SFMT: time out of range");
  if (format.empty()) return {};
  std::string out(kMaxTimeText, '\0');
  const std::size_t n = std::strftime(out.data(), out.size(), format.c_str(), &tm);
  if (n == 0) bad_format(format, "time text too long");
  out.resize(n);
  return out;
}

}  // namespace

std::string sfmt(const Value& value, int type, const std::string& format) {
  if (is_string(value)) throw RuntimeError(error_code::type_mismatch, "SFMT: a number is expected, got a string");
  const double number = is_int(value) ? static_cast<double>(std::get<std::int32_t>(value)) : std::get<double>(value);
  switch (type) {
    case sfmt_type::time_utc:
    case sfmt_type::time_local: return time_text(static_cast<std::int64_t>(number), format);
    case sfmt_type::integer: {
      if (!(number > -2147483649.0 && number < 2147483648.0)) throw RuntimeError(error_code::invalid_parameter, "SFMT: value out of integer range");
      return integer_text(static_cast<std::int32_t>(number), format);
    }
    case sfmt_type::real: return real_text(number, format);
    default: break;
  }
  throw RuntimeError(error_code::invalid_parameter,
                     "SFMT type " + std::to_string(type) + ": expected 1 or 10 (time), 20 (integer) or 30 (real)");
}

}  // namespace flexhil::basic
