// Modbus TCP framing and request checks on raw bytes: the input is what a client sent, possibly
// several ADUs. Never throws; a complete frame fits the buffer and the ADU limit, and every
// well-formed request's ranges stay inside the 16-bit address space.
#include "fuzz/support/fuzz_target.hpp"
#include "sim/plc/modbus_frame.hpp"

using namespace flexhil;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> buffer(data, size);
  while (!buffer.empty()) {
    const auto frame = plc::next_frame_size(buffer);
    if (frame.status != plc::FrameStatus::complete) break;
    fuzz::require(frame.size >= plc::kMbapHeaderSize && frame.size <= buffer.size() && frame.size <= plc::kMaxAduSize);
    const auto check = plc::check_request(buffer.first(frame.size));
    fuzz::require(check.range_count >= 0 && check.range_count <= 2);
    if (check.exception == 0) {
      for (int i = 0; i < check.range_count; ++i) {
        const auto& r = check.ranges[i];
        fuzz::require(r.count > 0 && r.first + r.count <= 65536);
      }
    }
    (void)check.writes();
    buffer = buffer.subspan(frame.size);
  }
  return 0;
}
