#pragma once
// The four Modbus tables of one unit id, full size (65536 entries each), laid out the way
// libmodbus's modbus_mapping_t expects (one byte per bit, one uint16_t per register), plus which
// addresses are declared by points and which of those clients may write.
#include <array>
#include <cstdint>
#include <vector>

#include "sim/plc/modbus_address.hpp"

namespace flexhil::plc {

class RegisterMap {
 public:
  static constexpr std::uint32_t kSize = 65536;
  RegisterMap();

  // Writes all registers of a value at once, so a reader never sees half of a 32-bit value
  // (callers hold the server's lock around reads and writes).
  void store(ModbusTable table, std::uint16_t offset, DataType type, WordOrder order, double value);
  double load(ModbusTable table, std::uint16_t offset, DataType type, WordOrder order) const;

  void declare(ModbusTable table, std::uint16_t offset, int count, bool writable);
  bool all_declared(ModbusTable table, std::uint32_t first, std::uint32_t count) const;
  bool all_writable(ModbusTable table, std::uint32_t first, std::uint32_t count) const;

  std::vector<std::uint8_t> coils, discrete_inputs;
  std::vector<std::uint16_t> input_registers, holding_registers;

 private:
  std::array<std::vector<bool>, 4> declared_;
  std::array<std::vector<bool>, 4> writable_;
};

}  // namespace flexhil::plc
