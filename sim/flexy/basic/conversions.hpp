#pragma once
// FCNV text, type[, …] (RG-0006): text or bytes → number, the reverse of SFMT; and the binary
// types SFMT and FCNV share (a number as the 2 or 4 bytes a PLC register pair or a protocol
// frame holds). Pure. Type codes of the binary family are the emulator's choice (README.md).
#include <cstdint>
#include <optional>
#include <string>

#include "sim/flexy/basic/host.hpp"

namespace flexhil::basic {

namespace binary_type {
inline constexpr int int16_be = 40;
inline constexpr int int16_le = 41;
inline constexpr int uint16_be = 42;
inline constexpr int uint16_le = 43;
inline constexpr int int32_be = 50;
inline constexpr int int32_le = 51;
inline constexpr int int32_word_swapped = 52;  // CDAB: low word first, each word big endian
inline constexpr int float32_be = 60;
inline constexpr int float32_le = 61;
inline constexpr int float32_word_swapped = 62;
inline constexpr int uint8 = 70;
}  // namespace binary_type

bool is_binary_type(int type);
// SFMT value, <binary type>: the bytes. Throws RuntimeError (type mismatch for a string value).
std::string to_binary(const Value& value, int type);
// FCNV text, type[, format]: 1/10 a time "DD/MM/YYYY HH:MM:SS" → seconds since 1970; 20 an
// integer, 30 a real (an optional one-conversion format such as "%x"); the binary types the
// number the bytes hold. Throws RuntimeError (invalid_parameter) when the text does not hold one.
Value fcnv(const std::string& text, int type, const std::optional<std::string>& format);

// Seconds since 1970 of a UTC calendar time (fields already range-checked by the caller).
std::int64_t utc_seconds(int year, int month, int day, int hour, int minute, int second);

}  // namespace flexhil::basic
