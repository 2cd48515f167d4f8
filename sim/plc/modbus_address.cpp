#include "sim/plc/modbus_address.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <fmt/format.h>

namespace flexhil::plc {
namespace {

struct TableRange {
  ModbusTable table;
  std::uint32_t base;  // the number that denotes register 1 minus one
};

// Classic 5-digit form: 1–9999, 10001–19999, 30001–39999, 40001–49999.
std::optional<TableRange> classic_range(std::uint32_t n) {
  if (n >= 1 && n <= 9999) return TableRange{ModbusTable::coil, 0};
  if (n >= 10001 && n <= 19999) return TableRange{ModbusTable::discrete_input, 10000};
  if (n >= 30001 && n <= 39999) return TableRange{ModbusTable::input_register, 30000};
  if (n >= 40001 && n <= 49999) return TableRange{ModbusTable::holding_register, 40000};
  return std::nullopt;
}

// Extended '+' form: +1…+65536, +100001…+165536, +300001…+365536, +400001…+465536.
std::optional<TableRange> extended_range(std::uint32_t n) {
  if (n >= 1 && n <= 65536) return TableRange{ModbusTable::coil, 0};
  if (n >= 100001 && n <= 165536) return TableRange{ModbusTable::discrete_input, 100000};
  if (n >= 300001 && n <= 365536) return TableRange{ModbusTable::input_register, 300000};
  if (n >= 400001 && n <= 465536) return TableRange{ModbusTable::holding_register, 400000};
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void apply_suffix(char c, ModbusAddress& a) {
  switch (c) {
    case 'W': a.type = DataType::uint16; break;
    case 'I': a.type = DataType::int16; break;
    case 'D': a.type = DataType::uint32; break;
    case 'E': a.type = DataType::uint32; a.word_order = WordOrder::low_first; break;
    case 'L': a.type = DataType::int32; break;
    case 'M': a.type = DataType::int32; a.word_order = WordOrder::low_first; break;
    case 'F': a.type = DataType::float32; break;
    case 'H': a.type = DataType::float32; a.word_order = WordOrder::low_first; break;
    default:
      throw ModbusAddressError(fmt::format(
          "unknown type suffix '{}' (expected one of: W, I, D, E, L, M, F, H)", c));
  }
  a.type_given = true;
}

}  // namespace

ModbusAddress parse_modbus_address(std::string_view text) {
  const std::string original(text);
  const auto fail = [&](const std::string& why) -> ModbusAddressError {
    return ModbusAddressError(fmt::format("invalid Modbus address '{}': {}", original, why));
  };
  std::string_view item = text;
  std::string_view rest;
  if (auto comma = text.find(','); comma != std::string_view::npos) {
    item = text.substr(0, comma);
    rest = text.substr(comma + 1);
  }
  item = trim(item);
  if (item.empty()) throw fail("register number missing (e.g. 40001, 30010I, 1, +400001)");

  ModbusAddress a;
  const bool extended = item.front() == '+';
  if (extended) item.remove_prefix(1);
  std::size_t digits = 0;
  while (digits < item.size() && item[digits] >= '0' && item[digits] <= '9') ++digits;
  if (digits == 0) throw fail("register number missing (e.g. 40001, 30010I, 1, +400001)");
  if (digits > 7) throw fail("register number too long");
  std::uint32_t n = 0;
  std::from_chars(item.data(), item.data() + digits, n);
  const auto range = extended ? extended_range(n) : classic_range(n);
  if (!range)
    throw fail(extended ? "expected +1…+65536 (coils), +100001…+165536 (discrete inputs), "
                          "+300001…+365536 (input registers) or +400001…+465536 (holding registers)"
                        : "expected 1–9999 (coils), 10001–19999 (discrete inputs), 30001–39999 "
                          "(input registers) or 40001–49999 (holding registers); use '+' for the "
                          "extended form");
  a.table = range->table;
  a.offset = static_cast<std::uint16_t>(n - range->base - 1);

  std::string_view suffix = item.substr(digits);
  if (is_bit_table(a.table)) {
    a.type = DataType::boolean;
    if (!suffix.empty()) throw fail("coils and discrete inputs take no type suffix");
  } else if (!suffix.empty()) {
    if (suffix.size() != 1) throw fail("the type suffix is one letter (W, I, D, E, L, M, F, H)");
    try {
      apply_suffix(suffix.front(), a);
    } catch (const ModbusAddressError& e) {
      throw fail(e.what());
    }
    if (a.offset + register_count(a.type) > 65536)
      throw fail("a 32-bit value does not fit at the last register");
  }

  if (!rest.empty() || text.find(',') != std::string_view::npos) {
    std::string_view unit_text = rest;
    std::string_view ip_text;
    bool has_ip = false;
    if (auto comma = rest.find(','); comma != std::string_view::npos) {
      unit_text = rest.substr(0, comma);
      ip_text = trim(rest.substr(comma + 1));
      has_ip = true;
    }
    unit_text = trim(unit_text);
    int unit = -1;
    auto [ptr, ec] = std::from_chars(unit_text.data(), unit_text.data() + unit_text.size(), unit);
    if (unit_text.empty() || ec != std::errc() || ptr != unit_text.data() + unit_text.size() ||
        unit < 0 || unit > 255)
      throw fail("the unit id after ',' must be 0–255");
    a.unit = unit;
    if (has_ip) {
      in_addr ignored{};
      const std::string ip(ip_text);
      if (ip.empty() || inet_pton(AF_INET, ip.c_str(), &ignored) != 1)
        throw fail(fmt::format("'{}' is not an IPv4 address", ip));
      a.ip = ip;
    }
  }
  return a;
}

std::string format_modbus_address(const ModbusAddress& a) {
  const std::uint32_t number = a.offset + 1u;
  std::string out;
  if (number <= 9999) {
    const std::uint32_t base[] = {0, 10000, 30000, 40000};
    out = std::to_string(base[static_cast<int>(a.table)] + number);
  } else {
    const std::uint32_t base[] = {0, 100000, 300000, 400000};
    out = "+" + std::to_string(base[static_cast<int>(a.table)] + number);
  }
  if (!is_bit_table(a.table) && a.type_given) out += type_suffix(a.type, a.word_order);
  if (a.unit) out += "," + std::to_string(*a.unit);
  if (a.ip) out += "," + *a.ip;
  return out;
}

int register_count(DataType type) {
  switch (type) {
    case DataType::int32:
    case DataType::uint32:
    case DataType::float32: return 2;
    default: return 1;
  }
}

bool is_bit_table(ModbusTable table) {
  return table == ModbusTable::coil || table == ModbusTable::discrete_input;
}

bool is_writable_table(ModbusTable table) {
  return table == ModbusTable::coil || table == ModbusTable::holding_register;
}

std::string_view to_string(ModbusTable table) {
  switch (table) {
    case ModbusTable::coil: return "coil";
    case ModbusTable::discrete_input: return "discrete_input";
    case ModbusTable::input_register: return "input_register";
    case ModbusTable::holding_register: return "holding_register";
  }
  return "?";
}

std::string_view to_string(DataType type) {
  switch (type) {
    case DataType::boolean: return "bool";
    case DataType::int16: return "int16";
    case DataType::uint16: return "uint16";
    case DataType::int32: return "int32";
    case DataType::uint32: return "uint32";
    case DataType::float32: return "float32";
  }
  return "?";
}

std::string_view to_string(WordOrder order) {
  return order == WordOrder::high_first ? "high-first" : "low-first";
}

char type_suffix(DataType type, WordOrder order) {
  const bool swapped = order == WordOrder::low_first;
  switch (type) {
    case DataType::boolean: return 0;
    case DataType::int16: return 'I';
    case DataType::uint16: return 'W';
    case DataType::uint32: return swapped ? 'E' : 'D';
    case DataType::int32: return swapped ? 'M' : 'L';
    case DataType::float32: return swapped ? 'H' : 'F';
  }
  return 0;
}

}  // namespace flexhil::plc
