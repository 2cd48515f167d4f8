#include "harness/run/suite_runner.hpp"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <deque>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/process.hpp"
#include "common/signals.hpp"
#include "harness/run/suite_plan.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace flexhil::run {

namespace {

std::optional<std::string> suite_file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_suite_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) throw InfrastructureError("cannot write " + path.string());
}

std::string suite_id() {
  std::string out;
  for (char c : format_wall_iso(std::chrono::system_clock::now()).substr(0, 19))
    if (c != '-' && c != ':') out += c;
  return out + "Z";
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

struct Running {
  std::size_t index;
  ChildProcess child;
  std::chrono::steady_clock::time_point started;
};

}  // namespace

int run_suite(const SuiteOptions& o, std::ostream& out, std::ostream& err) {
  StopSignals stop;  // before the children: they get an empty mask back, this process reads the fd
  const fs::path dir = fs::absolute(o.out_dir.empty() ? fs::path("reports") / ("suite-" + suite_id()) : fs::path(o.out_dir))
                           .lexically_normal();
  fs::create_directories(dir / "logs");
  const std::string self = o.self.empty() ? fs::read_symlink("/proc/self/exe").string() : o.self;
  const auto folders = run_folder_names(o.scenarios);
  std::vector<SuiteEntry> entries(o.scenarios.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    entries[i].scenario = o.scenarios[i];
    entries[i].folder = folders[i];
  }
  const int jobs = std::max(1, o.jobs);
  out << fmt::format("suite: {} scenario(s), {} at a time, reports in {}\n", entries.size(), jobs, dir.string());
  out.flush();

  std::deque<std::size_t> waiting;
  for (std::size_t i = 0; i < entries.size(); ++i) waiting.push_back(i);
  std::vector<Running> running;
  std::size_t finished = 0;
  bool interrupted = false;

  auto finish = [&](Running& r, int status) {
    auto& e = entries[r.index];
    e.exit_code = status;
    e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - r.started).count();
    e.junit = suite_file_text(dir / e.folder / "junit.xml");
    if (status > 3) e.problem = fmt::format("the run ended with status {} (a crash; see logs/{}.log)", status, e.folder);
    else if (!e.junit) e.problem = fmt::format("the run wrote no junit.xml (see logs/{}.log)", e.folder);
    ++finished;
    const char* verdict = status == 0 ? "PASS" : status == 1 ? "FAIL" : "ERROR";
    out << fmt::format("[{}/{}] {} {} (exit {}, {:.1f} s) -> {}\n", finished, entries.size(), verdict, e.scenario,
                       status, e.seconds, (dir / e.folder / "report.html").string());
    out.flush();
  };

  while (!waiting.empty() || !running.empty()) {
    while (!interrupted && !waiting.empty() && static_cast<int>(running.size()) < jobs) {
      const std::size_t i = waiting.front();
      waiting.pop_front();
      ChildProcess::Options c;
      c.argv = {self, "run", entries[i].scenario, "--out", (dir / entries[i].folder).string()};
      c.argv.insert(c.argv.end(), o.run_args.begin(), o.run_args.end());
      c.stdout_path = (dir / "logs" / (entries[i].folder + ".log")).string();
      c.stderr_path = c.stdout_path;
      try {
        running.push_back(Running{i, ChildProcess::spawn(c), std::chrono::steady_clock::now()});
      } catch (const InfrastructureError& e) {
        entries[i].exit_code = 3;
        entries[i].problem = std::string("could not start the run: ") + e.what();
        ++finished;
      }
    }
    for (auto it = running.begin(); it != running.end();) {
      if (auto status = it->child.exit_status()) {
        finish(*it, *status);
        it = running.erase(it);
      } else {
        ++it;
      }
    }
    if (waiting.empty() && running.empty()) break;
    if (stop.wait(50ms) != 0 && !interrupted) {
      interrupted = true;
      err << "flexhil run: stopping the suite: the running scenarios write their reports, the others are skipped\n";
      for (auto& r : running) r.child.signal(SIGTERM);
      for (auto i : waiting) {
        entries[i].exit_code = 3;
        entries[i].problem = "not run: the suite was interrupted";
      }
      waiting.clear();
    }
  }

  write_suite_file(dir / "junit.xml", merge_junit(entries, host_name()));
  write_suite_file(dir / "index.html", render_suite_index(entries, o.title));
  const int code = interrupted ? 3 : worst_exit_code(entries);
  out << fmt::format("suite: exit {}; junit.xml and index.html in {}\n", code, dir.string());
  return code;
}

}  // namespace flexhil::run
