#include "harness/run/orchestrator.hpp"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <map>
#include <memory>
#include <optional>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/error_barrier.hpp"
#include "common/event_view.hpp"
#include "common/run_end_counts.hpp"
#include "common/signals.hpp"
#include "harness/metrics/run_metrics.hpp"
#include "harness/report/report.hpp"
#include "harness/rules/catalogue.hpp"
#include "harness/rules/event_findings.hpp"
#include "harness/run/action_schedule.hpp"
#include "harness/run/console_output.hpp"
#include "harness/run/observer.hpp"
#include "harness/run/run_outcome.hpp"
#include "harness/run/run_parts.hpp"
#include "harness/run/run_registry.hpp"
#include "harness/run/user_ca_check.hpp"
#include "harness/scenario/program_check.hpp"
#include "sim/flexy/basic/errors.hpp"

// `flexhil run` in visible stages: prepare the folder → record (capture, observer, metrics) →
// start the parts → drive the timeline → stop the parts → judge → report. Each stage is a small
// function; the pure pieces (RunOutcome/judge_outcome, ActionSchedule, Observer, the parts'
// configuration) live in their own files with their own tests (tests/run).
namespace flexhil::run {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

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

// The machine's name for junit.xml ("localhost" when it has none).
std::string machine_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

report::ReportInput make_report_input(const scenario::Scenario& s, const std::string& run_id,
                                      const std::string& started_wall, double real_s, std::vector<Json> events,
                                      std::vector<rules::Finding> findings, const rules::Verdict& verdict,
                                      int code, std::string reason, const rules::EvaluationTimes& times) {
  report::ReportInput in;
  in.hostname = machine_name();
  in.rules_s = times.total_s;
  in.rule_family_s = times.families;
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
  in.not_applicable = rules::not_applicable_rules(s.expect.target);
  in.not_applicable_reason = std::string(rules::not_applicable_reason(s.expect.target));
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

// A link fault of the scenario (scenario seconds, bytes per scenario second) in real time.
link::LinkFault real_time_fault(link::LinkFault f, double time_scale) {
  const double k = time_scale > 0 ? time_scale : 1;
  f.delay_s /= k;
  f.jitter_s /= k;
  f.period_s /= k;
  f.rate_bytes_per_s *= k;
  return f;
}

std::string describe_link_fault(const link::LinkFault& f) {
  using link::FaultKind;
  switch (f.kind) {
    case FaultKind::none: return "link healthy again";
    case FaultKind::cut: return "link cut: sessions closed, new connections refused";
    case FaultKind::blackhole: return "link blackholed: nothing passes, nothing is closed";
    case FaultKind::latency: return fmt::format("link latency {:g} s ± {:g} s each way", f.delay_s, f.jitter_s);
    case FaultKind::bandwidth: return fmt::format("link bandwidth {:g} bytes/s each way", f.rate_bytes_per_s);
    case FaultKind::flap: return fmt::format("link flapping: down then up every {:g} s", f.period_s);
  }
  return "link";
}

void perform(const scenario::Action& a, const RunParts& parts, double time_scale, EventSink& sink) {
  using K = scenario::ActionKind;
  broker::HubProcess* hub = parts.hub.get();
  plc::PlcServer* plc = parts.plc.get();
  flexy::FlexyDevice* dut = parts.dut(a.device);
  link::FaultLink* link = parts.link(a.device, a.link_path);
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
    case K::sms:
      sink.emit(action_event(a, fmt::format("SMS from {} of {} characters", a.from, a.text.size())));
      if (dut) dut->deliver_sms(a.from, a.text);
      break;
    case K::wan: {
      auto ev = action_event(a, a.wan_up ? "WAN link up" : "WAN link down");
      ev["link"] = a.wan_up ? "up" : "down";  // what the rules read (fault windows)
      sink.emit(std::move(ev));
      if (dut) dut->set_wan_link(a.wan_up);
      break;
    }
    case K::link: {
      using link::FaultKind;
      const auto& f = a.link_fault;
      auto ev = action_event(a, describe_link_fault(f));
      ev["fault"] = std::string(link::to_string(f.kind));
      ev["path"] = a.link_path == scenario::Action::LinkPath::plc ? "plc" : "hub";
      if (f.kind == FaultKind::latency) {
        ev["delay_s"] = f.delay_s;
        ev["jitter_s"] = f.jitter_s;
      }
      if (f.kind == FaultKind::bandwidth) ev["rate_bytes_per_s"] = f.rate_bytes_per_s;
      if (f.kind == FaultKind::flap) ev["period_s"] = f.period_s;
      // Outages are fault windows for the rules (what the device cannot help), like a WAN cut.
      const bool outage = f.kind == FaultKind::cut || f.kind == FaultKind::blackhole || f.kind == FaultKind::flap;
      ev["link"] = outage ? "down" : "up";
      if (a.link_path == scenario::Action::LinkPath::plc) ev["detail"] = "PLC " + ev["detail"].get<std::string>();
      sink.emit(std::move(ev));
      if (link) link->set_fault(real_time_fault(f, time_scale));
      break;
    }
  }
}

// Stage 1: the run's folder. Absolute, because parts resolve paths relative to the files they
// read (the run's registry).
struct RunFolder {
  std::string run_id;
  std::string dir;
  std::string usr_dir;  // the run's copy of the Flexy's /usr
};

RunFolder prepare_folder(const scenario::Scenario& s, const RunOptions& options) {
  RunFolder f;
  f.run_id = make_run_id();
  f.dir = fs::absolute(options.out_dir.empty() ? fs::path("reports") / s.name / f.run_id : fs::path(options.out_dir))
              .lexically_normal()
              .string();
  fs::create_directories(f.dir);
  f.usr_dir = (fs::path(f.dir) / "usr").string();
  fs::remove(fs::path(f.dir) / "capture.jsonl");  // a reused --out folder must not mix two runs
  return f;
}

// Stage 2: everything observed goes to capture.jsonl first, then to the observer (and metrics).
struct Recorder {
  explicit Recorder(const RunFolder& f)
      : file((fs::path(f.dir) / "capture.jsonl").string()),
        capture(file),
        observer((fs::path(f.dir) / "dut-console.log").string()) {
    capture.add_listener([this](const CapturedEvent& ev) { observer.on_event(ev); });
  }
  CaptureWriter file;
  CountedCapture capture;  // run_end carries the counts `flexhil validate` checks
  Observer observer;
};

// Scenario time 0 is when the hub is ready and the PLC and the DUT start (a slow hub start must
// not eat into connect_within); run_start marks it in the capture.
class ScenarioClock {
 public:
  ScenarioClock(const scenario::Scenario& s, std::string run_id, EventSink& capture)
      : s_(s), run_id_(std::move(run_id)), capture_(capture) {}
  const std::shared_ptr<ScaledClock>& start() {
    if (clock_) return clock_;
    clock_ = std::make_shared<ScaledClock>(s_.time_scale);
    wall_ = format_wall_iso(clock_->wall());
    auto ev = make_event("run_start");
    ev["scenario"] = s_.name;
    ev["run"] = run_id_;
    ev["time_scale"] = s_.time_scale;
    ev["wall"] = wall_;
    capture_.emit(std::move(ev));
    return clock_;
  }
  double now_s() const { return std::chrono::duration<double>(clock_->steady()).count(); }
  const std::string& started_wall() const { return wall_; }

