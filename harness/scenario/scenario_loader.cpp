#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <random>
#include <set>
#include <filesystem>
#include <fmt/format.h>

#include "common/mqtt_topic_filter.hpp"
#include "common/net.hpp"
#include "common/toml_reader.hpp"
#include "harness/rules/catalogue.hpp"
#include "harness/scenario/scenario.hpp"
#include "harness/scenario/toml_json.hpp"

namespace flexhil::scenario {
namespace fs = std::filesystem;

std::string_view to_string(ActionKind kind) {
  switch (kind) {
    case ActionKind::c2d: return "c2d";
    case ActionKind::desired: return "desired";
    case ActionKind::method: return "method";
    case ActionKind::broker_restart: return "broker-restart";
    case ActionKind::plc_fault: return "plc-fault";
    case ActionKind::sms: return "sms";
    case ActionKind::wan: return "wan";
    case ActionKind::link: return "link";
  }
  return "c2d";
}

std::string_view to_string(HostTarget target) {
  switch (target) {
    case HostTarget::broker: return "broker";
    case HostTarget::plc: return "plc";
    case HostTarget::hub: return "hub";
    case HostTarget::http: return "http";
    case HostTarget::smtp: return "smtp";
    case HostTarget::ftp: return "ftp";
  }
  return "broker";
}

std::vector<const DutSpec*> Scenario::devices_under_test() const {
  std::vector<const DutSpec*> out;
  if (members.empty()) {
    out.push_back(&dut);
    return out;
  }
  out.reserve(members.size());
  for (const auto& m : members) out.push_back(&m);
  return out;
}

const DutSpec* Scenario::find_dut(std::string_view device) const {
  for (const auto* d : devices_under_test())
    if (d->device == device) return d;
  return nullptr;
}

std::string HostRoute::key() const { return port ? fmt::format("{}:{}", host, *port) : host; }

namespace {

// A file name the kernel refuses (a component longer than NAME_MAX) is the scenario's mistake,
// reported at its key — not an ENAMETOOLONG deep inside a part of the run.
const std::string& checked_path(TomlTable& t, std::string_view key, const std::string& path) {
  for (const auto& part : fs::path(path))
    if (part.native().size() > 255)
      t.fail(key, fmt::format("a component of this path is {} bytes long; a file name has at most 255",
                              part.native().size()));
  return path;
}

std::string resolve(const std::string& dir, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(dir) / path).lexically_normal().string();
}

std::uint16_t port(TomlTable& t, const char* key) {
  return static_cast<std::uint16_t>(t.integer(key, 0, 0, 65535));
}

// Certificate paths of an inline registry, made absolute so the table can be written elsewhere
// (the run's copy in the run folder): relative to the working directory they would not survive that.
void absolutize_registry_paths(toml::table& reg, const std::string& dir) {
  for (const char* list : {"device", "ca"}) {
    auto* arr = reg[list].as_array();
    if (!arr) continue;
    for (auto& item : *arr) {
      auto* tbl = item.as_table();
      if (!tbl) continue;
      for (const char* key : {"certificate", "secondary_certificate"})
        if (auto* s = tbl->get_as<std::string>(key))
          s->get() = fs::absolute(resolve(dir, s->get())).lexically_normal().string();
    }
  }
}

HubSpec load_hub(TomlTable& t, const std::string& dir) {
  HubSpec h;
  h.name = t.string("name", "");
  // The two-port hub's keys are refused, not guessed at: which of the two was the device's port?
  for (const char* old : {"x509_port", "sas_port"})
    if (t.has(old))
      t.fail(old, fmt::format("'{}' is gone: SAS and X.509 devices share one MQTTS port now; use `port`", old));
  h.port = port(t, "port");
  if (t.has("ws_port")) h.ws_port = port(t, "ws_port");
  h.tls13 = t.boolean("tls13", false);
  h.bind = t.string("bind", h.bind);
  if (!is_ip_address(h.bind)) t.fail("bind", fmt::format("'{}' is not a numeric IP address (e.g. 127.0.0.1, 0.0.0.0)", h.bind));
  const auto tier = t.choice("tier", {"none", "S1", "S2", "S3"}, "none");
  h.tier = tier == "S1" ? rules::HubTier::S1 : tier == "S2" ? rules::HubTier::S2
         : tier == "S3" ? rules::HubTier::S3 : rules::HubTier::none;
  h.units = static_cast<int>(t.integer("units", 1, 1, 200));
  if (t.has("qos2")) h.qos2_policy = t.choice("qos2", {"disconnect", "accept"}, "disconnect");
  if (auto m = t.integer("max_message_bytes", 1, 64 * 1024 * 1024)) h.max_message_bytes = static_cast<std::uint64_t>(*m);
  h.sas_skew_s = t.seconds("sas_skew", 0, 86400);
  if (auto pki = t.string("pki_dir")) {
    if (pki->empty()) t.fail("pki_dir", "pki_dir must name a directory (ca.crt and ca.key are kept there)");
    h.pki_dir = resolve(dir, checked_path(t, "pki_dir", *pki));
    if (fs::exists(h.pki_dir) && !fs::is_directory(h.pki_dir))
      t.fail("pki_dir", fmt::format("'{}' exists and is not a directory", h.pki_dir));
  }
  h.extra_names = t.strings("extra_names");
  for (const auto& name : h.extra_names)
    if (name.empty() || name.find_first_of(" \t/,") != std::string::npos)
      t.fail("extra_names", fmt::format("'{}' is not a host name or an IP address", name));
  const auto* reg = t.node("registry");
  if (!reg) t.fail("missing [hub] registry: a path (registry = \"devices.toml\") or an inline [hub.registry] table");
  if (reg->is_string()) {
    h.registry_file = resolve(dir, std::string(*reg->as_string()));
    if (!fs::exists(h.registry_file))
      t.fail("registry", fmt::format("registry file '{}' does not exist", h.registry_file));
    h.registry = broker::load_registry(h.registry_file);
  } else if (reg->is_table()) {
    h.registry = broker::load_registry(*reg->as_table(), t.file());
    h.inline_registry = *reg->as_table();
    absolutize_registry_paths(*h.inline_registry, dir);
  } else {
    t.fail("registry", "'registry' must be a path (string) or a table");
  }
  if (h.name.empty()) h.name = h.registry.hub;
  if (h.name.empty()) t.fail("name", "no hub name: set [hub] name or `hub` in the registry");
  if (!broker::is_valid_hub_name(h.name))
    t.fail("name", fmt::format("invalid hub name '{}' (3 to 50 letters, digits and '-')", h.name));
  t.finish();
  return h;
}

BrokerSpec load_broker(TomlTable& t) {
  BrokerSpec b;
  b.where = t.where();
  b.tls = t.boolean("tls", false);
  b.port = port(t, "port");
  b.bind = t.string("bind", b.bind);
  if (!is_ip_address(b.bind)) t.fail("bind", fmt::format("'{}' is not a numeric IP address (e.g. 127.0.0.1, 0.0.0.0)", b.bind));
  for (auto& u : t.tables("users")) {
    broker::PlainUser user;
    user.name = u.required_string("name");
    if (user.name.empty()) u.fail("name", "a user name must not be empty");
    user.password = u.required_string("password");
    for (const auto& other : b.users)
      if (other.name == user.name) u.fail("name", fmt::format("user '{}' is listed twice", user.name));
    u.finish();
    b.users.push_back(std::move(user));
  }
  t.finish();
  return b;
}

// A host name (letters, digits, '-', '.'; labels not starting or ending with '-') or an IPv4
// literal, as a program hard-codes it in MQTT "OPEN" or an IO server topic.
bool is_host_name(const std::string& h) {
  if (h.empty() || h.size() > 253 || h.front() == '.' || h.back() == '.') return false;
  std::size_t label = 0;
  char prev = '.';
  for (char ch : h) {
    const bool alnum = std::isalnum(static_cast<unsigned char>(ch)) != 0;
    if (ch == '.') {
      if (prev == '.' || prev == '-') return false;
      label = 0;
    } else if (alnum || ch == '-' || ch == '_') {
      if (ch == '-' && prev == '.') return false;
      if (++label > 63) return false;
    } else {
      return false;
    }
    prev = ch;
  }
  return true;
}

// [dut.flexy.hosts]: what each name the program dials stands for. "host:port" keys are ordered
// after "host" keys, so where both name a host the "host:port" entry wins.
std::vector<HostRoute> load_hosts(TomlTable& t, const Scenario& s) {
  std::vector<HostRoute> routes;
  std::set<std::string> seen;
  for (const auto& [k, v] : t.raw()) {
    const std::string key(k.str());
    HostRoute r;
    r.where = t.where(key);
    std::string host = key;
    for (auto& ch : host) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (const auto colon = host.rfind(':'); colon != std::string::npos) {
      const auto digits = host.substr(colon + 1);
      int value = 0;
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
      if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || value < 1 || value > 65535)
        t.fail(key, fmt::format("bad port in '{}': a key is a host name, an IPv4 address or \"host:port\" with a "
                                "port from 1 to 65535",
                                key));
      r.port = static_cast<std::uint16_t>(value);
      host.resize(colon);
    }
    if (!is_host_name(host))
      t.fail(key, fmt::format("'{}' is not a host name or an IPv4 address (a key is \"host\" or \"host:port\")",
                              host));
    r.host = host;
    const auto target = t.choice(key, {"broker", "plc", "hub", "http", "smtp", "ftp"}, "");
    r.target = target == "plc"    ? HostTarget::plc
               : target == "hub"  ? HostTarget::hub
               : target == "http" ? HostTarget::http
               : target == "smtp" ? HostTarget::smtp
               : target == "ftp"  ? HostTarget::ftp
                                  : HostTarget::broker;
    if (r.target == HostTarget::smtp && !s.endpoints.smtp)
      t.fail(key, fmt::format("'{}' is routed to \"smtp\", but the scenario has no [endpoints.smtp] table (the "
                              "run's SMTP sink)",
                              key));
    if (r.target == HostTarget::ftp && !s.endpoints.ftp)
      t.fail(key, fmt::format("'{}' is routed to \"ftp\", but the scenario has no [endpoints.ftp] table (the "
                              "run's FTP sink)",
                              key));
    if (r.target == HostTarget::http && !s.endpoints.http)
      t.fail(key, fmt::format("'{}' is routed to \"http\", but the scenario has no [endpoints.http] table (what the "
                              "run's HTTP endpoint answers)",
                              key));
    if (r.target == HostTarget::broker && !s.plain_broker())
      t.fail(key, fmt::format("'{}' is routed to \"broker\", but the scenario has no [broker] table", key));
    if (r.target == HostTarget::hub && s.plain_broker())
      t.fail(key, fmt::format("'{}' is routed to \"hub\", but the scenario has no [hub] table ([broker] runs instead)", key));
    if (r.target == HostTarget::plc && !s.plc)
      t.fail(key, fmt::format("'{}' is routed to \"plc\", but the scenario has no [plc] table", key));
    if (!seen.insert(r.key()).second)
      t.fail(key, fmt::format("'{}' is listed twice (host names are case-insensitive)", key));
    routes.push_back(std::move(r));
  }
  std::stable_partition(routes.begin(), routes.end(), [](const HostRoute& r) { return !r.port; });
  t.finish();
  return routes;
}

