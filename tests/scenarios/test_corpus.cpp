// The compatibility corpus (fixtures/programs/corpus/): programs modelled on published eWON
// programs, each `<name>.bas` with its scenario `<name>.toml`. Discovered by glob when the test
// runs, so a new entry needs no CMake change; each scenario is run by the real `flexhil run`
// (own --out folder, ephemeral ports), several at a time, and judged as tests/scenarios judges
// the library: exit 0 (the declared findings found, nothing else), and with exact_findings the
// same rule ids in summary.json.
#define BOOST_TEST_MODULE test_corpus
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/event.hpp"
#include "common/process.hpp"
#include "harness/scenario/scenario.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_env.hpp"
#include "tests/support/file_text.hpp"

using flexhil::testing::read_text;

namespace fs = std::filesystem;
using namespace flexhil;
using namespace std::chrono_literals;

namespace {

// The corpus convention: short scenarios (at most a minute of scenario time).
constexpr double kMaxScenarioSeconds = 60;
// One run may take this long in wall time before it counts as hung.
constexpr auto kRunTimeout = 120s;

fs::path corpus_dir() { return fs::path(testing::source_dir()) / "fixtures" / "programs" / "corpus"; }

std::vector<fs::path> corpus_scenarios() {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(corpus_dir(), ec))
    if (entry.is_regular_file() && entry.path().extension() == ".toml") out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

// How many runs at once: FLEXHIL_CORPUS_JOBS, default 3 (a run mostly waits on its scaled clock,
// so three fit on two cores).
std::size_t parallel_runs() {
  if (const char* v = std::getenv("FLEXHIL_CORPUS_JOBS")) {
    const int n = std::atoi(v);
    if (n >= 1 && n <= 16) return static_cast<std::size_t>(n);
  }
  return 3;
}

struct CorpusRun {
  fs::path scenario;
  fs::path out;        // the run's --out folder
  fs::path console;    // its stdout and stderr
  ChildProcess child;
  std::optional<int> status;
  bool timed_out = false;
  std::chrono::steady_clock::time_point started;
};

std::set<std::string> found_rule_ids(const fs::path& summary_file) {
  std::set<std::string> ids;
  const auto summary = Json::parse(read_text(summary_file), nullptr, /*allow_exceptions=*/false);
  if (!summary.is_object() || !summary.contains("findings") || !summary["findings"].is_array()) return ids;
  for (const auto& f : summary["findings"])
    if (f.is_object() && f.contains("rule") && f["rule"].is_string()) ids.insert(f["rule"].get<std::string>());
  return ids;
}

std::string joined(const std::set<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out.empty() ? "none" : out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_corpus_entry_is_a_program_with_a_short_scenario_that_loads) {
  const auto scenarios = corpus_scenarios();
  BOOST_REQUIRE_MESSAGE(!scenarios.empty(), "no *.toml in " << corpus_dir().string());
  for (const auto& file : scenarios) {
    BOOST_TEST_CONTEXT(file.filename().string()) {
      auto program = file;
      program.replace_extension(".bas");
      BOOST_TEST(fs::is_regular_file(program), program.filename().string() << " must sit next to its scenario");
      try {
        const auto s = scenario::load_scenario(file.string());
        BOOST_TEST(s.duration_s <= kMaxScenarioSeconds, "duration " << s.duration_s << " s (corpus scenarios: at most 60 s)");
        BOOST_TEST(fs::equivalent(s.dut.program_file, program), "[dut] program must be " << program.filename().string());
      } catch (const std::exception& e) {
        BOOST_ERROR("does not load: " << e.what());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(every_corpus_program_runs_as_its_scenario_declares) {
  const auto scenarios = corpus_scenarios();
  BOOST_REQUIRE(!scenarios.empty());
  testing::TempDir dir("flexhil-corpus");
  std::deque<CorpusRun> waiting;
  for (const auto& file : scenarios) {
    CorpusRun r;
    r.scenario = file;
    r.out = dir.path() / file.stem();
    r.console = dir.path() / (file.stem().string() + ".console.log");
    waiting.push_back(std::move(r));
  }
  std::vector<CorpusRun> running, done;
  const auto jobs = parallel_runs();
  while (!waiting.empty() || !running.empty()) {
    while (!waiting.empty() && running.size() < jobs) {
      auto r = std::move(waiting.front());
      waiting.pop_front();
      ChildProcess::Options o;
      o.argv = {testing::flexhil_binary(), "run", r.scenario.string(), "--out", r.out.string()};
      o.stdout_path = r.console.string();
      o.stderr_path = r.console.string();
      r.child = ChildProcess::spawn(o);
      r.started = std::chrono::steady_clock::now();
      running.push_back(std::move(r));
    }
    for (auto it = running.begin(); it != running.end();) {
      it->status = it->child.wait_for(50ms);
      if (!it->status && std::chrono::steady_clock::now() - it->started > kRunTimeout) {
        it->timed_out = true;
        it->status = it->child.stop();
      }
      if (it->status) {
        done.push_back(std::move(*it));
        it = running.erase(it);
      } else {
        ++it;
      }
    }
  }

  for (const auto& r : done) {
    const auto name = r.scenario.filename().string();
    BOOST_TEST_CONTEXT(name) {
      const auto console = read_text(r.console);
      BOOST_TEST(!r.timed_out, "no result within " << kRunTimeout.count() << " s\n" << console);
      BOOST_TEST(*r.status != 134, "flexhil crashed (abort)\n" << console);
      BOOST_TEST(*r.status != 139, "flexhil crashed (segfault)\n" << console);
      BOOST_TEST(*r.status == 0, "exit code " << *r.status << "\n" << console);
      const auto summary = r.out / "summary.json";
      BOOST_REQUIRE_MESSAGE(fs::exists(summary), "no summary.json\n" << console);
      const auto s = scenario::load_scenario(r.scenario.string());
      if (s.findings.exact) {
        const std::set<std::string> want(s.findings.exact->begin(), s.findings.exact->end());
        const auto found = found_rule_ids(summary);
        BOOST_TEST(found == want, "found " << joined(found) << ", declared " << joined(want));
      }
    }
  }
}
