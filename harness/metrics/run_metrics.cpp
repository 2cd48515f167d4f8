#include "harness/metrics/run_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <cmath>

#include "common/event_view.hpp"

namespace flexhil::metrics {

namespace {

using Labels = std::map<std::string, std::string>;

std::string_view severity_name(rules::Severity s) {
  switch (s) {
    case rules::Severity::error: return "error";
    case rules::Severity::warning: return "warning";
    case rules::Severity::info: return "info";
  }
  return "error";
}

std::vector<double> interval_buckets(const std::vector<double>& expected_periods) {
  std::vector<double> b = {0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600};
  for (double p : expected_periods)
    if (p > 0 && std::isfinite(p))
      for (double f : {0.8, 0.95, 1.0, 1.05, 1.2}) b.push_back(p * f);
  std::sort(b.begin(), b.end());
  // Buckets closer than 0.1 % are the same bucket.
  b.erase(std::unique(b.begin(), b.end(), [](double x, double y) { return std::abs(x - y) <= 1e-3 * y; }), b.end());
  return b;
}

const std::vector<double> latency_buckets = {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120};

}  // namespace

const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> names = {
      "flexhil_run_info",
      "flexhil_run_finished",
      "flexhil_run_exit_code",
      "flexhil_run_progress_ratio",
      "flexhil_run_elapsed_seconds",
      "flexhil_run_duration_seconds",
      "flexhil_events_total",
      "flexhil_messages_received_total",
      "flexhil_message_bytes_received_total",
      "flexhil_messages_rejected_total",
      "flexhil_connect_attempts_total",
      "flexhil_disconnects_total",
      "flexhil_device_connected",
      "flexhil_devices_connected",
      "flexhil_findings_total",
      "flexhil_publish_interval_seconds",
      "flexhil_change_latency_seconds",
      "flexhil_plc_requests_total",
      "flexhil_plc_changes_total",
  };
  return names;
}

void validate_bind_address(const std::string& address, const SourcePosition& where) {
  const auto fail = [&](const std::string& why) {
    throw ConfigError(where, "invalid metrics address '" + address + "': " + why +
                                 " (expected HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464; port 0 picks a free one)");
  };
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) fail("no HOST:PORT");
  const std::string host = address.substr(0, colon), port = address.substr(colon + 1);
  if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
    fail("port is not a number");
  if (std::stoi(port) > 65535) fail("port is above 65535");
  if (host.front() == '[' ? host.back() != ']' : host.find(':') != std::string::npos)
    fail("IPv6 addresses must be in brackets");
}

// The families, registered once; metrics inside them are added on first use (per label set).
struct RunMetrics::Families {
  prometheus::Family<prometheus::Gauge>& run_info;
  prometheus::Family<prometheus::Gauge>& finished;
  prometheus::Family<prometheus::Gauge>& exit_code;
  prometheus::Family<prometheus::Gauge>& progress;
  prometheus::Family<prometheus::Gauge>& elapsed;
  prometheus::Family<prometheus::Gauge>& duration;
  prometheus::Family<prometheus::Counter>& events;
  prometheus::Family<prometheus::Counter>& messages;
  prometheus::Family<prometheus::Counter>& bytes;
  prometheus::Family<prometheus::Counter>& rejected;
  prometheus::Family<prometheus::Counter>& connects;
  prometheus::Family<prometheus::Counter>& disconnects;
  prometheus::Family<prometheus::Gauge>& device_connected;
  prometheus::Family<prometheus::Gauge>& devices_connected;
  prometheus::Family<prometheus::Counter>& findings;
  prometheus::Family<prometheus::Histogram>& publish_interval;
  prometheus::Family<prometheus::Histogram>& change_latency;
  prometheus::Family<prometheus::Counter>& plc_requests;
  prometheus::Family<prometheus::Counter>& plc_changes;
  std::vector<double> interval_buckets;

