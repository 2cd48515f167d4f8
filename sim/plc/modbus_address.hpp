#pragma once
// Flexy-style Modbus item addresses (docs/flexy-behaviour.md, "Tags and the Modbus TCP IO server"):
//   Register[Type][,UnitId[,IP]]   e.g. "40001F,11", "30010I", "1,11", "+400001"
// Ranges: coils 1–9999, discrete inputs 10001–19999, input registers 30001–39999, holding
// registers 40001–49999 (register 1 = protocol address 0); with a leading '+': coils +1…+65536,
// discrete inputs +100001…, input registers +300001…, holding registers +400001….
// Type suffix (registers only): W uint16 (default), I int16, D uint32, E uint32 word-swapped,
// L int32, M int32 word-swapped, F float32, H float32 word-swapped.
// Non-swapped 32-bit values keep the high word at the lower address (Modbus big-endian);
// "swapped" puts the low word first.
//
// Pure: no sockets. Shared by the PLC simulator and the emulated Flexy's tag database.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace flexhil::plc {

enum class ModbusTable { coil, discrete_input, input_register, holding_register };
enum class DataType { boolean, int16, uint16, int32, uint32, float32 };
enum class WordOrder { high_first, low_first };

struct ModbusAddress {
  ModbusTable table = ModbusTable::holding_register;
  std::uint16_t offset = 0;  // zero-based protocol address
  DataType type = DataType::uint16;
  WordOrder word_order = WordOrder::high_first;
  bool type_given = false;           // a suffix letter was written
  std::optional<int> unit;           // ",11"
  std::optional<std::string> ip;     // ",11,10.0.0.5"

  bool operator==(const ModbusAddress&) const = default;
};

// Thrown by parse_modbus_address; the message says what is wrong and what is expected.
class ModbusAddressError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

ModbusAddress parse_modbus_address(std::string_view text);

// Canonical Flexy form of an address: "40001F,11", "+400001", "10001".
std::string format_modbus_address(const ModbusAddress& address);

// Number of 16-bit registers (or bits, for bool) a value of `type` occupies.
int register_count(DataType type);
bool is_bit_table(ModbusTable table);
bool is_writable_table(ModbusTable table);  // coils and holding registers

std::string_view to_string(ModbusTable table);   // "coil", "discrete_input", ...
std::string_view to_string(DataType type);       // "bool", "int16", ...
std::string_view to_string(WordOrder order);     // "high-first", "low-first"
// The Flexy suffix letter for a type/word order ('W', 'I', 'D', 'E', 'L', 'M', 'F', 'H'); 0 for bool.
char type_suffix(DataType type, WordOrder order);

}  // namespace flexhil::plc
