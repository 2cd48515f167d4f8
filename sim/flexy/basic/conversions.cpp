#include "sim/flexy/basic/conversions.hpp"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <limits>

#include "sim/flexy/basic/errors.hpp"
#include "sim/flexy/basic/sfmt.hpp"
#include "sim/flexy/basic/values.hpp"

namespace flexhil::basic {

namespace {

[[noreturn]] void invalid(const std::string& what) { throw RuntimeError(error_code::invalid_parameter, what); }

std::size_t width_of(int type) {
  if (type == binary_type::uint8) return 1;
  return type < 50 ? 2 : 4;
}

// The 2 or 4 bytes of `bits` in the type's order.
std::string bytes_of(std::uint32_t bits, int type) {
  const std::size_t n = width_of(type);
  std::string big(n, '\0');
  for (std::size_t i = 0; i < n; ++i) big[i] = static_cast<char>((bits >> (8 * (n - 1 - i))) & 0xFF);
  switch (type) {
    case binary_type::int16_le:
    case binary_type::uint16_le:
    case binary_type::int32_le:
    case binary_type::float32_le: return std::string(big.rbegin(), big.rend());
    case binary_type::int32_word_swapped:
    case binary_type::float32_word_swapped: return big.substr(2, 2) + big.substr(0, 2);
    default: return big;
  }
}

std::uint32_t bits_of(const std::string& bytes, int type) {
  const std::size_t n = width_of(type);
  if (bytes.size() < n)
    invalid("FCNV type " + std::to_string(type) + " needs " + std::to_string(n) + " bytes, got " + std::to_string(bytes.size()));
  std::string b = bytes.substr(0, n);
  switch (type) {
    case binary_type::int16_le:
    case binary_type::uint16_le:
    case binary_type::int32_le:
    case binary_type::float32_le: b = std::string(b.rbegin(), b.rend()); break;
    case binary_type::int32_word_swapped:
    case binary_type::float32_word_swapped: b = b.substr(2, 2) + b.substr(0, 2); break;
    default: break;
  }
  std::uint32_t bits = 0;
  for (char c : b) bits = (bits << 8) | static_cast<unsigned char>(c);
  return bits;
}

// "DD/MM/YYYY HH:MM:SS" (TIME$'s shape) → seconds since 1970, the time taken as UTC.
Value time_value(const std::string& text) {
  int d = 0, mo = 0, y = 0, h = 0, mi = 0, s = 0;
  char tail = 0;
  const int n = std::sscanf(text.c_str(), " %2d/%2d/%4d %2d:%2d:%2d %c", &d, &mo, &y, &h, &mi, &s, &tail);
  if (n != 6 || mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1970 || y > 2037 || h > 23 || mi > 59 || s > 59 ||
      h < 0 || mi < 0 || s < 0)
    invalid("FCNV \"" + text + "\", 1: not a time DD/MM/YYYY HH:MM:SS");
  return static_cast<std::int32_t>(utc_seconds(y, mo, d, h, mi, s));
}

int base_of(const std::optional<std::string>& format) {
  if (!format) return 10;
  const auto pct = format->find('%');
  if (pct == std::string::npos) return 10;
  const auto letter = format->find_first_of("dioxXu", pct);
  if (letter == std::string::npos) return 10;
  const char c = (*format)[letter];
  return c == 'x' || c == 'X' ? 16 : (c == 'o' ? 8 : (c == 'i' ? 0 : 10));
}

}  // namespace

bool is_binary_type(int type) {
  switch (type) {
    case binary_type::int16_be: case binary_type::int16_le: case binary_type::uint16_be: case binary_type::uint16_le:
    case binary_type::int32_be: case binary_type::int32_le: case binary_type::int32_word_swapped:
    case binary_type::float32_be: case binary_type::float32_le: case binary_type::float32_word_swapped:
    case binary_type::uint8: return true;
    default: return false;
  }
}

std::string to_binary(const Value& value, int type) {
  const double d = to_real(value);  // a string is a type mismatch
  if (type >= binary_type::float32_be && type <= binary_type::float32_word_swapped) {
    const float f = static_cast<float>(d);
    std::uint32_t bits = 0;
    std::memcpy(&bits, &f, sizeof bits);
    return bytes_of(bits, type);
  }
  // Integers wrap to the type's width, as a PLC register does.
  const auto n = static_cast<std::int64_t>(std::trunc(std::isfinite(d) ? std::fmod(d, 4294967296.0) : 0.0));
  return bytes_of(static_cast<std::uint32_t>(n), type);
}

Value fcnv(const std::string& text, int type, const std::optional<std::string>& format) {
  if (type == sfmt_type::time_utc || type == sfmt_type::time_local) return time_value(text);
  if (type == sfmt_type::integer) {
    const char* begin = text.c_str();
    char* end = nullptr;
    errno = 0;
    const long long n = std::strtoll(begin, &end, base_of(format));
    if (end == begin || errno != 0 || n < std::numeric_limits<std::int32_t>::min() || n > 4294967295LL)
      invalid("FCNV \"" + text + "\", 20: no integer");
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(n));
  }
  if (type == sfmt_type::real) {
    const char* begin = text.c_str();
    char* end = nullptr;
    const double d = std::strtod(begin, &end);
    if (end == begin) invalid("FCNV \"" + text + "\", 30: no real number");
    return static_cast<double>(static_cast<float>(d));
  }
  if (!is_binary_type(type)) invalid("FCNV: unknown type " + std::to_string(type));
  const std::uint32_t bits = bits_of(text, type);
  switch (type) {
    case binary_type::int16_be:
    case binary_type::int16_le: return static_cast<std::int32_t>(static_cast<std::int16_t>(bits));
    case binary_type::float32_be:
    case binary_type::float32_le:
    case binary_type::float32_word_swapped: {
      float f = 0;
      std::memcpy(&f, &bits, sizeof f);
      return static_cast<double>(f);
    }
    default: return static_cast<std::int32_t>(bits);  // uint16, uint8, int32
  }
}

std::int64_t utc_seconds(int year, int month, int day, int hour, int minute, int second) {
  std::tm tm{};
  tm.tm_mday = day;
  tm.tm_mon = month - 1;
  tm.tm_year = year - 1900;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace flexhil::basic
