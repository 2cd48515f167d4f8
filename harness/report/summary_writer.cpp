// summary.json: the machine-readable verdict of a run (scripts, dashboards, the scenario library
// check). Field names are stable; docs in harness/report/README.md.
#include "harness/report/labels.hpp"
#include "harness/report/report.hpp"
#include "harness/report/run_stats.hpp"

namespace flexhil::report {

std::string render_summary_json(const ReportInput& input) {
  const RunStats stats = compute_stats(input.events);
  Json j;
  j["scenario"] = input.scenario;
  j["run"] = input.run_id;
  j["started"] = input.started_wall;
  j["duration_s"] = input.duration_s;
  j["time_scale"] = input.time_scale;
  j["passed"] = input.passed;
  j["verdict"] = input.verdict();
  j["exit_code"] = input.exit_code;
  j["exit_reason"] = input.exit_reason;
  j["partial"] = input.partial;
  if (input.partial) j["capture_problem"] = input.capture_problem;
  j["not_applicable"] = input.not_applicable;

  Json counts = {{"error", 0}, {"warning", 0}, {"info", 0}};
  Json findings = Json::array();
  for (const auto& f : input.findings) {
    const std::string severity(severity_label(f.severity));
    counts[severity] = counts[severity].get<int>() + 1;
    findings.push_back({{"rule", f.rule_id},
                        {"severity", severity},
                        {"device", f.device},
                        {"hub", std::string(hub_label(f.hub))},
                        {"message", f.message},
                        {"evidence", f.evidence}});
  }
  j["counts"] = counts;
  j["findings"] = findings;

  Json devices = Json::object();
  for (const auto& [id, d] : stats.devices) {
    devices[std::string(device_label(id))] = {{"messages", d.messages},
                                              {"bytes", d.bytes},
                                              {"refused_publishes", d.refused_publishes},
                                              {"connects_accepted", d.connects_accepted},
                                              {"connects_refused", d.connects_refused},
                                              {"disconnects", d.disconnects}};
  }
  // Devices of the scenario that never showed up still get a zero row.
  for (const auto& id : input.devices)
    if (devices[id].empty())
      devices[id] = {{"messages", 0}, {"bytes", 0},           {"refused_publishes", 0},
                     {"connects_accepted", 0}, {"connects_refused", 0}, {"disconnects", 0}};
  j["devices"] = devices;

  Json verdicts = {{"accepted", 0}, {"refused", 0}};
  for (const auto& [verdict, n] : stats.connect_verdicts) verdicts[verdict] = n;
  j["connect_attempts"] = verdicts;
  j["events"] = stats.events_by_kind;

  if (const auto& declared = input.declared_findings) {
    j["declared_findings"] = {{"exact", declared->exact},       {"expected", declared->expected},
                              {"must_not", declared->must_not}, {"missing", declared->missing},
                              {"unexpected", declared->unexpected}, {"ok", declared->ok()}};
  }
  // Device ids and messages come from the wire: never let invalid UTF-8 abort the summary.
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace flexhil::report
