#pragma once
// A suite: `flexhil run A.toml B.toml scenarios/pass/ -j 2 --shard 1/3`. Which scenarios run
// (files as given, folders' *.toml in name order), the deterministic share of one CI shard, each
// run's folder, and what the suite writes when they are done: one junit.xml that holds every
// run's <testsuite>, an index.html linking each report, and the worst exit code. Pure apart from
// listing the folders named on the command line (collect_scenarios).
#include <optional>
#include <string>
#include <vector>

namespace flexhil::run {

// "K/N" with 1 <= K <= N: this job's share of a suite split over N CI jobs.
struct Shard {
  int index = 1;  // K
  int count = 1;  // N
};
// Throws ConfigError ({"--shard"}) for anything but "K/N" with 1 <= K <= N <= 1000.
Shard parse_shard(const std::string& text);

// The scenario files named by `args`: a file as it is, a folder's *.toml files (not recursive),
// sorted by path; duplicates once. Throws ConfigError for a path that does not exist, a folder
// without scenarios, or a file that is not .toml.
std::vector<std::string> collect_scenarios(const std::vector<std::string>& args);

// Every N-th scenario starting at the K-th, of the sorted list: the same split on every machine,
// and each scenario in exactly one shard.
std::vector<std::string> shard_of(const std::vector<std::string>& scenarios, const Shard& shard);

// Folder names under the suite folder: the file stem, made unique with -2, -3, … in list order.
std::vector<std::string> run_folder_names(const std::vector<std::string>& scenarios);

// What one scenario's run left behind, for the suite's reports.
struct SuiteEntry {
  std::string scenario;         // the path as collected
  std::string folder;           // its run folder, relative to the suite folder
  int exit_code = 3;            // the run's exit code (3 when it could not start or crashed)
  double seconds = 0;           // wall time of the run
  std::optional<std::string> junit;  // its junit.xml text, if it wrote one
  std::string problem;          // why the run failed to report ("" when it did)
};

// One <testsuites> holding every run's <testsuite> elements, totals summed; a run without a
// junit.xml is a <testsuite> with one <error> testcase naming the scenario and the problem.
std::string merge_junit(const std::vector<SuiteEntry>& entries, const std::string& hostname);

// index.html: one row per scenario — verdict, exit code, time, link to its report.html.
std::string render_suite_index(const std::vector<SuiteEntry>& entries, const std::string& title);

// The suite's exit code: the worst of the runs (3 > 2 > 1 > 0); 0 for an empty suite.
int worst_exit_code(const std::vector<SuiteEntry>& entries);

}  // namespace flexhil::run
