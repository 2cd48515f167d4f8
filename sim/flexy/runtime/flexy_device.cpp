#include "sim/flexy/runtime/flexy_device.hpp"

#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <variant>

#include "common/error.hpp"
#include "sim/flexy/basic/date_plan.hpp"
#include "sim/flexy/basic/errors.hpp"
#include "sim/flexy/runtime/device_info.hpp"
#include "sim/flexy/runtime/modbus_poller.hpp"
#include "sim/flexy/runtime/mqtt_bridge.hpp"
#include "sim/flexy/runtime/action_runner.hpp"
#include "sim/flexy/runtime/outbound_actions.hpp"
#include "sim/flexy/runtime/usr_files.hpp"

namespace flexhil::flexy {
namespace {

constexpr std::size_t kKeptLines = 1000;
// Timer expiries this much (scenario time) after they were due are reported as dut_timer_late.
constexpr std::chrono::milliseconds kTimerLateReport{100};

Clock::Nanos scenario_duration(double seconds) {
  return std::chrono::duration_cast<Clock::Nanos>(std::chrono::duration<double>(seconds));
}

}  // namespace

basic::Program load_program_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError({path, 0, 0}, "cannot read the BASIC program (check the path)");
  std::stringstream text;
  text << in.rdbuf();
  return basic::parse_program(text.str(), path);
}

// What other threads hand to the BASIC thread.
struct FlexyDevice::Post {
  struct MqttMessage {};
  struct MqttStatus {
    int status = 0;
  };
  struct Command {
    std::string basic;
  };
  struct Sms {
    std::string from, text;
  };
  struct WanLink {
    bool up = true;
  };
  struct ActionAnswered {};  // a real action (HTTP, mail, FTP) has its answer: complete_due() takes it
  std::variant<PollResult, MqttMessage, MqttStatus, Command, Sms, WanLink, ActionAnswered> what;
};

// The interpreter's view of the device (host.hpp). Runs on the BASIC thread only.
class FlexyDevice::Host final : public basic::Host {
 public:
  explicit Host(FlexyDevice& d) : d_(d), files_(d.config().usr_dir) {}

  struct Timer {
    Clock::Nanos period{};
    Clock::Nanos due{};
    int expiries = 0;  // since the last TGET
  };
  std::map<int, Timer> timers;

  // --- events and outbound actions ---
  struct DateTimer {
    basic::DatePlan plan;
    std::optional<std::int64_t> due_utc;  // nullopt: the plan never matches
  };
  std::map<int, DateTimer> date_timers;
  struct ReceivedSms {
    std::string from, text;
    std::int64_t at_utc = 0;
  };
  std::deque<ReceivedSms> sms_inbox;
  ReceivedSms current_sms;

  std::optional<std::int64_t> next_date(const basic::DatePlan& plan, std::int64_t after) const {
    const auto& zone = d_.config().time_zone;
    return basic::next_plan_time(plan, after, [&](std::int64_t t) { return zone.offset_at(t); });
  }

  void set_date_plan(int number, std::string_view plan) override {
    const auto parsed = basic::parse_date_plan(plan);
    if (!parsed.plan) {
      date_timers.erase(number);
      return;
    }
    date_timers[number] = DateTimer{*parsed.plan, next_date(*parsed.plan, time_seconds())};
  }

  int alarm_status(int index) override {
    std::lock_guard lock(d_.db_mutex_);
    if (index < 0 || index >= static_cast<int>(d_.alarms_.size())) return 0;
    return static_cast<int>(d_.alarms_[static_cast<std::size_t>(index)].status());
  }

