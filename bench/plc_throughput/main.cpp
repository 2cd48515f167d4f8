// bench_plc_throughput: FC03 reads of 125 holding registers, 1 and 8 concurrent clients, for a
// bounded time each, against
//   - baseline: a minimal libmodbus server (select + modbus_receive + modbus_reply, one static
//     mapping) — the ceiling of libmodbus on this machine, measured in the same run;
//   - flexhil: PlcServer with 125 declared registers whose waveforms are running;
//   - pymodbus: the server a user would script instead (Debian's python3-pymodbus run by Debian's
//     /usr/bin/python3, `make bench` installs it), static registers: its best case.
// Cases are interleaved (baseline, flexhil, baseline, flexhil …) and the best round of each
// counts, so a noisy neighbour on a shared machine hurts both sides alike.
#include <arpa/inet.h>
#include <modbus.h>
#include <netinet/in.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fmt/format.h>
#include <optional>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "common/net.hpp"
#include "common/process.hpp"
#include "sim/plc/plc_config.hpp"
#include "sim/plc/plc_server.hpp"

namespace {

using Steady = std::chrono::steady_clock;

// The minimal libmodbus reply server, the way libmodbus's own examples serve many clients.
class BaselineServer {
 public:
  BaselineServer() {
    ctx_ = modbus_new_tcp("127.0.0.1", 0);
    mapping_ = modbus_mapping_new(0, 0, 256, 0);
    for (int i = 0; i < 256; ++i) mapping_->tab_registers[i] = static_cast<std::uint16_t>(i);
    listener_ = modbus_tcp_listen(ctx_, 64);
    sockaddr_in a{};
    socklen_t len = sizeof a;
    getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~BaselineServer() {
    running_ = false;
    thread_.join();
    for (int fd = 0; fd <= max_fd_; ++fd)
      if (FD_ISSET(fd, &all_)) ::close(fd);
    modbus_mapping_free(mapping_);
    modbus_free(ctx_);
  }
  std::uint16_t port() const { return port_; }

 private:
  void loop() {
    FD_ZERO(&all_);
    FD_SET(listener_, &all_);
    max_fd_ = listener_;
    std::uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
    while (running_) {
      fd_set ready = all_;
      timeval tv{0, 100000};
      if (select(max_fd_ + 1, &ready, nullptr, nullptr, &tv) <= 0) continue;
      for (int fd = 0; fd <= max_fd_; ++fd) {
        if (!FD_ISSET(fd, &ready)) continue;
        if (fd == listener_) {
          const int client = ::accept(listener_, nullptr, nullptr);
          if (client >= 0) {
            FD_SET(client, &all_);
            max_fd_ = std::max(max_fd_, client);
          }
          continue;
        }
        modbus_set_socket(ctx_, fd);
        const int rc = modbus_receive(ctx_, query);
        if (rc > 0) {
          modbus_reply(ctx_, query, rc, mapping_);
        } else if (rc == -1) {
          ::close(fd);
          FD_CLR(fd, &all_);
        }
      }
    }
  }
  modbus_t* ctx_;
  modbus_mapping_t* mapping_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  fd_set all_{};
  int max_fd_ = 0;
  std::atomic<bool> running_{true};
  std::thread thread_;
};

// Clients hammer FC03 × 125 registers for `seconds`; returns successful requests per second.
double measure(std::uint16_t port, int clients, double seconds) {
  std::atomic<long> ok{0}, failed{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i)
    threads.emplace_back([&] {
      modbus_t* ctx = modbus_new_tcp("127.0.0.1", port);
      modbus_set_slave(ctx, 1);
      if (modbus_connect(ctx) != 0) {
        ++failed;
        modbus_free(ctx);
        return;
      }
      std::uint16_t regs[125];
      while (!go) std::this_thread::yield();
      const auto end = Steady::now() + std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(seconds));
      long n = 0;
      while (Steady::now() < end) {
        if (modbus_read_registers(ctx, 0, 125, regs) == 125)
          ++n;
        else
          ++failed;
      }
      ok += n;
      modbus_close(ctx);
      modbus_free(ctx);
    });
  go = true;
  for (auto& t : threads) t.join();
  if (failed > 0) fmt::print(stderr, "warning: {} failed requests on port {}\n", failed.load(), port);
  return static_cast<double>(ok) / seconds;
}

flexhil::plc::PlcConfig flexhil_config() {
  // 125 registers: 40 float sines, 40 uint16 counters, 5 int16 random walks — all moving.
  std::string text = "[plc]\nupdate_interval = \"10ms\"\n";
  int reg = 1;
  for (int i = 0; i < 40; ++i, reg += 2)
    text += fmt::format("[[plc.point]]\nname = \"s{}\"\naddress = \"{}F\"\nwaveform = \"sine\"\nmean = 20\n"
                        "amplitude = 5\nperiod = \"{}s\"\n", i, 40000 + reg, 1 + i);
  for (int i = 0; i < 40; ++i, ++reg)
    text += fmt::format("[[plc.point]]\nname = \"c{}\"\naddress = \"{}\"\nwaveform = \"counter\"\ninterval = \"50ms\"\n",
                        i, 40000 + reg);
  for (int i = 0; i < 5; ++i, ++reg)
    text += fmt::format("[[plc.point]]\nname = \"w{}\"\naddress = \"{}I\"\nwaveform = \"random_walk\"\nseed = {}\n"
                        "interval = \"20ms\"\nmin = -100\nmax = 100\n", i, 40000 + reg, i);
  return flexhil::plc::load_plc_config_string(text, "bench.toml");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"FC03 throughput of the flexhil PLC simulator against a minimal libmodbus server"};
  double seconds = 1.0;
  int rounds = 5;
  app.add_option("--seconds", seconds, "Duration of each measurement")->capture_default_str();
  app.add_option("--rounds", rounds, "Interleaved rounds per case (best counts)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  flexhil::SystemClock clock;
  BaselineServer baseline;
  flexhil::plc::PlcServer plc(flexhil_config(), clock);
  plc.start("127.0.0.1", 0);

  double worst_ratio = 1e9;
  for (int clients : {1, 8}) {
    double best_base = 0, best_plc = 0;
    for (int r = 0; r < rounds; ++r) {
      best_base = std::max(best_base, measure(baseline.port(), clients, seconds));
      best_plc = std::max(best_plc, measure(plc.port(), clients, seconds));
    }
    fmt::print("baseline libmodbus  clients={} fc03x125 requests/s = {:.0f}\n", clients, best_base);
    fmt::print("flexhil plc         clients={} fc03x125 requests/s = {:.0f}\n", clients, best_plc);
    const double ratio = best_base > 0 ? best_plc / best_base : 0;
    fmt::print("ratio flexhil/baseline clients={} = {:.2f}\n", clients, ratio);
    worst_ratio = std::min(worst_ratio, ratio);
  }
  const auto c = plc.counters();
  fmt::print("flexhil waveform changes during the run: {}, requests served: {}\n", plc.changes().size(), c.replies);

  fmt::print("ratio flexhil/libmodbus-minimal = {:.2f} (the ceiling of libmodbus itself)\n", worst_ratio);

  // pymodbus, run as a user would run it: Debian's interpreter, not whatever python3 is on PATH.
  std::optional<double> pymodbus_ratio;
  const std::string python = "/usr/bin/python3";
  if (::access(python.c_str(), X_OK) != 0 ||
      std::system("/usr/bin/python3 -c 'import pymodbus.server' >/dev/null 2>&1") != 0) {
    fmt::print("pymodbus: python3-pymodbus not installed (make bench installs it), case not measured\n");
  } else {
    const auto port = flexhil::pick_free_port();
    flexhil::ChildProcess::Options o;
    o.argv = {python, FLEXHIL_BENCH_DIR "/pymodbus_server.py", std::to_string(port)};
    o.stdout_path = "/dev/null";
    o.stderr_path = "/dev/null";
    auto server = flexhil::ChildProcess::spawn(o);
    if (!flexhil::wait_for_tcp_port("127.0.0.1", port, std::chrono::seconds(20), [&] { return server.running(); })) {
      fmt::print("pymodbus: the server did not answer on 127.0.0.1:{}, case not measured\n", port);
    } else {
      double worst_py = 1e9;
      for (int clients : {1, 8}) {
        double best_py = 0, best_plc = 0;
        for (int r = 0; r < rounds; ++r) {
          best_py = std::max(best_py, measure(port, clients, seconds));
          best_plc = std::max(best_plc, measure(plc.port(), clients, seconds));
        }
        fmt::print("pymodbus server     clients={} fc03x125 requests/s = {:.0f}\n", clients, best_py);
        const double ratio = best_py > 0 ? best_plc / best_py : 0;
        fmt::print("ratio flexhil/pymodbus clients={} = {:.2f}\n", clients, ratio);
        worst_py = std::min(worst_py, ratio);
      }
      pymodbus_ratio = worst_py;
    }
    server.stop();
  }

  if (pymodbus_ratio)
    fmt::print("ratio flexhil/pymodbus = {:.2f} (worst client count; the alternative a user would script)\n",
               *pymodbus_ratio);
  else
    fmt::print("ratio flexhil/pymodbus = n/a\n");
  plc.stop();
  return 0;
}
