#include "broker/websocket_frames.hpp"

#include <cstdint>

namespace flexhil::broker {

std::string websocket_client_payload(std::string_view stream) {
  const auto head_end = stream.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return {};
  std::string_view rest = stream.substr(head_end + 4);
  std::string out;
  while (rest.size() >= 2) {
    const auto b0 = static_cast<unsigned char>(rest[0]);
    const auto b1 = static_cast<unsigned char>(rest[1]);
    const unsigned opcode = b0 & 0x0Fu;
    // A client must mask every frame; reserved bits need an extension nobody negotiated here.
    if ((b0 & 0x70u) != 0 || (b1 & 0x80u) == 0) return {};
    if ((opcode > 0x2u && opcode < 0x8u) || opcode > 0xAu) return {};
    std::size_t pos = 2;
    std::uint64_t length = b1 & 0x7Fu;
    const std::size_t extra = length == 126 ? 2 : length == 127 ? 8 : 0;
    if (rest.size() < pos + extra + 4) break;  // the header is cut off
    if (extra != 0) {
      length = 0;
      for (std::size_t i = 0; i < extra; ++i) length = (length << 8) | static_cast<unsigned char>(rest[pos + i]);
      if (length >> 63) return {};
      pos += extra;
    }
    const std::string_view mask = rest.substr(pos, 4);
    pos += 4;
    const std::size_t available = rest.size() - pos;
    const std::size_t take = length < available ? static_cast<std::size_t>(length) : available;
    if (opcode < 0x8u) {
      for (std::size_t i = 0; i < take; ++i)
        out += static_cast<char>(static_cast<unsigned char>(rest[pos + i]) ^ static_cast<unsigned char>(mask[i % 4]));
    }
    if (take < length) break;  // the frame is cut off
    rest.remove_prefix(pos + take);
  }
  return out;
}

}  // namespace flexhil::broker