  basic::HostResult acknowledge_alarm(int index, std::string_view user) override {
    AlarmTransition t;
    {
      std::lock_guard lock(d_.db_mutex_);
      if (index < 0 || index >= static_cast<int>(d_.alarms_.size()))
        return basic::HostResult::fail(basic::error_code::unknown_tag, "no such tag");
      auto& alarm = d_.alarms_[static_cast<std::size_t>(index)];
      if (!alarm.config().enabled)
        return basic::HostResult::fail(basic::error_code::invalid_parameter,
                                       "tag " + d_.db_.config(index).name + " has no alarm configured");
      t = alarm.acknowledge(d_.scenario_seconds());
      if (!t)
        return basic::HostResult::fail(basic::error_code::invalid_parameter,
                                       "tag " + d_.db_.config(index).name + " has no alarm to acknowledge");
      alarm.set_acknowledged_by(std::string(user));
    }
    d_.emit_event("dut_alarm", Json{{"tag", d_.db_.config(index).name},
                                    {"transition", std::string(*t)},
                                    {"status", alarm_status(index)},
                                    {"user", std::string(user)}});
    d_.interpreter_->post_alarm(index);
    return basic::HostResult::ok();
  }

  basic::HostResult outbound_action(std::string_view kind, const std::vector<basic::Value>& args, int line) override {
    auto launched = d_.actions_->launch(kind, args, line, d_.scenario_seconds(), d_.system_.servers());
    d_.emit_event("dut_action", std::move(launched.event));
    return basic::HostResult::ok(std::int32_t{launched.id});
  }

  basic::HostResult http_response(std::string_view field, std::string_view name) override {
    std::string f(field);
    for (auto& c : f) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (f == "STATUSCODE") return basic::HostResult::ok(std::int32_t{d_.actions_->http_status()});
    if (f == "RESPONSE-BODY") return basic::HostResult::ok(d_.actions_->http_body());
    // A scripted response carries one header (the response file's content type), a real one the
    // server's.
    if (f == "HEADER") return basic::HostResult::ok(d_.actions_->http_header(name));
    return basic::HostResult::fail(basic::error_code::invalid_parameter,
                                   "unknown field (STATUSCODE, HEADER or RESPONSE-BODY)");
  }

  std::optional<basic::Value> program_field(std::string_view field) {
    std::string f(field);
    for (auto& c : f) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (f == "ACTIONID") return std::int32_t{d_.actions_->action_id()};
    if (f == "ACTIONSTAT") return std::int32_t{d_.actions_->status(d_.actions_->action_id())};
    if (f == "SMSREAD") {
      // Loads the next received SMS (1), or 0 when none is waiting.
      if (sms_inbox.empty()) return std::int32_t{0};
      current_sms = std::move(sms_inbox.front());
      sms_inbox.pop_front();
      return std::int32_t{1};
    }
    if (f == "SMSFROM") return current_sms.from;
    if (f == "SMSMSG") return current_sms.text;
    if (f == "SMSDATE") {
      return format_flexy_time(std::chrono::system_clock::time_point(std::chrono::seconds(current_sms.at_utc)),
                               d_.config().time_zone);
    }
    return std::nullopt;
  }

