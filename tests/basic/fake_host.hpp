#pragma once
// A Host for unit tests: records every print, log line, tag write, timer and MQTT call, and
// answers from a small in-memory tag table and MQTT inbox.
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sim/flexy/basic/host.hpp"

namespace flexhil::basic::testing {

struct FakeTag {
  std::string name;
  Value value;
  int type = 1;  // 0 boolean, 1 float, 2 integer, 3 DWORD, 6 string
  std::string description;
  std::string groups = "";  // letters of the IV groups the tag is in, e.g. "AC"
  std::string address = "";  // "" = memory tag (ServerName "MEM"), else a Modbus address
};

struct MqttCall {
  std::string command;
  std::vector<Value> args;
};

struct LogLine {
  std::string message;
  int level;
};

class FakeHost : public Host {
 public:
  std::vector<std::string> prints;
  std::vector<LogLine> logs;
  int clears = 0;
  std::vector<FakeTag> tags;
  std::vector<std::pair<int, Value>> tag_writes;
  std::vector<std::tuple<int, std::string, Value>> field_writes;
  std::vector<int> saves;
  std::map<int, double> timers;  // current period per timer (0 = stopped)
  std::vector<MqttCall> mqtt_calls;
  std::int64_t now_seconds = 1795689005;  // 2026-11-26 10:30:05 UTC
  std::int64_t now_ms = 123456;
  std::string now_text = "26/11/2026 09:10:05";
  bool wan_up = true;
  int mqtt_status = 4;
  int status_after_connect = 3;  // CONNECT is asynchronous: "connecting"
  std::deque<std::pair<std::string, std::string>> inbox;  // topic, payload
  std::pair<std::string, std::string> current_message;
  // GETSYS PRG/INF fields served by the host, keyed "PRG.SERNUM", "INF.SERNUM" (upper case).
  std::map<std::string, Value> system_fields{{"PRG.SERNUM", std::string("1234-5678-90")},
                                             {"INF.SERNUM", std::string("1234-5678-90")}};
  std::vector<std::pair<std::string, Value>> system_writes;  // "INF.LOAD", value

  std::int64_t time_seconds() override { return now_seconds; }
  std::int64_t milliseconds() override { return now_ms; }
  std::string time_string() override { return now_text; }
  void print(std::string_view line) override { prints.emplace_back(line); }
  void clear_screen() override { ++clears; }
  void log_event(std::string_view message, int level) override { logs.push_back(LogLine{std::string(message), level}); }
  int tag_count() override { return static_cast<int>(tags.size()); }
  std::optional<int> find_tag(std::string_view name) override;
  Value tag_value(int index) override { return tags.at(static_cast<std::size_t>(index)).value; }
  HostResult set_tag_value(int index, const Value& value) override;
  std::optional<Value> tag_field(int index, std::string_view field) override;
  HostResult set_tag_field(int index, std::string_view field, const Value& value) override;
  std::optional<Value> system_field(std::string_view group, std::string_view field) override;
  HostResult set_system_field(std::string_view group, std::string_view field, const Value& value) override;
  HostResult save_tag(int index) override {
    saves.push_back(index);
    return HostResult::ok();
  }
  void set_timer(int number, double period_seconds) override { timers[number] = period_seconds; }
  HostResult mqtt(std::string_view command, const std::vector<Value>& args) override;

  // --- events and outbound actions ---
  struct ActionCall {
    std::string kind;
    std::vector<Value> args;
    int line;
  };
  std::map<int, std::string> date_plans;   // ONDATE number → plan ("" removed)
  std::map<int, int> alarm_statuses;       // tag index → ALSTAT
  std::vector<std::pair<int, std::string>> acks;  // ALMACK tag index, user
  std::vector<ActionCall> actions;
  int action_error = 0;                    // non-zero: outbound_action fails with it
  void set_date_plan(int number, std::string_view plan) override { date_plans[number] = std::string(plan); }
  int alarm_status(int index) override {
    auto it = alarm_statuses.find(index);
    return it == alarm_statuses.end() ? 0 : it->second;
  }
  HostResult acknowledge_alarm(int index, std::string_view user) override;
  HostResult outbound_action(std::string_view kind, const std::vector<Value>& args, int line) override;
  std::map<std::string, Value> http_fields{{"STATUSCODE", std::int32_t{200}}, {"RESPONSE-BODY", std::string("{\"ok\":1}")}};
  HostResult http_response(std::string_view field, std::string_view) override {
    auto it = http_fields.find(std::string(field));
    if (it == http_fields.end()) return HostResult::fail(10, "unknown field");
    return HostResult::ok(it->second);
  }
  // Files: an in-memory /usr keyed by the path without "file:" ("/usr/x.txt"); exports served
  // from `exports` keyed by the whole spec ("exp:$dtIV $ftT").
  std::map<std::string, std::string> files;
  std::map<std::string, std::string> exports;
  struct OpenFile {
    std::string path;
    std::string export_text;  // an open export's contents
    bool is_export = false;
    std::size_t pos = 0;
    FileMode mode = FileMode::input;
  };
  std::map<int, OpenFile> open_files;
  std::vector<int> closed;
  int config_saves = 0;
  int reboots = 0;
  HostResult open_file(int number, std::string_view spec, FileMode mode) override;
  HostResult write_file(int number, std::string_view bytes) override;
  HostResult read_file(int number, std::size_t max_bytes) override;
  void close_file(int number) override {
    open_files.erase(number);
    closed.push_back(number);
  }
  HostResult erase_file(std::string_view spec) override;
  HostResult save_config() override {
    ++config_saves;
    return HostResult::ok();
  }
  std::map<int, int> timer_expiries;  // TGET: expiries not yet read
  std::vector<int> logged_io;         // LOGIO: tag indexes
  bool timer_expired(int number) override {
    auto it = timer_expiries.find(number);
    if (it == timer_expiries.end() || it->second == 0) return false;
    it->second = 0;
    return true;
  }
  HostResult log_io(int index) override {
    logged_io.push_back(index);
    return HostResult::ok();
  }
  void reboot() override {
    ++reboots;
    timers.clear();
  }

  // SETTIME, MEMORY, IOMOD.
  std::vector<std::int64_t> clock_sets;  // SETTIME: the local times asked for (seconds, fields as UTC)
  std::map<std::string, std::int32_t> memory_figures{{"PROG", 130547}, {"VAR", 4194304}, {"ALL", 4324851}};
  std::set<int> modified_tags;           // IOMOD: tags changed since their last IOMOD
  HostResult set_clock(std::int64_t local_seconds) override {
    clock_sets.push_back(local_seconds);
    return HostResult::ok();
  }
  std::optional<std::int32_t> memory_figure(std::string_view which) override {
    auto it = memory_figures.find(std::string(which));
    if (it == memory_figures.end()) return std::nullopt;
    return it->second;
  }
  bool tag_modified(int index) override { return modified_tags.erase(index) > 0; }

  // Helpers for assertions.
  std::vector<MqttCall> calls(std::string_view command) const;  // case-insensitive
  bool logged(std::string_view fragment) const;
};

}  // namespace flexhil::basic::testing
