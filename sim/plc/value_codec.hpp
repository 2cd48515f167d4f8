#pragma once
// Engineering value <-> raw Modbus registers. Values travel as double (every int32/uint32 is
// exact in a double); encoding rounds to the nearest integer and saturates at the type's range,
// so a waveform can never produce a wrapped-around register.
//
// 32-bit values: WordOrder::high_first puts the high word at the lower address (Modbus
// big-endian, Flexy D/L/F); low_first swaps the words (Flexy E/M/H). Bytes within a register
// are always big-endian on the wire (libmodbus handles that).
#include <array>
#include <cstdint>
#include <span>

#include "sim/plc/modbus_address.hpp"

namespace flexhil::plc {

struct EncodedValue {
  std::array<std::uint16_t, 2> words{};  // registers in address order; bool uses words[0] = 0/1
  int count = 1;
};

EncodedValue encode_value(double value, DataType type, WordOrder order);
// `words` holds register_count(type) registers in address order.
double decode_value(std::span<const std::uint16_t> words, DataType type, WordOrder order);
// The value a register of `type` would actually hold (rounding, saturation, float precision).
double quantize_value(double value, DataType type);

}  // namespace flexhil::plc