GeneratedSasToken load_sas_token(TomlTable& t, const Scenario& s, const DutSpec& dut) {
  GeneratedSasToken g;
  g.where = t.where();
  g.tag = t.required_string("tag");
  const auto& tags = dut.flexy->tags;
  const auto tag = std::find_if(tags.begin(), tags.end(), [&](const auto& x) { return x.name == g.tag; });
  if (tag == tags.end() || tag->type != flexy::TagType::string)
    t.fail("tag", fmt::format("'{}' must name a string tag of [dut.flexy] (the program reads the password from it)",
                              g.tag));
  g.policy = t.string("policy", "");
  if (!g.policy.empty() && !s.hub.registry.find_policy(g.policy))
    t.fail("policy", fmt::format("no [[policy]] '{}' in the hub's registry", g.policy));
  const auto* dev = s.hub.registry.find_device(dut.device);
  if (g.policy.empty() && (!dev || dev->auth != broker::AuthKind::sas))
    t.fail("policy", fmt::format("device '{}' has no SAS key: name a registry [[policy]]", dut.device));
  g.hub_wide = t.choice("resource", {"device", "hub"}, "device") == "hub";
  if (g.hub_wide && g.policy.empty())
    t.fail("resource", "a hub-wide token (resource = \"hub\") is signed with a [[policy]] key: set 'policy'");
  const auto after = t.seconds("expires_after", 0, 86400 * 366 * 10);
  if (!after) t.fail("missing required key 'expires_after' (scenario time after the device starts, e.g. \"30s\")");
  g.expires_after_s = *after;
  t.finish();
  return g;
}

