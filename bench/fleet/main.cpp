// bench_fleet: how large a fleet one machine carries. For each N, one `flexhil run` of a generated
// fleet scenario: N emulated Flexys (X.509, a certificate generated per member), each with 50
// Modbus tags polled every second from one PLC (ten of them changing all the time), the correct
// publisher pushing changes every 2 s and every tag every 20 s, in real time (time scale 1), all rules judged. Per N it prints the
// wall time, the CPU of the run (flexhil, mosquitto and their children), the largest process's RSS,
// messages/s, and `ratio received/expected`: the messages the hub recorded over those the
// programs' cadence sends (N × (duration − 5 s of staggered start) × (1/2 + 1/20)) — the baseline counted independently
// of the harness, from what the program is configured to do. "lost" is a capture gap; "cadence" a
// CADENCE-FULL-PUSH or CADENCE-CHANGE-PUSH finding (a correct program: the harness could not keep up). The largest N with
// neither is the capacity. Prints, never asserts.
// Usage: bench_fleet [N …] (default 50 100 200); FLEXHIL_BENCH_SECONDS (default 60) per run.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

extern char** environ;

namespace {

constexpr int kTags = 50;

std::string scenario_text(int n, int seconds) {
  std::string t = "name = \"bench-fleet-" + std::to_string(n) + "\"\nduration = \"" + std::to_string(seconds) +
                  "s\"\ntime_scale = 1\n\n[hub]\n[hub.registry]\nhub = \"flexhil-hub\"\n\n[fleet]\ncount = " +
                  std::to_string(n) + "\n# every member up within 10 s: no connection storm\nstagger = \"" +
                  std::to_string(10.0 / n) + "s\"\n\n[plc]\n";
  // As on a plant, a few tags move all the time and most hardly ever: every fifth a sine, the rest
  // counters stepping once a minute or slower (a change push carrying every tag would read as a
  // full push to the cadence rules).
  for (int k = 0; k < kTags; ++k) {
    t += "[[plc.point]]\nname = \"P" + std::to_string(k) + "\"\naddress = \"4" + std::to_string(10001 + k).substr(1) + "\"\n";
    t += k % 5 == 0 ? "waveform = \"sine\"\nmean = 1000\namplitude = 400\nperiod = \"" + std::to_string(20 + k) + "s\"\n"
                    : "waveform = \"counter\"\ninterval = \"" + std::to_string(60 + 7 * k) + "s\"\n";
  }
  t += "\n[dut]\ndevice = \"Flexy{n:04}\"\nprogram = \"" + std::string(FLEXHIL_SOURCE) +
       "/scenarios/programs/configurable_publisher.bas\"\ndevice_cert = \"/usr/Flexy{n:04}.crt\"\n"
       "device_key = \"/usr/Flexy{n:04}.key\"\n\n[dut.flexy]\ntime_zone = \"UTC\"\n[dut.flexy.topic.A]\npoll = \"1s\"\n"
       "unit_id = 1\nip = \"127.0.0.1\"\n";
  for (int k = 0; k < kTags; ++k)
    t += "[[dut.flexy.tag]]\nname = \"T" + std::to_string(k) + "\"\ntype = \"integer\"\naddress = \"4" +
         std::to_string(10001 + k).substr(1) + "\"\ngroups = [\"A\"]\n";
  const std::pair<const char*, int> cfg[] = {{"CfgSas", 0},        {"CfgGroupB", 0},     {"CfgFullPeriod", 20},
                                             {"CfgCheckStatus", 1}, {"CfgLocalTime", 0},  {"CfgStrings", 0},
                                             {"CfgContentType", 1}, {"CfgBadLabel", 0}};
  for (const auto& [name, value] : cfg)
    t += std::string("[[dut.flexy.tag]]\nname = \"") + name + "\"\ntype = \"integer\"\ninitial = " +
         std::to_string(value) + "\n";
  t += "\n[expect]\ngroups = [\"A\"]\nconnect_within = \"30s\"\nfull_push_period = \"20s\"\n"
       "change_push_period = \"2s\"\nperiod_tolerance = \"1.5s\"\nrequired_keys = [\"time\"]\n"
       "[metrics]\ndevice_labels = false\n";
  return t;
}

struct Run {
  double wall_s = 0, cpu_s = 0, max_rss_mib = 0;
  int exit_code = -1;
  std::size_t messages = 0;
  std::set<std::string> findings;
  bool partial = true;
};

Run run_fleet(int n, int seconds) {
  const auto dir = std::filesystem::temp_directory_path() / ("flexhil-bench-fleet-" + std::to_string(n));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto scenario = (dir / "fleet.toml").string();
  std::ofstream(scenario) << scenario_text(n, seconds);
  const auto out = (dir / "run").string();
  const auto log = (dir / "run.log").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<std::string> args{FLEXHIL_BINARY, "run", scenario, "--out", out};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  Run r;
  const auto t0 = std::chrono::steady_clock::now();
  pid_t pid = 0;
  if (posix_spawn(&pid, FLEXHIL_BINARY, &actions, nullptr, argv.data(), environ) != 0) return r;
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);  // the run's own CPU and that of the children it reaped (mosquitto)
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.cpu_s = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
            static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  r.max_rss_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::ifstream in(out + "/summary.json");
  const auto summary = nlohmann::json::parse(std::string(std::istreambuf_iterator<char>(in), {}), nullptr, false);
  if (summary.is_object()) {
    r.partial = summary.value("partial", true);
    if (summary.contains("devices") && summary["devices"].is_object())
      for (const auto& [id, d] : summary["devices"].items()) r.messages += d.value("messages", std::size_t{0});
    if (summary.contains("findings"))
      for (const auto& f : summary["findings"]) r.findings.insert(f.value("rule", ""));
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::atoi(argv[i]));
  if (sizes.empty()) sizes = {50, 100, 200};
  const int seconds = std::getenv("FLEXHIL_BENCH_SECONDS") ? std::atoi(std::getenv("FLEXHIL_BENCH_SECONDS")) : 60;
  int capacity = 0;
  for (const int n : sizes) {
    const auto r = run_fleet(n, seconds);
    // Member k starts at k × 10 s / N: on average 5 s of the run are before a member's start.
    const double expected = n * (seconds - 5.0) * (1 / 2.0 + 1 / 20.0);
    bool cadence = false, lost = r.partial || r.findings.count("HARNESS-CAPTURE-GAP") > 0;
    std::string other;
    for (const auto& id : r.findings) {
      if (id == "CADENCE-FULL-PUSH" || id == "CADENCE-CHANGE-PUSH") cadence = true;  // intervals out of tolerance
      else if (id != "HARNESS-CAPTURE-GAP") other += " " + id;
    }
    std::printf("fleet %5d devices  %6.1f s wall  cpu %6.1f s (%5.1f%% of 2 cores)  rss %7.1f MiB (%.2f MiB/device)  "
                "%6.0f msg/s  ratio received/expected = %.3f  lost %s  cadence %s  exit %d%s%s\n",
                n, r.wall_s, r.cpu_s, 100.0 * r.cpu_s / r.wall_s / 2, r.max_rss_mib, r.max_rss_mib / n,
                r.messages / static_cast<double>(seconds), r.messages / expected, lost ? "YES" : "0",
                cadence ? "FINDINGS" : "ok", r.exit_code, other.empty() ? "" : "  other:", other.c_str());
    if (!lost && !cadence && r.exit_code == 0) capacity = n;
  }
  std::printf("largest fleet with every device's cadence in tolerance and nothing lost: %d\n", capacity);
  return 0;
}