 private:
  const scenario::Scenario& s_;
  std::string run_id_;
  EventSink& capture_;
  std::shared_ptr<ScaledClock> clock_;
  std::string wall_;
};

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
  // Findings an event raises on its own are counted as they come (the rest when judged).
  mo.live_findings = [expect = s.expect](const Json& e) { return rules::single_event_findings(e, expect); };
  for (const auto& rule : rules::catalogue()) mo.rules.emplace_back(rule.id, rule.severity);
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
    // Every error of the program, each with its BASIC line, then how many.
    std::string all;
    for (const auto& d : e.all().empty() ? std::vector<basic::Diagnostic>{e.diagnostic()} : e.all())
      all += d.to_string() + "\n";
    return {exit_code::usage, fmt::format("{}{}: {} syntax error(s)", all, program_file,
                                          e.all().empty() ? std::size_t{1} : e.all().size())};
  } catch (...) {
    return describe_exception(std::current_exception());
  }
}

// The emulated devices under test, started at their scenario time: all at 0 for one device, a
// fleet's members staggered ([fleet] stagger, [[fleet.override]] start, [[dut]] start). Each
// program is compiled once (a fleet shares it).
class DeviceStarter {
 public:
  DeviceStarter(const scenario::Scenario& s, std::map<std::string, basic::Program> programs, std::string usr_dir,
                std::shared_ptr<ScaledClock> clock, EventSink& events, std::ostream& out)
      : s_(s), programs_(std::move(programs)), usr_dir_(std::move(usr_dir)), clock_(std::move(clock)),
        events_(events), out_(out) {
    for (const auto* d : s.devices_under_test())
      if (d->kind == scenario::DutKind::emulated) pending_.push_back(d);
    std::stable_sort(pending_.begin(), pending_.end(),
                     [](const scenario::DutSpec* a, const scenario::DutSpec* b) { return a->start_s < b->start_s; });
  }
  // Starts every device whose time has come (start_s <= t).
  void start_due(double t, RunParts& parts) {
    const bool fleet = s_.is_fleet();
    std::size_t started = 0;
    while (next_ < pending_.size() && pending_[next_]->start_s <= t) {
      const auto& d = *pending_[next_++];
      start_emulated_device(parts, s_, d, programs_.at(d.program_file), member_usr_dir(usr_dir_, d), clock_, events_,
                            out_, fleet);
      ++started;
    }
    if (fleet && started > 0)
      out_ << fmt::format("fleet: {} of {} emulated Flexys running (at {:.1f} s)\n", next_, pending_.size(), t);
  }
  std::size_t pending() const { return pending_.size() - next_; }

