#pragma once
// Modbus TCP framing and request checks, on bytes only (no sockets), so every malformed frame
// can be unit-tested. The server reads whatever the socket has, asks next_frame_size() whether
// a whole ADU is there, and checks it with check_request() before libmodbus builds the reply —
// libmodbus itself trusts the function code for the length and would wait, or desynchronise, on
// a lying MBAP header.
#include <cstddef>
#include <cstdint>
#include <span>

#include "sim/plc/modbus_address.hpp"

namespace flexhil::plc {

inline constexpr std::size_t kMbapHeaderSize = 7;
inline constexpr std::size_t kMaxAduSize = 260;

enum class FrameStatus { incomplete, complete, malformed };
struct FrameSize {
  FrameStatus status = FrameStatus::incomplete;
  std::size_t size = 0;  // bytes of the complete ADU
  const char* problem = "";  // for malformed: why (for the log)
};
// Looks at the start of `buffer`: protocol id must be 0 and the MBAP length 2–254.
FrameSize next_frame_size(std::span<const std::uint8_t> buffer);

struct AccessRange {
  ModbusTable table = ModbusTable::holding_register;
  std::uint32_t first = 0;
  std::uint32_t count = 0;
  bool write = false;
};

struct RequestCheck {
  std::uint8_t exception = 0;  // 0 = well-formed; else the exception code to answer with
  std::uint8_t unit = 0;
  std::uint8_t function = 0;
  std::uint16_t transaction = 0;
  AccessRange ranges[2];
  int range_count = 0;  // FC 0x17 reads and writes
  bool writes() const;
};
// `adu` is one complete frame (next_frame_size said complete). Supported function codes:
// 01, 02, 03, 04, 05, 06, 0F, 10, 16, 17; others get exception 01, inconsistent lengths or
// quantities 03, ranges past 65535 02.
RequestCheck check_request(std::span<const std::uint8_t> adu);

}  // namespace flexhil::plc
