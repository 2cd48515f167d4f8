// DUT-ACTION-MISSING: every outbound action the scenario's [expect] actions lists must have been
// started by the device's program (a dut_action event with phase "start").
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/event_view.hpp"
#include "harness/rules/context.hpp"

namespace flexhil::rules::detail {

void action_rules(Context& c) {
  if (c.expect.actions.empty()) return;
  std::set<std::string> started;
  std::string device;
  for (const auto& ev : c.events) {
    const EventView e(ev);
    if (e.kind() != "dut_action" || e.text("phase") != "start") continue;
    started.insert(std::string(e.text("action")));
    if (device.empty()) device = e.string("device");
  }
  if (device.empty() && !c.expect.devices.empty()) device = c.expect.devices.front();
  for (const auto& kind : c.expect.actions) {
    if (started.count(kind)) continue;
    c.findings.add("DUT-ACTION-MISSING", device,
                   fmt::format("the program never started a {} action during the run (started: {})", kind,
                               started.empty() ? std::string("none") : fmt::format("{}", fmt::join(started, ", "))),
                   {});
  }
}

}  // namespace flexhil::rules::detail
