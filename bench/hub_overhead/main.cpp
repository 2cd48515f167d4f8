// bench_hub_overhead: what the impersonated hub costs a device compared with the broker a user
// would run instead. Two brokers in the same run, same machine, same minute:
//   hub        HubFixture: mosquitto 2.0.11 + the iothub plugin (SAS judged at CONNECT, every
//              publish judged and written to the audit FIFO the harness reads) + the TLS
//              shim (optional client certificate, TLS 1.2 cap); the harness side records what it
//              reads as `flexhil run` does: capture.jsonl (CountedCapture over CaptureWriter) and
//              the run's Observer as its listener
//   mosquitto  plain mosquitto started from the hub's own generated mosquitto.conf with the
//              plugin lines removed and anonymous access allowed: the same certificate, key,
//              ciphers, tls_version, client CA bundle and logging; no plugin, no shim
// Measured with libmosquitto clients pinned to TLS 1.2 (as the reference Flexy script), on loopback:
//   connects/s   a new client, TCP + TLS handshake + CONNECT/CONNACK, DISCONNECT, N times in a row
//   QoS 0 msg/s  one connected client publishes M telemetry messages; timed until the PUBACK of a
//                QoS 1 marker sent after them (the broker handles a connection's packets in order)
//   QoS 1 msg/s  M messages at QoS 1, timed until the last PUBACK
// Each side runs `--rounds` times, alternating, and the best round counts (load from other
// processes only ever slows a round). Prints one line per round and `ratio hub/mosquitto = …`
// per measurement, then the median over the rounds of hub/plain paired round by round. Target
// >= 0.9 (on the best ratios); printed, never asserted.
//
//   bench_hub_overhead [--connects 200] [--messages 10000] [--rounds 2]
#include <CLI/CLI.hpp>
#include <mosquitto.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/net.hpp"
#include "common/process.hpp"
#include "common/run_end_counts.hpp"
#include "harness/run/observer.hpp"
#include "tests/broker/hub_fixture.hpp"

using namespace flexhil;
using Steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

double seconds_since(Steady::time_point t0) { return std::chrono::duration<double>(Steady::now() - t0).count(); }

// Where and as whom a client connects; the plain broker ignores the credentials.
struct Target {
  std::string name;
  std::uint16_t port = 0;
  std::string ca_file;
  std::string client_id;
  std::string username;
  std::string password;
};

// What the callbacks report to the thread waiting for them.
struct ClientState {
  std::mutex mutex;
  std::condition_variable changed;
  int connack = -1;
  long acked = 0;  // QoS 1 PUBACKs and QoS 0 sends reported
};