rules::TagExpectation::Type tag_type_of(flexy::TagType t) {
  switch (t) {
    case flexy::TagType::boolean: return rules::TagExpectation::Type::boolean;
    case flexy::TagType::integer:
    case flexy::TagType::dword: return rules::TagExpectation::Type::integer;
    case flexy::TagType::string: return rules::TagExpectation::Type::string;
    case flexy::TagType::floating: return rules::TagExpectation::Type::number;
  }
  return rules::TagExpectation::Type::number;
}

// The PLC point a Flexy tag polls: same table and register, and the same unit when known.
std::string point_of(const flexy::FlexyConfig& fx, const flexy::TagConfig& tag, const plc::PlcConfig* plc,
                     int& unit_out) {
  if (!plc || !tag.address) return {};
  const auto& a = *tag.address;
  const auto& topic = fx.topic(tag.topic);
  const int unit = topic.unit_id ? *topic.unit_id : a.unit ? *a.unit : -1;
  const plc::PointConfig* found = nullptr;
  int candidates = 0;
  for (const auto& p : plc->points)
    if (p.table == a.table && p.offset == a.offset) {
      if (unit >= 0 && p.unit == unit) {
        found = &p;
        candidates = 1;
        break;
      }
      ++candidates;
      found = &p;
    }
  if (!found || candidates != 1) return {};
  unit_out = found->unit;
  return found->name;
}

// The emulated Flexy's tags of the selected groups (any group when none is named), each with the
// PLC point it polls.
std::vector<rules::TagExpectation> selected_tags(const flexy::FlexyConfig& fx, const std::vector<std::string>& groups,
                                                 const Scenario& s) {
  std::vector<rules::TagExpectation> out;
  for (const auto& ft : fx.tags) {
    bool selected = false;
    if (groups.empty()) {
      selected = std::any_of(ft.groups.begin(), ft.groups.end(), [](bool b) { return b; });
    } else {
      for (const auto& g : groups) selected = selected || ft.groups[static_cast<std::size_t>(g[0] - 'A')];
    }
    if (!selected) continue;
    rules::TagExpectation tag;
    tag.name = ft.name;
    tag.point = point_of(fx, ft, s.plc ? &*s.plc : nullptr, tag.unit);
    tag.coef = ft.coef;
    tag.offset = ft.offset;
    tag.type = tag_type_of(ft.type);
    out.push_back(std::move(tag));
  }
  return out;
}

