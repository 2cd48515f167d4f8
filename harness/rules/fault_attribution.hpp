#pragma once
// Device findings whose evidence lies inside an injected fault or a failure of our own parts say
// so: "VALUE-MISMATCH … (during plc_fault down 120.0–150.0 s)". Pure post-processing of the
// findings, run at the end of rules::evaluate. Windows (scenario seconds):
//   plc_fault start … its end (or the end of the run);
//   action broker-restart … the device's next accepted connect (or the end of the run);
//   action wan link down … link up (or the end of the run), for that device;
//   hub_error / plc_error … the end of the run.
#include <vector>

#include "harness/rules/context.hpp"
#include "harness/rules/finding.hpp"

namespace flexhil::rules::detail {

void attribute_faults(std::vector<Finding>& findings, const Context& c);

}  // namespace flexhil::rules::detail