// A libmosquitto client configured like the others (TLS 1.2, CA, credentials); destroyed with it.
class Client {
 public:
  explicit Client(const Target& t) : m_(mosquitto_new(t.client_id.c_str(), true, &state_)) {
    if (!m_) throw std::runtime_error("mosquitto_new failed");
    mosquitto_int_option(m_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_username_pw_set(m_, t.username.c_str(), t.password.empty() ? nullptr : t.password.c_str());
    if (mosquitto_tls_set(m_, t.ca_file.c_str(), nullptr, nullptr, nullptr, nullptr) != MOSQ_ERR_SUCCESS ||
        mosquitto_tls_opts_set(m_, 1, "tlsv1.2", nullptr) != MOSQ_ERR_SUCCESS)
      throw std::runtime_error("mosquitto_tls_set failed");
    mosquitto_connect_callback_set(m_, [](mosquitto*, void* ud, int rc) {
      auto* s = static_cast<ClientState*>(ud);
      std::lock_guard lock(s->mutex);
      s->connack = rc;
      s->changed.notify_all();
    });
    mosquitto_publish_callback_set(m_, [](mosquitto*, void* ud, int) {
      auto* s = static_cast<ClientState*>(ud);
      std::lock_guard lock(s->mutex);
      ++s->acked;
      s->changed.notify_all();
    });
  }
  ~Client() {
    if (threaded_) mosquitto_loop_stop(m_, true);
    mosquitto_destroy(m_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Connects and drives the loop on this thread until the CONNACK; true when accepted.
  bool connect_blocking(const Target& t) {
    if (mosquitto_connect(m_, "127.0.0.1", t.port, 60) != MOSQ_ERR_SUCCESS) return false;
    const auto deadline = Steady::now() + 10s;
    while (Steady::now() < deadline) {
      {
        std::lock_guard lock(state_.mutex);
        if (state_.connack >= 0) return state_.connack == 0;
      }
      if (mosquitto_loop(m_, 50, 1) != MOSQ_ERR_SUCCESS) return false;
    }
    return false;
  }
  void disconnect_blocking() {
    mosquitto_disconnect(m_);
    mosquitto_loop(m_, 10, 1);  // flushes the DISCONNECT
  }
  // Connects with libmosquitto's own network thread (for the publish floods).
  bool connect_threaded(const Target& t) {
    if (mosquitto_connect_async(m_, "127.0.0.1", t.port, 60) != MOSQ_ERR_SUCCESS) return false;
    if (mosquitto_loop_start(m_) != MOSQ_ERR_SUCCESS) return false;
    threaded_ = true;
    std::unique_lock lock(state_.mutex);
    return state_.changed.wait_for(lock, 10s, [&] { return state_.connack >= 0; }) && state_.connack == 0;
  }
  bool publish(const std::string& topic, const std::string& payload, int qos) {
    return mosquitto_publish(m_, nullptr, topic.c_str(), static_cast<int>(payload.size()), payload.data(), qos, false) ==
           MOSQ_ERR_SUCCESS;
  }
  ClientState& state() { return state_; }

 private:
  ClientState state_;
  mosquitto* m_;
  bool threaded_ = false;
};

double connects_per_second(const Target& t, int n, int& failures) {
  failures = 0;
  const auto t0 = Steady::now();
  for (int i = 0; i < n; ++i) {
    Client c(t);
    if (c.connect_blocking(t))
      c.disconnect_blocking();
    else
      ++failures;
  }
  return n / seconds_since(t0);
}

double messages_per_second(const Target& t, int qos, int n, int& failures) {
  failures = 0;
  Client c(t);
  if (!c.connect_threaded(t)) throw std::runtime_error(t.name + ": the publisher was not accepted");
  const std::string topic = "devices/" + t.client_id + "/messages/events/";
  const std::string payload = R"({"Temperature":"21.5","Pressure":"1.013","Running":"1","time":"2026-12-02 08:00:00"})";
  auto& s = c.state();
  const auto t0 = Steady::now();
  for (int i = 0; i < n; ++i)
    if (!c.publish(topic, payload, qos)) ++failures;
  // libmosquitto reports a QoS 0 message once written and a QoS 1 one at its PUBACK: after the
  // QoS 0 flood, a QoS 1 marker's PUBACK is the last report and means the broker handled them all.
  long expected = n - failures;
  if (qos == 0) {
    if (!c.publish(topic, payload, 1)) throw std::runtime_error(t.name + ": marker publish failed");
    ++expected;
  }
  std::unique_lock lock(s.mutex);
  const bool done = s.changed.wait_for(lock, 120s, [&] { return s.acked >= expected; });
  const double elapsed = seconds_since(t0);
  if (!done) throw std::runtime_error(t.name + ": the broker did not acknowledge the messages within 120 s");
  return n / elapsed;
}

// The hub's mosquitto.conf without the plugin: the same TLS listener, anonymous, on `port`.
std::string baseline_conf(const broker::HubProcess& hub, std::uint16_t port, const std::string& log_file) {
  std::ifstream in(hub.config_file());
  std::ostringstream out;
  out << "# bench_hub_overhead: the hub's generated mosquitto.conf without the iothub plugin\n";
  const std::string mqtts = "listener " + std::to_string(hub.ports().mqtts) + " ";
  const std::string internal = "listener " + std::to_string(hub.ports().internal) + " ";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(internal, 0) == 0) break;  // the harness's own listener is last
    if (line.rfind("plugin", 0) == 0) continue;
    if (line.rfind("allow_anonymous", 0) == 0) line = "allow_anonymous true";
    if (line.rfind("log_dest file", 0) == 0) line = "log_dest file " + log_file;
    if (line.rfind(mqtts, 0) == 0) line = "listener " + std::to_string(port) + " 127.0.0.1";
    out << line << '\n';
  }
  return out.str();
}

struct Rates {
  double connects = 0, qos0 = 0, qos1 = 0;
};

// The median of hub/plain over the rounds, each hub round against the plain round just before it:
// what a typical minute gives, beside the best of each side (a machine whose speed wanders from
// one second to the next moves the best of either side by ±0.08; bench/README.md).
double paired_median(const std::vector<Rates>& hub, const std::vector<Rates>& plain, double Rates::*field) {
  std::vector<double> r;
  for (std::size_t i = 0; i < hub.size() && i < plain.size(); ++i)
    if (plain[i].*field > 0) r.push_back(hub[i].*field / plain[i].*field);
  if (r.empty()) return 0;
  std::sort(r.begin(), r.end());
  return r.size() % 2 ? r[r.size() / 2] : (r[r.size() / 2 - 1] + r[r.size() / 2]) / 2;
}

Rates measure(const Target& t, int connects, int messages, int round, Rates& best) {
  int f_conn = 0, f0 = 0, f1 = 0;
  const double c = connects_per_second(t, connects, f_conn);
  const double q0 = messages_per_second(t, 0, messages, f0);
  const double q1 = messages_per_second(t, 1, messages, f1);
  std::printf("round %d %-10s connects/s %8.1f (%d failed)  QoS 0 msg/s %9.0f (%d failed)  QoS 1 msg/s %9.0f (%d failed)\n",
              round, t.name.c_str(), c, f_conn, q0, f0, q1, f1);
  std::fflush(stdout);
  best.connects = std::max(best.connects, c);
  best.qos0 = std::max(best.qos0, q0);
  best.qos1 = std::max(best.qos1, q1);
  return {c, q0, q1};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"TLS connects/s and QoS 0/1 messages/s through the impersonated hub against plain mosquitto"};
  int connects = 200, messages = 10000, rounds = 2;
  app.add_option("--connects", connects, "connects per round")->check(CLI::Range(1, 100000))->capture_default_str();
  app.add_option("--messages", messages, "messages per QoS per round")->check(CLI::Range(1, 10000000))->capture_default_str();
  app.add_option("--rounds", rounds, "rounds per broker, alternating; the best counts")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    mosquitto_lib_init();
    testing::TempDir run_dir;  // outlives the hub, which drains its last events into the capture
    CaptureWriter file(run_dir.file("capture.jsonl"));
    CountedCapture capture(file);
    run::Observer observer(run_dir.file("dut-console.log"));
    capture.add_listener([&](const CapturedEvent& ev) { observer.on_event(ev); });
    testing::HubFixture f("benchoverhead");
    f.capture_to(capture);
    const auto dev = f.add_sas_device("BenchDevice");
    f.start();
    const auto mosquitto_path = find_program("mosquitto");
    if (!mosquitto_path) throw std::runtime_error("mosquitto is not installed");
    const auto port = pick_free_port();
    const auto conf = f.dir().write("baseline.conf", baseline_conf(f.hub(), port, f.dir().file("baseline.log")));
    ChildProcess::Options o;
    o.argv = {*mosquitto_path, "-c", conf};
    o.stdout_path = f.dir().file("baseline.out");
    o.stderr_path = f.dir().file("baseline.out");
    auto baseline = ChildProcess::spawn(o);
    if (!wait_for_tcp_port("127.0.0.1", port, 10s, [&] { return baseline.running(); }))
      throw std::runtime_error("plain mosquitto did not listen on 127.0.0.1:" + std::to_string(port) + " (see " +
                               f.dir().file("baseline.out") + ")");

