#include "harness/rules/fault_attribution.hpp"

#include "common/event_view.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>

namespace flexhil::rules::detail {

namespace {

struct Window {
  double from = 0;
  double to = 0;
  std::string device;  // "" = every device
  std::string label;   // "plc_fault down", "broker restart", …
};

std::vector<Window> fault_windows(const Context& c) {
  std::vector<Window> out;
  std::map<std::string, std::size_t> open_faults;  // unit + fault → index in out
  std::vector<std::size_t> open_restarts;
  std::map<std::string, std::size_t> open_wan;  // device → index in out
  for (const auto& ev : c.events) {
    const auto kind = EventView(ev).string("kind");
    const double t = c.t(ev);
    if (kind == "plc_fault") {
      const auto unit = EventView(ev).display("unit");
      const auto key = unit + "/" + EventView(ev).string("fault");
      if (EventView(ev).string("state") == "start") {
        open_faults[key] = out.size();
        out.push_back({t, c.end_t, "", "plc_fault " + EventView(ev).string("fault")});
      } else if (auto it = open_faults.find(key); it != open_faults.end()) {
        out[it->second].to = t;
        open_faults.erase(it);
      }
    } else if (kind == "action" && EventView(ev).string("action") == "broker-restart") {
      open_restarts.push_back(out.size());
      out.push_back({t, c.end_t, "", "broker restart"});
    } else if (kind == "action" &&
               (EventView(ev).string("action") == "wan" || EventView(ev).string("action") == "link")) {
      // A WAN cut of the device, or a link fault between it and the hub (cut, blackhole, flap).
      const auto device = EventView(ev).string("device");
      if (EventView(ev).string("link") == "down") {
        if (open_wan.count(device)) continue;  // already down: the first start bounds the window
        open_wan[device] = out.size();
        out.push_back({t, c.end_t, device,
                       EventView(ev).string("action") == "wan"   ? "WAN link down"
                       : EventView(ev).string("path") == "plc"    ? "PLC link " + EventView(ev).string("fault")
                                                                   : "link " + EventView(ev).string("fault")});
      } else if (auto it = open_wan.find(device); it != open_wan.end()) {
        out[it->second].to = t;
        open_wan.erase(it);
      }
    } else if (kind == "connect" && EventView(ev).string("verdict") == "accepted") {
      // The restart window ends, for this device, when it is back.
      for (auto i : open_restarts) {
        Window w = out[i];
        w.device = EventView(ev).string("device");
        w.to = t;
        out.push_back(w);
      }
      open_restarts.clear();
    } else if (kind == "hub_error" && !EventView(ev).string("cause").empty() && EventView(ev).string("cause") != "malformed-audit") {
      out.push_back({t, c.end_t, "", "hub_error " + EventView(ev).string("cause")});
    } else if (kind == "plc_error") {
      out.push_back({t, c.end_t, "", "plc_error"});
    }
  }
  // A restart whose device came back is bounded by that connect; the open-ended copy stays only
  // for restarts nobody came back from.
  std::vector<Window> bounded;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto& w = out[i];
    const bool unbounded_restart = w.label == "broker restart" && w.device.empty() &&
                                   std::any_of(out.begin(), out.end(), [&](const Window& o) {
                                     return o.label == w.label && !o.device.empty() && o.from == w.from;
                                   });
    if (!unbounded_restart) bounded.push_back(w);
  }
  return bounded;
}

}  // namespace

void attribute_faults(std::vector<Finding>& findings, const Context& c) {
  const auto windows = fault_windows(c);
  if (windows.empty()) return;
  std::unordered_map<std::uint64_t, const Json*> by_seq;
  for (const auto& ev : c.events) by_seq[EventView(ev).seq()] = &ev;
  for (auto& f : findings) {
    if (f.rule_id.rfind("HARNESS-", 0) == 0) continue;
    std::optional<Window> hit;
    for (auto s : f.evidence) {
      const auto it = by_seq.find(s);
      if (it == by_seq.end()) continue;
      const double t = c.t(*it->second);
      for (const auto& w : windows) {
        if (!w.device.empty() && !f.device.empty() && w.device != f.device) continue;
        if (t >= w.from && t <= w.to) {
          hit = w;
          break;
        }
      }
      if (hit) break;
    }
    if (hit) f.message += fmt::format(" (during {} {:.1f}–{:.1f} s)", hit->label, hit->from, hit->to);
  }
}

}  // namespace flexhil::rules::detail
