#pragma once
// SFMT value, type, format (RG-0006): a number or a time as text. Pure — the time is the value
// passed in (seconds since 1970), never a clock read. The policy where RG-0006 is silent is in
// README.md ("SFMT").
#include <string>

#include "sim/flexy/basic/host.hpp"

namespace flexhil::basic {

// Types RG-0006 names: a time in seconds since 1970 (UTC or the Flexy's local time, which the
// emulator keeps in UTC), an integer or a real with a printf-like format.
namespace sfmt_type {
inline constexpr int time_utc = 1;
inline constexpr int time_local = 10;
inline constexpr int integer = 20;
inline constexpr int real = 30;
}  // namespace sfmt_type

// Throws RuntimeError (invalid_parameter) for an unknown type or a format that is not one
// conversion of the type's family.
std::string sfmt(const Value& value, int type, const std::string& format);

}  // namespace flexhil::basic