  std::int64_t time_seconds() override {
    return std::chrono::duration_cast<std::chrono::seconds>(d_.device_wall().time_since_epoch()).count();
  }
  std::int64_t milliseconds() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d_.clock().steady()).count();
  }
  std::string time_string() override { return format_flexy_time(d_.device_wall(), d_.config().time_zone); }

  // SETTIME: the device's clock moves so that TIME$ reads `local_seconds` now; ONDATE plans
  // follow the new clock. Logged `SETTIME: clock set to …` (dut_log settime).
  basic::HostResult set_clock(std::int64_t local_seconds) override {
    const auto& zone = d_.config().time_zone;
    const std::int64_t utc = local_seconds - zone.offset_at(local_seconds - zone.offset_at(local_seconds));
    const std::int64_t run_wall =
        std::chrono::duration_cast<std::chrono::seconds>(d_.clock().wall().time_since_epoch()).count();
    d_.clock_offset_s_.store(utc - run_wall);
    for (auto& [number, timer] : date_timers) timer.due_utc = next_date(timer.plan, utc);
    const std::string now = time_string();
    d_.emit_log("SETTIME: clock set to " + now, basic::log_level::info, Json{{"source", "program"}, {"settime", now}});
    return basic::HostResult::ok();
  }
  // MEMORY "PROG" | "VAR" | "ALL": the Flexy 205's figures (device_info.hpp).
  std::optional<std::int32_t> memory_figure(std::string_view which) override { return device_memory_figure(which); }
  // IOMOD: tags whose value changed (SETIO, Tag@ =, a Modbus poll) since their last IOMOD.
  std::set<int> modified_tags;
  bool tag_modified(int index) override { return modified_tags.erase(index) > 0; }

  void print(std::string_view line) override { d_.emit_console(std::string(line)); }
  void log_event(std::string_view message, int level) override {
    d_.emit_log(std::string(message), level, Json{{"source", "program"}});
  }

  int tag_count() override { return d_.db_.size(); }
  std::optional<int> find_tag(std::string_view name) override { return d_.db_.find(name); }
  basic::Value tag_value(int index) override {
    if (index < 0 || index >= d_.db_.size()) return std::int32_t{0};
    return d_.db_.value(index);
  }
  basic::HostResult set_tag_value(int index, const basic::Value& value) override {
    if (index < 0 || index >= d_.db_.size()) return basic::HostResult::fail(basic::error_code::unknown_tag, "no such tag");
    std::optional<bool> changed;
    {
      std::lock_guard lock(d_.db_mutex_);
      changed = d_.db_.store(index, value);
    }
    const auto& tag = d_.db_.config(index);
    if (!changed)
      return basic::HostResult::fail(basic::error_code::type_mismatch,
                                     fmt::format("SETIO {}: a {} tag needs a {}", tag.name, to_string(tag.type),
                                                 tag.type == TagType::string ? "string" : "number"));
    if (tag.address && d_.poller_) {
      if (const auto n = numeric(d_.db_.value(index))) d_.poller_->write(index, d_.db_.raw_value(index, *n));
    }
    if (*changed) {
      modified_tags.insert(index);
      d_.history_.record(index + 1, d_.wall_seconds(), d_.db_.value(index));
      d_.interpreter_->post_tag_change(index);
    }
    {
      std::lock_guard lock(d_.db_mutex_);
      d_.evaluate_alarm(index);
    }
    return basic::HostResult::ok();
  }
  std::optional<basic::Value> tag_field(int index, std::string_view field) override {
    if (index < 0 || index >= d_.db_.size()) return std::nullopt;
    std::string f(field);
    for (auto& c : f) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (f == "alstat") return std::int32_t{alarm_status(index)};
    if (f == "altype") {
      std::lock_guard lock(d_.db_mutex_);
      return std::int32_t{static_cast<int>(d_.alarms_[static_cast<std::size_t>(index)].type())};
    }
    return d_.db_.field(index, field);
  }
  basic::HostResult set_tag_field(int index, std::string_view field, const basic::Value& value) override {
    if (index < 0 || index >= d_.db_.size()) return basic::HostResult::fail(basic::error_code::unknown_tag, "no such tag");
    std::lock_guard lock(d_.db_mutex_);
    return d_.db_.set_field(index, field, value);
  }
  std::optional<basic::Value> system_field(std::string_view group, std::string_view field) override {
    if (group == "SYS") return d_.system_.field(field);
    if (group == "PRG") {
      if (auto v = program_field(field)) return v;
    }
    return device_info_field(d_.config(), group, field);
  }
  basic::HostResult set_system_field(std::string_view group, std::string_view field, const basic::Value& value) override {
    if (group == "SYS") return d_.system_.set_field(field, value);
    if (group == "PRG") {
      std::string f(field);
      for (auto& c : f) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (f == "ACTIONID") {
        const auto id = numeric(value);
        if (!id) return basic::HostResult::fail(basic::error_code::type_mismatch, "ACTIONID needs a number");
        d_.actions_->select(static_cast<int>(*id));
        return basic::HostResult::ok();
      }
    }
    return set_device_info_field(group, field);
  }
  basic::HostResult save_tag(int index) override {
    if (index < 0 || index >= d_.db_.size()) return basic::HostResult::fail(basic::error_code::unknown_tag, "no such tag");
    std::lock_guard lock(d_.db_mutex_);
    return d_.db_.save(index);
  }

  void set_timer(int number, double period_seconds) override {
    if (period_seconds <= 0) {
      timers.erase(number);
      return;
    }
    const auto period = scenario_duration(period_seconds);
    timers[number] = Timer{period, d_.clock().steady() + period, 0};
  }

  basic::HostResult mqtt(std::string_view command, const std::vector<basic::Value>& args) override {
    return d_.mqtt_->command(command, args);
  }

  // --- files and system ---
  basic::HostResult open_file(int number, std::string_view spec, FileMode mode) override {
    if (spec.rfind("exp:", 0) != 0) return files_.open(number, spec, mode);
    if (mode != FileMode::input)
      return basic::HostResult::fail(basic::error_code::file_mode, "an export is read only: open it FOR TEXT INPUT");
    std::string why;
    const auto request = parse_export_block(spec.substr(4), d_.wall_seconds(), why);
    if (!request) return basic::HostResult::fail(basic::error_code::file_io, why);
    return files_.open_text(number, d_.render_export(*request));
  }
  basic::HostResult write_file(int number, std::string_view bytes) override { return files_.write(number, bytes); }
  basic::HostResult read_file(int number, std::size_t max_bytes) override { return files_.read(number, max_bytes); }
  void close_file(int number) override { files_.close(number); }
  basic::HostResult erase_file(std::string_view spec) override { return files_.erase(spec); }
  basic::HostResult save_config() override {
    const auto changed = d_.system_.save();
    std::string names;
    for (const auto& n : changed) names += (names.empty() ? "" : ", ") + n;
    d_.emit_log("CFGSAVE: configuration saved" + (names.empty() ? std::string(" (no system field changed)") : " (" + names + ")"),
                basic::log_level::info, Json{{"source", "program"}, {"cfgsave", changed}});
    return basic::HostResult::ok();
  }
  bool timer_expired(int number) override {
    auto it = timers.find(number);
    if (it == timers.end() || it->second.expiries == 0) return false;
    it->second.expiries = 0;
    return true;
  }
  basic::HostResult log_io(int index) override {
    if (index < 0 || index >= d_.db_.size()) return basic::HostResult::fail(basic::error_code::unknown_tag, "no such tag");
    basic::Value v;
    {
      std::lock_guard lock(d_.db_mutex_);
      v = d_.db_.value(index);
    }
    d_.history_.record(index + 1, d_.wall_seconds(), std::move(v));
    return basic::HostResult::ok();
  }
  void reboot() override {
    timers.clear();
    files_.close_all();
    d_.system_.reboot();
  }

 private:
  FlexyDevice& d_;
  UsrFiles files_;
};

