// `flexhil run`: a scenario end to end — hub, PLC, device under test, rules, reports.
#include <iostream>
#include <memory>

#include "common/error.hpp"
#include "harness/cli/commands.hpp"
#include "harness/run/orchestrator.hpp"
#include "harness/scenario/scenario.hpp"

namespace flexhil::cli {

namespace {

struct RunArgs {
  std::string scenario;
  std::string out;
  std::string metrics;
  double time_scale = 0;
};

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run", "Run a scenario: hub, PLC, device under test, rules, reports");
  cmd->footer(
      "Starts the impersonated IoT Hub, the simulated PLC and the device under test (emulated Flexy, or\n"
      "waits for a real one), records every event to capture.jsonl, runs the scheduled actions, judges the\n"
      "run with the rules and writes junit.xml, summary.json and report.html.\n"
      "Exit codes: 0 passed, 1 findings fail the scenario, 2 configuration error, 3 infrastructure failure.\n"
      "Example: flexhil run scenarios/demo.toml --out /tmp/demo --time-scale 20");
  cmd->add_option("scenario", args->scenario, "Scenario file (TOML, docs/scenarios.md)")->required();
  cmd->add_option("--out", args->out, "Report folder (default reports/<scenario>/<run-id>/)");
  cmd->add_option("--metrics", args->metrics, "Serve Prometheus /metrics on ADDR:PORT during the run");
  cmd->add_option("--time-scale", args->time_scale, "Scenario seconds per real second (overrides the scenario)")
      ->check(CLI::Range(0.001, 1000.0));
  cmd->callback([args, &exit_code] {
    auto s = scenario::load_scenario(args->scenario);
    if (args->time_scale > 0) {
      s.time_scale = args->time_scale;
      s.expect.time_scale = args->time_scale;
      if (s.dut.flexy) s.dut.flexy->time_scale = args->time_scale;
    }
    if (!args->metrics.empty()) s.metrics.listen = args->metrics;
    run::RunOptions options;
    options.out_dir = args->out;
    exit_code = run::run_scenario(s, options, std::cout, std::cerr);
  });
}

}  // namespace flexhil::cli
