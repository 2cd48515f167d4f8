#pragma once
// Prometheus metrics of a run (issue 5 "Metrics", docs/metrics.md). RunMetrics consumes the
// event stream (register listener() with the CaptureWriter) and the findings, and is fed the
// few facts that are not events (change-to-publish latency, PLC requests, run progress).
// With a bind address it serves them on http://ADDR:PORT/metrics through prometheus-cpp's
// Exposer for the whole run; without one it only keeps the registry (serialize() for tests).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/event.hpp"
#include "harness/rules/finding.hpp"

namespace prometheus {
class Registry;
class Exposer;
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace flexhil::metrics {

struct MetricsOptions {
  // "127.0.0.1:9464", "[::1]:9464", "0.0.0.0:9464"; port 0 = ephemeral (see port()).
  // Empty: no HTTP server, metrics are only kept in the registry.
  std::string bind_address;
  std::string scenario;
  std::string run_id;
  std::vector<std::string> devices;     // the scenario's fleet
  std::size_t device_label_limit = 20;  // device ids become labels only up to this fleet size
  double time_scale = 1;                // publish intervals are reported in scenario seconds
  // Expected full-push / change-push periods (scenario seconds): histogram buckets are added
  // around them (×0.8, ×0.95, ×1.05, ×1.2) so "within tolerance" can be read off the buckets.
  std::vector<double> expected_periods;
  // The findings one event raises on its own (rules::single_event_findings), counted as the
  // event arrives; set_final_findings() then adds only what the whole-run rules found on top.
  std::function<std::vector<rules::Finding>(const Json&)> live_findings;
  // Every rule (id, severity) whose flexhil_findings_total series exists from the start at 0.
  std::vector<std::pair<std::string, rules::Severity>> rules;
};

// Every metric family name RunMetrics registers (docs/metrics.md and the Grafana dashboard are
// checked against this list).
const std::vector<std::string>& metric_names();

// Throws ConfigError (position `where`) unless `address` is HOST:PORT with a numeric port
// 0..65535 and an IPv4 or bracketed IPv6 host (or a host name).
void validate_bind_address(const std::string& address, const SourcePosition& where = {"--metrics"});

class RunMetrics {
 public:
  // Throws InfrastructureError when the address cannot be bound (port in use, no such address).
  explicit RunMetrics(MetricsOptions options);
  ~RunMetrics();
  RunMetrics(const RunMetrics&) = delete;
  RunMetrics& operator=(const RunMetrics&) = delete;

  // Thread-safe; events as in capture.jsonl (publish, connect, disconnect, … ; others counted).
  void on_event(const Json& event);
  // A listener for CaptureWriter::add_listener; `this` must outlive the writer's use of it.
  CaptureWriter::Listener listener();
  void on_finding(const rules::Finding& finding);
  // The run's findings once judged: each (rule, severity) counter is raised to its final count
  // (never lowered: what was counted live stays counted).
  void set_final_findings(const std::vector<rules::Finding>& findings);
  void observe_change_latency(double seconds, std::string_view device = {});
  void add_plc_requests(std::uint64_t count = 1);
  // The PLC simulator's own total of requests served so far; the counter follows it.
  void set_plc_requests(std::uint64_t total);
  // The run is over (reports written): flexhil_run_finished 1 and its exit code, for the scrape
  // that comes while /metrics lingers.
  void finish(int exit_code);
  // Scenario-time progress of the run: elapsed seconds and the planned duration.
  void set_progress(double elapsed_s, double duration_s);

  // The bound TCP port (the real one when the address asked for port 0); nullopt without server.
  std::optional<int> port() const;
  // "http://127.0.0.1:PORT/metrics" or "" without server.
  std::string url() const;
  bool device_labels() const noexcept { return device_labels_; }
  // The text exposition format, exactly what /metrics serves.
  std::string serialize() const;

 private:
  struct Families;
  std::map<std::string, std::string> device_label(std::string_view device) const;
  void set_connected(const std::string& device, bool connected);

  MetricsOptions options_;
  bool device_labels_ = false;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Families> families_;
  std::unique_ptr<prometheus::Exposer> exposer_;

  void count_event(const Json& event);

  mutable std::mutex mutex_;  // guards the per-device state below
  std::map<std::string, std::int64_t> last_publish_ns_;
  std::map<std::pair<std::string, std::string>, double> findings_counted_;  // (rule, severity)
  std::uint64_t plc_requests_seen_ = 0;
  std::set<std::string> connected_;
};

}  // namespace flexhil::metrics
