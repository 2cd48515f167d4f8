// bench_capture_ingest: how many device messages per second reach the capture through the hub's
// audit path (plugin → audit file → HubProcess → CaptureWriter → capture.jsonl), and whether any
// is lost.
// N SAS devices (paho, TLS) publish telemetry as fast as mosquitto accepts, at QoS 0 and then
// QoS 1, for a few seconds each, against a real HubProcess. An independent subscriber on the
// internal listener (subscribed to devices/+/messages/events/#, so it never reads the audit
// file) counts the same stream. Printed per QoS: messages/s of the subscriber and the capture,
// lost = subscriber - capture, and a final `ratio capture/subscriber = …`.
//
//   bench_capture_ingest [--devices 4] [--seconds 3]      (seconds: 1 to 60)
#include <CLI/CLI.hpp>
#include <openssl/rand.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <mqtt/async_client.h>
#include <thread>
#include <vector>

#include "broker/hub_process.hpp"
#include "certs/pki.hpp"
#include "certs/sas_token.hpp"
#include "common/event.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

namespace {

std::string random_key() {
  std::string raw(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), 32) != 1) throw std::runtime_error("RAND_bytes failed");
  return flexhil::base64_encode(raw);
}

std::string conf_value(const std::string& conf, const std::string& key) {
  std::ifstream in(conf);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + " ", 0) == 0) return line.substr(key.size() + 1);
  return {};
}

// Counts accepted telemetry publishes once they are written to capture.jsonl (a listener of the
// real CaptureWriter runs after the line is written): the capture path's end.
struct CaptureCounter {
  explicit CaptureCounter(flexhil::CaptureWriter& w) {
    w.add_listener([this](const flexhil::CapturedEvent& captured) {
      const flexhil::Json& event = captured.json();
      if (event.value("kind", "") == "publish" && event.value("verdict", "") == "accepted") ++publishes;
      if (event.value("kind", "") == "capture_gap") gaps += event.value("missing", std::uint64_t{0});
    });
  }
  std::atomic<std::uint64_t> publishes{0};
  std::atomic<std::uint64_t> gaps{0};
};

struct Device {
  std::string id, key;
};

// One device: publishes until `until`, keeping at most `window` messages in flight.
std::uint64_t publish_flat_out(const flexhil::broker::HubProcess& hub, const Device& d, int qos, Steady::time_point until) {
  mqtt::async_client c("ssl://127.0.0.1:" + std::to_string(hub.ports().mqtts), d.id, mqtt::create_options(MQTTVERSION_3_1_1, 100000));
  flexhil::certs::SasTokenRequest req;
  req.resource = hub.hub_host() + "/devices/" + d.id;
  req.key_base64 = d.key;
  req.expiry = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() + 3600;
  auto opts = mqtt::connect_options_builder()
                  .mqtt_version(MQTTVERSION_3_1_1)
                  .clean_session(true)
                  .user_name(hub.hub_host() + "/" + d.id + "/?api-version=2021-04-12")
                  .password(flexhil::certs::make_sas_token(req))
                  .max_inflight(256)
                  .ssl(mqtt::ssl_options_builder().trust_store(hub.ca_file()).enable_server_cert_auth(true).finalize())
                  .finalize();
  c.connect(opts)->wait();
  const std::string topic = "devices/" + d.id + "/messages/events/";
  std::deque<mqtt::delivery_token_ptr> inflight;
  std::uint64_t sent = 0;
  const std::size_t window = 128;
  while (Steady::now() < until) {
    const auto body = fmt::format(R"({{"n":{},"t":21.5}})", sent + 1);
    try {
      inflight.push_back(c.publish(topic, body, qos, false));
      ++sent;
    } catch (const mqtt::exception&) {
      // paho's buffer is full: wait for the oldest, then go on.
    }
    if (inflight.size() >= window) {
      inflight.front()->wait();
      inflight.pop_front();
    }
  }
  for (auto& t : inflight) t->wait();
  c.disconnect()->wait();
  return sent;
}