    Target hub{"hub", f.hub().ports().mqtts, f.ca_file(), dev.id, f.username(dev.id),
               f.sas_token(dev.id, std::chrono::hours(2))};
    Target plain{"mosquitto", port, f.ca_file(), dev.id, f.username(dev.id), ""};
    std::printf("hub %s on 127.0.0.1:%u (plugin + TLS shim), plain mosquitto on 127.0.0.1:%u (same TLS listener)\n",
                f.hub_host().c_str(), hub.port, plain.port);
    Rates hub_best, plain_best;
    std::vector<Rates> hub_rounds, plain_rounds;
    for (int r = 1; r <= rounds; ++r) {
      plain_rounds.push_back(measure(plain, connects, messages, r, plain_best));
      hub_rounds.push_back(measure(hub, connects, messages, r, hub_best));
    }
    baseline.stop();
    mosquitto_lib_cleanup();
    f.hub().stop();  // drains the audit file: every message the hub judged is in the capture now
    std::printf("capture   %llu events written (%llu lost), %zu publishes observed\n",
                static_cast<unsigned long long>(file.count()), static_cast<unsigned long long>(file.lost()),
                observer.counts().publishes);

    std::printf("best      hub        connects/s %8.1f  QoS 0 msg/s %9.0f  QoS 1 msg/s %9.0f\n", hub_best.connects,
                hub_best.qos0, hub_best.qos1);
    std::printf("best      mosquitto  connects/s %8.1f  QoS 0 msg/s %9.0f  QoS 1 msg/s %9.0f\n", plain_best.connects,
                plain_best.qos0, plain_best.qos1);
    auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
    const double rc = ratio(hub_best.connects, plain_best.connects), r0 = ratio(hub_best.qos0, plain_best.qos0),
                 r1 = ratio(hub_best.qos1, plain_best.qos1);
    std::printf("ratio hub/mosquitto connects = %.2f\n", rc);
    std::printf("ratio hub/mosquitto qos0 = %.2f\n", r0);
    std::printf("ratio hub/mosquitto qos1 = %.2f\n", r1);
    std::printf("target >= 0.9: %s\n", std::min({rc, r0, r1}) >= 0.9 ? "met" : "NOT met");
    std::printf("paired-round median hub/mosquitto connects = %.2f  qos0 = %.2f  qos1 = %.2f\n",
                paired_median(hub_rounds, plain_rounds, &Rates::connects),
                paired_median(hub_rounds, plain_rounds, &Rates::qos0),
                paired_median(hub_rounds, plain_rounds, &Rates::qos1));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 3;
  }
  return 0;
}