bool same_points(const std::vector<rules::TagExpectation>& a, const std::vector<rules::TagExpectation>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.name == y.name && x.point == y.point && x.unit == y.unit && x.coef == y.coef && x.offset == y.offset &&
           x.type == y.type;
  });
}

void load_expect(TomlTable& t, Scenario& s) {
  auto& e = s.expect;
  e.devices = t.strings("devices");
  if (e.devices.empty())
    for (const auto* d : s.devices_under_test())
      if (!d->device.empty()) e.devices.push_back(d->device);
  if (auto v = t.seconds("connect_within", 0.1, 86400)) e.connect_within_s = *v;
  if (auto v = t.seconds("reconnect_within", 0.1, 86400)) e.reconnect_within_s = *v;
  e.timestamp_key = t.string("timestamp_key", e.timestamp_key);
  const auto fmt_choice = t.choice("timestamp_format", {"iso8601", "flexy", "any"}, "iso8601");
  e.timestamp_format = fmt_choice == "flexy" ? rules::TimestampFormat::flexy
                     : fmt_choice == "any"   ? rules::TimestampFormat::any
                                             : rules::TimestampFormat::iso8601;
  if (auto v = t.seconds("max_clock_skew", 0, 86400 * 366)) e.max_clock_skew_s = *v;
  if (auto off = t.string("utc_offset")) {
    auto tz = flexy::TimeZone::parse(*off);
    if (!tz) t.fail("utc_offset", fmt::format("invalid utc_offset '{}' (expected \"+01:00\", \"-0530\" or \"UTC\")", *off));
    e.utc_offset_s = tz->offset_at(0);
  } else if (s.dut.flexy) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    e.utc_offset_s = s.dut.flexy->time_zone.offset_at(now);
  }
  e.full_push_period_s = t.seconds("full_push_period", 0.001, 86400);
  e.change_push_period_s = t.seconds("change_push_period", 0.001, 86400);
  if (auto v = t.seconds("period_tolerance", 0, 86400)) e.period_tolerance_s = *v;
  e.numbers_as_strings_ok = t.choice("numbers_as_strings", {"finding", "ok"}, "finding") == "ok";
  e.max_change_latency_s = t.seconds("max_change_latency", 0.001, 86400);
  if (auto v = t.seconds("value_window", 0, 86400)) e.value_window_s = *v;
  e.required_keys = t.strings("required_keys");
  e.target = s.plain_broker() ? rules::Target::broker : rules::Target::hub;
  if (auto topic = t.string("telemetry_topic")) {
    if (!s.plain_broker())
      t.fail("telemetry_topic", "telemetry_topic is for a plain [broker]; the hub's telemetry is its "
                                "devices/{id}/messages/events/ topic");
    if (!is_valid_topic_filter(*topic))
      t.fail("telemetry_topic", fmt::format("'{}' is not an MQTT topic filter (e.g. \"plant/+/data\", \"#\")", *topic));
    e.telemetry_topic = *topic;
  }
  e.actions = t.strings("actions");
  for (const auto& a : e.actions) {
    static const std::vector<std::string> kinds{"sendmail", "sendsms", "sendtrap", "putftp", "getftp",
                                                "puthttp", "gethttp", "requesthttpx", "ntpsync", "dyndns"};
    if (std::find(kinds.begin(), kinds.end(), a) == kinds.end())
      t.fail("actions", fmt::format("unknown action '{}' (expected one of: sendmail, sendsms, sendtrap, putftp, getftp, "
                                    "puthttp, gethttp, requesthttpx, ntpsync, dyndns)", a));
  }
  e.content_type_required = t.choice("content_type", {"require", "ignore"}, "require") == "require";
  if (s.hub.max_message_bytes) e.max_message_bytes = *s.hub.max_message_bytes;
  e.tier = s.hub.tier;
  e.units = s.hub.units;
  e.time_scale = s.time_scale;

  // Selected tags: explicit [[expect.tag]], else the emulated Flexy's tags of the selected groups.
  const auto groups = t.strings("groups");
  for (const auto& g : groups)
    if (g.size() != 1 || g[0] < 'A' || g[0] > 'D')
      t.fail("groups", fmt::format("unknown group '{}' (expected one of: A, B, C, D)", g));
  auto explicit_tags = t.tables("tag");
  for (auto& tt : explicit_tags) {
    rules::TagExpectation tag;
    tag.name = tt.required_string("name");
    tag.point = tt.string("point", "");
    tag.unit = static_cast<int>(tt.integer("unit", -1, -1, 255));
    tag.coef = tt.number("coef", 1.0, -1e12, 1e12);
    tag.offset = tt.number("offset", 0.0, -1e12, 1e12);
    const auto type = tt.choice("type", {"number", "integer", "boolean", "string"}, "number");
    tag.type = type == "integer" ? rules::TagExpectation::Type::integer
             : type == "boolean" ? rules::TagExpectation::Type::boolean
             : type == "string"  ? rules::TagExpectation::Type::string
                                 : rules::TagExpectation::Type::number;
    if (!tag.point.empty() && s.plc && !s.plc->find_point(tag.point))
      tt.fail("point", fmt::format("unknown PLC point '{}' (not in [plc])", tag.point));
    tt.finish();
    e.tags.push_back(std::move(tag));
  }
  if (explicit_tags.empty() && s.dut.flexy) {
    e.tags = selected_tags(*s.dut.flexy, groups, s);
    // A fleet member that polls other points (its own PLC unit, an override) is judged against them.
    for (const auto& m : s.members) {
      if (!m.flexy || m.device == s.dut.device) continue;
      auto own = selected_tags(*m.flexy, groups, s);
      if (!same_points(own, e.tags)) e.device_tags[m.device] = std::move(own);
    }
  }

  auto ids = [&](const char* key) {
    auto list = t.strings(key);
    for (const auto& entry : list) {
      // "RULE" on any device, or "RULE@device" on that one device (a fleet's misconfigured member).
      const auto at = entry.find('@');
      const auto id = entry.substr(0, at);
      if (!rules::find_rule(id))
        t.fail(key, fmt::format("unknown rule id '{}' (every rule is listed in docs/rules.md; `flexhil rules`)", id));
      else if (!rules::applies(id, s.expect.target))
        t.fail(key, fmt::format("rule '{}' does not apply here ({})", id, rules::not_applicable_reason(s.expect.target)));
      if (at != std::string::npos) {
        const auto device = entry.substr(at + 1);
        if (std::find(e.devices.begin(), e.devices.end(), device) == e.devices.end())
          t.fail(key, fmt::format("'{}' names device '{}', which is neither a device under test nor in [expect] devices",
                                  entry, device));
      }
    }
    return list;
  };
  s.findings.must_find = ids("must_find");
  s.findings.must_not_find = ids("must_not_find");
  if (t.has("exact_findings")) {
    if (t.has("must_find") || t.has("must_not_find"))
      t.fail("exact_findings", "exact_findings cannot be combined with must_find / must_not_find");
    s.findings.exact = ids("exact_findings");
  }
  t.finish();
}

