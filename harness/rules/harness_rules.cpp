// HARNESS-…: failures of our own parts (hub, PLC simulator, the capture itself). They make the
// run's exit code 3 and must never read as the device's fault.
#include <fmt/format.h>

#include "common/capture_accountant.hpp"
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
    const auto kind = str(ev, "kind");
    const auto seq = seq_of(ev);
    if (kind == "hub_error") {
      const auto cause = str(ev, "cause");
      if (cause == "exited" || cause == "unresponsive" || cause == "not-ready")
        c.findings.add("HARNESS-HUB-DOWN", "", fmt::format("hub {}: {}", cause, str(ev, "detail")), {seq});
      else if (cause == "malformed-audit")
        c.findings.add("HARNESS-CAPTURE-GAP", "", str(ev, "detail"), {seq});
    } else if (kind == "plc_error") {
      c.findings.add("HARNESS-PLC-DOWN", "", fmt::format("PLC simulator: {}", str(ev, "detail")), {seq});
    } else if (kind == "capture_gap") {
      CaptureGap g;
      g.src = str(ev, "src");
      g.reason = str(ev, "reason");
      g.expected = ev.value("expected", std::uint64_t{0});
      g.got = ev.value("got", std::uint64_t{0});
      g.missing = ev.value("missing", std::uint64_t{0});
      c.findings.add("HARNESS-CAPTURE-GAP", "", gap_message(g), {seq});
    }
    // The same check over the capture as stored: catches lines lost after the live check.
    for (const auto& g : recheck.observe_event(ev)) c.findings.add("HARNESS-CAPTURE-GAP", "", gap_message(g), {seq});
  }
}

}  // namespace flexhil::rules::detail
