// `flexhil validate`: the rules re-run offline on a recorded capture.jsonl.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "common/error.hpp"
#include "common/event.hpp"
#include "common/run_end_counts.hpp"
#include "harness/cli/commands.hpp"
#include "harness/rules/rules.hpp"
#include "harness/run/console_output.hpp"
#include "harness/run/orchestrator.hpp"
#include "harness/scenario/scenario.hpp"

namespace flexhil::cli {

namespace {

struct ValidateArgs {
  std::string capture;
  std::string scenario;
  std::string out;
  bool allow_partial = false;
};

}  // namespace

void add_validate_command(CLI::App& app, int& exit_code) {
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
    rules::EvaluationTimes times;
    const auto findings = rules::evaluate(read.events, s.expect, &times);
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
                                 exit_code, times);
  });
}

}  // namespace flexhil::cli
