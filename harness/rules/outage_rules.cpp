// OUTAGE-DATA-LOST and OUTAGE-DUPLICATE-AFTER-RECONNECT: what a device's program does with the
// data of an outage (a WAN cut, a link fault towards the hub, a hub restart). The real cloud keeps
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
  std::string device;       // "" = every device (a hub restart)
  std::string label;
  std::uint64_t seq = 0;    // the event that started it
};

// The outages the device cannot help: WAN cuts and link faults towards the hub (down … up), and
// hub restarts (the restart … the device's next accepted connect).
std::vector<Outage> outages(const Context& c) {
  std::vector<Outage> out;
  std::map<std::string, std::size_t> open;  // device → its open WAN/link outage
  std::vector<std::size_t> restarts;
  for (const auto& ev : c.events) {
    const EventView e(ev);
    const double t = c.t(ev);
    const auto device = e.string("device");
    if (e.kind() == "action" && (e.string("action") == "wan" || e.string("action") == "link") &&
        e.string("path") != "plc") {
      if (e.string("link") == "down") {
        if (open.count(device)) continue;
        open[device] = out.size();
        out.push_back({t, c.end_t, device, e.string("action") == "wan" ? "WAN cut" : "link " + e.string("fault"), e.seq()});
      } else if (auto it = open.find(device); it != open.end()) {
        out[it->second].to = t;
        open.erase(it);
      }
    } else if (e.kind() == "action" && e.string("action") == "broker-restart") {
      restarts.push_back(out.size());
      out.push_back({t, c.end_t, "", "hub restart", e.seq()});
    }
  }
  return out;
}

// When the device was back after a hub restart: its first accepted connect after `from`.
std::optional<double> back_at(const Context& c, const std::string& device, double from) {
  for (const auto& ev : c.events) {
    const EventView e(ev);
    if (e.kind() == "connect" && e.string("verdict") == "accepted" && e.string("device") == device && c.t(ev) > from)
      return c.t(ev);
  }
  return std::nullopt;
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

  // OUTAGE-DATA-LOST: an outage of two periods or more, and too few samples stamped inside it.
  if (period > 0) {
    for (const auto& o : outages(c)) {
      for (const auto& [device, samples] : stamped) {
        if (!o.device.empty() && o.device != device) continue;
        double to = o.to;
        if (o.device.empty()) {
          const auto back = back_at(c, device, o.from);
          if (!back) continue;  // never back: CONN-NO-RECONNECT says so
          to = *back;
        }
        const double length = to - o.from;
        const auto expected = static_cast<std::size_t>(std::floor(length / period));
        if (expected < 2) continue;
        // Only devices that were publishing before: a device that never sent is judged elsewhere.
        if (std::none_of(samples.begin(), samples.end(), [&](const auto& s) { return s.first < o.from; })) continue;
        std::size_t inside = 0;
        for (const auto& [at, m] : samples)
          if (at > o.from && at < to) ++inside;
        if (inside * 2 >= expected) continue;
        c.findings.add("OUTAGE-DATA-LOST", device,
                       fmt::format("{} of {} ({}–{}): {} sample(s) stamped inside it arrived of about {} at the {} "
                                   "period — the rest was neither sent nor stored and forwarded",
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
