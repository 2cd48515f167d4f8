#include "sim/flexy/runtime/flexy_config.hpp"
#include "common/ascii_case.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fmt/format.h>
#include <set>

namespace flexhil::flexy {

std::string_view to_string(TagType type) {
  switch (type) {
    case TagType::boolean: return "boolean";
    case TagType::floating: return "float";
    case TagType::integer: return "integer";
    case TagType::dword: return "dword";
    case TagType::string: return "string";
  }
  return "float";
}

namespace {


TagType tag_type_from(const std::string& s) {
  if (s == "boolean") return TagType::boolean;
  if (s == "integer") return TagType::integer;
  if (s == "dword") return TagType::dword;
  if (s == "string") return TagType::string;
  return TagType::floating;
}

TopicConfig load_topic(TomlTable& t, char letter) {
  TopicConfig topic;
  topic.letter = letter;
  topic.configured = true;
  if (auto poll = t.seconds("poll", 0.01, 86400)) topic.poll_seconds = *poll;
  if (auto unit = t.integer("unit_id", 0, 255)) topic.unit_id = static_cast<int>(*unit);
  topic.ip = t.string("ip", topic.ip);
  topic.port = static_cast<int>(t.integer("port", 502, 1, 65535));
  if (auto timeout = t.seconds("timeout", 0.01, 60)) topic.timeout_seconds = *timeout;
  t.finish();
  return topic;
}

basic::Value initial_value(TomlTable& t, TagType type) {
  const toml::node* n = t.node("initial");
  if (!n) return type == TagType::string ? basic::Value{std::string()} : basic::Value{std::int32_t{0}};
  if (type == TagType::string) {
    if (!n->is_string()) t.fail("initial", "'initial' of a string tag must be a string");
    return std::string(*n->as_string());
  }
  double v = 0;
  if (n->is_boolean())
    v = n->as_boolean()->get() ? 1 : 0;
  else if (n->is_integer())
    v = static_cast<double>(n->as_integer()->get());
  else if (n->is_floating_point())
    v = n->as_floating_point()->get();
  else
    t.fail("initial", "'initial' must be a number or a boolean for a numeric tag");
  switch (type) {
    case TagType::boolean: return std::int32_t{v != 0 ? 1 : 0};
    case TagType::integer:
      if (v < -2147483648.0 || v > 2147483647.0) t.fail("initial", "'initial' does not fit a 32-bit integer");
      return static_cast<std::int32_t>(v);
    case TagType::dword:
      if (v < 0 || v > 4294967295.0) t.fail("initial", "'initial' of a dword tag must be 0 to 4294967295");
      if (v <= 2147483647.0) return static_cast<std::int32_t>(v);
      return v;
    default: return static_cast<double>(static_cast<float>(v));
  }
}

// alarm = { high = 80, low = 10, hihi = 95, lolo = 2, level = true, deadband = 1, delay = "5s",
//           hint = "…", enabled = true }
AlarmConfig load_alarm(TomlTable& t, const TagConfig& tag) {
  AlarmConfig a;
  a.enabled = t.boolean("enabled", true);
  a.high = t.number("high", -1e12, 1e12);
  a.low = t.number("low", -1e12, 1e12);
  a.hihi = t.number("hihi", -1e12, 1e12);
  a.lolo = t.number("lolo", -1e12, 1e12);
  a.level = t.boolean("level");
  a.deadband = t.number("deadband", 0.0, 0.0, 1e12);
  if (auto d = t.seconds("delay", 0.0, 86400)) a.delay_seconds = *d;
  a.hint = t.string("hint", "");
  if (tag.type == TagType::string) t.fail("level", "a string tag cannot have an alarm");
  if (a.level && (a.high || a.low || a.hihi || a.lolo))
    t.fail("level", "a boolean alarm ('level') cannot have high/low limits as well");
  if (!a.level && !a.high && !a.low && !a.hihi && !a.lolo)
    t.fail("high", "an alarm needs a limit: high, low, hihi, lolo or level");
  if (a.high && a.low && *a.low >= *a.high) t.fail("low", "'low' must be below 'high'");
  t.finish();
  return a;
}

std::map<std::string, std::string> load_resolve_table(TomlTable& t, std::string_view key) {
  std::map<std::string, std::string> out;
  if (auto r = t.table(key)) {
    for (const auto& [k, value] : r->raw()) {
      const std::string host(k.str());
      const auto target = r->required_string(host);
      if (target.find(':') == std::string::npos)
        r->fail(host, fmt::format("resolve target '{}' must be ip:port (the server that stands for this host)", target));
      out[ascii_lower(host)] = target;
    }
    r->finish();
  }
  return out;
}

ServerSettings load_servers(TomlTable& t) {
  ServerSettings s;
  s.smtp_server = t.string("smtp_server", "");
  s.smtp_port = static_cast<int>(t.integer("smtp_port", 25, 1, 65535));
  s.smtp_user = t.string("smtp_user", "");
  s.smtp_password = t.string("smtp_password", "");
  s.smtp_from = t.string("smtp_from", "");
  s.ftp_server = t.string("ftp_server", "");
  s.ftp_port = static_cast<int>(t.integer("ftp_port", 21, 1, 65535));
  s.ftp_user = t.string("ftp_user", "");
  s.ftp_password = t.string("ftp_password", "");
  s.ftp_dir = t.string("ftp_dir", "");
  for (const char* key : {"smtp_server", "smtp_user", "smtp_password", "smtp_from", "ftp_server", "ftp_user",
                          "ftp_password", "ftp_dir"})
    if (const auto v = t.string(key); v && v->find_first_of("\r\n") != std::string::npos)
      t.fail(key, "a server setting is one line");
  t.finish();
  return s;
}

ActionPolicy load_actions(TomlTable& t, const std::string& base_dir) {
  ActionPolicy p;
  p.succeed = t.choice("outcome", {"success", "fail"}, "success") == "success";
  for (const char* kind : {"sendmail", "sendsms", "sendtrap", "putftp", "getftp", "puthttp", "gethttp", "requesthttpx",
                           "ntpsync", "dyndns"}) {
    if (t.has(kind)) p.per_kind[kind] = t.choice(kind, {"success", "fail"}, "success") == "success";
  }
  if (auto d = t.seconds("delay", 0.0, 3600)) p.delay_seconds = *d;
  p.fail_code = static_cast<int>(t.integer("fail_code", 1, 1, 1000000));
  p.http_status = static_cast<int>(t.integer("http_status", 200, 100, 599));
  if (auto r = t.string("response")) {
    const std::filesystem::path path = std::filesystem::path(*r).is_absolute() ? std::filesystem::path(*r) : std::filesystem::path(base_dir) / *r;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
      t.fail("response", fmt::format("response file '{}' cannot be read", path.string()));
    p.response_file = path.string();
  }
  p.resolve = load_resolve_table(t, "resolve");
  p.smtp_resolve = load_resolve_table(t, "smtp_resolve");
  p.ftp_resolve = load_resolve_table(t, "ftp_resolve");
  if (auto d = t.seconds("http_timeout", 0.1, 600)) p.http_timeout_seconds = *d;
  t.finish();
  return p;
}

TagConfig load_tag(TomlTable& t, const std::array<TopicConfig, 3>& topics) {
  TagConfig tag;
  tag.where = t.where();
  tag.name = t.required_string("name");
  if (tag.name.empty() || tag.name.find_first_of(" \t\"'") != std::string::npos)
    t.fail("name", fmt::format("tag name '{}' must be non-empty without spaces or quotes", tag.name));
  tag.type = tag_type_from(t.choice("type", {"boolean", "float", "integer", "dword", "string"}, "float"));
  tag.description = t.string("description", "");
  const std::string topic = t.choice("topic", {"A", "B", "C"}, "A");
  tag.topic = topic[0];
  tag.coef = t.number("coef", 1.0, -1e12, 1e12);
  tag.offset = t.number("offset", 0.0, -1e12, 1e12);
  static const std::array<const char*, 4> names{"A", "B", "C", "D"};
  for (const auto& g : t.strings("groups")) {
    const auto it = std::find_if(names.begin(), names.end(), [&](const char* n) { return g == n; });
    if (it == names.end())
      t.fail("groups", fmt::format("unknown group '{}' (expected one of: A, B, C, D)", g));
    tag.groups[static_cast<std::size_t>(it - names.begin())] = true;
  }
  if (auto address = t.string("address")) {
    if (tag.type == TagType::string)
      t.fail("address", "string tags cannot be polled from Modbus; remove 'address' (memory tag)");
    try {
      tag.address = plc::parse_modbus_address(*address);
    } catch (const plc::ModbusAddressError& e) {
      t.fail("address", fmt::format("bad Modbus address '{}': {}", *address, e.what()));
    }
    tag.address_text = *address;
    if (!topics[static_cast<std::size_t>(tag.topic - 'A')].configured)
      t.fail("topic", fmt::format("tag '{}' uses topic {} but [topic.{}] is not configured", tag.name,
                                  tag.topic, tag.topic));
  }
  tag.initial = initial_value(t, tag.type);
  if (auto a = t.table("alarm")) tag.alarm = load_alarm(*a, tag);
  t.finish();
  return tag;
}

}  // namespace

std::string map_usr_path(const std::string& usr_dir, const std::string& flexy_path) {
  std::string rel = flexy_path;
  if (rel.rfind("/usr/", 0) == 0)
    rel = rel.substr(5);
  else if (rel.rfind("usr/", 0) == 0)
    rel = rel.substr(4);
  while (!rel.empty() && rel.front() == '/') rel.erase(rel.begin());
  return (std::filesystem::path(usr_dir) / rel).string();
}

FlexyConfig load_flexy_config(TomlTable& t, const std::string& base_dir) {
  FlexyConfig c;
  c.device_name = t.string("name", c.device_name);
  if (auto tz = t.string("time_zone")) {
    auto zone = TimeZone::parse(*tz);
    if (!zone)
      t.fail("time_zone", fmt::format("unknown time zone '{}' (expected an IANA name like "
                                      "\"Europe/Paris\" or an offset like \"+01:00\" or \"UTC\")", *tz));
    c.time_zone = *zone;
  }
  c.time_scale = t.number("time_scale", 1.0, 0.001, 1000.0);
  const std::string usr = t.string("usr_dir", ".");
  c.usr_dir = std::filesystem::path(usr).is_absolute() ? usr : (std::filesystem::path(base_dir) / usr).string();
  c.float_storage = t.boolean("float_storage", false);
  c.queue_capacity = static_cast<std::size_t>(t.integer("queue_capacity", 100, 1, 100000));
  c.statement_budget = t.integer("statement_budget", 1'000'000, 100, 1'000'000'000);
  c.echo_console = t.boolean("echo_console", false);
  if (auto ci = t.seconds("cyclic_interval", 0.0, 60)) c.cyclic_interval_seconds = *ci;

  if (auto topics = t.table("topic")) {
    for (char letter : {'A', 'B', 'C'}) {
      if (auto tt = topics->table(std::string(1, letter)))
        c.topics[static_cast<std::size_t>(letter - 'A')] = load_topic(*tt, letter);
    }
    topics->finish();
  }
  for (std::size_t i = 0; i < 3; ++i) c.topics[i].letter = static_cast<char>('A' + i);

  std::set<std::string> seen;
  for (auto& tt : t.tables("tag")) {
    auto tag = load_tag(tt, c.topics);
    if (!seen.insert(ascii_lower(tag.name)).second)
      tt.fail("name", fmt::format("duplicate tag name '{}' (tag names are case-insensitive)", tag.name));
    c.tags.push_back(std::move(tag));
  }

  if (auto m = t.table("mqtt")) {
    if (auto r = m->table("resolve")) {
      for (const auto& [key, value] : r->raw()) {
        const std::string host(key.str());
        const auto target = r->required_string(host);
        if (target.find(':') == std::string::npos)
          r->fail(host, fmt::format("resolve target '{}' must be host:port", target));
        c.mqtt.resolve[ascii_lower(host)] = target;
      }
      r->finish();
    }
    c.mqtt.auto_reconnect = m->boolean("auto_reconnect", true);
    if (auto d = m->seconds("reconnect_delay", 0.01, 3600)) c.mqtt.reconnect_delay_seconds = *d;
    if (auto d = m->seconds("connect_timeout", 0.1, 300)) c.mqtt.connect_timeout_seconds = *d;
    c.mqtt.publish_error_when_disconnected =
        m->choice("publish_while_disconnected", {"drop", "error"}, "drop") == "error";
    c.mqtt.inbox_capacity = static_cast<std::size_t>(m->integer("inbox_capacity", 100, 1, 100000));
    m->finish();
  }
  if (auto a = t.table("actions")) c.actions = load_actions(*a, base_dir);
  if (auto sys = t.table("system")) c.servers = load_servers(*sys);
  t.finish();
  return c;
}

FlexyConfig load_flexy_config_file(const std::string& path) {
  const auto doc = parse_toml_file(path);
  TomlTable t(doc, path);
  const auto dir = std::filesystem::path(path).parent_path().string();
  return load_flexy_config(t, dir.empty() ? "." : dir);
}

}  // namespace flexhil::flexy
