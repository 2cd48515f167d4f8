#pragma once
// What an MQTT/WebSocket client sent after the upgrade, as the MQTT byte stream it carries. The
// TLS shim keeps the first plaintext bytes of every session; on the WebSocket port those are the
// HTTP upgrade request and then the client's frames (masked, RFC 6455 §5.3), so the CONNECT —
// and its will — is read from the frames' payloads, not from the raw prefix.
// Pure: no sockets, no OpenSSL.
#include <string>
#include <string_view>

namespace flexhil::broker {

// The unmasked payloads of the data frames (binary, text, continuation) that follow the request
// head, in order; control frames (close, ping, pong) are skipped. A frame cut off at the end of
// `stream` contributes the part that is there. "" when the head is incomplete or the frames are
// not a client's (unmasked, reserved bits or opcodes, a 64-bit length over 2^63).
std::string websocket_client_payload(std::string_view stream);

}  // namespace flexhil::broker
