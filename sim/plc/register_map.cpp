#include "sim/plc/register_map.hpp"

#include "sim/plc/value_codec.hpp"

namespace flexhil::plc {

RegisterMap::RegisterMap()
    : coils(kSize, 0), discrete_inputs(kSize, 0), input_registers(kSize, 0), holding_registers(kSize, 0) {
  for (auto& d : declared_) d.assign(kSize, false);
  for (auto& w : writable_) w.assign(kSize, false);
}

void RegisterMap::store(ModbusTable table, std::uint16_t offset, DataType type, WordOrder order,
                        double value) {
  const auto e = encode_value(value, type, order);
  switch (table) {
    case ModbusTable::coil: coils[offset] = static_cast<std::uint8_t>(e.words[0]); break;
    case ModbusTable::discrete_input: discrete_inputs[offset] = static_cast<std::uint8_t>(e.words[0]); break;
    case ModbusTable::input_register:
    case ModbusTable::holding_register: {
      auto& regs = table == ModbusTable::input_register ? input_registers : holding_registers;
      for (int i = 0; i < e.count && offset + i < static_cast<int>(kSize); ++i)
        regs[offset + static_cast<std::size_t>(i)] = e.words[static_cast<std::size_t>(i)];
      break;
    }
  }
}

double RegisterMap::load(ModbusTable table, std::uint16_t offset, DataType type, WordOrder order) const {
  switch (table) {
    case ModbusTable::coil: return coils[offset] ? 1.0 : 0.0;
    case ModbusTable::discrete_input: return discrete_inputs[offset] ? 1.0 : 0.0;
    case ModbusTable::input_register:
    case ModbusTable::holding_register: {
      const auto& regs = table == ModbusTable::input_register ? input_registers : holding_registers;
      const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(register_count(type)), kSize - offset);
      return decode_value(std::span(regs.data() + offset, n), type, order);
    }
  }
  return 0;
}

void RegisterMap::declare(ModbusTable table, std::uint16_t offset, int count, bool writable) {
  for (int i = 0; i < count && offset + i < static_cast<int>(kSize); ++i) {
    declared_[static_cast<int>(table)][offset + static_cast<std::size_t>(i)] = true;
    writable_[static_cast<int>(table)][offset + static_cast<std::size_t>(i)] = writable;
  }
}

bool RegisterMap::all_declared(ModbusTable table, std::uint32_t first, std::uint32_t count) const {
  const auto& d = declared_[static_cast<int>(table)];
  for (std::uint32_t a = first; a < first + count && a < kSize; ++a)
    if (!d[a]) return false;
  return first + count <= kSize;
}

bool RegisterMap::all_writable(ModbusTable table, std::uint32_t first, std::uint32_t count) const {
  const auto& w = writable_[static_cast<int>(table)];
  for (std::uint32_t a = first; a < first + count && a < kSize; ++a)
    if (!w[a]) return false;
  return first + count <= kSize;
}

}  // namespace flexhil::plc
