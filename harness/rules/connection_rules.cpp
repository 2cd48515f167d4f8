// AUTH-…, TLS-…, CONN-… (connect verdicts, drops, reconnects) and the DUT's own reports.
#include <algorithm>
#include <fmt/format.h>

#include "harness/rules/context.hpp"

namespace flexhil::rules::detail {

void connection_rules(Context& c) {
  std::map<std::string, std::size_t> subscriptions;  // per device, since its last connect
  for (const auto& ev : c.events) {
    const auto kind = str(ev, "kind");
    const auto device = str(ev, "device");
    if (kind == "connect") {
      const auto verdict = str(ev, "verdict");
      auto reason_id = str(ev, "reason_id");
      const auto reason = str(ev, "reason");
      if (verdict == "refused") {
        if (reason_id.empty()) reason_id = "AUTH-REFUSED";
        c.findings.add(reason_id, device,
                       fmt::format("CONNECT refused with CONNACK {}: {}",
                                   ev.contains("connack") ? ev["connack"].dump() : "5", reason),
                       {seq_of(ev)});
      } else if (verdict == "accepted") {
        subscriptions[device] = 0;
        if (!reason_id.empty()) {
          c.findings.add(reason_id, device, fmt::format("CONNECT accepted, but: {}", reason), {seq_of(ev)});
        } else if (str(ev, "username_form") == "none") {
          c.findings.add("AUTH-USERNAME-NO-API-VERSION", device,
                         fmt::format("username '{}' carries no api-version", str(ev, "username")),
                         {seq_of(ev)});
        }
      }
    } else if (kind == "tls_failure") {
      c.findings.add("TLS-HANDSHAKE-FAILED", "",
                     fmt::format("TLS handshake from {} on the {} listener failed: {}", str(ev, "address"),
                                 str(ev, "listener"), str(ev, "reason")),
                     {seq_of(ev)});
    } else if (kind == "disconnect") {
      const auto reason = str(ev, "reason");
      if (reason != "client" && !reason.empty())
        c.findings.add("CONN-DISCONNECTED", device,
                       fmt::format("hub dropped the connection at {} (reason {}{}{})", fmt_s(c.t(ev)), reason,
                                   str(ev, "detail").empty() ? "" : ": ", str(ev, "detail")),
                       {seq_of(ev)});
    } else if (kind == "subscribe") {
      // The plugin disconnects on the 6th (verdict "disconnected", reason_id CONN-TOO-MANY-…).
      if (++subscriptions[device] == 6 || str(ev, "reason_id") == "CONN-TOO-MANY-SUBSCRIPTIONS")
        c.findings.add("CONN-TOO-MANY-SUBSCRIPTIONS", device,
                       fmt::format("6th subscription '{}' on one connection (IoT Hub allows 5)", str(ev, "topic")),
                       {seq_of(ev)});
    }
  }

  // Connected within N s of the start.
  if (c.expect.connect_within_s) {
    for (const auto& device : c.expect.devices) {
      const Json* first = nullptr;
      for (const auto& ev : c.events)
        if (str(ev, "kind") == "connect" && str(ev, "verdict") == "accepted" && str(ev, "device") == device) {
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
                       {seq_of(*first)});
      }
    }
  }

  // Reconnect after a drop or a broker restart.
  const double window = c.expect.reconnect_within_s;
  auto reconnected_within = [&](const std::string& device, double after, double until) -> const Json* {
    for (const auto& ev : c.events)
      if (str(ev, "kind") == "connect" && str(ev, "verdict") == "accepted" && str(ev, "device") == device) {
        const double at = c.t(ev);
        if (at >= after && at <= until) return &ev;
      }
    return nullptr;
  };
  for (const auto& ev : c.events) {
    const auto kind = str(ev, "kind");
    std::vector<std::string> dropped;
    if (kind == "disconnect" && str(ev, "reason") != "replaced") {
      dropped.push_back(str(ev, "device"));
    } else if (kind == "action" && str(ev, "action") == "broker-restart") {
      for (const auto& [device, intervals] : c.connected)
        if (std::any_of(intervals.begin(), intervals.end(),
                        [&](const auto& iv) { return std::abs(iv.second - c.t(ev)) < 1e-9; }))
          dropped.push_back(device);
    } else {
      continue;
    }
    const double at = c.t(ev);
    if (at + window > c.end_t) continue;  // the run ended before the device was due back
    for (const auto& device : dropped) {
      if (reconnected_within(device, at, at + window)) continue;
      const Json* later = reconnected_within(device, at, c.end_t);
      c.findings.add("CONN-NO-RECONNECT", device,
                     later ? fmt::format("dropped at {}, reconnected only after {} (expected within {})",
                                         fmt_s(at), fmt_s(c.t(*later) - at), fmt_s(window))
                           : fmt::format("dropped at {}, not reconnected in the remaining {} (expected within {})",
                                         fmt_s(at), fmt_s(c.end_t - at), fmt_s(window)),
                     {seq_of(ev)});
    }
  }
}

void dut_rules(Context& c) {
  std::map<std::pair<std::string, std::string>, std::uint64_t> pending_methods;
  for (const auto& ev : c.events) {
    const auto kind = str(ev, "kind");
    const auto device = str(ev, "device");
    // The runtime's own MQTT client and IO server log at error level too ("MQTT: connection
    // lost", "Modbus slave … NOT OK"): those are consequences judged by CONN-/VALUE- rules.
    if (kind == "dut_log" || kind == "dut_console") {
      const auto text = kind == "dut_log" ? str(ev, "message") : str(ev, "line");
      std::string lower = text;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      if (const auto tls = ev.find("tls_file"); kind == "dut_log" && tls != ev.end() && tls->is_object()) {
        c.findings.add("DUT-TLS-FILE", device,
                       fmt::format("{} {}: {} (first at {})", tls->value("parameter", ""), tls->value("file", ""),
                                   tls->value("reason", ""), fmt_s(c.t(ev))),
                       {seq_of(ev)});
        continue;
      }
      const auto flag = ev.find("publish_while_disconnected");
      const bool flagged = flag != ev.end() && flag->is_boolean() && flag->get<bool>();
      // Levels: "error" or the Flexy's LOGEVENT number (1 = error).
      const auto level = ev.find("level");
      const bool error_level = level != ev.end() && ((level->is_string() && level->get<std::string>() == "error") ||
                                                     (level->is_number() && level->get<double>() == 1));
      if (flagged || (lower.find("publish") != std::string::npos &&
                      (lower.find("not connected") != std::string::npos ||
                       lower.find("disconnected") != std::string::npos)))
        c.findings.add("CADENCE-PUBLISH-WHILE-DISCONNECTED", device,
                       fmt::format("publish attempted while disconnected at {}: {}", fmt_s(c.t(ev)), text),
                       {seq_of(ev)});
      else if (kind == "dut_log" && error_level && text.rfind("MQTT", 0) != 0 && text.rfind("Modbus", 0) != 0)
        c.findings.add("DUT-RUNTIME-ERROR", device, fmt::format("at {}: {}", fmt_s(c.t(ev)), text), {seq_of(ev)});
    } else if (kind == "method_request") {
      pending_methods[{device, str(ev, "rid")}] = seq_of(ev);
    } else if (kind == "method_response") {
      pending_methods.erase({device, str(ev, "rid")});
    }
  }
  for (const auto& [key, seq] : pending_methods)
    c.findings.add("METHOD-NO-RESPONSE", key.first,
                   fmt::format("direct method request $rid={} got no response before the end of the run", key.second),
                   {seq});
}

}  // namespace flexhil::rules::detail
