// OUTAGE-DATA-LOST and OUTAGE-DUPLICATE-AFTER-RECONNECT: what a device's program does with the
// data of an outage (a WAN cut, a link cut or blackhole towards the hub). The real cloud keeps
// what arrives: samples stamped inside the outage that arrive later were stored and forwarded;
// none at all is a hole in every chart downstream; the same sample twice is counted twice.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <unordered_map>

#include "harness/rules/context.hpp"
#include "harness/rules/timestamp.hpp"

namespace flexhil::rules::detail {

namespace {

struct Outage {
  double from = 0, to = 0;  // scenario seconds
  std::string device;
  std::string label;
  std::uint64_t seq = 0;    // the event that started it
};

// The outages the device cannot help and whose length the scenario sets: WAN cuts and link cuts
// or blackholes towards the hub (down … up). A hub restart lasts as long as the device takes to
// come back (CONN-NO-RECONNECT judges that; its few seconds of gap are every MQTT device's), and a
// flapping link is up half the time: neither is judged here.
std::vector<Outage> outages(const Context& c) {
  std::vector<Outage> out;
  std::map<std::string, std::size_t> open;  // device → its open outage
  for (const auto& ev : c.events) {
    const EventView e(ev);
    if (e.kind() != "action" || e.string("path") == "plc") continue;
    const bool wan = e.string("action") == "wan";
    if (!wan && e.string("action") != "link") continue;
    const double t = c.t(ev);
    const auto device = e.string("device");
    const auto fault = e.string("fault");
    if (e.string("link") == "down" && (wan || fault == "cut" || fault == "blackhole")) {
      if (open.count(device)) continue;
      open[device] = out.size();
      out.push_back({t, c.end_t, device, wan ? "WAN cut" : "link " + fault, e.seq()});
    } else if (auto it = open.find(device); it != open.end()) {
      out[it->second].to = t;  // link up, or the fault replaced by another
      open.erase(it);
    }
  }
  return out;
}

// The payload timestamp of a telemetry message in scenario seconds (nullopt: none readable).
std::optional<double> stamped_at(const Context& c, const Telemetry& m) {
  if (c.expect.timestamp_key.empty() || !m.scan.root || m.scan.root->type != JsonNode::Type::object) return std::nullopt;
  for (const auto& [k, v] : m.scan.root->members) {
    if (k != c.expect.timestamp_key || v.type != JsonNode::Type::string) continue;
    const auto ts = parse_timestamp(v.text);
    if (!ts) return std::nullopt;
    // A zone-less time is the device's local time.
    const double epoch = ts->has_zone ? ts->epoch_s : ts->epoch_s - c.expect.utc_offset_s.value_or(0);
    return epoch - c.start_wall_s;
  }
  return std::nullopt;
}

}  // namespace

void outage_rules(Context& c) {
  const double period = c.expect.change_push_period_s ? *c.expect.change_push_period_s
                        : c.expect.full_push_period_s ? *c.expect.full_push_period_s
                                                      : 0;
  std::map<std::string, std::vector<std::pair<double, const Telemetry*>>> stamped;  // device → (stamp, message)
  for (const auto& m : c.telemetry)
    if (const auto at = stamped_at(c, m)) stamped[m.device].emplace_back(*at, &m);

  // OUTAGE-DATA-LOST: an outage of three periods or more, and too few samples stamped inside it.
  if (period > 0) {
    for (const auto& o : outages(c)) {
      for (const auto& [device, samples] : stamped) {
        if (o.device != device) continue;
        const double to = o.to;
        const double length = to - o.from;
        const auto expected = static_cast<std::size_t>(std::floor(length / period));
        // A few seconds' gap around a restart is every MQTT device's; three samples or more is a hole.
        if (expected < 3) continue;
        // Only devices that were publishing before: a device that never sent is judged elsewhere.
        if (std::none_of(samples.begin(), samples.end(), [&](const auto& s) { return s.first < o.from; })) continue;
        std::size_t inside = 0;
        for (const auto& [at, m] : samples)
          if (at > o.from && at < to) ++inside;
        if (inside * 2 >= expected) continue;
        c.findings.add("OUTAGE-DATA-LOST", device,
                       fmt::format("{} of {} ({}–{}): {} of about {} samples (one per {}) stamped inside it "
                                   "arrived — the rest was neither sent nor stored and forwarded",
                                   o.label, fmt_s(length), fmt_s(o.from), fmt_s(to), inside, expected, fmt_s(period)),
                       {o.seq});
      }
    }
  }

  // OUTAGE-DUPLICATE-AFTER-RECONNECT: a stamped message arriving again, byte for byte, after the
  // device reconnected (a QoS 1 redelivery, or a program re-sending its last message).
  std::map<std::string, std::vector<double>> connects;  // device → accepted connect times
  for (const auto& ev : c.events) {
    const EventView e(ev);
    if (e.kind() == "connect" && e.string("verdict") == "accepted") connects[e.string("device")].push_back(c.t(ev));
  }
  for (const auto& [device, samples] : stamped) {
    std::unordered_map<std::string_view, const Telemetry*> first;
    const auto& times = connects[device];
    for (const auto& [at, m] : samples) {
      (void)at;
      const auto [it, fresh] = first.emplace(m->payload, m);
      if (fresh) continue;
      const double before = it->second->t, after = m->t;
      const bool reconnected =
          std::any_of(times.begin(), times.end(), [&](double t) { return t > before && t <= after; });
      if (!reconnected) continue;
      c.findings.add("OUTAGE-DUPLICATE-AFTER-RECONNECT", device,
                     fmt::format("the message of seq {} arrived again {} later, after a reconnect: the cloud counts "
                                 "the sample twice",
                                 it->second->seq, fmt_s(after - before)),
                     {it->second->seq, m->seq});
    }
  }
}

}  // namespace flexhil::rules::detail
