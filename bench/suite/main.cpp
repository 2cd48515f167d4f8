// bench_suite: the scenario library as one suite, `flexhil run <dirs> -j 1` against `-j 2`, in
// the same invocation: wall time of each, scenarios per minute, the worst exit code, and
// `ratio j2/j1` (the speed-up of running two scenarios side by side). Prints, never asserts.
// Usage: bench_suite [flexhil binary] [source dir] [time scale]
//   defaults: the flexhil next to this build (FLEXHIL_BINARY), the source tree (FLEXHIL_SOURCE), 20
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace {

struct Timing {
  double seconds = 0;
  int exit_code = -1;
};

Timing run_suite(const std::string& flexhil, const std::string& source, int jobs, const std::string& scale) {
  const auto out = std::filesystem::temp_directory_path() / ("flexhil-bench-suite-j" + std::to_string(jobs));
  std::filesystem::remove_all(out);
  const std::string command = "'" + flexhil + "' run '" + source + "/scenarios/pass' '" + source +
                              "/scenarios/bad' -j " + std::to_string(jobs) + " --time-scale " + scale + " --out '" +
                              out.string() + "' > '" + out.string() + ".log' 2>&1";
  const auto t0 = std::chrono::steady_clock::now();
  const int status = std::system(command.c_str());
  Timing t;
  t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  t.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string flexhil = argc > 1 ? argv[1] : FLEXHIL_BINARY;
  const std::string source = argc > 2 ? argv[2] : FLEXHIL_SOURCE;
  const std::string scale = argc > 3 ? argv[3] : "20";
  std::size_t scenarios = 0;
  for (const char* dir : {"/scenarios/pass", "/scenarios/bad"})
    for (const auto& e : std::filesystem::directory_iterator(source + dir))
      if (e.path().extension() == ".toml") ++scenarios;
  const auto j1 = run_suite(flexhil, source, 1, scale);
  const auto j2 = run_suite(flexhil, source, 2, scale);
  for (const auto& [jobs, t] : {std::pair{1, j1}, std::pair{2, j2}})
    std::printf("suite -j%d  %zu scenarios  %7.1f s  %5.1f scenarios/min  exit %d\n", jobs, scenarios, t.seconds,
                scenarios / t.seconds * 60, t.exit_code);
  std::printf("ratio j2/j1 = %.2f (above 1: -j 2 is faster)\n", j1.seconds / j2.seconds);
  return 0;
}
