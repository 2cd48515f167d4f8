#include "tests/basic/fake_host.hpp"

#include <algorithm>
#include <cctype>

namespace flexhil::basic::testing {

namespace {
std::string up(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

std::optional<int> FakeHost::find_tag(std::string_view name) {
  for (std::size_t i = 0; i < tags.size(); ++i) {
    if (up(tags[i].name) == up(name)) return static_cast<int>(i);
  }
  return std::nullopt;
}

HostResult FakeHost::set_tag_value(int index, const Value& value) {
  auto& stored = tags.at(static_cast<std::size_t>(index)).value;
  if (stored != value) modified_tags.insert(index);  // IOMOD
  stored = value;
  tag_writes.emplace_back(index, value);
  return HostResult::ok();
}

std::optional<Value> FakeHost::tag_field(int index, std::string_view field) {
  const auto& t = tags.at(static_cast<std::size_t>(index));
  std::string f = up(field);
  if (f == "NAME") return Value{t.name};
  if (f == "TYPE") return Value{std::int32_t{t.type}};
  if (f == "DESCRIPTION") return Value{t.description};
  if (f == "TAGVALUE") return t.value;
  if (f == "ADDRESS") return Value{t.address};
  if (f == "SERVERNAME") return Value{std::string(t.address.empty() ? "MEM" : "MODBUS")};
  if (f == "ALENABLED") return Value{std::int32_t{0}};
  if (f.size() == 8 && f.rfind("IVGROUP", 0) == 0) {
    return Value{std::string(t.groups.find(f[7]) != std::string::npos ? "1" : "0")};
  }
  return std::nullopt;
}

HostResult FakeHost::set_tag_field(int index, std::string_view field, const Value& value) {
  field_writes.emplace_back(index, std::string(field), value);
  if (up(field) == "NAME" && std::holds_alternative<std::string>(value)) {
    tags.at(static_cast<std::size_t>(index)).name = std::get<std::string>(value);
  }
  return HostResult::ok();
}

std::optional<Value> FakeHost::system_field(std::string_view group, std::string_view field) {
  auto it = system_fields.find(up(group) + "." + up(field));
  if (it == system_fields.end()) return std::nullopt;
  return it->second;
}

HostResult FakeHost::set_system_field(std::string_view group, std::string_view field, const Value& value) {
  std::string key = up(group) + "." + up(field);
  if (key.rfind("SYS.", 0) == 0 && system_fields.count(key)) {
    system_fields[key] = value;
    system_writes.emplace_back(key, value);
    return HostResult::ok();
  }
  if (key != "INF.LOAD" && key != "PRG.ACTIONID") return HostResult::fail(10, "unknown or read-only field");
  system_writes.emplace_back(key, value);
  return HostResult::ok();
}

HostResult FakeHost::acknowledge_alarm(int index, std::string_view user) {
  auto it = alarm_statuses.find(index);
  if (it == alarm_statuses.end() || (it->second != 2 && it->second != 4)) return HostResult::fail(10, "no alarm to acknowledge");
  acks.emplace_back(index, std::string(user));
  it->second = it->second == 2 ? 3 : 0;
  return HostResult::ok();
}

HostResult FakeHost::outbound_action(std::string_view kind, const std::vector<Value>& args, int line) {
  if (action_error != 0) return HostResult::fail(action_error, "refused by the test");
  actions.push_back(ActionCall{std::string(kind), args, line});
  const auto id = static_cast<std::int32_t>(actions.size());
  system_fields["PRG.ACTIONID"] = id;
  return HostResult::ok(id);
}

namespace {
std::string usr_path(std::string_view spec) {
  std::string p(spec);
  if (p.rfind("file:", 0) == 0) p = p.substr(5);
  if (p.rfind("/usr/", 0) != 0) p = "/usr/" + (!p.empty() && p.front() == '/' ? p.substr(1) : p);
  return p;
}
}  // namespace

HostResult FakeHost::open_file(int number, std::string_view spec, FileMode mode) {
  OpenFile f;
  f.mode = mode;
  if (spec.rfind("exp:", 0) == 0) {
    auto it = exports.find(std::string(spec));
    if (it == exports.end()) return HostResult::fail(41, "unknown export");
    if (mode != FileMode::input) return HostResult::fail(42, "an export is read only");
    f.is_export = true;
    f.export_text = it->second;
  } else {
    f.path = usr_path(spec);
    if (mode == FileMode::input && !files.count(f.path)) return HostResult::fail(41, "no such file " + f.path);
    if (mode == FileMode::output) files[f.path].clear();
    if (mode == FileMode::append) files[f.path];
  }
  open_files[number] = std::move(f);
  return HostResult::ok();
}

HostResult FakeHost::write_file(int number, std::string_view bytes) {
  auto& f = open_files.at(number);
  files[f.path] += bytes;
  return HostResult::ok();
}

HostResult FakeHost::read_file(int number, std::size_t max_bytes) {
  auto& f = open_files.at(number);
  const std::string& text = f.is_export ? f.export_text : files[f.path];
  std::string out = f.pos < text.size() ? text.substr(f.pos, max_bytes) : std::string();
  f.pos += out.size();
  return HostResult::ok(out);
}

HostResult FakeHost::erase_file(std::string_view spec) {
  if (files.erase(usr_path(spec)) == 0) return HostResult::fail(41, "no such file");
  return HostResult::ok();
}

HostResult FakeHost::mqtt(std::string_view command, const std::vector<Value>& args) {
  mqtt_calls.push_back(MqttCall{std::string(command), args});
  std::string c = up(command);
  if (c == "CONNECT") {
    if (!wan_up) return HostResult::fail(28, "WAN down");
    mqtt_status = status_after_connect;
    return HostResult::ok();
  }
  if (c == "STATUS") return HostResult::ok(std::int32_t{mqtt_status});
  if (c == "READ") {
    auto n = static_cast<std::int32_t>(inbox.size());
    if (!inbox.empty()) {
      current_message = inbox.front();
      inbox.pop_front();
    }
    return HostResult::ok(n);
  }
  if (c == "MSGTOPIC") return HostResult::ok(current_message.first);
  if (c == "MSGDATA") return HostResult::ok(current_message.second);
  if (c == "OPEN" || c == "SETPARAM" || c == "PUBLISH" || c == "SUBSCRIBE" || c == "CLOSE") return HostResult::ok();
  return HostResult::fail(10, "unknown MQTT command " + std::string(command));
}

std::vector<MqttCall> FakeHost::calls(std::string_view command) const {
  std::vector<MqttCall> out;
  for (const auto& c : mqtt_calls) {
    if (up(c.command) == up(command)) out.push_back(c);
  }
  return out;
}

bool FakeHost::logged(std::string_view fragment) const {
  return std::any_of(logs.begin(), logs.end(), [&](const LogLine& l) { return l.message.find(fragment) != std::string::npos; });
}

}  // namespace flexhil::basic::testing
