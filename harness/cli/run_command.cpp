// `flexhil run`: a scenario end to end — hub, PLC, device under test, rules, reports.
#include <filesystem>
#include <iostream>
#include <memory>

#include "common/error.hpp"
#include "harness/cli/commands.hpp"
#include "harness/run/orchestrator.hpp"
#include "harness/run/suite_plan.hpp"
#include "harness/run/suite_runner.hpp"
#include "harness/scenario/scenario.hpp"

namespace flexhil::cli {

namespace {

struct RunArgs {
  std::vector<std::string> scenarios;
  int jobs = 0;
  std::string shard;
  std::string out;
  std::string metrics;
  double metrics_linger = -1;
  double time_scale = 0;
  std::string pki;
  std::vector<std::string> extra_names;
};

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run", "Run a scenario (or a suite of them): hub, PLC, device under test, rules, reports");
  cmd->footer(
      "Starts the impersonated IoT Hub, the simulated PLC and the device under test (emulated Flexy, or\n"
      "waits for a real one), records every event to capture.jsonl, runs the scheduled actions, judges the\n"
      "run with the rules and writes junit.xml, summary.json and report.html.\n"
      "Exit codes: 0 passed, 1 findings fail the scenario, 2 configuration error, 3 infrastructure failure.\n"
      "Several scenarios or a folder make a suite: each runs as its own process (own ports and folder), -j at\n"
      "a time; the suite folder gets one junit.xml with every run's cases, index.html and logs/; the exit code\n"
      "is the worst run's. --shard K/N keeps every N-th scenario from the K-th (CI matrix jobs).\n"
      "Example: flexhil run scenarios/demo.toml --out /tmp/demo --time-scale 20\n"
      "Suite:   flexhil run scenarios/library/ -j 2 --shard 1/2 --out reports/ci --time-scale 20\n"
      "Bench:   flexhil run bench.toml --pki bench/pki --extra-name 192.168.1.10");
  cmd->add_option("scenario", args->scenarios, "Scenario files or folders of them (TOML, docs/scenarios.md)")
      ->required();
  cmd->add_option("-j,--jobs", args->jobs, "Suite: scenarios run at the same time (default 1)")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--shard", args->shard, "Suite: run only share K of N (K/N, e.g. $CI_NODE_INDEX/$CI_NODE_TOTAL)");
  cmd->add_option("--out", args->out,
                  "Report folder (default reports/<scenario>/<run-id>/; a suite: reports/suite-<run-id>/)");
  cmd->add_option("--metrics", args->metrics, "Serve Prometheus /metrics on ADDR:PORT during the run");
  cmd->add_option("--metrics-linger", args->metrics_linger,
                  "Seconds /metrics stays up after the run with the final state (default 30, [metrics] linger)")
      ->check(CLI::Range(0.0, 3600.0));
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
    const bool suite = args->scenarios.size() > 1 || args->jobs > 0 || !args->shard.empty() ||
                       std::filesystem::is_directory(args->scenarios.front());
    if (suite) {
      if (!args->metrics.empty())
        throw ConfigError({"--metrics"}, "serves the metrics of one run; a suite's runs each have their own [metrics]");
      run::SuiteOptions o;
      auto all = run::collect_scenarios(args->scenarios);
      o.scenarios = args->shard.empty() ? all : run::shard_of(all, run::parse_shard(args->shard));
      o.out_dir = args->out;
      o.jobs = args->jobs > 0 ? args->jobs : 1;
      if (args->time_scale > 0) o.run_args.insert(o.run_args.end(), {"--time-scale", std::to_string(args->time_scale)});
      if (!args->pki.empty()) o.run_args.insert(o.run_args.end(), {"--pki", std::filesystem::absolute(args->pki).string()});
      for (const auto& name : args->extra_names) o.run_args.insert(o.run_args.end(), {"--extra-name", name});
      if (!args->shard.empty()) o.title = "flexhil suite, shard " + args->shard;
      exit_code = run::run_suite(o, std::cout, std::cerr);
      return;
    }
    auto s = scenario::load_scenario(args->scenarios.front());
    if (args->time_scale > 0) {
      s.time_scale = args->time_scale;
      s.expect.time_scale = args->time_scale;
      if (s.dut.flexy) s.dut.flexy->time_scale = args->time_scale;
      for (auto& m : s.members)
        if (m.flexy) m.flexy->time_scale = args->time_scale;
    }
    if (!args->metrics.empty()) s.metrics.listen = args->metrics;
    if (args->metrics_linger >= 0) s.metrics.linger_s = args->metrics_linger;
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
