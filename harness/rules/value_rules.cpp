// VALUE-… (published values against the PLC's history) and THROTTLE-…/QUOTA-… (volume).
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "harness/rules/context.hpp"

namespace flexhil::rules::detail {
namespace {

struct Held {
  double from;  // scenario seconds; -inf for the value before the first change
  double value;
  std::uint64_t seq;
};

std::optional<double> json_number(const Json& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  if (v.is_number()) return v.get<double>();
  return std::nullopt;
}

double expected_value(const TagExpectation& tg, double raw) {
  if (tg.type == TagExpectation::Type::boolean) return raw != 0 ? 1.0 : 0.0;
  return raw * tg.coef + tg.offset;
}

// The Flexy stores values as float32 and STR$ prints a limited number of digits.
bool same_value(double published, double expected) {
  return std::abs(published - expected) <= std::max(1e-5 * std::abs(expected), 1e-6);
}

std::map<std::string, std::vector<Held>> plc_history(const Context& c) {
  std::map<std::string, std::vector<Held>> history;  // "unit/point" and "*/point"
  for (const auto& ev : c.events) {
    if (EventView(ev).kind() != "plc_change") continue;
    const auto point = EventView(ev).string("point");
    const EventView e(ev);
    const auto unit_field = e.integer("unit");
    const int unit = unit_field && *unit_field >= 0 && *unit_field <= 255 ? static_cast<int>(*unit_field) : -1;
    const auto nv = e.has("new") ? json_number(*e.field("new")) : std::nullopt;
    if (!nv) continue;
    for (const auto& key : {fmt::format("{}/{}", unit, point), fmt::format("*/{}", point)}) {
      auto& h = history[key];
      if (h.empty())
        if (auto ov = e.has("old") ? json_number(*e.field("old")) : std::nullopt)
          h.push_back({-std::numeric_limits<double>::infinity(), *ov, EventView(ev).seq()});
      h.push_back({c.t(ev), *nv, EventView(ev).seq()});
    }
  }
  return history;
}

const std::vector<Held>* history_of(const std::map<std::string, std::vector<Held>>& h, const TagExpectation& tg) {
  const auto key = tg.unit >= 0 ? fmt::format("{}/{}", tg.unit, tg.point) : fmt::format("*/{}", tg.point);
  const auto it = h.find(key);
  return it == h.end() ? nullptr : &it->second;
}

std::string fmt_num(double v) { return fmt::format("{:.7g}", v); }

}  // namespace

void value_rules(Context& c) {
  const auto history = plc_history(c);
  const double window = c.expect.value_window_s;
  for (const auto& m : c.telemetry) {
    for (const auto& [key, node] : m.tags) {
      const auto* tg = c.tag(key, m.device);
      if (!tg || tg->point.empty() || tg->type == TagExpectation::Type::string) continue;
      const auto* h = history_of(history, *tg);
      if (!h || h->empty()) continue;
      const auto published = node_number(*node);
      std::vector<double> held;
      std::vector<std::uint64_t> evidence{m.seq};
      bool match = false;
      for (std::size_t i = 0; i < h->size(); ++i) {
        const double from = (*h)[i].from;
        const double to = i + 1 < h->size() ? (*h)[i + 1].from : std::numeric_limits<double>::infinity();
        if (from > m.t || to < m.t - window) continue;
        const double e = expected_value(*tg, (*h)[i].value);
        held.push_back(e);
        if (evidence.size() < 10) evidence.push_back((*h)[i].seq);
        if (published && same_value(*published, e)) match = true;
      }
      if (match || held.empty()) continue;
      std::string list;
      for (double v : held) list += (list.empty() ? "" : ", ") + fmt_num(v);
      c.findings.add("VALUE-MISMATCH", m.device,
                     fmt::format("\"{}\":{} at {}, but PLC point {} (× {} + {}) held {} within the {} before",
                                 key, node->type == JsonNode::Type::string ? "\"" + node->text + "\"" : node->text,
                                 fmt_s(m.t), tg->point, fmt_num(tg->coef), fmt_num(tg->offset), list, fmt_s(window)),
                     evidence);
    }
  }

  if (!c.expect.max_change_latency_s) return;
  const double limit = *c.expect.max_change_latency_s;
  std::set<std::string> devices;
  for (const auto& m : c.telemetry) devices.insert(m.device);
  for (const auto& device : devices) {
    double first_publish = std::numeric_limits<double>::infinity();
    for (const auto& m : c.telemetry)
      if (m.device == device) first_publish = std::min(first_publish, m.t);
    for (const auto& tg : c.expect.tags_for(device)) {
      if (tg.point.empty() || tg.type == TagExpectation::Type::string) continue;
      const auto* h = history_of(history, tg);
      if (!h) continue;
      for (std::size_t i = 0; i < h->size(); ++i) {
        const Held& ch = (*h)[i];
        if (!std::isfinite(ch.from) || ch.from < first_publish) continue;
        const double next = i + 1 < h->size() ? (*h)[i + 1].from : c.end_t;
        if (next - ch.from < limit || ch.from + limit > c.end_t) continue;  // not held long enough to judge
        // A change the device had no whole `limit` of connection to push is not judged: what a
        // drop, a restart or a WAN cut makes it lose is CADENCE-PUBLISH-WHILE-DISCONNECTED's and
        // CONN-…'s to judge, not a latency (docs/rules.md).
        if (!c.connected_throughout(device, ch.from, ch.from + limit)) continue;
        const double e = expected_value(tg, ch.value);
        const Telemetry* found = nullptr;
        for (const auto& m : c.telemetry) {
          if (m.device != device || m.t < ch.from || m.t > next + limit) continue;
          for (const auto& [key, node] : m.tags)
            if (key == tg.name)
              if (auto p = node_number(*node); p && same_value(*p, e)) found = &m;
          if (found) break;
        }
        if (!found)
          c.findings.add("VALUE-NEVER-PUBLISHED", device,
                         fmt::format("{} changed to {} at {} (held {}) and was never published", tg.name, fmt_num(e),
                                     fmt_s(ch.from), fmt_s(next - ch.from)),
                         {ch.seq});
        else if (found->t - ch.from > limit &&
                 !c.explained_by_own_delay(device, ch.from, found->t, found->t - ch.from - limit))
          c.findings.add("VALUE-LATENCY", device,
                         fmt::format("{} changed to {} at {}, published after {} (max {})", tg.name, fmt_num(e),
                                     fmt_s(ch.from), fmt_s(found->t - ch.from), fmt_s(limit)),
                         {ch.seq, found->seq});
      }
    }
  }
}

void volume_rules(Context& c) {
  if (c.expect.tier == HubTier::none || c.telemetry.empty()) return;
  const double units = c.expect.units;
  double per_second = 0, per_day_quota = 0;
  const char* tier = "S1";
  switch (c.expect.tier) {
    case HubTier::S1: per_second = std::max(100.0, 12.0 * units); per_day_quota = 400000.0 * units; tier = "S1"; break;
    case HubTier::S2: per_second = 120.0 * units; per_day_quota = 6000000.0 * units; tier = "S2"; break;
    case HubTier::S3: per_second = 6000.0 * units; per_day_quota = 300000000.0 * units; tier = "S3"; break;
    case HubTier::none: return;
  }
  // Peak D2C sends in any 1 s window of scenario time, whole hub.
  std::size_t peak = 0, lo = 0;
  double peak_at = 0;
  for (std::size_t hi = 0; hi < c.telemetry.size(); ++hi) {
    while (c.telemetry[hi].t - c.telemetry[lo].t >= 1.0) ++lo;
    if (hi - lo + 1 > peak) {
      peak = hi - lo + 1;
      peak_at = c.telemetry[hi].t;
    }
  }
  if (static_cast<double>(peak) > per_second)
    c.findings.add("THROTTLE-D2C-RATE", "",
                   fmt::format("{} D2C messages within 1 s at {} (tier {} × {} unit(s) allows {:.0f}/s)", peak,
                               fmt_s(peak_at), tier, c.expect.units, per_second),
                   {c.telemetry[lo].seq});
  const double span = c.telemetry.back().t - c.telemetry.front().t;
  if (span < 1.0) return;
  double chunks = 0;
  for (const auto& m : c.telemetry) chunks += std::max(1.0, std::ceil(static_cast<double>(m.size) / 4096.0));
  const double per_day = chunks / span * 86400.0;
  if (per_day > per_day_quota)
    c.findings.add("QUOTA-DAILY", "",
                   fmt::format("{:.0f} messages (4 KB chunks) in {} extrapolate to {:.0f}/day (tier {} × {} unit(s) "
                               "allows {:.0f}/day)",
                               chunks, fmt_s(span), per_day, tier, c.expect.units, per_day_quota),
                   {c.telemetry.front().seq});
}

}  // namespace flexhil::rules::detail
