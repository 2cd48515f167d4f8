#pragma once
// What a bad link does to the bytes that cross it, as pure arithmetic on real seconds: when a
// chunk may leave (latency with jitter, a bandwidth cap), and whether the link is passing data,
// silent (blackhole: nothing read, nothing written — the TCP windows fill up and the sessions
// stall, as behind a dead radio link with no RST) or cut (every session closed, new ones refused).
// `flap` alternates cut and up. The relay (fault_link.hpp) asks; nothing here touches a socket.
#include <cstdint>
#include <string>
#include <string_view>

namespace flexhil::link {

enum class FaultKind { none, cut, blackhole, latency, bandwidth, flap };
std::string_view to_string(FaultKind kind);  // "none", "cut", …

struct LinkFault {
  FaultKind kind = FaultKind::none;
  double delay_s = 0;            // latency: one-way delay (real seconds)
  double jitter_s = 0;           // latency: ± uniformly around the delay
  double rate_bytes_per_s = 0;   // bandwidth: bytes per real second, each direction
  double period_s = 0;           // flap: one period = down then up, each half of it
};

enum class LinkState { passing, silent, cut };

class LinkShaper {
 public:
  // A new fault from `now` on (none = a healthy link).
  void set(const LinkFault& fault, double now);
  const LinkFault& fault() const noexcept { return fault_; }
  LinkState state(double now) const;
  // When `bytes` read at `now` may be written on, for one direction; never earlier than what
  // that direction sent before (order is kept). `random01` draws the jitter (0 ≤ r < 1).
  double departure(int direction, std::size_t bytes, double now, double random01);

 private:
  LinkFault fault_;
  double since_ = 0;
  double last_departure_[2] = {0, 0};
};

}  // namespace flexhil::link