plc::FaultKind fault_kind(TomlTable& t) {
  const auto k = t.choice("fault", {"exception", "delay", "no-response", "disconnect", "down"}, "exception");
  if (k == "delay") return plc::FaultKind::delay;
  if (k == "no-response") return plc::FaultKind::no_response;
  if (k == "disconnect") return plc::FaultKind::disconnect;
  if (k == "down") return plc::FaultKind::down;
  return plc::FaultKind::exception;
}

Action load_action(TomlTable& t, const Scenario& s) {
  Action a;
  a.where = t.where();
  const auto at = t.seconds("at", 0, 86400 * 366);
  if (!at) t.fail("at", "missing required key 'at' (a duration such as \"10s\")");
  a.at_s = *at;
  if (a.at_s > s.duration_s)
    t.fail("at", fmt::format("action at {} s is after the end of the scenario ({} s)", a.at_s, s.duration_s));
  const auto kind = t.choice("kind", {"c2d", "desired", "method", "broker_restart", "plc_fault", "sms", "wan", "link"}, "");
  if (kind.empty())
    t.fail("kind",
           "missing required key 'kind' (expected one of: c2d, desired, method, broker_restart, plc_fault, sms, wan, link)");
  a.device = t.string("device", s.dut.device);
  if (kind == "c2d") {
    a.kind = ActionKind::c2d;
    a.body = t.string("body", "");
    if (auto p = t.table("properties")) {
      for (const auto& [k, v] : p->raw()) a.properties[std::string(k.str())] = p->required_string(k.str());
      p->finish();
    }
  } else if (kind == "desired") {
    a.kind = ActionKind::desired;
    a.patch = json_value(t, "patch", true);
    if (!a.patch.is_object()) t.fail("patch", "'patch' must be a table or a JSON object");
  } else if (kind == "method") {
    a.kind = ActionKind::method;
    a.method = t.required_string("method");
    a.payload = json_value(t, "payload", false);
  } else if (kind == "broker_restart") {
    a.kind = ActionKind::broker_restart;
  } else if (kind == "link") {
    // Between the emulated device and the hub (sim/link/): the fault point sits on its route.
    a.kind = ActionKind::link;
    const auto* target = s.find_dut(a.device);
    if (!target) t.fail("device", fmt::format("'{}' is not a device under test: a link fault sits on one emulated "
                                              "device's route to the hub", a.device));
    // A real Flexy on a bench reaches the hub and the PLC through the fault points too.
    a.link_path = t.choice("path", {"hub", "plc"}, "hub") == "plc" ? Action::LinkPath::plc : Action::LinkPath::hub;
    if (a.link_path == Action::LinkPath::plc && !s.plc)
      t.fail("path", "path = \"plc\" puts the fault between the device and the PLC: the scenario needs [plc]");
    (void)target;
    if (a.link_path == Action::LinkPath::hub && s.plain_broker())
      t.fail("kind", "a link action needs [hub] (between the device and a plain broker: not yet)");
    const auto fault = t.choice("fault", {"cut", "blackhole", "latency", "bandwidth", "flap", "none"}, "");
    if (fault.empty()) t.fail("fault", "missing required key 'fault' (one of: cut, blackhole, latency, bandwidth, flap, none)");
    using link::FaultKind;
    auto& f = a.link_fault;
    f.kind = fault == "cut" ? FaultKind::cut : fault == "blackhole" ? FaultKind::blackhole
           : fault == "latency" ? FaultKind::latency : fault == "bandwidth" ? FaultKind::bandwidth
           : fault == "flap" ? FaultKind::flap : FaultKind::none;
    if (f.kind == FaultKind::latency) {
      const auto d = t.seconds("delay", 0, 3600);
      if (!d) t.fail("delay", "fault = \"latency\" needs 'delay' (e.g. \"2s\")");
      f.delay_s = *d;
      f.jitter_s = t.seconds("jitter", 0, 3600).value_or(0);
      if (f.jitter_s > f.delay_s) t.fail("jitter", "'jitter' must not exceed 'delay'");
    }
    if (f.kind == FaultKind::bandwidth) {
      f.rate_bytes_per_s = t.number("rate", 0, 1, 1e12);
      if (f.rate_bytes_per_s <= 0) t.fail("rate", "fault = \"bandwidth\" needs 'rate' (bytes per scenario second, e.g. 2000)");
    }
    if (f.kind == FaultKind::flap) {
      const auto p = t.seconds("period", 0.01, 86400);
      if (!p) t.fail("period", "fault = \"flap\" needs 'period' (down then up, each half of it, e.g. \"20s\")");
      f.period_s = *p;
    }
    if (auto d = t.seconds("duration", 0.001, 86400 * 366)) a.link_duration_s = *d;
  } else if (kind == "sms" || kind == "wan") {
    // Delivered to the emulated Flexy (ONSMS / ONPPP, ONWAN); a real device cannot be reached.
    a.kind = kind == "sms" ? ActionKind::sms : ActionKind::wan;
    const auto* target = s.find_dut(a.device);
    if (!target) t.fail("device", fmt::format("'{}' is not a device under test: an {} action reaches an emulated Flexy",
                                              a.device, kind));
    if (target->kind != DutKind::emulated) t.fail("kind", "an " + kind + " action needs an emulated [dut]");
    if (a.kind == ActionKind::sms) {
      a.from = t.required_string("from");
      a.text = t.string("text", "");
    } else {
      a.wan_up = t.choice("link", {"up", "down"}, "down") == "up";
    }
  } else {
    a.kind = ActionKind::plc_fault;
    if (!s.plc) t.fail("kind", "a plc_fault action needs a [plc] table");
    a.fault.kind = fault_kind(t);
    a.fault.at_s = a.at_s;
    a.fault.duration_s = t.seconds("duration", 0.001, 86400 * 366);
    if (auto u = t.integer("unit", 0, 255)) a.fault.unit = static_cast<int>(*u);
    a.fault.points = t.strings("points");
    for (const auto& p : a.fault.points)
      if (!s.plc->find_point(p)) t.fail("points", fmt::format("unknown PLC point '{}' (not in [plc])", p));
    if (auto d = t.seconds("delay", 0, 3600)) a.fault.delay_s = *d;
    if (auto code = t.string("exception")) {
      auto c = plc::exception_code_by_name(*code);
      if (!c)
        t.fail("exception", fmt::format("unknown exception '{}' (expected one of: illegal-function, illegal-address, "
                                        "illegal-value, device-failure, busy, gateway-path, gateway-target-failed)",
                                        *code));
      a.fault.exception_code = *c;
    }
  }
  if (s.plain_broker() && (a.kind == ActionKind::c2d || a.kind == ActionKind::desired || a.kind == ActionKind::method))
    t.fail("kind", fmt::format("a {} action needs the impersonated IoT Hub ([hub]); a plain [broker] has no C2D, "
                               "twin or direct methods",
                               kind));
  if (a.kind != ActionKind::broker_restart && a.kind != ActionKind::plc_fault && a.device.empty())
    t.fail("device", "no device for the action: set 'device' or [dut] device");
  t.finish();
  return a;
}

