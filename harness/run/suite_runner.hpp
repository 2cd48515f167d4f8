#pragma once
// Runs a suite (suite_plan.hpp): each scenario is its own `flexhil run <scenario> --out
// <suite>/<name>` child process — its own hub, PLC, ports and folder, so a run that crashes or
// hangs takes nothing else down — at most `jobs` at a time. Ctrl-C / SIGTERM stops the running
// children (each still writes its report, exit 3) and skips the rest. Then the suite's
// junit.xml and index.html are written and the worst exit code returned.
#include <ostream>
#include <string>
#include <vector>

namespace flexhil::run {

struct SuiteOptions {
  std::vector<std::string> scenarios;  // collected and sharded
  std::string out_dir;                 // the suite folder ("" = reports/suite-<run id>/)
  int jobs = 1;
  std::vector<std::string> run_args;   // passed to every run (--time-scale 20, --pki DIR, …)
  std::string self;                    // the flexhil binary ("" = /proc/self/exe)
  std::string title = "flexhil suite";
};

int run_suite(const SuiteOptions& options, std::ostream& out, std::ostream& err);

}  // namespace flexhil::run
