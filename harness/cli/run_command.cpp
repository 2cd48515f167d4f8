// `flexhil run`: a scenario end to end — hub, PLC, device under test, rules, reports.
#include <filesystem>
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
  std::string pki;
  std::vector<std::string> extra_names;
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
      "Example: flexhil run scenarios/demo.toml --out /tmp/demo --time-scale 20\n"
      "Bench:   flexhil run bench.toml --pki bench/pki --extra-name 192.168.1.10");
  cmd->add_option("scenario", args->scenario, "Scenario file (TOML, docs/scenarios.md)")->required();
  cmd->add_option("--out", args->out, "Report folder (default reports/<scenario>/<run-id>/)");
  cmd->add_option("--metrics", args->metrics, "Serve Prometheus /metrics on ADDR:PORT during the run");
  cmd->add_option("--time-scale", args->time_scale, "Scenario seconds per real second (overrides the scenario)")
      ->check(CLI::Range(0.001, 1000.0));
  cmd->add_option("--pki", args->pki,
                  "directory of the hub CA (ca.crt/ca.key, made if absent), as `flexhil hub --pki`: a bench Flexy "
                  "keeps one CA file across runs (overrides [hub] pki_dir)");
  cmd->add_option("--extra-name", args->extra_names,
                  "extra DNS name or IP address for the hub's server certificate, e.g. the bench PC's address "
                  "(repeatable; added to [hub] extra_names and [dut] advertise)")
      ->check(CLI::Validator([](std::string& v) { return v.empty() ? std::string("must not be empty") : std::string(); },
                             "NAME"));
  cmd->callback([args, &exit_code] {
    auto s = scenario::load_scenario(args->scenario);
    if (args->time_scale > 0) {
      s.time_scale = args->time_scale;
      s.expect.time_scale = args->time_scale;
      if (s.dut.flexy) s.dut.flexy->time_scale = args->time_scale;
    }
    if (!args->metrics.empty()) s.metrics.listen = args->metrics;
    if (!args->pki.empty()) {
      if (std::filesystem::exists(args->pki) && !std::filesystem::is_directory(args->pki))
        throw ConfigError({"--pki"}, "'" + args->pki + "' exists and is not a directory");
      s.hub.pki_dir = std::filesystem::absolute(args->pki).lexically_normal().string();
    }
    for (const auto& name : args->extra_names) s.hub.extra_names.push_back(name);
    run::RunOptions options;
    options.out_dir = args->out;
    exit_code = run::run_scenario(s, options, std::cout, std::cerr);
  });
}

}  // namespace flexhil::cli
