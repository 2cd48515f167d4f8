// bench_flexy_idle [N=20] [seconds=5]
// Memory (RSS) and CPU of N idle emulated Flexys in one process, each with 50 Modbus tags polled
// every second from one PlcServer and an idle program (empty Cyclic section, one 10 s timer).
// Prints one line per measurement and `ratio flexhil/baseline` (RSS with the Flexys over the
// process's baseline with the PLC alone). Printed, never asserted (docs/architecture.md).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "common/toml_reader.hpp"
#include "sim/flexy/runtime/flexy_device.hpp"
#include "sim/plc/plc_config.hpp"
#include "sim/plc/plc_server.hpp"

using namespace flexhil;

namespace {

constexpr int kTags = 50;

double rss_mib() {
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      double kib = 0;
      in >> kib;
      return kib / 1024.0;
    }
    std::getline(in, key);
  }
  return 0;
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// CPU used by the whole process over `seconds` of wall time, in percent of one core.
double cpu_percent_over(double seconds) {
  const double c0 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return 100.0 * (cpu_seconds() - c0) / wall;
}

std::string plc_toml() {
  std::string t = "[plc]\n";
  for (int i = 0; i < kTags; ++i)
    t += "[[plc.point]]\nname = \"P" + std::to_string(i) + "\"\naddress = \"" + std::to_string(40001 + i) +
         "\"\nwaveform = \"counter\"\ninterval = \"1s\"\n";
  return t;
}

flexy::FlexyConfig flexy_config(int n, std::uint16_t port) {
  std::string t = "name = \"Flexy" + std::to_string(n) + "\"\n[topic.A]\npoll = \"1s\"\nport = " + std::to_string(port) + "\n";
  for (int i = 0; i < kTags; ++i)
    t += "[[tag]]\nname = \"T" + std::to_string(i) + "\"\ntype = \"integer\"\naddress = \"" + std::to_string(40001 + i) +
         "\"\ngroups = [\"A\"]\n";
  const auto doc = parse_toml_string(t, "bench.toml");
  TomlTable table(doc, "bench.toml");
  return flexy::load_flexy_config(table);
}

const char* kIdleProgram = R"(Rem --- eWON start section: Init Section
eWON_init_section:
ONTIMER 1, "GOTO Tick"
TSET 1, 10
END
Rem --- eWON end section: Init Section
Rem --- eWON start section: Cyclic Section
eWON_cyclic_section:
END
Rem --- eWON end section: Cyclic Section
Tick:
n% = n% + 1
END
)";

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::stoi(argv[1]) : 20;
  const double window = argc > 2 ? std::stod(argv[2]) : 5.0;
  auto clock = std::make_shared<SystemClock>();
  plc::PlcServer plc(plc::load_plc_config_string(plc_toml(), "bench-plc.toml"), *clock);
  plc.start("127.0.0.1", 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const double base_rss = rss_mib();
  const double base_cpu = cpu_percent_over(window);
  std::printf("baseline (PLC only): rss_mib=%.1f cpu_pct=%.2f\n", base_rss, base_cpu);

  const auto program = basic::parse_program(kIdleProgram, "idle.bas");
  std::vector<std::unique_ptr<flexy::FlexyDevice>> devices;
  for (int i = 0; i < n; ++i) {
    devices.push_back(std::make_unique<flexy::FlexyDevice>(
        flexy::FlexyDeviceOptions{flexy_config(i, plc.port()), program, clock, nullptr, nullptr}));
    devices.back()->start();
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));  // first polls done, steady state
  const double rss = rss_mib();
  const double cpu = cpu_percent_over(window);
  std::uint64_t requests = 0;
  for (const auto& d : devices) requests += d->requests_run();
  std::printf("flexys=%d tags_each=%d poll=1s: rss_mib=%.1f cpu_pct=%.2f\n", n, kTags, rss, cpu);
  std::printf("per flexy: rss_mib=%.2f cpu_pct=%.3f basic_requests=%llu\n", n > 0 ? (rss - base_rss) / n : 0.0,
              n > 0 ? (cpu - base_cpu) / n : 0.0, static_cast<unsigned long long>(n > 0 ? requests / n : 0));
  std::printf("plc requests served: %llu\n", static_cast<unsigned long long>(plc.counters().requests));
  std::printf("ratio flexhil/baseline = %.2f\n", base_rss > 0 ? rss / base_rss : 0.0);
  devices.clear();
  plc.stop();
  return 0;
}