  explicit Families(prometheus::Registry& r, std::vector<double> buckets)
      : run_info(prometheus::BuildGauge()
                     .Name("flexhil_run_info")
                     .Help("Always 1; labels name the scenario and the run")
                     .Register(r)),
        finished(prometheus::BuildGauge()
                     .Name("flexhil_run_finished")
                     .Help("0 while the run goes on, 1 once its reports are written (then /metrics lingers)")
                     .Register(r)),
        exit_code(prometheus::BuildGauge()
                      .Name("flexhil_run_exit_code")
                      .Help("The run's exit code once finished (0 passed, 1 findings, 2 configuration, 3 infrastructure); -1 before")
                      .Register(r)),
        progress(prometheus::BuildGauge()
                     .Name("flexhil_run_progress_ratio")
                     .Help("Elapsed scenario time divided by the scenario's duration (0..1)")
                     .Register(r)),
        elapsed(prometheus::BuildGauge()
                    .Name("flexhil_run_elapsed_seconds")
                    .Help("Scenario seconds elapsed since the run started")
                    .Register(r)),
        duration(prometheus::BuildGauge()
                     .Name("flexhil_run_duration_seconds")
                     .Help("Planned scenario duration in seconds")
                     .Register(r)),
        events(prometheus::BuildCounter()
                   .Name("flexhil_events_total")
                   .Help("Events observed during the run, by kind (see docs/events.md)")
                   .Register(r)),
        messages(prometheus::BuildCounter()
                     .Name("flexhil_messages_received_total")
                     .Help("MQTT PUBLISH packets the hub received from devices (any topic, any verdict)")
                     .Register(r)),
        bytes(prometheus::BuildCounter()
                  .Name("flexhil_message_bytes_received_total")
                  .Help("Payload bytes of the PUBLISH packets the hub received")
                  .Register(r)),
        rejected(prometheus::BuildCounter()
                     .Name("flexhil_messages_rejected_total")
                     .Help("PUBLISH packets the hub did not accept (the device was disconnected for them)")
                     .Register(r)),
        connects(prometheus::BuildCounter()
                     .Name("flexhil_connect_attempts_total")
                     .Help("MQTT CONNECT attempts by the hub's verdict (accepted, refused)")
                     .Register(r)),
        disconnects(prometheus::BuildCounter()
                        .Name("flexhil_disconnects_total")
                        .Help("Device disconnections by reason (client, kicked, replaced, keepalive, sas-expired, error)")
                        .Register(r)),
        device_connected(prometheus::BuildGauge()
                             .Name("flexhil_device_connected")
                             .Help("1 while the device is connected to the hub (small fleets only)")
                             .Register(r)),
        devices_connected(prometheus::BuildGauge()
                              .Name("flexhil_devices_connected")
                              .Help("Number of devices currently connected to the hub")
                              .Register(r)),
        findings(prometheus::BuildCounter()
                     .Name("flexhil_findings_total")
                     .Help("Findings raised by the rules, by rule id and severity")
                     .Register(r)),
        publish_interval(prometheus::BuildHistogram()
                             .Name("flexhil_publish_interval_seconds")
                             .Help("Scenario seconds between consecutive accepted telemetry messages of a device")
                             .Register(r)),
        change_latency(prometheus::BuildHistogram()
                           .Name("flexhil_change_latency_seconds")
                           .Help("Scenario seconds from a PLC value change to the first message carrying it")
                           .Register(r)),
        plc_requests(prometheus::BuildCounter()
                         .Name("flexhil_plc_requests_total")
                         .Help("Modbus requests served by the PLC simulator")
                         .Register(r)),
        plc_changes(prometheus::BuildCounter()
                        .Name("flexhil_plc_changes_total")
                        .Help("PLC point value changes (waveforms, client writes, faults)")
                        .Register(r)),
        interval_buckets(std::move(buckets)) {}
};

