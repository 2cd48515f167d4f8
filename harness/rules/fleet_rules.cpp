// THROTTLE-CONNECT-RATE and FLEET-RECONNECT-HERD: what the devices do together. One device
// reconnecting after a hub restart is what it should do; a hundred doing it in the same second
// is a connection storm the real hub throttles (its new-connection rate is the D2C one).
#include <algorithm>
#include <fmt/format.h>

#include "harness/rules/context.hpp"

namespace flexhil::rules::detail {

namespace {

// New connections the hub may take per second: the spec's D2C/connection throttle of the tier.
double connect_throttle(HubTier tier, double units) {
  switch (tier) {
    case HubTier::S1: return std::max(100.0, 12.0 * units);
    case HubTier::S2: return 120.0 * units;
    case HubTier::S3: return 6000.0 * units;
    case HubTier::none: break;
  }
  return 0;
}

const char* tier_name(HubTier tier) {
  return tier == HubTier::S1 ? "S1" : tier == HubTier::S2 ? "S2" : tier == HubTier::S3 ? "S3" : "none";
}

struct Attempt {
  double t = 0;
  std::uint64_t seq = 0;
  std::string device;
};

// The largest number of attempts in any window of `width` scenario seconds, with where it starts.
std::pair<std::size_t, std::size_t> densest_window(const std::vector<Attempt>& a, double width) {
  std::size_t best = 0, best_lo = 0, lo = 0;
  for (std::size_t hi = 0; hi < a.size(); ++hi) {
    while (a[hi].t - a[lo].t >= width) ++lo;
    if (hi - lo + 1 > best) {
      best = hi - lo + 1;
      best_lo = lo;
    }
  }
  return {best, best_lo};
}

}  // namespace

void fleet_rules(Context& c) {
  std::vector<Attempt> connects;          // every CONNECT the hub judged
  std::vector<double> restarts;           // broker restarts (scenario seconds)
  for (const auto& ev : c.events) {
    const EventView e(ev);
    if (e.kind() == "connect") connects.push_back({c.t(ev), e.seq(), e.string("device")});
    if (e.kind() == "action" && e.string("action") == "broker-restart") restarts.push_back(c.t(ev));
  }
  if (connects.empty()) return;

  if (const double limit = connect_throttle(c.expect.tier, c.expect.units); limit > 0) {
    const auto [peak, lo] = densest_window(connects, 1.0);
    if (static_cast<double>(peak) > limit) {
      std::vector<std::uint64_t> evidence;
      for (std::size_t i = lo; i < lo + peak && evidence.size() < max_evidence; ++i) evidence.push_back(connects[i].seq);
      c.findings.add("THROTTLE-CONNECT-RATE", "",
                     fmt::format("{} CONNECTs within 1 s at {} (tier {} × {} unit(s) allows {:.0f} new connections/s)",
                                 peak, fmt_s(connects[lo].t), tier_name(c.expect.tier), c.expect.units, limit),
                     std::move(evidence));
    }
  }

  // After each hub restart: the reconnects of a fleet (ten devices or more) that come back. When
  // half of them or more land in one second, they reconnect in lockstep (no jittered backoff).
  constexpr std::size_t min_fleet = 10;
  if (c.expect.devices.size() < min_fleet) return;
  for (std::size_t r = 0; r < restarts.size(); ++r) {
    const double from = restarts[r];
    const double to = r + 1 < restarts.size() ? restarts[r + 1] : c.end_t + 1;
    std::vector<Attempt> first;  // each device's first attempt after the restart
    std::set<std::string> seen;
    for (const auto& a : connects)
      if (a.t > from && a.t < to && seen.insert(a.device).second) first.push_back(a);
    if (first.size() < min_fleet) continue;
    const auto [peak, lo] = densest_window(first, 1.0);
    if (peak * 2 < first.size()) continue;
    std::vector<std::uint64_t> evidence;
    for (std::size_t i = lo; i < lo + peak && evidence.size() < max_evidence; ++i) evidence.push_back(first[i].seq);
    c.findings.add("FLEET-RECONNECT-HERD", "",
                   fmt::format("after the hub restart at {}, {} of the {} devices that came back reconnected within "
                               "1 s (from {}): no jittered backoff",
                               fmt_s(from), peak, first.size(), fmt_s(first[lo].t)),
                   std::move(evidence));
  }
}

}  // namespace flexhil::rules::detail