 private:
  const scenario::Scenario& s_;
  std::map<std::string, basic::Program> programs_;
  std::string usr_dir_;
  std::shared_ptr<ScaledClock> clock_;
  EventSink& events_;
  std::ostream& out_;
  std::vector<const scenario::DutSpec*> pending_;
  std::size_t next_ = 0;
};

// Every program of the devices under test, compiled; the first with errors stops the run before
// anything starts (its syntax errors with their BASIC lines).
std::map<std::string, basic::Program> compile_programs(const scenario::Scenario& s) {
  std::map<std::string, basic::Program> programs;
  for (auto& [file, check] : scenario::check_fleet_programs(s)) {
    if (!check.errors.empty()) throw basic::SyntaxError(check.errors.front(), check.errors);
    programs.emplace(file, std::move(*check.program));
  }
  return programs;
}

// Stage 3: the hub (its PKI, the registry of this run), then scenario time starts, then the PLC, then
// the devices under test — emulated, or a real one the user connects (we wait for it).
void start_parts(const scenario::Scenario& s, const RunFolder& f, Recorder& rec, ScenarioClock& clock,
                 RunParts& parts, std::unique_ptr<DeviceStarter>& devices, StopSignals& stop, RunOutcome& outcome,
                 std::ostream& out) {
  // The programs first: every syntax error is reported before a hub or a PLC is started for it.
  auto programs = compile_programs(s);
  // The user's real CA bundle, judged at the scenario clock's date before the run's CA replaces
  // it; a bundle that is not PEM stops the run here, before any part starts (exit 2).
  const auto ca_bundle = check_user_ca_bundle(s, std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()));
  for (const auto* d : s.devices_under_test())
    if (d->flexy) copy_usr_files(d->flexy->usr_dir, member_usr_dir(f.usr_dir, *d), s.dir);
  // A plain broker has no device registry.
  const auto registry = s.plain_broker() ? PreparedRegistry{} : prepare_registry(s, f.dir, f.usr_dir);
  start_hub(parts, s, registry, f.dir, rec.capture, rec.file.path(), out);
  if (s.dut.kind == scenario::DutKind::emulated) prepare_emulated_device(parts);
  const auto& scaled = clock.start();
  if (ca_bundle) {
    out << fmt::format("CA bundle {}: {} — {}\n", (*ca_bundle)["file"].get<std::string>(),
                       (*ca_bundle)["verdict"].get<std::string>(), (*ca_bundle)["message"].get<std::string>());
    rec.capture.emit(*ca_bundle);
  }
  start_plc(parts, s, *scaled, rec.capture, out);
  start_endpoints(parts, s, f.dir, rec.capture, out);
  if (s.dut.kind == scenario::DutKind::emulated) {
    devices = std::make_unique<DeviceStarter>(s, std::move(programs), f.usr_dir, scaled, rec.capture, out);
    devices->start_due(0, parts);
    return;
  }
  const auto link_ports = start_external_links(parts, s, out);
  print_external_instructions(out, s, *parts.hub, parts.plc.get(), link_ports);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<std::int64_t>(s.dut.wait_s * 1000));
  while (!rec.observer.has_connected(s.dut.device)) {
    if (const int sig = stop.wait(200ms); sig != 0) {
      outcome.interrupt(sig, fmt::format("interrupted (signal {}) while waiting for the external device", sig));
      return;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      outcome.end(fmt::format("external device '{}' did not connect within {:.0f} s", s.dut.device, s.dut.wait_s));
      return;
    }
  }
}

