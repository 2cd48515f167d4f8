#include "sim/plc/modbus_frame.hpp"

namespace flexhil::plc {
namespace {

std::uint16_t be16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

constexpr std::uint8_t kIllegalFunction = 0x01;
constexpr std::uint8_t kIllegalAddress = 0x02;
constexpr std::uint8_t kIllegalValue = 0x03;

}  // namespace

bool RequestCheck::writes() const {
  for (int i = 0; i < range_count; ++i)
    if (ranges[i].write) return true;
  return false;
}

FrameSize next_frame_size(std::span<const std::uint8_t> buffer) {
  if (buffer.size() < kMbapHeaderSize) return {};
  if (be16(buffer, 2) != 0) return {FrameStatus::malformed, 0, "protocol id is not 0"};
  const std::uint16_t length = be16(buffer, 4);  // unit id + PDU
  if (length < 2 || length > 254) return {FrameStatus::malformed, 0, "MBAP length outside 2-254"};
  const std::size_t total = 6 + static_cast<std::size_t>(length);
  if (buffer.size() < total) return {};
  return {FrameStatus::complete, total, ""};
}

RequestCheck check_request(std::span<const std::uint8_t> adu) {
  RequestCheck r;
  r.transaction = be16(adu, 0);
  r.unit = adu[6];
  r.function = adu[7];
  const auto pdu = adu.subspan(kMbapHeaderSize);  // function code + data
  const std::size_t n = pdu.size();
  const auto range = [&](ModbusTable table, std::uint32_t first, std::uint32_t count, bool write) {
    r.ranges[r.range_count++] = {table, first, count, write};
    if (first + count > 65536) r.exception = kIllegalAddress;
  };
  const auto bad_value = [&] { r.exception = kIllegalValue; return r; };
  switch (r.function) {
    case 0x01:
    case 0x02: {
      if (n != 5) return bad_value();
      const auto qty = be16(pdu, 3);
      if (qty < 1 || qty > 2000) return bad_value();
      range(r.function == 0x01 ? ModbusTable::coil : ModbusTable::discrete_input, be16(pdu, 1), qty, false);
      return r;
    }
    case 0x03:
    case 0x04: {
      if (n != 5) return bad_value();
      const auto qty = be16(pdu, 3);
      if (qty < 1 || qty > 125) return bad_value();
      range(r.function == 0x03 ? ModbusTable::holding_register : ModbusTable::input_register,
            be16(pdu, 1), qty, false);
      return r;
    }
    case 0x05: {
      if (n != 5) return bad_value();
      const auto v = be16(pdu, 3);
      if (v != 0x0000 && v != 0xFF00) return bad_value();
      range(ModbusTable::coil, be16(pdu, 1), 1, true);
      return r;
    }
    case 0x06:
      if (n != 5) return bad_value();
      range(ModbusTable::holding_register, be16(pdu, 1), 1, true);
      return r;
    case 0x0F: {
      if (n < 6) return bad_value();
      const auto qty = be16(pdu, 3);
      const std::size_t bytes = pdu[5];
      if (qty < 1 || qty > 1968 || bytes != (qty + 7u) / 8u || n != 6 + bytes) return bad_value();
      range(ModbusTable::coil, be16(pdu, 1), qty, true);
      return r;
    }
    case 0x10: {
      if (n < 6) return bad_value();
      const auto qty = be16(pdu, 3);
      const std::size_t bytes = pdu[5];
      if (qty < 1 || qty > 123 || bytes != 2u * qty || n != 6 + bytes) return bad_value();
      range(ModbusTable::holding_register, be16(pdu, 1), qty, true);
      return r;
    }
    case 0x16:
      if (n != 7) return bad_value();
      range(ModbusTable::holding_register, be16(pdu, 1), 1, true);
      return r;
    case 0x17: {
      if (n < 10) return bad_value();
      const auto rqty = be16(pdu, 3);
      const auto wqty = be16(pdu, 7);
      const std::size_t bytes = pdu[9];
      if (rqty < 1 || rqty > 125 || wqty < 1 || wqty > 121 || bytes != 2u * wqty || n != 10 + bytes)
        return bad_value();
      range(ModbusTable::holding_register, be16(pdu, 5), wqty, true);
      range(ModbusTable::holding_register, be16(pdu, 1), rqty, false);
      return r;
    }
    default:
      r.exception = kIllegalFunction;
      return r;
  }
}

}  // namespace flexhil::plc
