// AUTH-…, TLS-…, CONN-… (connect verdicts, drops, reconnects) and the DUT's own reports.
#include <algorithm>
#include <fmt/format.h>

#include "harness/rules/context.hpp"

namespace flexhil::rules::detail {

namespace {

bool is_wan_action(const EventView& e, std::string_view link) {
  return e.kind() == "action" && e.string("action") == "wan" && e.string("link") == link;
}

// The scenario's WAN cuts ([[action]] kind = "wan"), read once for both passes below.
struct WanCuts {
  std::map<std::uint64_t, double> back_at;  // seq of a link-down action → its link up
  // Disconnects the cut explains: from link down to the device's next accepted connect, and the
  // "replaced" of the silent session right after that connect.
  std::set<std::uint64_t> explained;
};

WanCuts wan_cuts(const Context& c) {
  WanCuts out;
  std::map<std::string, std::uint64_t> down;  // device → seq of its open link-down action
  std::set<std::string> cut, back;            // cut: down … next accepted connect
  for (const auto& ev : c.events) {
    const EventView e(ev);
    const auto device = e.string("device");
    if (is_wan_action(e, "down")) {
      down[device] = e.seq();
      cut.insert(device);
    } else if (is_wan_action(e, "up")) {
      if (auto it = down.find(device); it != down.end()) out.back_at[it->second] = c.t(ev);
      down.erase(device);
    } else if (e.kind() == "connect" && e.string("verdict") == "accepted") {
      if (cut.erase(device)) back.insert(device);
    } else if (e.kind() == "disconnect") {
      if (cut.count(device) || (e.string("reason") == "replaced" && back.erase(device))) out.explained.insert(e.seq());
    }
  }
  return out;
}

}  // namespace

void connection_rules(Context& c) {
  std::map<std::string, std::size_t> subscriptions;  // per device, since its last connect
  // The hub dropping a WAN-cut device's silent session is the cut's doing, not the device's.
  const auto cuts = wan_cuts(c);
  for (const auto& ev : c.events) {
    const auto kind = EventView(ev).kind();
    const auto device = EventView(ev).string("device");
    if (kind == "connect") {
      const auto verdict = EventView(ev).string("verdict");
      auto reason_id = EventView(ev).string("reason_id");
      const auto reason = EventView(ev).string("reason");
      if (verdict == "refused") {
        if (reason_id.empty()) reason_id = "AUTH-REFUSED";
        c.findings.add(reason_id, device,
                       fmt::format("CONNECT refused with CONNACK {}: {}",
                                   EventView(ev).has("connack") ? EventView(ev).display("connack") : "5", reason),
                       {EventView(ev).seq()});
      } else if (verdict == "accepted") {
        subscriptions[device] = 0;
        if (!reason_id.empty()) {
          c.findings.add(reason_id, device, fmt::format("CONNECT accepted, but: {}", reason), {EventView(ev).seq()});
        } else if (EventView(ev).string("username_form") == "none") {
          c.findings.add("AUTH-USERNAME-NO-API-VERSION", device,
                         fmt::format("username '{}' carries no api-version", EventView(ev).string("username")),
                         {EventView(ev).seq()});
        }
      }
    } else if (kind == "tls_failure") {
      c.findings.add("TLS-HANDSHAKE-FAILED", "",
                     fmt::format("TLS handshake from {} on the {} listener failed: {}", EventView(ev).string("address"),
                                 EventView(ev).string("listener"), EventView(ev).string("reason")),
                     {EventView(ev).seq()});
    } else if (kind == "disconnect") {
      const auto reason = EventView(ev).string("reason");
      if (reason != "client" && !reason.empty() && !cuts.explained.count(EventView(ev).seq()))
        c.findings.add("CONN-DISCONNECTED", device,
                       fmt::format("{} dropped the connection at {} (reason {}{}{})",
                                   c.expect.target == Target::broker ? "broker" : "hub", fmt_s(c.t(ev)), reason,
                                   EventView(ev).string("detail").empty() ? "" : ": ", EventView(ev).string("detail")),
                       {EventView(ev).seq()});
    } else if (kind == "subscribe") {
      // The plugin disconnects on the 6th (verdict "disconnected", reason_id CONN-TOO-MANY-…).
      if (++subscriptions[device] == 6 || EventView(ev).string("reason_id") == "CONN-TOO-MANY-SUBSCRIPTIONS")
        c.findings.add("CONN-TOO-MANY-SUBSCRIPTIONS", device,
                       fmt::format("6th subscription '{}' on one connection (IoT Hub allows 5)", EventView(ev).string("topic")),
                       {EventView(ev).seq()});
    }
  }

  // Connected within N s of the start.
  if (c.expect.connect_within_s) {
    for (const auto& device : c.expect.devices) {
      const Json* first = nullptr;
      for (const auto& ev : c.events)
        if (EventView(ev).kind() == "connect" && EventView(ev).string("verdict") == "accepted" && EventView(ev).string("device") == device) {
          first = &ev;
          break;
        }
      if (!first) {
        if (c.end_t >= *c.expect.connect_within_s)
          c.findings.add("CONN-NOT-CONNECTED-WITHIN", device,
                         fmt::format("never connected during the {} run (expected within {})", fmt_s(c.end_t),
                                     fmt_s(*c.expect.connect_within_s)),
                         {});
      } else if (c.t(*first) > *c.expect.connect_within_s) {
        c.findings.add("CONN-NOT-CONNECTED-WITHIN", device,
                       fmt::format("first connected after {} (expected within {})", fmt_s(c.t(*first)),
                                   fmt_s(*c.expect.connect_within_s)),
                       {EventView(*first).seq()});
      }
    }
  }

  // Reconnect after a drop or a broker restart.
  const double window = c.expect.reconnect_within_s;
  auto reconnected_within = [&](const std::string& device, double after, double until) -> const Json* {
    for (const auto& ev : c.events)
      if (EventView(ev).kind() == "connect" && EventView(ev).string("verdict") == "accepted" && EventView(ev).string("device") == device) {
        const double at = c.t(ev);
        if (at >= after && at <= until) return &ev;
      }
    return nullptr;
  };
  // A WAN cut counts as a drop at its link up: the device is due back `window` after that.
  for (const auto& ev : c.events) {
    const auto kind = EventView(ev).kind();
    std::vector<std::string> dropped;
    double at = c.t(ev);
    std::string_view what = "dropped";
    if (kind == "disconnect" && EventView(ev).string("reason") != "replaced") {
      if (cuts.explained.count(EventView(ev).seq())) continue;
      dropped.push_back(EventView(ev).string("device"));
    } else if (is_wan_action(EventView(ev), "down")) {
      const auto back = cuts.back_at.find(EventView(ev).seq());
      if (back == cuts.back_at.end()) continue;  // the link stayed down to the end
      at = back->second;
      what = "WAN link back";
      dropped.push_back(EventView(ev).string("device"));
    } else if (kind == "action" && EventView(ev).string("action") == "broker-restart") {
      for (const auto& [device, intervals] : c.connected)
        if (std::any_of(intervals.begin(), intervals.end(),
                        [&](const auto& iv) { return std::abs(iv.second - c.t(ev)) < 1e-9; }))
          dropped.push_back(device);
    } else {
      continue;
    }
    if (at + window > c.end_t) continue;  // the run ended before the device was due back
    for (const auto& device : dropped) {
      if (reconnected_within(device, at, at + window)) continue;
      const Json* later = reconnected_within(device, at, c.end_t);
      c.findings.add("CONN-NO-RECONNECT", device,
                     later ? fmt::format("{} at {}, reconnected only after {} (expected within {})", what,
                                         fmt_s(at), fmt_s(c.t(*later) - at), fmt_s(window))
                           : fmt::format("{} at {}, not reconnected in the remaining {} (expected within {})", what,
                                         fmt_s(at), fmt_s(c.end_t - at), fmt_s(window)),
                     {EventView(ev).seq()});
    }
  }
}

void dut_rules(Context& c) {
  std::map<std::pair<std::string, std::string>, std::uint64_t> pending_methods;
  for (const auto& ev : c.events) {
    const auto kind = EventView(ev).kind();
    const auto device = EventView(ev).string("device");
    // Judged on the structured fields the emulated Flexy sets, never on the log's wording:
    // `publish_while_disconnected` marks a PUBLISH dropped while MQTT was not connected, and
    // `source` says who logged ("program" = the BASIC program's LOGEVENT, "mqtt" / "io" = the
    // runtime's own MQTT client and IO server, whose errors are consequences judged by the
    // CONN-/VALUE- rules).
    if (kind == "dut_log") {
      const EventView e(ev);
      const auto text = e.string("message");
      if (const auto host = e.string("unresolved_host"); !host.empty()) {
        // A hub name the program got wrong: it dials <other>.azure-devices.net, which does not
        // exist, while the hub of the run is another *.azure-devices.net.
        const auto is_hub = [](const std::string& h) {
          std::string l(h);
          std::transform(l.begin(), l.end(), l.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
          return l.size() > 18 && l.compare(l.size() - 18, 18, ".azure-devices.net") == 0;
        };
        const auto same_name = [](const std::string& a, const std::string& b) {
          return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
            return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
          });
        };
        if (const auto* routed = e.field("routed_hosts"); routed && routed->is_array() && is_hub(host))
          for (const auto& r : *routed) {
            if (!r.is_string()) continue;
            const auto hub = r.get<std::string>();
            if (!is_hub(hub) || same_name(host, hub)) continue;
            c.findings.add("DUT-HUB-HOST-MISMATCH", device,
                           fmt::format("the program dials '{}', but the hub is '{}': no such hub exists, so the "
                                       "name does not resolve (first at {}); set the hub name in the program",
                                       host, hub, fmt_s(c.t(ev))),
                           {e.seq()});
            break;
          }
        continue;
      }
      if (const auto* tls = e.object("tls_file")) {
        const EventView file(*tls);
        c.findings.add("DUT-TLS-FILE", device,
                       fmt::format("{} {}: {} (first at {})", file.text("parameter"), file.text("file"),
                                   file.text("reason"), fmt_s(c.t(ev))),
                       {e.seq()});
        continue;
      }
      // Levels: "error" or the Flexy's LOGEVENT number (1 = error).
      const bool error_level = e.text("level") == "error" || e.number("level") == 1.0;
      const auto source = e.text("source", "program");
      // A program that checked STATUS in the same request lost a race with the connection
      // (a real Flexy can too): not the missing check this rule is about.
      if (e.flag("publish_while_disconnected") && e.flag("checked_status")) continue;
      if (e.flag("publish_while_disconnected"))
        c.findings.add("CADENCE-PUBLISH-WHILE-DISCONNECTED", device,
                       fmt::format("publish attempted while disconnected at {}: {}", fmt_s(c.t(ev)), text),
                       {e.seq()});
      else if (error_level && source == "program")
        c.findings.add("DUT-RUNTIME-ERROR", device, fmt::format("at {}: {}", fmt_s(c.t(ev)), text), {e.seq()});
    } else if (kind == "method_request") {
      pending_methods[{device, EventView(ev).string("rid")}] = EventView(ev).seq();
    } else if (kind == "method_response") {
      pending_methods.erase({device, EventView(ev).string("rid")});
    }
  }
  for (const auto& [key, seq] : pending_methods)
    c.findings.add("METHOD-NO-RESPONSE", key.first,
                   fmt::format("direct method request $rid={} got no response before the end of the run", key.second),
                   {seq});
}

}  // namespace flexhil::rules::detail
