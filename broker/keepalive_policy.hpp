#pragma once
// The hub's keep-alive verdict (docs/hub-behaviour.md "Keep-alive"): a client silent for more
// than 1.5 x its keep-alive is dropped, the keep-alive capped at 1767 s. Pure.
#include <algorithm>
#include <cstdint>

namespace flexhil::broker {

inline constexpr int kMaxKeepaliveSeconds = 1767;

// Nanoseconds of silence after which the hub drops a client with this CONNECT keep-alive;
// 0 = never (keep-alive 0 switches the mechanism off in MQTT).
constexpr std::int64_t keepalive_drop_after_ns(int keepalive_seconds) {
  if (keepalive_seconds <= 0) return 0;
  return static_cast<std::int64_t>(std::min(keepalive_seconds, kMaxKeepaliveSeconds)) * 1'500'000'000LL;
}

}  // namespace flexhil::broker