FlexyDevice::FlexyDevice(FlexyDeviceOptions options)
    : options_(std::move(options)), db_(options_.config.tags, options_.config.float_storage), system_(options_.config) {
  if (!options_.clock) options_.clock = std::make_shared<ScaledClock>(options_.config.time_scale);
  if (!options_.console_out && options_.config.echo_console) options_.console_out = &std::cout;
  host_ = std::make_unique<Host>(*this);
  const auto& policy = options_.config.actions;
  if (!policy.resolve.empty() || !policy.smtp_resolve.empty() || !policy.ftp_resolve.empty())
    action_runner_ = std::make_unique<ActionRunner>(
        [this] { post(Post{Post::ActionAnswered{}}); },
        std::chrono::milliseconds(static_cast<std::int64_t>(options_.config.actions.http_timeout_seconds * 1000)));
  actions_ = std::make_unique<OutboundActions>(options_.config.actions, options_.config.usr_dir, action_runner_.get(),
                                               options_.config.device_name);
  for (const auto& tag : options_.config.tags) alarms_.emplace_back(tag.alarm);
  basic::InterpreterOptions io;
  io.queue_capacity = options_.config.queue_capacity;
  io.statement_budget = static_cast<std::uint64_t>(options_.config.statement_budget);
  io.requeue_cyclic = false;  // re-queued by basic_loop() every cyclic_interval
  interpreter_ = std::make_unique<basic::Interpreter>(options_.program, *host_, io);
  poller_ = std::make_unique<ModbusPoller>(
      options_.config, *options_.clock, [this](PollResult r) { post(Post{std::move(r)}); },
      [this](const std::string& m, int level) { emit_log(m, level, Json{{"source", "io"}}); },
      options_.select_fds);
  mqtt_ = std::make_unique<MqttBridge>(
      options_.config.mqtt, options_.config.usr_dir, *options_.clock,
      MqttBridge::Events{[this] { post(Post{Post::MqttMessage{}}); },
                         [this](int s) { post(Post{Post::MqttStatus{s}}); },
                         [this](const std::string& m, int level) { emit_log(m, level, Json{{"source", "mqtt"}}); },
                         [this](const std::string& m, const std::string& topic, bool checked_status) {
                           emit_log(m, basic::log_level::error,
                                    Json{{"source", "mqtt"},
                                         {"publish_while_disconnected", true},
                                         {"topic", topic},
                                         {"checked_status", checked_status}});
                         },
                         [this](const std::string& m, const TlsFileProblem& p) {
                           emit_log(m, basic::log_level::error,
                                    Json{{"source", "mqtt"},
                                         {"tls_file", {{"parameter", p.file.parameter},
                                                       {"file", p.file.value},
                                                       {"reason", p.reason}}}});
                         },
                         [this](const std::string& m, const std::string& host, const std::vector<std::string>& routed) {
                           emit_log(m, basic::log_level::error,
                                    Json{{"source", "mqtt"}, {"unresolved_host", host}, {"routed_hosts", routed}});
                         },
                         [this](double seconds) { emit_event("dut_publish_late", Json{{"late_s", seconds}}); }},
      host_resolves_by_getaddrinfo, options_.paho_wake);
}

