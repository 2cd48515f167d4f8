#include "sim/link/link_shaper.hpp"

#include <algorithm>
#include <cmath>

namespace flexhil::link {

std::string_view to_string(FaultKind kind) {
  switch (kind) {
    case FaultKind::none: return "none";
    case FaultKind::cut: return "cut";
    case FaultKind::blackhole: return "blackhole";
    case FaultKind::latency: return "latency";
    case FaultKind::bandwidth: return "bandwidth";
    case FaultKind::flap: return "flap";
  }
  return "none";
}

void LinkShaper::set(const LinkFault& fault, double now) {
  fault_ = fault;
  since_ = now;
}

LinkState LinkShaper::state(double now) const {
  switch (fault_.kind) {
    case FaultKind::cut: return LinkState::cut;
    case FaultKind::blackhole: return LinkState::silent;
    case FaultKind::flap: {
      if (fault_.period_s <= 0) return LinkState::cut;
      const double phase = std::fmod(std::max(0.0, now - since_), fault_.period_s);
      return phase < fault_.period_s / 2 ? LinkState::cut : LinkState::passing;
    }
    default: return LinkState::passing;
  }
}

double LinkShaper::departure(int direction, std::size_t bytes, double now, double random01) {
  double& last = last_departure_[direction & 1];
  double at = now;
  if (fault_.kind == FaultKind::latency) {
    const double jitter = fault_.jitter_s * (2 * std::clamp(random01, 0.0, 1.0) - 1);
    at = now + std::max(0.0, fault_.delay_s + jitter);
  } else if (fault_.kind == FaultKind::bandwidth && fault_.rate_bytes_per_s > 0) {
    // A queue drained at the rate: this chunk leaves once the ones before it and itself are through.
    at = std::max(now, last) + static_cast<double>(bytes) / fault_.rate_bytes_per_s;
  }
  at = std::max(at, last);  // TCP keeps order: no chunk overtakes an earlier one
  last = at;
  return at;
}

}  // namespace flexhil::link
