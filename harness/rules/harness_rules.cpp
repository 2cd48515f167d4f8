// HARNESS-…: failures of our own parts (hub, PLC simulator, the capture itself). They make the
// run's exit code 3 and must never read as the device's fault.
#include <algorithm>

#include <fmt/format.h>

#include "common/capture_accountant.hpp"
#include "common/event_view.hpp"
#include "harness/rules/context.hpp"

namespace flexhil::rules::detail {

namespace {
std::string gap_message(const CaptureGap& g) {
  if (g.reason == "repeated")
    return fmt::format("audit stream {}: src_seq {} came again (expected {})", g.src, g.got, g.expected);
  if (g.reason == "short-end")
    return fmt::format("audit stream {} ended at src_seq {} but declared {} as its last: {} event(s) missing", g.src,
                       g.expected - 1, g.got, g.missing);
  return fmt::format("audit stream {}: expected src_seq {}, got {}: {} event(s) missing", g.src, g.expected, g.got,
                     g.missing);
}
}  // namespace

void harness_rules(Context& c, const std::vector<Json>& all_events) {
  // All events, also those after run_end: the hub is drained at tear-down, and a gap found then
  // still means the capture is incomplete.
  CaptureAccountant recheck;
  for (const auto& ev : all_events) {
    const EventView e(ev);
    const auto kind = e.kind();
    const auto seq = e.seq();
    if (kind == "hub_error") {
      const auto cause = e.string("cause");
      if (cause == "exited" || cause == "unresponsive" || cause == "not-ready")
        c.findings.add("HARNESS-HUB-DOWN", "", fmt::format("hub {}: {}", cause, e.string("detail")), {seq});
      else if (cause == "malformed-audit")
        c.findings.add("HARNESS-CAPTURE-GAP", "", e.string("detail"), {seq});
    } else if (kind == "plc_error") {
      c.findings.add("HARNESS-PLC-DOWN", "", fmt::format("PLC simulator: {}", e.string("detail")), {seq});
    } else if (kind == "capture_gap") {
      CaptureGap g;
      g.src = e.string("src");
      g.reason = e.string("reason");
      // Never throws on a hand-edited capture: a field of the wrong type reads as 0.
      auto count = [&](const char* key) { return static_cast<std::uint64_t>(std::max<std::int64_t>(0, e.integer(key).value_or(0))); };
      g.expected = count("expected");
      g.got = count("got");
      g.missing = count("missing");
      c.findings.add("HARNESS-CAPTURE-GAP", "", gap_message(g), {seq});
    }
    // The same check over the capture as stored: catches lines lost after the live check.
    for (const auto& g : recheck.observe_event(ev)) c.findings.add("HARNESS-CAPTURE-GAP", "", gap_message(g), {seq});
  }
}

}  // namespace flexhil::rules::detail