FlexyDevice::~FlexyDevice() { stop(); }

void FlexyDevice::start() {
  std::lock_guard lock(mutex_);
  if (running_) return;
  if (stopping_) throw std::logic_error("FlexyDevice::start() after stop(): make a new device (a Flexy reboot)");
  running_ = true;
  stopping_ = false;
  start_steady_ = clock().steady();
  thread_ = std::thread([this] {
    // An exception escaping the BASIC thread would std::terminate the whole harness.
    try {
      basic_loop();
    } catch (const std::exception& e) {
      record_failure(e.what());
    } catch (...) {
      record_failure("unknown internal error");
    }
  });
  poller_->start();
}

void FlexyDevice::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!running_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (action_runner_) action_runner_->cancel();
  poller_->stop();
  mqtt_->shutdown();
  std::lock_guard lock(mutex_);
  running_ = false;
}

void FlexyDevice::post(Post p) {
  {
    std::lock_guard lock(mutex_);
    inbox_.push_back(std::make_unique<Post>(std::move(p)));
  }
  wake_.notify_all();
}

void FlexyDevice::execute(std::string basic_command) { post(Post{Post::Command{std::move(basic_command)}}); }

void FlexyDevice::deliver_sms(std::string from, std::string text) { post(Post{Post::Sms{std::move(from), std::move(text)}}); }

void FlexyDevice::set_wan_link(bool up) {
  mqtt_->set_link(up);  // at once, not when the BASIC thread gets to it: the link is physical
  post(Post{Post::WanLink{up}});
}

std::optional<int> FlexyDevice::alarm_status(std::string_view tag) const {
  std::lock_guard lock(db_mutex_);
  const auto i = db_.find(tag);
  if (!i) return std::nullopt;
  return static_cast<int>(alarms_[static_cast<std::size_t>(*i)].status());
}

