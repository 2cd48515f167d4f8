#pragma once
// The real hub answers the WebSocket upgrade only on path /$iothub/websocket with subprotocol
// `mqtt`; mosquitto's libwebsockets listener takes any path and any (or no) subprotocol. The TLS
// shim reads the upgrade request on the WebSocket port before libwebsockets acts on it and asks
// this judge; a refusal is answered with the HTTP response below and the connection closed.
// Pure and free of the standard library's heavier parts: the shim is compiled with it.
#include <optional>
#include <string>
#include <string_view>

namespace flexhil::broker {

inline constexpr std::string_view kIothubWebsocketPath = "/$iothub/websocket";
inline constexpr std::string_view kIothubWebsocketSubprotocol = "mqtt";

struct UpgradeVerdict {
  bool accepted = false;
  int status = 0;      // refused: 400 (not a WebSocket upgrade, no `mqtt` subprotocol) or 404 (path)
  std::string reason;  // one line
};

// `head` is what the client sent so far. std::nullopt while the header block (up to the empty
// line) is incomplete; a head larger than 16 KB without its end is refused (400).
std::optional<UpgradeVerdict> judge_websocket_upgrade(std::string_view head,
                                                      std::string_view path = kIothubWebsocketPath,
                                                      std::string_view subprotocol = kIothubWebsocketSubprotocol);

// The HTTP/1.1 response of a refusal (status line, Content-Type, Content-Length,
// Connection: close, the reason as body).
std::string http_refusal(const UpgradeVerdict& verdict);

}  // namespace flexhil::broker