// A SAS key for a fleet member the harness registers: 32 random bytes, base64 (as the portal's).
std::string generated_sas_key() {
  std::random_device rd;
  std::string bytes(32, '\0');
  for (auto& b : bytes) b = static_cast<char>(rd() & 0xff);
  return base64_encode(bytes);
}

// One device under test: the [dut] table, a [[dut]] entry or a fleet member. `member`: part of a
// fleet — a member the registry does not list is registered by the harness (generated
// certificate or SAS key), and an external device is refused (one real Flexy per scenario).
DutSpec load_dut(TomlTable& dut, Scenario& s, bool member, bool allow_start) {
  DutSpec d;
  const auto kind = dut.choice("kind", {"emulated", "external"}, "emulated");
  d.kind = kind == "external" ? DutKind::external : DutKind::emulated;
  if (member && d.kind == DutKind::external)
    dut.fail("kind", "a fleet's members are emulated devices (a real Flexy on a bench: one scenario with one [dut])");
  d.device = dut.required_string("device");
  bool unregistered_member = false;
  if (s.plain_broker()) {
    // The MQTT ClientId the program connects with: any non-empty text without control characters.
    if (d.device.empty() || std::any_of(d.device.begin(), d.device.end(),
                                        [](unsigned char ch) { return ch < 0x20 || ch == 0x7f; }))
      dut.fail("device", fmt::format("invalid MQTT client id '{}' (non-empty, no control characters)", d.device));
    for (const char* key : {"device_cert", "device_key", "register_certificate", "sas_token"})
      if (dut.has(key))
        dut.fail(key, fmt::format("'{}' is for the impersonated IoT Hub ([hub]); a plain [broker] checks a username "
                                  "and password ([broker] users)",
                                  key));
  } else if (!broker::is_valid_device_id(d.device)) {
    dut.fail("device", fmt::format("invalid device id '{}'", d.device));
  } else if (!s.hub.registry.find_device(d.device)) {
    if (!member)
      dut.fail("device", fmt::format("device '{}' is not in the hub's registry (a scenario may test a refused "
                                     "device, but then list it in [expect] devices instead)", d.device));
    unregistered_member = true;
  }
  if (allow_start) d.start_s = dut.seconds("start", 0, 86400 * 366).value_or(0);
  if (auto user_ca = dut.string("user_ca_file")) {
    d.user_ca_file = resolve(s.dir, checked_path(dut, "user_ca_file", *user_ca));
    if (!fs::is_regular_file(d.user_ca_file))
      dut.fail("user_ca_file", fmt::format("CA bundle '{}' does not exist or is not a file", d.user_ca_file));
  }
  if (d.kind == DutKind::emulated) {
    d.program_file = resolve(s.dir, checked_path(dut, "program", dut.required_string("program")));
    if (!fs::exists(d.program_file))
      dut.fail("program", fmt::format("program file '{}' does not exist", d.program_file));
    if (fs::is_directory(d.program_file))
      dut.fail("program", fmt::format("'{}' is a directory, not a BASIC program file", d.program_file));
    d.ca_file = checked_path(dut, "ca_file", dut.string("ca_file", d.ca_file));
    d.device_cert = checked_path(dut, "device_cert", dut.string("device_cert", ""));
    d.device_key = checked_path(dut, "device_key", dut.string("device_key", ""));
    d.register_certificate = dut.boolean("register_certificate", true);
    if (d.device_cert.empty() != d.device_key.empty())
      dut.fail(d.device_cert.empty() ? "device_key" : "device_cert",
               "device_cert and device_key go together (Flexy paths such as \"/usr/Flexy.crt\")");
    auto fx = dut.table("flexy");
    if (!fx) dut.fail("missing [dut.flexy] table (the emulated Flexy's configuration, docs/scenario-flexy.md)");
    if (auto hosts = fx->table("hosts")) d.hosts = load_hosts(*hosts, s);
    d.flexy = flexy::load_flexy_config(*fx, s.dir);
    d.flexy->time_scale = s.time_scale;  // one clock for the whole run
    if (unregistered_member) {
      // Registered by the harness: what the template says the device authenticates with.
      broker::Device reg;
      reg.id = d.device;
      if (!d.device_cert.empty()) {
        reg.auth = broker::AuthKind::x509_selfsigned;
        reg.primary_thumbprint = std::string(40, '0');  // the generated certificate's, once the run makes it
      } else if (dut.has("sas_token")) {
        reg.auth = broker::AuthKind::sas;
        d.generated_sas_key = generated_sas_key();
        reg.primary_key = d.generated_sas_key;
      } else {
        dut.fail("device", fmt::format("fleet member '{}' is not in the hub's registry: give [dut] device_cert and "
                                       "device_key (X.509, a certificate generated per member), [dut.sas_token] (SAS, "
                                       "a key generated per member), or register it",
                                       d.device));
      }
      s.hub.registry.devices.push_back(std::move(reg));
      d.harness_registered = true;
    }
    if (auto tok = dut.table("sas_token")) d.sas_token = load_sas_token(*tok, s, d);
  } else {
    if (auto w = dut.seconds("wait", 1, 86400)) d.wait_s = *w;
    d.advertise = dut.string("advertise", "");
  }
  dut.finish();
  return d;
}

