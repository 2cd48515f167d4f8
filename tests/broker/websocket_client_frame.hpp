#pragma once
// A client's WebSocket frame as RFC 6455 §5.2 lays it out (masked, payloads under 64 KB), for
// the tests that speak MQTT/WebSocket byte by byte.
#include <string>

namespace flexhil::testing {

// opcode 0x2: binary (MQTT's), 0x0: continuation, 0x9: ping; `fin` false for all but a last part.
inline std::string websocket_client_frame(const std::string& payload, unsigned opcode = 0x2, bool fin = true,
                                          const std::string& mask = "\x12\x34\x56\x78") {
  std::string out(1, static_cast<char>((fin ? 0x80u : 0u) | opcode));
  if (payload.size() < 126) {
    out += static_cast<char>(0x80u | payload.size());
  } else {
    out += static_cast<char>(0x80u | 126u);
    out += static_cast<char>(payload.size() >> 8);
    out += static_cast<char>(payload.size() & 0xFFu);
  }
  out += mask;
  for (std::size_t i = 0; i < payload.size(); ++i) out += static_cast<char>(payload[i] ^ mask[i % 4]);
  return out;
}

}  // namespace flexhil::testing
