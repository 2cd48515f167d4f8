#pragma once
// Built-in functions of eWON BASIC (name, arity) and their evaluation on values. Every one takes
// its arguments with or without brackets: `STR$ k%`, `STR$(k%)`, `INSTR 1,s$,'"'`.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/flexy/basic/host.hpp"

namespace flexhil::basic {

struct NumberFormat;

enum class Builtin : std::uint8_t {
  str, len, val, instr, rtrim, ltrim, lcase, ucase, chr, ascii, int_, abs, mid, type,
  sqrt, sgn, hex, time, getio, sfmt,
  sin, cos, tan, atn, ln, log, exp, fcnv, get, eof, tget,
  alstat, responsehttpx,  // events and outbound actions: need the host
  day, month, dow, doy, woy, bin, pi,  // RG-0006 date functions of an eWON time, BIN$, PI (pure)
  memory, iomod,                       // device memory figures, tag modified since the last IOMOD: need the host
  // kBuiltins (builtins.cpp) lists them in this order: builtin_info() indexes it by value.
};

struct BuiltinInfo {
  Builtin id;
  std::string_view name;  // upper-case, as the scanner delivers it
  int min_args;
  int max_args;
};

std::optional<BuiltinInfo> find_builtin(std::string_view upper_name);
const BuiltinInfo& builtin_info(Builtin id);

// Pure built-ins (everything but TIME$, GETIO, GET, EOF, TGET, ALSTAT, RESPONSEHTTPX, MEMORY and
// IOMOD, which need the host). Throws RuntimeError.
Value call_builtin(Builtin id, std::vector<Value>& args, const NumberFormat& format);

}  // namespace flexhil::basic