void FlexyDevice::emit_event(std::string kind, Json fields) {
  if (!options_.events) return;
  auto e = make_event(kind);
  e["device"] = options_.config.device_name;
  e["scenario_s"] = scenario_seconds();
  for (auto& [key, value] : fields.items()) e[key] = std::move(value);
  options_.events->emit(std::move(e));
}

// An alarm transition is an event of the capture and queues the tag's ONALARM.
void FlexyDevice::evaluate_alarm(int index) {
  auto& alarm = alarms_[static_cast<std::size_t>(index)];
  if (!alarm.config().enabled) return;
  const auto value = numeric(db_.value(index));
  if (!value) return;
  const auto t = alarm.update(*value, scenario_seconds());
  if (!t) return;
  emit_event("dut_alarm", Json{{"tag", db_.config(index).name},
                               {"transition", std::string(*t)},
                               {"status", static_cast<int>(alarm.status())},
                               {"alarm_type", static_cast<int>(alarm.type())},
                               {"value", *value}});
  interpreter_->post_alarm(index);
}

std::int64_t FlexyDevice::wall_seconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(device_wall().time_since_epoch()).count();
}

std::string FlexyDevice::render_export(const ExportRequest& request) const {
  ExportData data;
  {
    std::lock_guard lock(db_mutex_);
    for (int i = 0; i < db_.size(); ++i) {
      const auto& tag = db_.config(i);
      ExportTag t;
      t.id = i + 1;
      t.name = tag.name;
      t.value = db_.value(i);
      // OPC-style quality words as the Flexy's instant-value export writes them (good = 65472).
      const auto level = db_.quality_level(i);
      t.quality = level == QualityLevel::good ? 65472 : (level == QualityLevel::uncertain ? 65344 : 65280);
      for (std::size_t g = 0; g < tag.groups.size(); ++g)
        if (tag.groups[g]) t.groups += static_cast<char>('A' + g);
      data.tags.push_back(std::move(t));
    }
  }
  data.history = history_.chronological();
  {
    std::lock_guard lock(mutex_);
    data.events.assign(events_.begin(), events_.end());
  }
  const TimeZone zone = config().time_zone;
  data.time_text = [zone](std::int64_t t) {
    return format_flexy_time(std::chrono::system_clock::time_point(std::chrono::seconds(t)), zone);
  };
  return flexy::render_export(request, data);
}

double FlexyDevice::scenario_seconds() const {
  return std::chrono::duration<double>(clock().steady() - start_steady_).count();
}

void FlexyDevice::emit_console(const std::string& line) {
  {
    std::lock_guard lock(mutex_);
    console_.push_back(line);
    if (console_.size() > kKeptLines) console_.pop_front();
    // One write of the whole line: std::cerr is tied to std::cout, so another thread's cerr
    // flushes cout and could split a line written in pieces ("hello" … "\n").
    if (options_.console_out) *options_.console_out << (line + '\n') << std::flush;
  }
  if (options_.events) {
    auto e = make_event("dut_console");
    e["device"] = options_.config.device_name;
    e["line"] = line;
    e["scenario_s"] = scenario_seconds();
    options_.events->emit(std::move(e));
  }
}

void FlexyDevice::emit_log(const std::string& message, int level, const Json& extra) {
  {
    std::lock_guard lock(mutex_);
    log_.push_back(message);
    if (log_.size() > kKeptLines) log_.pop_front();
    events_.push_back(EventLine{wall_seconds(), level, message});
    if (events_.size() > kKeptLines) events_.pop_front();
    if (options_.console_out)
      *options_.console_out << ("[log " + std::to_string(level) + "] " + message + '\n') << std::flush;
  }
  if (options_.events) {
    auto e = make_event("dut_log");
    e["device"] = options_.config.device_name;
    e["message"] = message;
    e["level"] = level;
    e["scenario_s"] = scenario_seconds();
    for (const auto& [key, value] : extra.items()) e[key] = value;
    options_.events->emit(std::move(e));
  }
}