// The progress line: counts the observer keeps as events arrive (re-running the rules here would
// cost the whole capture once a second).
void print_progress(std::ostream& out, double t, const scenario::Scenario& s, const ObservedCounts& c) {
  out << fmt::format("\r[{:6.1f}/{:.1f} s] messages {:4}  connects {} accepted, {} refused   ", t, s.duration_s,
                     c.publishes, c.connects_accepted, c.connects_refused)
      << std::flush;
}

// Stage 4: actions at their scenario time, a progress line, supervision of our own parts, until
// the scenario's end, a signal or a failure.
void drive_timeline(const scenario::Scenario& s, RunParts& parts, Recorder& rec, const ScenarioClock& clock,
                    DeviceStarter* devices, StopSignals& stop, metrics::RunMetrics* prom, RunOutcome& outcome,
                    std::ostream& out, bool tty) {
  ActionSchedule schedule(s.actions);
  auto last_progress = std::chrono::steady_clock::now() - 1s;
  while (outcome.running()) {
    const double t = clock.now_s();
    if (t >= s.duration_s) break;
    for (const auto* a : schedule.due(t))
      perform(*a, parts, s.time_scale, rec.capture);
    if (devices) devices->start_due(t, parts);
    if (std::chrono::steady_clock::now() - last_progress >= 1s) {
      if (tty) print_progress(out, t, s, rec.observer.counts());
      if (prom) {
        prom->set_progress(t, s.duration_s);
        if (parts.plc) prom->set_plc_requests(parts.plc->counters().requests);
      }
      last_progress = std::chrono::steady_clock::now();
    }
    if (const int sig = stop.wait(schedule.sleep_before_next(clock.now_s(), s.time_scale, 50ms)); sig != 0)
      outcome.interrupt(sig, fmt::format("interrupted (signal {})", sig));
    // Our own parts failing ends the run: what the device does without a hub or PLC is not its
    // fault (the hub_error / plc_error event is the HARNESS-… finding).
    if (const auto failure = parts.failure()) outcome.fail(exit_code::infrastructure, *failure);
  }
  if (tty) out << '\n';
  if (devices && devices->pending() > 0 && outcome.running())
    out << fmt::format("{} device(s) of the fleet were due after the end of the scenario and never started\n",
                       devices->pending());
}

// Stage 5: the capture's last word, then the parts stop (reverse order of start).
void finish_capture(const scenario::Scenario& s, const RunFolder& f, Recorder& rec, ScenarioClock& clock,
                    const RunOutcome& outcome) {
  clock.start();  // a run that failed before the hub was ready still has a run_start
  auto ev = make_event("run_end");
  ev["scenario"] = s.name;
  ev["run"] = f.run_id;
  ev["time_scale"] = s.time_scale;
  ev["reason"] = outcome.reason();
  rec.capture.emit(std::move(ev));
}

// Stage 6: the rules on everything observed. The rules failing is ours, never the device's.
struct Judged {
  std::vector<Json> events;
  std::vector<rules::Finding> findings;
  rules::Verdict verdict;
  rules::EvaluationTimes times;
};

// The rules judge what capture.jsonl holds (as `flexhil validate` would, offline). A capture that
// could not be written is judged on what it holds: the run is exit 3 for it anyway.
Judged judge_run(const scenario::Scenario& s, const Recorder& rec, RunOutcome& outcome, std::ostream& err) {
  Judged j;
  try {
    if (rec.file.count() > rec.file.lost()) j.events = read_capture_file(rec.file.path()).events;
  } catch (...) {
    const auto failure = describe_exception(std::current_exception());
    err << "error: reading capture.jsonl back failed: " << failure.message << '\n';
    outcome.fail(exit_code::infrastructure, "reading capture.jsonl back failed: " + failure.message);
    return j;
  }
  try {
    j.findings = rules::evaluate(j.events, s.expect, &j.times);
    j.verdict = rules::judge(j.findings, s.findings);
  } catch (...) {
    const auto failure = describe_exception(std::current_exception());
    err << failure.message << '\n';
    j.findings.clear();
    j.verdict = rules::Verdict{};
    outcome.fail(exit_code::infrastructure, "the rules failed: " + failure.message);
  }
  return j;
}

}  // namespace

void write_offline_reports(const scenario::Scenario& s, const std::vector<Json>& events,
                           const std::vector<rules::Finding>& findings, const rules::Verdict& verdict,
                           const std::string& dir, const std::string& capture_problem, int code,
                           const rules::EvaluationTimes& times) {
  std::string started;
  for (const auto& ev : events)
    if (EventView(ev).kind() == "run_start") started = EventView(ev).string("wall");
  if (code < 0)
    code = verdict.infrastructure ? exit_code::infrastructure
           : verdict.passed       ? exit_code::ok
                                  : exit_code::findings;
  auto input = make_report_input(s, "offline", started, 0, events, findings, verdict, code,
                                 capture_problem.empty() ? "offline validation"
                                                         : "offline validation of a partial capture: " + capture_problem,
                                 times);
  input.partial = !capture_problem.empty();
  input.capture_problem = capture_problem;
  report::write_reports(input, dir);
}