RunMetrics::RunMetrics(MetricsOptions options)
    : options_(std::move(options)),
      device_labels_(options_.devices.size() <= options_.device_label_limit),
      registry_(std::make_shared<prometheus::Registry>()),
      families_(std::make_unique<Families>(*registry_, interval_buckets(options_.expected_periods))) {
  auto& f = *families_;
  f.run_info.Add({{"scenario", options_.scenario}, {"run", options_.run_id}}).Set(1);
  f.finished.Add({}).Set(0);
  f.exit_code.Add({}).Set(-1);
  for (const auto& [rule, severity] : options_.rules)
    f.findings.Add({{"rule", rule}, {"severity", std::string(severity_name(severity))}});
  for (const char* reason : {"client", "kicked", "replaced", "keepalive", "sas-expired", "error"})
    f.disconnects.Add({{"reason", reason}});
  f.progress.Add({});
  f.elapsed.Add({});
  f.duration.Add({});
  f.devices_connected.Add({});
  f.plc_requests.Add({});
  f.plc_changes.Add({});
  // Series that exist from the start read 0 instead of "no data" on a dashboard.
  for (const char* verdict : {"accepted", "refused"}) f.connects.Add({{"verdict", verdict}});
  if (device_labels_) {
    for (const auto& d : options_.devices) {
      f.messages.Add({{"device", d}});
      f.bytes.Add({{"device", d}});
      f.device_connected.Add({{"device", d}});
      f.rejected.Add({{"device", d}});
      f.publish_interval.Add({{"device", d}}, f.interval_buckets);
      f.change_latency.Add({{"device", d}}, latency_buckets);
    }
  } else {
    f.messages.Add({});
    f.bytes.Add({});
    f.rejected.Add({});
    f.publish_interval.Add({}, f.interval_buckets);
    f.change_latency.Add({}, latency_buckets);
  }
  if (!options_.bind_address.empty()) {
    validate_bind_address(options_.bind_address);
    try {
      exposer_ = std::make_unique<prometheus::Exposer>(options_.bind_address, 2);
    } catch (const std::exception& e) {
      throw InfrastructureError("cannot serve /metrics on " + options_.bind_address + ": " + e.what() +
                                " (is the port in use? choose another with --metrics HOST:PORT, port 0 = any)");
    }
    exposer_->RegisterCollectable(registry_);
  }
}

RunMetrics::~RunMetrics() = default;

std::map<std::string, std::string> RunMetrics::device_label(std::string_view device) const {
  if (!device_labels_) return {};
  return {{"device", std::string(device)}};
}

void RunMetrics::set_connected(const std::string& device, bool connected) {
  std::size_t count = 0;
  {
    std::lock_guard lock(mutex_);
    if (connected)
      connected_.insert(device);
    else
      connected_.erase(device);
    count = connected_.size();
  }
  families_->devices_connected.Add({}).Set(static_cast<double>(count));
  if (device_labels_) families_->device_connected.Add({{"device", device}}).Set(connected ? 1 : 0);
}

void RunMetrics::on_event(const Json& ev) {
  if (!ev.is_object()) return;
  count_event(ev);
  if (options_.live_findings)
    for (const auto& finding : options_.live_findings(ev)) on_finding(finding);
}

void RunMetrics::count_event(const Json& ev) {
  auto& f = *families_;
  const EventView e(ev);
  const std::string kind = e.string("kind");
  f.events.Add({{"kind", kind.empty() ? "unknown" : kind}}).Increment();
  const std::string device = e.string("device");
  if (kind == "publish") {
    const auto labels = device_label(device);
    f.messages.Add(labels).Increment();
    double size = static_cast<double>(std::max<std::int64_t>(0, e.integer("size").value_or(0)));
    if (!e.has("size")) {
      std::string payload;
      if (base64_decode(e.text("payload_b64"), payload)) size = static_cast<double>(payload.size());
    }
    f.bytes.Add(labels).Increment(size);
    const auto verdict = e.text("verdict");
    if (!verdict.empty() && verdict != "accepted") {
      f.rejected.Add(labels).Increment();
      return;
    }
    if (!is_telemetry(e)) return;
    const std::int64_t mono = e.mono_ns();
    std::optional<double> interval;
    {
      std::lock_guard lock(mutex_);
      const auto it = last_publish_ns_.find(device);
      if (it != last_publish_ns_.end() && mono >= it->second)
        interval = static_cast<double>(mono - it->second) / 1e9 * options_.time_scale;
      last_publish_ns_[device] = mono;
    }
    if (interval) f.publish_interval.Add(labels, f.interval_buckets).Observe(*interval);
  } else if (kind == "connect") {
    const std::string verdict = e.string("verdict");
    f.connects.Add({{"verdict", verdict.empty() ? "unknown" : verdict}}).Increment();
    if (verdict == "accepted") set_connected(device, true);
  } else if (kind == "disconnect") {
    const std::string reason = e.string("reason");
    f.disconnects.Add({{"reason", reason.empty() ? "unknown" : reason}}).Increment();
    set_connected(device, false);
    // The next message after a reconnect is not a cadence interval.
    std::lock_guard lock(mutex_);
    last_publish_ns_.erase(device);
  } else if (kind == "plc_change") {
    f.plc_changes.Add({}).Increment();
  }
}