void FlexyDevice::basic_loop() {
  auto& basic = *interpreter_;
  const bool has_cyclic = options_.program.has_label("ewon_cyclic_section");
  const auto cyclic_interval = scenario_duration(options_.config.cyclic_interval_seconds);
  std::optional<Clock::Nanos> next_cyclic;
  bool cyclic_queued = true;  // start() queues it after Init
  basic.start();

  auto apply = [&](Post& p) {
    if (auto* r = std::get_if<PollResult>(&p.what)) {
      std::vector<int> changed;
      {
        std::lock_guard lock(db_mutex_);
        const auto before = db_.slave_status(r->slave);
        db_.set_slave_status(r->slave, r->status);
        if (before != r->status && r->status == SlaveStatus::not_ok)
          emit_log(fmt::format("Modbus slave {} (topic {}) NOT OK: {}", r->slave, r->topic, r->error), basic::log_level::error,
                   Json{{"source", "io"}});
        else if (before == SlaveStatus::not_ok && r->status == SlaveStatus::ok)
          emit_log(fmt::format("Modbus slave {} (topic {}) OK again", r->slave, r->topic), basic::log_level::info, Json{{"source", "io"}});
        for (const auto& reading : r->readings) {
          if (reading.raw) {
            if (db_.poll_succeeded(reading.tag, *reading.raw)) {
              changed.push_back(reading.tag);
              history_.record(reading.tag + 1, wall_seconds(), db_.value(reading.tag));
            }
            evaluate_alarm(reading.tag);
          } else {
            db_.poll_failed(reading.tag);
          }
        }
      }
      for (int tag : changed) {
        host_->modified_tags.insert(tag);
        basic.post_tag_change(tag);
      }
    } else if (std::holds_alternative<Post::MqttMessage>(p.what)) {
      basic.post_mqtt_message();
    } else if (auto* s = std::get_if<Post::MqttStatus>(&p.what)) {
      basic.post_mqtt_status(s->status);
    } else if (auto* c = std::get_if<Post::Command>(&p.what)) {
      basic.post_command(c->basic);
    } else if (auto* sms = std::get_if<Post::Sms>(&p.what)) {
      host_->sms_inbox.push_back(Host::ReceivedSms{sms->from, sms->text, host_->time_seconds()});
      emit_event("dut_sms_received", Json{{"from", sms->from}, {"size", sms->text.size()}});
      basic.post_sms();
    } else if (auto* wan = std::get_if<Post::WanLink>(&p.what)) {
      basic.post_ppp(wan->up ? 1 : 2);
      basic.post_wan(wan->up ? 1 : 0);
    }
  };

  Clock::Nanos request_started{-1}, request_ended{-1};  // the last BASIC request's span
  for (;;) {
    std::deque<std::unique_ptr<Post>> posts;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      posts.swap(inbox_);
    }
    for (auto& p : posts) apply(*p);

    const auto now = clock().steady();
    for (auto& [number, timer] : host_->timers) {
      if (timer.due > now) continue;
      // A real Flexy's timer is not late because our host is busy: the rules must not read the
      // emulator's own delay as the program's cadence (harness/rules, CADENCE-…). A timer that
      // fell due while the program itself was running is late by the program's doing: not told.
      const bool program_busy = timer.due >= request_started && timer.due <= request_ended;
      if (now - timer.due >= kTimerLateReport && !program_busy)
        emit_event("dut_timer_late", Json{{"timer", number},
                                          {"late_s", std::chrono::duration<double>(now - timer.due).count()}});
      ++timer.expiries;
      basic.post_timer(number);
      timer.due += timer.period;
      if (timer.due <= now) timer.due = now + timer.period;  // late: skip missed periods
    }
    const auto now_utc = host_->time_seconds();
    for (auto& [number, timer] : host_->date_timers) {
      if (!timer.due_utc || *timer.due_utc > now_utc) continue;
      basic.post_date(number);
      timer.due_utc = host_->next_date(timer.plan, now_utc);  // late: missed minutes are not replayed
    }
    for (auto& done : actions_->complete_due(scenario_seconds())) {
      emit_event("dut_action", std::move(done.event));
      basic.post_action_status(done.id);
    }
    if (has_cyclic && !cyclic_queued && next_cyclic && *next_cyclic <= now) {
      basic.post_cyclic();
      cyclic_queued = true;
      next_cyclic.reset();
    }

    if (basic.pending() > 0) {
      request_started = clock().steady();
      if (mqtt_) mqtt_->new_request();
      basic.run_one();
      request_ended = clock().steady();
      {
        std::lock_guard lock(mutex_);
        ++requests_;
      }
      const auto& outcome = basic.last_outcome();
      if (outcome.kind == basic::RequestKind::cyclic) {
        cyclic_queued = false;
        next_cyclic = clock().steady() + cyclic_interval;
      }
      continue;
    }

    // Idle: sleep until the next timer, the next cyclic pass, or a post.
    std::optional<Clock::Nanos> due = has_cyclic && !cyclic_queued ? next_cyclic : std::nullopt;
    for (const auto& [number, timer] : host_->timers)
      if (!due || timer.due < *due) due = timer.due;
    const auto wall_s = host_->time_seconds();
    for (const auto& [number, timer] : host_->date_timers) {
      if (!timer.due_utc) continue;
      const auto at = clock().steady() + std::chrono::seconds(std::max<std::int64_t>(0, *timer.due_utc - wall_s));
      if (!due || at < *due) due = at;
    }
    if (const auto action_s = actions_->next_due_s()) {
      const auto at = start_steady_ + scenario_duration(*action_s);
      if (!due || at < *due) due = at;
    }
    std::unique_lock lock(mutex_);
    auto ready = [&] { return stopping_ || !inbox_.empty(); };
    if (due) {
      const auto wait = clock().to_real(std::max(Clock::Nanos{0}, *due - clock().steady()));
      wake_.wait_for(lock, std::min<Clock::Nanos>(wait, std::chrono::seconds(1)), ready);
    } else {
      wake_.wait_for(lock, std::chrono::seconds(1), ready);
    }
  }
}

