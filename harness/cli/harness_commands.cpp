// `flexhil run`, `flexhil check`, `flexhil validate` and `flexhil rules`.
#include <fmt/format.h>
#include <iostream>
#include <memory>

#include "common/error.hpp"
#include "common/event.hpp"
#include "common/run_end_counts.hpp"
#include "harness/cli/commands.hpp"
#include "harness/rules/catalogue.hpp"
#include "harness/rules/rules.hpp"
#include "harness/run/console_output.hpp"
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

struct ValidateArgs {
  std::string capture;
  std::string scenario;
  std::string out;
  bool allow_partial = false;
};

void add_run(CLI::App& app, int& exit_code) {
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

void add_check(CLI::App& app, int& exit_code) {
  auto path = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("check", "Validate a scenario file without running it");
  cmd->footer("Loads the scenario strictly (unknown keys, wrong types and out-of-range values are errors\n"
              "with file:line:col), including its [plc], [dut.flexy] and device registry.\n"
              "Exit codes: 0 valid, 2 invalid.\nExample: flexhil check scenarios/demo.toml");
  cmd->add_option("scenario", *path, "Scenario file (TOML)")->required();
  cmd->callback([path, &exit_code] {
    const auto s = scenario::load_scenario(*path);
    std::cout << fmt::format("{}: ok — scenario '{}', {} s at time scale {} ({} s wall), DUT {} '{}', {} selected "
                             "tag(s), {} action(s)\n",
                             *path, s.name, s.duration_s, s.time_scale, s.duration_s / s.time_scale,
                             s.dut.kind == scenario::DutKind::emulated ? "emulated" : "external", s.dut.device,
                             s.expect.tags.size(), s.actions.size());
    exit_code = exit_code::ok;
  });
}

void add_validate(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ValidateArgs>();
  auto* cmd = app.add_subcommand("validate", "Re-run the rules offline on a capture.jsonl");
  cmd->footer("Judges a recorded capture with the scenario's expectations, exactly as the live run did.\n"
              "The capture must be complete: it ends with a run_end event whose counts match the events read.\n"
              "Exit codes: 0 passed, 1 findings fail the scenario, 2 bad scenario or unreadable capture (missing,\n"
              "a directory, empty, a line that is not a JSON object, nesting deeper than 256, a number out of\n"
              "range; with file:line:col), 3 INCOMPLETE capture (the verdict is shown as provisional) unless\n"
              "--allow-partial, which lets the verdict stand, marked partial.\n"
              "Example: flexhil validate reports/demo/20261126T080012Z/capture.jsonl --scenario scenarios/demo.toml");
  cmd->add_option("capture", args->capture, "capture.jsonl of a run")->required();
  cmd->add_option("--scenario", args->scenario, "Scenario file whose [expect] judges the capture")->required();
  cmd->add_option("--out", args->out, "Also write junit.xml, summary.json and report.html into this folder");
  cmd->add_flag("--allow-partial", args->allow_partial,
                "Judge an incomplete capture (no run_end, counts that differ) and mark the verdict partial");
  cmd->callback([args, &exit_code] {
    const auto s = scenario::load_scenario(args->scenario);
    const auto read = read_capture_file(args->capture);
    auto check = check_capture_counts(read.events);
    if (read.truncated_line)
      check = {false, fmt::format("line {} is an unfinished event (cut off mid-write){}", read.truncated_line,
                                  check.complete ? "" : "; " + check.problem)};
    const auto findings = rules::evaluate(read.events, s.expect);
    const auto verdict = rules::judge(findings, s.findings);
    // A gap in the hub's audit stream (HARNESS-CAPTURE-GAP) or a failed part of ours is exit 3
    // even when the capture's counts are complete.
    const int judged = verdict.infrastructure ? exit_code::infrastructure
                       : verdict.passed       ? exit_code::ok
                                              : exit_code::findings;
    run::print_findings(std::cout, findings);
    if (check.complete) {
      run::print_verdict(std::cout, verdict);
      exit_code = judged;
    } else if (args->allow_partial) {
      std::cout << verdict.summary << " (partial: " << check.problem << ")\n";
      exit_code = judged;
    } else {
      std::cout << "provisional: " << verdict.summary << '\n';
      std::cerr << fmt::format("{}: INCOMPLETE capture: {} (--allow-partial judges it anyway)\n", args->capture,
                               check.problem);
      exit_code = exit_code::infrastructure;
    }
    if (!args->out.empty())
      run::write_offline_reports(s, read.events, findings, verdict, args->out, check.complete ? "" : check.problem,
                                 exit_code);
  });
}

void add_rules(CLI::App& app, int& exit_code) {
  auto markdown = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("rules", "List every rule the harness can report");
  cmd->footer("With --markdown, prints docs/rules.md (generated from the catalogue).\n"
              "Example: flexhil rules --markdown > docs/rules.md");
  cmd->add_flag("--markdown", *markdown, "Print the Markdown document (docs/rules.md)");
  cmd->callback([markdown, &exit_code] {
    if (*markdown) {
      std::cout << rules::catalogue_markdown();
    } else {
      for (const auto& r : rules::catalogue())
        std::cout << fmt::format("{:<34} {:<8} {:<7} {:<17} {}\n", r.id, r.area, rules::to_string(r.severity),
                                 rules::to_string(r.hub), r.title);
    }
    exit_code = exit_code::ok;
  });
}

}  // namespace

void add_harness_commands(CLI::App& app, int& exit_code) {
  add_run(app, exit_code);
  add_check(app, exit_code);
  add_validate(app, exit_code);
  add_rules(app, exit_code);
}

}  // namespace flexhil::cli