struct Round {
  int qos = 0;
  std::uint64_t sent = 0, subscriber = 0, capture = 0, gaps = 0;
  double seconds_subscriber = 0, seconds_capture = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Ingest of the hub's audit path (capture) against an independent subscriber"};
  int devices = 4;
  int seconds = 3;
  app.add_option("--devices", devices, "SAS devices publishing in parallel")->check(CLI::Range(1, 64))->capture_default_str();
  app.add_option("--seconds", seconds, "publishing time per QoS")->check(CLI::Range(1, 60))->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const auto dir = fs::temp_directory_path() / fmt::format("flexhil-bench-ingest-{}", ::getpid());
  fs::create_directories(dir);
  std::vector<Device> devs;
  {
    std::ofstream reg(dir / "devices.toml");
    reg << "hub = \"benchhub\"\n";
    for (int i = 0; i < devices; ++i) {
      devs.push_back({fmt::format("Bench{}", i + 1), random_key()});
      reg << "[[device]]\nid = \"" << devs.back().id << "\"\nauth = \"sas\"\nprimary_key = \"" << devs.back().key
          << "\"\n";
    }
  }
  std::vector<Round> rounds;
  int code = 0;
  try {
    for (int qos : {0, 1}) {
      const auto out = dir / fmt::format("hub-qos{}", qos);
      fs::create_directories(out);
      flexhil::CaptureWriter capture((out / "capture.jsonl").string());
      CaptureCounter sink(capture);
      flexhil::broker::HubProcess hub(flexhil::broker::HubOptionsBuilder()
                                          .registry((dir / "devices.toml").string())
                                          .out_dir(out.string())
                                          .port(0)
                                          .finalize(),
                                      capture);
      // The independent observer: the broker's own delivery to a subscriber, not the audit file.
      mqtt::async_client sub("tcp://127.0.0.1:" + std::to_string(hub.ports().internal), "bench-observer");
      std::atomic<std::uint64_t> observed{0};
      sub.set_message_callback([&](mqtt::const_message_ptr) { ++observed; });
      sub.connect(mqtt::connect_options_builder()
                      .mqtt_version(MQTTVERSION_3_1_1)
                      .clean_session(true)
                      .user_name(conf_value(hub.config_file(), "plugin_opt_internal_username"))
                      .password(conf_value(hub.config_file(), "plugin_opt_internal_password"))
                      .finalize())
          ->wait();
      // QoS 0: at QoS 1 mosquitto's per-client inflight (20) and queue (1000) limits make the
      // observer itself drop messages under a flood, and the comparison would measure that.
      sub.subscribe("devices/+/messages/events/#", 0)->wait();

      Round r;
      r.qos = qos;
      const auto start = Steady::now();
      const auto until = start + std::chrono::seconds(seconds);
      std::vector<std::thread> threads;
      std::vector<std::uint64_t> sent(devs.size(), 0);
      for (std::size_t i = 0; i < devs.size(); ++i)
        threads.emplace_back([&, i] { sent[i] = publish_flat_out(hub, devs[i], qos, until); });
      for (auto& t : threads) t.join();
      // Both counters settle once the broker has passed everything on (no change for 1 s).
      // Each rate is its count over the time until that counter last moved.
      std::uint64_t last_o = ~0ull, last_c = ~0ull;
      auto settled_at = Steady::now(), o_at = settled_at, c_at = settled_at;
      while (Steady::now() - settled_at < 1s) {
        const auto now = Steady::now();
        if (observed != last_o) last_o = observed, o_at = settled_at = now;
        if (sink.publishes != last_c) last_c = sink.publishes, c_at = settled_at = now;
        std::this_thread::sleep_for(20ms);  // a benchmark's polling interval, not a test's sync
      }
      r.seconds_subscriber = std::chrono::duration<double>(o_at - start).count();
      r.seconds_capture = std::chrono::duration<double>(c_at - start).count();
      for (auto s : sent) r.sent += s;
      r.subscriber = observed;
      r.capture = sink.publishes;
      r.gaps = sink.gaps;
      sub.disconnect()->wait();
      hub.stop();
      if (!capture.failure().empty()) throw std::runtime_error("capture.jsonl: " + capture.failure());
      rounds.push_back(r);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    code = 3;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  std::uint64_t sub_total = 0, cap_total = 0;
  for (const auto& r : rounds) {
    std::printf("qos %d: %d devices, %d s: sent %llu, subscriber %llu (%.0f msg/s), capture %llu (%.0f msg/s), "
                "lost = %lld, capture_gap missing %llu\n",
                r.qos, devices, seconds, static_cast<unsigned long long>(r.sent),
                static_cast<unsigned long long>(r.subscriber), r.subscriber / r.seconds_subscriber,
                static_cast<unsigned long long>(r.capture), r.capture / r.seconds_capture,
                static_cast<long long>(r.subscriber) - static_cast<long long>(r.capture),
                static_cast<unsigned long long>(r.gaps));
    sub_total += r.subscriber;
    cap_total += r.capture;
  }
  if (sub_total > 0) std::printf("ratio capture/subscriber = %.4f\n", static_cast<double>(cap_total) / sub_total);
  return code;
}