// [dut] (one device), [[dut]] (several, listed) or [dut] + [fleet] (a template of `count`).
void load_devices_under_test(TomlTable& root, toml::table& doc, Scenario& s, const std::string& file) {
  auto* node = doc.get("dut");
  if (!node) root.fail("missing required table [dut]");
  auto add_member = [&](TomlTable& t, double start_s, bool allow_start) {
    auto d = load_dut(t, s, true, allow_start);
    if (!allow_start) d.start_s = start_s;
    d.usr_subdir = d.device;
    for (const auto& other : s.members)
      if (other.device == d.device)
        t.fail("device", fmt::format("device '{}' is already a device under test of this scenario", d.device));
    s.members.push_back(std::move(d));
  };
  if (root.has("fleet")) {
    if (node->is_array())
      root.fail("fleet", "[fleet] expands one [dut] template; [[dut]] lists devices one by one: use one or the other");
    (void)root.table("dut");  // known: the members' readers judge its keys
    auto fleet = root.table("fleet");
    FleetSpec spec;
    // The template is substituted in place for the first member (its positions stay).
    auto& tmpl = *node->as_table();
    const auto members = expand_fleet(tmpl, *fleet, spec);
    for (const auto& m : members) {
      TomlTable t(*m.dut, file);
      try {
        add_member(t, m.start_s, false);
      } catch (const ConfigError& e) {
        // A key an override merged in has no position of its own: the override's is the place.
        if (e.where().line != 0 || m.overrides.empty()) throw;
        throw ConfigError(m.overrides.back(), fmt::format("member '{}' (this override): {}",
                                                          (*m.dut)["device"].value_or(std::string{}), e.message()));
      }
    }
    s.fleet = spec;
  } else if (node->is_array()) {
    auto tables = root.tables("dut");
    if (tables.empty()) root.fail("dut", "[[dut]] lists at least one device");
    if (tables.size() == 1)  // one entry: a scenario with one device, as [dut]
      s.dut = load_dut(tables.front(), s, false, false);
    else
      for (auto& t : tables) add_member(t, 0, true);
  } else {
    auto dut = root.table("dut");
    s.dut = load_dut(*dut, s, false, false);
  }
  if (!s.members.empty()) s.dut = s.members.front();
}

