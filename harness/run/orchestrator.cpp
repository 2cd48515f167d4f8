#include "harness/run/orchestrator.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <mutex>
#include <optional>

#include "broker/hub_process.hpp"
#include "certs/sas_token.hpp"
#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/error_barrier.hpp"
#include "common/event_view.hpp"
#include "common/run_end_counts.hpp"
#include "common/signals.hpp"
#include "harness/metrics/run_metrics.hpp"
#include "harness/report/report.hpp"
#include "harness/rules/catalogue.hpp"
#include "harness/run/console_output.hpp"
#include "harness/run/run_registry.hpp"
#include "sim/flexy/basic/errors.hpp"
#include "sim/flexy/runtime/flexy_device.hpp"
#include "sim/plc/plc_server.hpp"

namespace flexhil::run {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// Everything the observer saw, in capture order (capture.jsonl is written before this).
class Observer {
 public:
  explicit Observer(const std::string& console_log) : console_(console_log, std::ios::trunc) {}
  void on_event(const Json& ev) {
    std::lock_guard lock(mutex_);
    events_.push_back(ev);
    const auto kind = text(ev, "kind");
    if (kind == "publish") ++publishes_;
    if (kind == "connect" && text(ev, "verdict") == "accepted") connected_.push_back(text(ev, "device"));
    if (kind == "dut_console") console_ << text(ev, "line") << '\n' << std::flush;
    if (kind == "dut_log") console_ << "[log " << text(ev, "level") << "] " << text(ev, "message") << '\n' << std::flush;
  }
  // Any field as text, whatever its JSON type (events come from other components).
  static std::string text(const Json& ev, const char* key) { return EventView(ev).display(key); }
  std::vector<Json> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::size_t publishes() const {
    std::lock_guard lock(mutex_);
    return publishes_;
  }
  bool has_connected(const std::string& device) const {
    std::lock_guard lock(mutex_);
    return std::find(connected_.begin(), connected_.end(), device) != connected_.end();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Json> events_;
  std::size_t publishes_ = 0;
  std::vector<std::string> connected_;
  std::ofstream console_;
};

std::string make_run_id() {
  auto id = format_wall_iso(std::chrono::system_clock::now());  // 2026-11-26T08:00:12.345678Z
  std::string out;
  for (char c : id.substr(0, 19))
    if (c != '-' && c != ':') out += c;
  return out + "Z";
}

void copy_usr_files(const std::string& from, const std::string& to, const std::string& scenario_dir) {
  fs::create_directories(to);
  if (from.empty() || !fs::is_directory(from)) return;
  if (fs::equivalent(from, scenario_dir)) return;  // default usr_dir "." = the scenario folder: nothing to copy
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

report::ReportInput make_report_input(const scenario::Scenario& s, const std::string& run_id,
                                      const std::string& started_wall, double real_s, std::vector<Json> events,
                                      std::vector<rules::Finding> findings, const rules::Verdict& verdict,
                                      int code, std::string reason) {
  report::ReportInput in;
  in.scenario = s.name;
  in.run_id = run_id;
  in.started_wall = started_wall;
  in.duration_s = real_s;
  in.time_scale = s.time_scale;
  in.passed = verdict.passed && code == exit_code::ok;
  in.exit_code = code;
  in.exit_reason = std::move(reason);
  in.devices = s.expect.devices;
  in.events = std::move(events);
  in.findings = std::move(findings);
  in.catalogue = rules::catalogue();
  in.full_push_period_s = s.expect.full_push_period_s;
  in.change_push_period_s = s.expect.change_push_period_s;
  for (const auto& t : s.expect.tags)
    if (!t.point.empty()) in.plotted_tags.push_back({t.name, t.point, t.coef, t.offset});
  if (s.findings.exact || !s.findings.must_find.empty() || !s.findings.must_not_find.empty()) {
    report::DeclaredFindings d;
    d.exact = s.findings.exact.has_value();
    d.expected = s.findings.exact ? *s.findings.exact : s.findings.must_find;
    d.must_not = s.findings.must_not_find;
    d.missing = verdict.missing;
    d.unexpected = verdict.unexpected;
    in.declared_findings = d;
  }
  return in;
}

Json action_event(const scenario::Action& a, const std::string& detail) {
  auto ev = make_event("action");
  ev["action"] = std::string(scenario::to_string(a.kind));
  ev["device"] = a.device;
  ev["detail"] = detail;
  return ev;
}

void perform(const scenario::Action& a, broker::HubProcess* hub, plc::PlcServer* plc, EventSink& sink) {
  using K = scenario::ActionKind;
  switch (a.kind) {
    case K::c2d:
      sink.emit(action_event(a, fmt::format("C2D message of {} bytes", a.body.size())));
      if (hub) hub->send_c2d(a.device, a.body, a.properties);
      break;
    case K::desired:
      sink.emit(action_event(a, "desired properties " + a.patch.dump()));
      if (hub) hub->update_desired(a.device, a.patch);
      break;
    case K::method:
      sink.emit(action_event(a, fmt::format("direct method {} {}", a.method, a.payload.dump())));
      if (hub) hub->call_method(a.device, a.method, a.payload);
      break;
    case K::broker_restart:
      sink.emit(action_event(a, "broker restart"));
      if (hub) hub->restart();
      break;
    case K::plc_fault:
      sink.emit(action_event(a, a.fault.describe()));
      if (plc) plc->inject_fault(a.fault);
      break;
  }
}

struct SignedToken {
  std::string password;
  std::int64_t expiry = 0;
};

// The scenario's [dut.sas_token], signed now: the hub judges its expiry in wall seconds, so the
// scenario-time `expires_after` is divided by the time scale.
SignedToken sign_sas_token(const scenario::Scenario& s, const broker::HubProcess& hub) {
  const auto& g = *s.dut.sas_token;
  certs::SasTokenRequest req;
  req.resource = g.hub_wide ? hub.hub_host() : hub.hub_host() + "/devices/" + s.dut.device;
  if (g.policy.empty()) {
    const auto* dev = hub.registry().find_device(s.dut.device);
    if (!dev) throw ConfigError(g.where, fmt::format("device '{}' is not in the hub's registry", s.dut.device));
    req.key_base64 = dev->primary_key;
  } else {
    const auto* policy = hub.registry().find_policy(g.policy);
    if (!policy) throw ConfigError(g.where, fmt::format("no [[policy]] '{}' in the hub's registry", g.policy));
    req.key_base64 = policy->key;
    req.policy_name = g.policy;
  }
  // Rounded up: the token is valid for at least `expires_after` (se is whole seconds).
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  req.expiry = static_cast<std::int64_t>(std::ceil(now + g.expires_after_s / s.time_scale));
  return {certs::make_sas_token(req), req.expiry};
}

void print_external_instructions(std::ostream& out, const scenario::Scenario& s, const broker::HubProcess& hub) {
  const auto* dev = hub.registry().find_device(s.dut.device);
  const std::string host = s.dut.advertise.empty() ? hub.bind_address() : s.dut.advertise;
  out << "\nExternal device under test — install and configure the real Flexy:\n";
  out << fmt::format("  hub host name   {} (map it to {} in the Flexy's DNS/hosts, or use the IP)\n", hub.hub_host(), host);
  if (dev && dev->auth == broker::AuthKind::sas)
    out << fmt::format("  MQTT over TLS   {}:{} (SAS)\n", host, hub.ports().sas);
  else
    out << fmt::format("  MQTT over TLS   {}:{} (X.509)\n", host, hub.ports().x509);
  out << fmt::format("  CA certificate  {}  → upload to /usr/ by FTP\n", hub.ca_file());
  out << fmt::format("  client id       {}\n  username        {}/{}/?api-version=2021-04-12\n", s.dut.device,
                     hub.hub_host(), s.dut.device);
  if (dev && !dev->certificate.empty()) out << fmt::format("  device certificate registered: {}\n", dev->certificate);
  out << fmt::format("Waiting up to {:.0f} s for '{}' to connect (Ctrl-C to stop)…\n\n", s.dut.wait_s, s.dut.device);
}

// The run's /metrics server, when the scenario or --metrics asks for one. Throws ConfigError
// (bad address) or InfrastructureError (cannot listen): the run then ends with its report.
std::unique_ptr<metrics::RunMetrics> start_metrics(const scenario::Scenario& s, const std::string& run_id,
                                                   CaptureWriter& capture, std::ostream& out) {
  if (!s.metrics.listen) return nullptr;
  metrics::validate_bind_address(*s.metrics.listen);
  metrics::MetricsOptions mo;
  mo.bind_address = *s.metrics.listen;
  mo.scenario = s.name;
  mo.run_id = run_id;
  mo.devices = s.expect.devices;
  if (!s.metrics.device_labels) mo.device_label_limit = 0;
  mo.time_scale = s.time_scale;
  if (s.expect.full_push_period_s) mo.expected_periods.push_back(*s.expect.full_push_period_s);
  if (s.expect.change_push_period_s) mo.expected_periods.push_back(*s.expect.change_push_period_s);
  auto prom = std::make_unique<metrics::RunMetrics>(mo);
  capture.add_listener(prom->listener());
  out << fmt::format("metrics: {}\n", prom->url());
  return prom;
}

// Whatever a part threw, as the run's exit code and one-line reason: a program that does not
// parse is the user's input (2) with its file name; everything else as main()'s barrier says.
Failure describe_run_failure(std::exception_ptr error, const std::string& program_file) {
  try {
    std::rethrow_exception(error);
  } catch (const basic::SyntaxError& e) {
    return {exit_code::usage, program_file + ": " + e.what()};
  } catch (...) {
    return describe_exception(std::current_exception());
  }
}

// The console's last line: the verdict, or why there is none.
std::string console_verdict(int code, bool interrupted, const std::string& reason, const rules::Verdict& verdict) {
  std::string shown = reason;
  if (shown.rfind("error: ", 0) == 0) shown.erase(0, 7);
  if (interrupted) return "INTERRUPTED: " + shown + " — the run did not complete, its findings are partial";
  if (verdict.infrastructure) return verdict.summary;  // names the part of ours that failed
  if (code == exit_code::usage || code == exit_code::infrastructure) return "ERROR: " + shown;
  return verdict.summary;
}

}  // namespace

void write_offline_reports(const scenario::Scenario& s, const std::vector<Json>& events,
                           const std::vector<rules::Finding>& findings, const rules::Verdict& verdict,
                           const std::string& dir, const std::string& capture_problem, int code) {
  std::string started;
  for (const auto& ev : events)
    if (EventView(ev).kind() == "run_start") started = EventView(ev).string("wall");
  if (code < 0)
    code = verdict.infrastructure ? exit_code::infrastructure
           : verdict.passed       ? exit_code::ok
                                  : exit_code::findings;
  auto input = make_report_input(s, "offline", started, 0, events, findings, verdict, code,
                                 capture_problem.empty() ? "offline validation"
                                                         : "offline validation of a partial capture: " + capture_problem);
  input.partial = !capture_problem.empty();
  input.capture_problem = capture_problem;
  report::write_reports(input, dir);
}

int run_scenario(const scenario::Scenario& s, const RunOptions& options, std::ostream& out, std::ostream& err) {
  out.setf(std::ios::unitbuf);  // progress and URLs appear at once, also when piped to a file
  const auto run_id = make_run_id();
  // Absolute, because parts resolve paths relative to the files they read (the run's registry).
  const std::string dir =
      fs::absolute(options.out_dir.empty() ? fs::path("reports") / s.name / run_id : fs::path(options.out_dir))
          .lexically_normal()
          .string();
  fs::create_directories(dir);
  out << fmt::format("flexhil run '{}': {} s of scenario time at ×{} (≈{:.1f} s), report in {}\n", s.name,
                     s.duration_s, s.time_scale, s.duration_s / s.time_scale, dir);

  StopSignals stop;  // before any thread starts, so every thread inherits the blocked mask
  fs::remove(fs::path(dir) / "capture.jsonl");  // a reused --out folder must not mix two runs
  CaptureWriter capture_file((fs::path(dir) / "capture.jsonl").string());
  CountedCapture capture(capture_file);  // run_end carries the counts `flexhil validate` checks
  Observer observer((fs::path(dir) / "dut-console.log").string());
  capture.add_listener([&](const Json& ev) { observer.on_event(ev); });

  std::unique_ptr<metrics::RunMetrics> prom;

  const auto real_start = std::chrono::steady_clock::now();
  // Scenario time 0 is when the hub is ready and the PLC and the DUT start (a slow hub start must
  // not eat into connect_within); run_start marks it in the capture.
  std::shared_ptr<ScaledClock> clock;
  std::string started_wall;
  auto start_scenario_clock = [&] {
    if (clock) return;
    clock = std::make_shared<ScaledClock>(s.time_scale);
    started_wall = format_wall_iso(clock->wall());
    auto ev = make_event("run_start");
    ev["scenario"] = s.name;
    ev["run"] = run_id;
    ev["time_scale"] = s.time_scale;
    ev["wall"] = started_wall;
    capture.emit(std::move(ev));
  };

  int code = exit_code::ok;
  std::string reason = "completed";
  std::unique_ptr<broker::HubProcess> hub;
  std::unique_ptr<plc::PlcServer> plc;
  std::unique_ptr<flexy::FlexyDevice> dut;
  const bool tty = options.progress && ::isatty(STDOUT_FILENO) == 1;
  auto progress = [&](double scenario_s) {
    if (!tty) return;
    const auto findings = rules::evaluate(observer.events(), s.expect);
    std::size_t e = 0, w = 0, i = 0;
    for (const auto& f : findings)
      (f.severity == rules::Severity::error ? e : f.severity == rules::Severity::warning ? w : i)++;
    out << fmt::format("\r[{:6.1f}/{:.1f} s] messages {:4}  findings: {} error, {} warning, {} info   ",
                       scenario_s, s.duration_s, observer.publishes(), e, w, i)
        << std::flush;
  };

  int interrupted = 0;  // the signal that stopped the run, 0 = none
  try {
    prom = start_metrics(s, run_id, capture_file, out);
    // Hub (its PKI, the registry of this run), then the PLC, then the device under test.
    const auto usr_dir = (fs::path(dir) / "usr").string();
    if (s.dut.flexy) copy_usr_files(s.dut.flexy->usr_dir, usr_dir, s.dir);
    const auto registry = prepare_registry(s, dir, usr_dir);
    broker::PluginOptions plugin;
    std::vector<std::string> trust;
    // Not registered: the TLS listener still trusts the certificate (or its CA), so the hub's
    // verdict — not the handshake — refuses the device.
    if (!s.dut.register_certificate) {
      const auto& trusted = registry.device_ca_file.empty() ? registry.device_cert_file : registry.device_ca_file;
      if (!trusted.empty()) trust.push_back(trusted);
    }
    plugin.qos2_policy = s.hub.qos2_policy;
    plugin.max_message_bytes = s.hub.max_message_bytes;
    if (s.hub.sas_skew_s) plugin.sas_skew_seconds = std::llround(*s.hub.sas_skew_s / s.time_scale);
    auto hub_options = broker::HubOptionsBuilder()
                                                   .hub(s.hub.name)
                                                   .registry(registry.path)
                                                   .out_dir(dir)
                                                   .bind(s.hub.bind)
                                                   .x509_port(s.hub.x509_port)
                                                   .sas_port(s.hub.sas_port)
                                                   .plugin_options(plugin)
                                                   .finalize();
    hub_options.trust_files = trust;
    hub = std::make_unique<broker::HubProcess>(hub_options, capture);
    out << fmt::format("hub '{}' ready: x509 {}:{}, sas {}:{}\n", hub->hub_host(), hub->bind_address(),
                       hub->ports().x509, hub->bind_address(), hub->ports().sas);

    start_scenario_clock();
    if (s.plc) {
      plc = std::make_unique<plc::PlcServer>(*s.plc, *clock, &capture, clock->steady());
      plc->start("127.0.0.1", 0);
      out << fmt::format("PLC ready on 127.0.0.1:{}\n", plc->port());
    }

    if (s.dut.kind == scenario::DutKind::emulated) {
      auto config = *s.dut.flexy;
      config.usr_dir = usr_dir;
      config.time_scale = s.time_scale;
      fs::copy_file(hub->ca_file(), flexy::map_usr_path(usr_dir, s.dut.ca_file), fs::copy_options::overwrite_existing);
      for (auto& topic : config.topics)
        if (plc && (topic.ip == "127.0.0.1" || topic.ip == "localhost")) topic.port = plc->port();
      const auto* dev = hub->registry().find_device(s.dut.device);
      const bool sas = dev && dev->auth == broker::AuthKind::sas;
      std::string host = hub->hub_host();
      for (auto& ch : host) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      config.mqtt.resolve[host] = fmt::format("127.0.0.1:{}", sas ? hub->ports().sas : hub->ports().x509);
      if (s.dut.sas_token) {
        const auto token = sign_sas_token(s, *hub);
        for (auto& tag : config.tags)
          if (tag.name == s.dut.sas_token->tag) tag.initial = token.password;
        out << fmt::format("SAS token in tag {}: expires se={} (no renewal)\n", s.dut.sas_token->tag, token.expiry);
      }
      flexy::FlexyDeviceOptions dopt;
      dopt.config = std::move(config);
      dopt.program = flexy::load_program_file(s.dut.program_file);
      dopt.clock = clock;
      dopt.events = &capture;
      dut = std::make_unique<flexy::FlexyDevice>(std::move(dopt));
      dut->start();
      out << fmt::format("emulated Flexy '{}' running {}\n", s.dut.device, s.dut.program_file);
    } else {
      print_external_instructions(out, s, *hub);
      const auto deadline = std::chrono::steady_clock::now() +
                            std::chrono::milliseconds(static_cast<std::int64_t>(s.dut.wait_s * 1000));
      while (!observer.has_connected(s.dut.device)) {
        if (const int sig = stop.wait(200ms); sig != 0) {
          interrupted = sig;
          reason = fmt::format("interrupted (signal {}) while waiting for the external device", sig);
          code = exit_code::infrastructure;
          break;
        }
        if (std::chrono::steady_clock::now() > deadline) {
          reason = fmt::format("external device '{}' did not connect within {:.0f} s", s.dut.device, s.dut.wait_s);
          break;
        }
      }
    }

    // The run: actions at their scenario time, a progress line, until the end or a signal.
    std::size_t next_action = 0;
    auto scenario_now = [&] { return std::chrono::duration<double>(clock->steady()).count(); };
    const double t0 = 0;
    auto last_progress = std::chrono::steady_clock::now() - 1s;
    while (reason == "completed") {
      const double t = scenario_now() - t0;
      if (t >= s.duration_s) break;
      while (next_action < s.actions.size() && s.actions[next_action].at_s <= t)
        perform(s.actions[next_action++], hub.get(), plc.get(), capture);
      if (std::chrono::steady_clock::now() - last_progress >= 1s) {
        progress(t);
        if (prom) prom->set_progress(t, s.duration_s);
        last_progress = std::chrono::steady_clock::now();
      }
      if (const int sig = stop.wait(50ms); sig != 0) {
        interrupted = sig;
        reason = fmt::format("interrupted (signal {})", sig);
        code = exit_code::infrastructure;
      }
      // Our own parts failing ends the run: what the device does without a hub or PLC is not
      // its fault (the hub_error / plc_error event is the HARNESS-… finding).
      if (const auto failure = hub->failure()) {
        reason = fmt::format("the hub failed ({}): {}", failure->cause, failure->detail);
        code = exit_code::infrastructure;
      } else if (const auto plc_failure = plc ? plc->failure() : std::nullopt) {
        reason = "the PLC simulator failed: " + *plc_failure;
        code = exit_code::infrastructure;
      }
    }
    if (tty) out << '\n';
  } catch (...) {
    const auto failure = describe_run_failure(std::current_exception(), s.dut.program_file);
    err << failure.message << '\n';
    code = failure.exit_code;
    reason = failure.message;
  }
  if (dut && code == exit_code::ok)
    if (const auto failure = dut->failure()) {
      err << "error: the emulated Flexy stopped: " << *failure << '\n';
      code = exit_code::infrastructure;
      reason = "the emulated Flexy stopped: " + *failure;
    }

  start_scenario_clock();  // a run that failed before the hub was ready still has a run_start
  {
    auto ev = make_event("run_end");
    ev["scenario"] = s.name;
    ev["run"] = run_id;
    ev["time_scale"] = s.time_scale;
    ev["reason"] = reason;
    capture.emit(std::move(ev));
  }
  // Stop in reverse order of start; each part's destructor also stops it on any other path.
  dut.reset();
  plc.reset();
  hub.reset();

  const auto events = observer.events();
  std::vector<rules::Finding> findings;
  rules::Verdict verdict;
  try {
    findings = rules::evaluate(events, s.expect);
    verdict = rules::judge(findings, s.findings);
  } catch (...) {  // the rules failing is ours, never the device's: report it, exit 3
    const auto failure = describe_exception(std::current_exception());
    err << failure.message << '\n';
    findings.clear();
    verdict = rules::Verdict{};
    code = exit_code::infrastructure;
    reason = "the rules failed: " + failure.message;
  }
  if (code == exit_code::ok) code = verdict.passed ? exit_code::ok : exit_code::findings;
  if (verdict.infrastructure) code = exit_code::infrastructure;
  if (const auto why = capture_file.failure(); !why.empty()) {
    // A truncated capture cannot back any verdict, whatever the findings say.
    reason = fmt::format("capture.jsonl could not be written: {} ({} events lost)", why, capture_file.lost());
    err << "error: capture.jsonl could not be written: " << why << '\n';
    code = exit_code::infrastructure;
  }
  if (prom)
    for (const auto& f : findings) prom->on_finding(f);
  const double real_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - real_start).count();
  print_findings(out, findings);
  out << console_verdict(code, interrupted != 0, reason, verdict) << '\n';
  try {
    auto input = make_report_input(s, run_id, started_wall, real_s, events, findings, verdict, code, reason);
    input.interrupted = interrupted != 0;
    report::write_reports(input, dir);
    out << fmt::format("report: {}\n", (fs::path(dir) / "report.html").string());
  } catch (...) {
    err << "error: writing the reports failed: " << describe_exception(std::current_exception()).message << '\n';
    if (code == exit_code::ok || code == exit_code::findings) code = exit_code::infrastructure;
  }
  return code;
}

}  // namespace flexhil::run