int run_scenario(const scenario::Scenario& s, const RunOptions& options, std::ostream& out, std::ostream& err) {
  out.setf(std::ios::unitbuf);  // progress and URLs appear at once, also when piped to a file
  const auto folder = prepare_folder(s, options);
  out << fmt::format("flexhil run '{}': {} s of scenario time at ×{} (≈{:.1f} s), report in {}\n", s.name,
                     s.duration_s, s.time_scale, s.duration_s / s.time_scale, folder.dir);
  StopSignals stop;  // before any thread starts, so every thread inherits the blocked mask
  Recorder rec(folder);
  ScenarioClock clock(s, folder.run_id, rec.capture);
  const auto real_start = std::chrono::steady_clock::now();
  const bool tty = options.progress && ::isatty(STDOUT_FILENO) == 1;

  RunOutcome outcome;
  RunParts parts;
  std::unique_ptr<DeviceStarter> devices;
  std::unique_ptr<metrics::RunMetrics> prom;
  try {
    prom = start_metrics(s, folder.run_id, rec.file, out);
    start_parts(s, folder, rec, clock, parts, devices, stop, outcome, out);
    drive_timeline(s, parts, rec, clock, devices.get(), stop, prom.get(), outcome, out, tty);
  } catch (...) {
    const auto failure = describe_run_failure(std::current_exception(), s.dut.program_file);
    err << failure.message << '\n';
    // The reason is one line (summary.json, the verdict line): a list of syntax errors becomes its
    // count and its first.
    const auto first_end = failure.message.find('\n');
    outcome.fail(failure.exit_code, first_end == std::string::npos
                                        ? failure.message
                                        : failure.message.substr(failure.message.rfind('\n') + 1) + " (first: " +
                                              failure.message.substr(0, first_end) + ")");
  }
  for (const auto& [id, dut] : parts.dut_by_id)
    if (const auto failure = dut->failure(); failure && outcome.failure_code() == 0) {
      const auto who = s.is_fleet() ? fmt::format("the emulated Flexy '{}'", id) : std::string("the emulated Flexy");
      err << "error: " << who << " stopped: " << *failure << '\n';
      outcome.fail(exit_code::infrastructure, who + " stopped: " + *failure);
    }
  finish_capture(s, folder, rec, clock, outcome);
  parts.stop();

  const auto judged = judge_run(s, rec, outcome, err);
  const auto result = judge_outcome(outcome, judged.verdict, rec.file.failure(), rec.file.lost());
  if (!rec.file.failure().empty()) err << "error: capture.jsonl could not be written: " << rec.file.failure() << '\n';
  if (prom) {
    prom->set_final_findings(judged.findings);
    if (parts.plc) prom->set_plc_requests(parts.plc->counters().requests);
  }
  const double real_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - real_start).count();
  print_findings(out, judged.findings);
  out << result.console_line << '\n';

  // Stage 7: the reports, always, whatever failed before.
  int code = result.exit_code;
  try {
    auto input = make_report_input(s, folder.run_id, clock.started_wall(), real_s, judged.events, judged.findings,
                                   judged.verdict, code, result.reason, judged.times);
    input.interrupted = outcome.interrupted();
    report::write_reports(input, folder.dir);
    out << fmt::format("report: {}\n", (fs::path(folder.dir) / "report.html").string());
  } catch (...) {
    err << "error: writing the reports failed: " << describe_exception(std::current_exception()).message << '\n';
    if (code == exit_code::ok || code == exit_code::findings) code = exit_code::infrastructure;
  }
  if (prom) {
    prom->finish(code);
    // The last scrape must see the outcome: /metrics stays up a while (Ctrl-C ends it).
    if (s.metrics.linger_s > 0 && !outcome.interrupted() && prom->port()) {
      out << fmt::format("metrics: {} stays up {:g} s with the final state (Ctrl-C to end)\n", prom->url(),
                         s.metrics.linger_s);
      out.flush();
      (void)stop.wait(std::chrono::milliseconds(static_cast<std::int64_t>(s.metrics.linger_s * 1000)));
    }
  }
  return code;
}

}  // namespace flexhil::run