std::optional<basic::Value> FlexyDevice::tag_value(std::string_view name) const {
  std::lock_guard lock(db_mutex_);
  const auto i = db_.find(name);
  if (!i) return std::nullopt;
  return db_.value(*i);
}

std::optional<int> FlexyDevice::tag_quality(std::string_view name) const {
  std::lock_guard lock(db_mutex_);
  const auto i = db_.find(name);
  if (!i) return std::nullopt;
  return db_.quality(*i);
}

std::optional<QualityLevel> FlexyDevice::tag_quality_level(std::string_view name) const {
  std::lock_guard lock(db_mutex_);
  const auto i = db_.find(name);
  if (!i) return std::nullopt;
  return db_.quality_level(*i);
}

SlaveStatus FlexyDevice::slave_status(const std::string& slave) const {
  std::lock_guard lock(db_mutex_);
  return db_.slave_status(slave);
}

int FlexyDevice::mqtt_status() const { return mqtt_->status(); }

std::vector<std::string> FlexyDevice::console() const {
  std::lock_guard lock(mutex_);
  return {console_.begin(), console_.end()};
}

std::vector<std::string> FlexyDevice::log() const {
  std::lock_guard lock(mutex_);
  return {log_.begin(), log_.end()};
}

void FlexyDevice::record_failure(const std::string& what) {
  {
    std::lock_guard lock(mutex_);
    failure_ = what;
  }
  emit_log("emulated Flexy stopped on an internal error: " + what, basic::log_level::error, Json{{"source", "harness"}, {"internal_error", true}});
}

std::optional<std::string> FlexyDevice::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

std::uint64_t FlexyDevice::requests_run() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

}  // namespace flexhil::flexy
