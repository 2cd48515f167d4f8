// TLS-CA-BUNDLE-…: the verdict the harness recorded on the user's real CA bundle (a ca_bundle
// event, harness/run/user_ca_check.hpp). The judging itself is certs/ca_bundle_check, done when
// the run starts at the scenario's date; the rule reads the recorded verdict, so `flexhil
// validate` gives the same finding whatever day it runs.
#include <fmt/format.h>

#include "common/event_view.hpp"
#include "harness/rules/context.hpp"

namespace flexhil::rules::detail {

void ca_bundle_rules(Context& c) {
  for (const auto& ev : c.events) {
    const EventView e(ev);
    if (e.kind() != "ca_bundle") continue;
    const auto verdict = e.text("verdict");
    const char* rule = verdict == "outdated" ? "TLS-CA-BUNDLE-OUTDATED"
                       : verdict == "missing-g2" ? "TLS-CA-BUNDLE-MISSING-G2"
                                                 : nullptr;
    if (rule == nullptr) continue;
    c.findings.add(rule, e.string("device"),
                   fmt::format("CA bundle {} (judged at {}): {}", e.text("file"), e.text("judged_at"), e.text("message")),
                   {e.seq()});
  }
}

}  // namespace flexhil::rules::detail
