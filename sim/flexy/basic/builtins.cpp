#include "sim/flexy/basic/builtins.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "sim/flexy/basic/conversions.hpp"
#include "sim/flexy/basic/date_functions.hpp"
#include "sim/flexy/basic/errors.hpp"
#include "sim/flexy/basic/sfmt.hpp"
#include "sim/flexy/basic/values.hpp"

namespace flexhil::basic {

namespace {
constexpr std::array<BuiltinInfo, 42> kBuiltins{{
    {Builtin::str, "STR$", 1, 1},     {Builtin::len, "LEN", 1, 1},       {Builtin::val, "VAL", 1, 1},
    {Builtin::instr, "INSTR", 3, 3},  {Builtin::rtrim, "RTRIM", 1, 1},   {Builtin::ltrim, "LTRIM", 1, 1},
    {Builtin::lcase, "LCASE$", 1, 1}, {Builtin::ucase, "UCASE$", 1, 1},  {Builtin::chr, "CHR$", 1, 1},
    {Builtin::ascii, "ASCII", 1, 1},  {Builtin::int_, "INT", 1, 1},      {Builtin::abs, "ABS", 1, 1},
    {Builtin::mid, "MID$", 3, 3},     {Builtin::type, "TYPE$", 1, 1},    {Builtin::sqrt, "SQRT", 1, 1},
    {Builtin::sgn, "SGN", 1, 1},      {Builtin::hex, "HEX$", 1, 1},      {Builtin::time, "TIME$", 0, 0},
    {Builtin::getio, "GETIO", 1, 1},  {Builtin::sfmt, "SFMT", 2, 3},
    {Builtin::sin, "SIN", 1, 1},      {Builtin::cos, "COS", 1, 1},       {Builtin::tan, "TAN", 1, 1},
    {Builtin::atn, "ATN", 1, 1},      {Builtin::ln, "LN", 1, 1},         {Builtin::log, "LOG", 1, 1},
    {Builtin::exp, "EXP", 1, 1},      {Builtin::fcnv, "FCNV", 2, 4},     {Builtin::get, "GET", 1, 2},
    {Builtin::eof, "EOF", 1, 1},      {Builtin::tget, "TGET", 1, 1},
    // --- events and outbound actions ---
    {Builtin::alstat, "ALSTAT", 1, 1}, {Builtin::responsehttpx, "RESPONSEHTTPX", 1, 2},
    // --- RG-0006 date functions, BIN$, PI; MEMORY and IOMOD need the host ---
    {Builtin::day, "DAY", 1, 1},      {Builtin::month, "MONTH", 1, 1},   {Builtin::dow, "DOW", 1, 1},
    {Builtin::doy, "DOY", 1, 1},      {Builtin::woy, "WOY", 1, 1},       {Builtin::bin, "BIN$", 1, 1},
    {Builtin::pi, "PI", 0, 0},        {Builtin::memory, "MEMORY", 1, 1}, {Builtin::iomod, "IOMOD", 1, 1},
}};

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0'; }
}  // namespace

std::optional<BuiltinInfo> find_builtin(std::string_view upper_name) {
  for (const auto& b : kBuiltins) {
    if (b.name == upper_name) return b;
  }
  return std::nullopt;
}

const BuiltinInfo& builtin_info(Builtin id) { return kBuiltins[static_cast<std::size_t>(id)]; }

// builtin_info() relies on kBuiltins being in enum order.
static_assert([] {
  for (std::size_t i = 0; i < kBuiltins.size(); ++i)
    if (static_cast<std::size_t>(kBuiltins[i].id) != i) return false;
  return true;
}());

Value call_builtin(Builtin id, std::vector<Value>& args, const NumberFormat& f) {
  switch (id) {
    case Builtin::str:
      if (is_string(args[0])) to_real(args[0]);  // raises the type mismatch
      return format_number(args[0], f);
    case Builtin::len: return static_cast<std::int32_t>(to_str(args[0]).size());
    case Builtin::val: {
      // Leading blanks skipped, then the longest number prefix; no number → 0 (README.md).
      const std::string& s = to_str(args[0]);
      const char* begin = s.c_str();
      char* end = nullptr;
      double d = std::strtod(begin, &end);
      if (end == begin) return std::int32_t{0};
      std::string_view used(begin, static_cast<std::size_t>(end - begin));
      bool integral = used.find_first_of(".eE") == std::string_view::npos && std::fabs(d) < 2147483648.0;
      if (integral) return static_cast<std::int32_t>(d);
      return round_real(d, f);
    }
    case Builtin::instr: {
      std::int32_t start = to_int(args[0], f);
      const std::string& s = to_str(args[1]);
      const std::string& t = to_str(args[2]);
      if (start < 1) start = 1;
      if (static_cast<std::size_t>(start) > s.size() + 1) return std::int32_t{0};
      auto pos = s.find(t, static_cast<std::size_t>(start - 1));
      return pos == std::string::npos ? std::int32_t{0} : static_cast<std::int32_t>(pos + 1);
    }
    case Builtin::rtrim: {
      std::string s = to_str(args[0]);
      while (!s.empty() && blank(s.back())) s.pop_back();
      return s;
    }
    case Builtin::ltrim: {
      const std::string& s = to_str(args[0]);
      std::size_t i = 0;
      while (i < s.size() && blank(s[i])) ++i;
      return s.substr(i);
    }
    case Builtin::lcase: {
      std::string s = to_str(args[0]);
      for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return s;
    }
    case Builtin::ucase: {
      std::string s = to_str(args[0]);
      for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return s;
    }
    case Builtin::chr: return std::string(1, static_cast<char>(to_int(args[0], f) & 0xFF));
    case Builtin::ascii: {
      const std::string& s = to_str(args[0]);
      return s.empty() ? std::int32_t{0} : static_cast<std::int32_t>(static_cast<unsigned char>(s[0]));
    }
    case Builtin::int_:
      if (is_int(args[0])) return args[0];
      return std::floor(to_real(args[0]));
    case Builtin::abs:
      if (is_int(args[0])) {
        auto v = std::get<std::int32_t>(args[0]);
        return v < 0 ? static_cast<std::int32_t>(0u - static_cast<std::uint32_t>(v)) : v;
      }
      return std::fabs(to_real(args[0]));
    case Builtin::mid: {
      const std::string& s = to_str(args[0]);
      std::int32_t start = to_int(args[1], f), count = to_int(args[2], f);
      if (start < 1 || count < 0) {
        throw RuntimeError(error_code::invalid_parameter, "MID$: invalid position or length");
      }
      if (static_cast<std::size_t>(start) > s.size()) return std::string{};
      return s.substr(static_cast<std::size_t>(start - 1), static_cast<std::size_t>(count));
    }
    case Builtin::type:
      // Unverified naming (README.md): "INTEGER", "FLOAT", "STRING".
      switch (args[0].index()) {
        case 0: return std::string("INTEGER");
        case 1: return std::string("FLOAT");
        default: return std::string("STRING");
      }
    case Builtin::sqrt: {
      double d = to_real(args[0]);
      if (d < 0) throw RuntimeError(error_code::invalid_parameter, "SQRT of a negative number");
      return round_real(std::sqrt(d), f);
    }
    case Builtin::sgn: {
      double d = to_real(args[0]);
      return std::int32_t{d > 0 ? 1 : (d < 0 ? -1 : 0)};
    }
    case Builtin::hex: {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%X", static_cast<unsigned>(to_int(args[0], f)));
      return std::string(buf);
    }
    case Builtin::sfmt: {
      const std::int32_t type = to_int(args[1], f);
      if (is_binary_type(type)) return to_binary(args[0], type);
      if (args.size() < 3) throw RuntimeError(error_code::wrong_arguments, "SFMT type " + std::to_string(type) + " needs a format");
      return sfmt(args[0], type, to_str(args[2]));
    }
    case Builtin::sin: return round_real(std::sin(to_real(args[0])), f);
    case Builtin::cos: return round_real(std::cos(to_real(args[0])), f);
    case Builtin::tan: return round_real(std::tan(to_real(args[0])), f);
    case Builtin::atn: return round_real(std::atan(to_real(args[0])), f);
    case Builtin::ln:
    case Builtin::log: {
      const double d = to_real(args[0]);
      if (d <= 0) throw RuntimeError(error_code::invalid_parameter, std::string(builtin_info(id).name) + " of a number that is not positive");
      return round_real(id == Builtin::ln ? std::log(d) : std::log10(d), f);
    }
    case Builtin::exp: {
      const double d = std::exp(to_real(args[0]));
      if (!std::isfinite(d)) throw RuntimeError(error_code::invalid_parameter, "EXP: result too large");
      return round_real(d, f);
    }
    case Builtin::fcnv: {
      std::optional<std::string> format;
      if (args.size() > 2 && is_string(args.back())) format = std::get<std::string>(args.back());
      return fcnv(to_str(args[0]), to_int(args[1], f), format);
    }
    case Builtin::day: return static_cast<std::int32_t>(calendar_of_argument(args[0], "DAY").day);
    case Builtin::month: return static_cast<std::int32_t>(calendar_of_argument(args[0], "MONTH").month);
    case Builtin::dow: return static_cast<std::int32_t>(day_of_week(calendar_of_argument(args[0], "DOW")));
    case Builtin::doy: return static_cast<std::int32_t>(day_of_year(calendar_of_argument(args[0], "DOY")));
    case Builtin::woy: return static_cast<std::int32_t>(iso_week_of_year(calendar_of_argument(args[0], "WOY")));
    case Builtin::bin: {
      // The 32-bit pattern without leading zeros (a negative number: all 32 digits), as HEX$.
      auto bits = static_cast<std::uint32_t>(to_int(args[0], f));
      if (bits == 0) return std::string("0");
      std::string s;
      for (; bits != 0; bits >>= 1) s.insert(s.begin(), (bits & 1u) ? '1' : '0');
      return s;
    }
    case Builtin::pi: return round_real(3.14159265358979323846, f);
    case Builtin::memory:
    case Builtin::iomod:
    case Builtin::time:
    case Builtin::getio:
    case Builtin::alstat:
    case Builtin::responsehttpx:
    case Builtin::get:
    case Builtin::eof:
    case Builtin::tget: break;  // need the host: evaluated by the interpreter
  }
  throw RuntimeError(error_code::unknown_function, "built-in needs the host");
}

}  // namespace flexhil::basic