CaptureWriter::Listener RunMetrics::listener() {
  return [this](const CapturedEvent& e) { on_event(e.json()); };
}

void RunMetrics::on_finding(const rules::Finding& finding) {
  const std::string severity(severity_name(finding.severity));
  {
    std::lock_guard lock(mutex_);
    findings_counted_[{finding.rule_id, severity}] += 1;
  }
  families_->findings.Add({{"rule", finding.rule_id}, {"severity", severity}}).Increment();
}

void RunMetrics::set_final_findings(const std::vector<rules::Finding>& findings) {
  std::map<std::pair<std::string, std::string>, double> final_counts;
  for (const auto& f : findings) final_counts[{f.rule_id, std::string(severity_name(f.severity))}] += 1;
  for (const auto& [key, count] : final_counts) {
    double more = 0;
    {
      std::lock_guard lock(mutex_);
      auto& counted = findings_counted_[key];
      more = count - counted;
      if (more > 0) counted = count;
    }
    if (more > 0) families_->findings.Add({{"rule", key.first}, {"severity", key.second}}).Increment(more);
  }
}

void RunMetrics::set_plc_requests(std::uint64_t total) {
  std::uint64_t more = 0;
  {
    std::lock_guard lock(mutex_);
    if (total > plc_requests_seen_) more = total - plc_requests_seen_;
    plc_requests_seen_ = std::max(plc_requests_seen_, total);
  }
  if (more > 0) families_->plc_requests.Add({}).Increment(static_cast<double>(more));
}

void RunMetrics::finish(int exit_code) {
  families_->exit_code.Add({}).Set(exit_code);
  families_->finished.Add({}).Set(1);
}

void RunMetrics::observe_change_latency(double seconds, std::string_view device) {
  if (!std::isfinite(seconds) || seconds < 0) return;
  families_->change_latency.Add(device_label(device), latency_buckets).Observe(seconds);
}

void RunMetrics::add_plc_requests(std::uint64_t count) {
  families_->plc_requests.Add({}).Increment(static_cast<double>(count));
}

void RunMetrics::set_progress(double elapsed_s, double duration_s) {
  families_->elapsed.Add({}).Set(elapsed_s);
  families_->duration.Add({}).Set(duration_s);
  families_->progress.Add({}).Set(duration_s > 0 ? std::clamp(elapsed_s / duration_s, 0.0, 1.0) : 0.0);
}

std::optional<int> RunMetrics::port() const {
  if (!exposer_) return std::nullopt;
  const auto ports = exposer_->GetListeningPorts();
  if (ports.empty()) return std::nullopt;
  return ports.front();
}

std::string RunMetrics::url() const {
  const auto p = port();
  if (!p) return {};
  std::string host = options_.bind_address.substr(0, options_.bind_address.rfind(':'));
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "[::]") host = "[::1]";
  return "http://" + host + ":" + std::to_string(*p) + "/metrics";
}

std::string RunMetrics::serialize() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace flexhil::metrics