// `doc` is not const: a [fleet] template is substituted in place for its first member.
Scenario load(toml::table& doc, const std::string& file) {
  Scenario s;
  s.file = file;
  const auto parent = fs::path(file).parent_path().string();
  s.dir = parent.empty() ? "." : parent;
  TomlTable root(doc, file);
  s.name = root.required_string("name");
  if (s.name.empty() || s.name.find_first_of("/\\ ") != std::string::npos)
    root.fail("name", fmt::format("scenario name '{}' must be non-empty without '/', '\\' or spaces (it names the "
                                  "report folder)", s.name));
  const auto duration = root.seconds("duration", 0.1, 86400 * 366);
  if (!duration) root.fail("duration", "missing required key 'duration' (e.g. \"60s\")");
  s.duration_s = *duration;
  s.time_scale = root.number("time_scale", 1.0, 0.001, 1000.0);

  if (root.has("hub") && root.has("broker")) {
    const auto hub_at = root.where("hub");
    root.fail("broker", fmt::format("[broker] and [hub] (line {}:{}) are mutually exclusive: a device publishes either "
                                    "to a plain MQTT broker or to the impersonated IoT Hub",
                                    hub_at.line, hub_at.column));
  }
  if (auto broker = root.table("broker")) {
    s.broker = load_broker(*broker);
  } else if (auto hub = root.table("hub")) {
    s.hub = load_hub(*hub, s.dir);
  } else {
    root.fail("missing required table [hub] (the impersonated Azure IoT Hub) or [broker] (a plain MQTT broker)");
  }

  if (auto plc = root.table("plc")) s.plc = plc::load_plc_config(*plc);
  // Before [dut]: its hosts may name an endpoint.
  if (auto ep = root.table("endpoints")) {
    if (auto http = ep->table("http")) s.endpoints.http = endpoints::load_http_endpoint_config(*http);
    if (auto smtp = ep->table("smtp")) s.endpoints.smtp = endpoints::load_smtp_endpoint_config(*smtp);
    if (auto ftp = ep->table("ftp")) s.endpoints.ftp = endpoints::load_ftp_endpoint_config(*ftp, s.dir);
    ep->finish();
  }

  load_devices_under_test(root, doc, s, file);

  if (auto expect = root.table("expect")) {
    load_expect(*expect, s);
  } else {
    for (const auto* d : s.devices_under_test()) s.expect.devices.push_back(d->device);
    s.expect.target = s.plain_broker() ? rules::Target::broker : rules::Target::hub;
    s.expect.time_scale = s.time_scale;
    s.expect.tier = s.hub.tier;
    s.expect.units = s.hub.units;
  }

  for (auto& at : root.tables("action")) {
    s.actions.push_back(load_action(at, s));
    // A link fault with a duration ends by itself: its end is an action of its own.
    if (const auto& a = s.actions.back(); a.kind == ActionKind::link && a.link_duration_s > 0) {
      Action end = a;
      end.at_s = a.at_s + a.link_duration_s;
      end.link_fault = link::LinkFault{};
      end.link_duration_s = 0;
      if (end.at_s <= s.duration_s) s.actions.push_back(end);
    }
  }
  std::stable_sort(s.actions.begin(), s.actions.end(), [](const Action& a, const Action& b) { return a.at_s < b.at_s; });

  if (auto m = root.table("metrics")) {
    if (auto listen = m->string("listen")) {
      if (listen->find(':') == std::string::npos) m->fail("listen", fmt::format("listen '{}' must be ADDR:PORT", *listen));
      s.metrics.listen = *listen;
    }
    s.metrics.device_labels = m->boolean("device_labels", true);
    if (auto linger = m->seconds("linger", 0, 3600)) s.metrics.linger_s = *linger;
    m->finish();
  }
  root.finish();
  return s;
}

}  // namespace

Scenario load_scenario(const std::string& path) {
  if (!fs::exists(path)) throw ConfigError({path, 0, 0}, "scenario file does not exist");
  auto doc = parse_toml_file(path);
  return load(doc, path);
}

Scenario load_scenario_string(std::string_view text, const std::string& file) {
  auto doc = parse_toml_string(text, file);
  return load(doc, file);
}

}  // namespace flexhil::scenario
