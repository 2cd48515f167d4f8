#pragma once
// The Flexy's resource limits for a BASIC program. No public HMS source gives the numbers, so
// they are a documented policy (README.md, "Limits"): generous enough for any real program
// (Azure IoT Hub's 256 KB message fits a string four times over), small enough that a runaway
// program (`a$ = a$ + a$` in a loop) gets a runtime error with its line number — LSTERR,
// ONERROR, RESUMENEXT as for any other error — instead of exhausting the harness's memory.
#include <cstddef>

namespace flexhil::basic::limits {

inline constexpr std::size_t max_string_length = 1'048'576;   // bytes in one string value
inline constexpr std::size_t max_array_elements = 1'000'000;  // elements of one DIMed array
inline constexpr std::size_t memory_budget_bytes = 32u << 20;  // all variables and arrays together
// Stores of strings up to this size skip the (linear) memory-budget scan: they cannot matter.
inline constexpr std::size_t budget_check_threshold = 4096;

}  // namespace flexhil::basic::limits
