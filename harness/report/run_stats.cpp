#include "harness/report/run_stats.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>

#include "common/event_view.hpp"
#include "common/json_scan.hpp"

namespace flexhil::report {

namespace {

std::uint64_t payload_size(const Json& e) {
  if (const auto size = EventView(e).number("size")) return static_cast<std::uint64_t>(*size);
  std::string decoded;
  if (base64_decode(EventView(e).text("payload_b64"), decoded)) return decoded.size();
  return 0;
}

// PLC values in plc_change events: numbers, booleans, numeric strings.
std::optional<double> number_of(const Json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  if (v.is_string()) return number_from_text(v.get_ref<const std::string&>());
  return std::nullopt;
}

// Depth-first: the first member named `tag` (or its "value" member), or a {"name": tag,
// "value": v} entry. The scanner bounds the depth of what it returns.
std::optional<double> find_tag(const JsonNode& n, std::string_view tag) {
  if (n.type == JsonNode::Type::object) {
    for (const auto& [key, child] : n.members) {
      if (key != tag) continue;
      if (auto v = node_number(child)) return v;
      if (child.type == JsonNode::Type::object)
        for (const auto& [k, inner] : child.members)
          if (k == "value") return node_number(inner);
    }
    const JsonNode* name = nullptr;
    const JsonNode* value = nullptr;
    for (const auto& [key, child] : n.members) {
      if (key == "name" && !name) name = &child;
      if (key == "value" && !value) value = &child;
    }
    if (name && value && name->type == JsonNode::Type::string && name->text == tag) return node_number(*value);
    for (const auto& [key, child] : n.members)
      if (auto v = find_tag(child, tag)) return v;
  } else if (n.type == JsonNode::Type::array) {
    for (const auto& child : n.items)
      if (auto v = find_tag(child, tag)) return v;
  }
  return std::nullopt;
}

std::string short_time(const std::string& wall) {
  // "2026-11-26T08:00:12.345678Z" → "08:00:12.345"
  const auto t = wall.find('T');
  if (t == std::string::npos) return wall;
  return wall.substr(t + 1, 12);
}

std::string truncated(std::string s, std::size_t max) {
  if (s.size() > max) {
    s.resize(max);
    s += "…";
  }
  return s;
}

}  // namespace

RunStats compute_stats(const std::vector<Json>& events) {
  RunStats stats;
  std::optional<std::int64_t> run_start;
  std::int64_t earliest = 0;
  for (const auto& e : events) {
    const std::string_view kind = EventView(e).text("kind", "?");
    const std::int64_t mono = EventView(e).integer("mono_ns").value_or(0);
    ++stats.events_by_kind[std::string(kind)];
    if (kind == "run_start" && !run_start) run_start = mono;
    if (mono > 0 && (earliest == 0 || mono < earliest)) earliest = mono;
    stats.last_mono_ns = std::max(stats.last_mono_ns, mono);
    const std::string device = EventView(e).string("device");
    if (kind == "publish") {
      auto& d = stats.devices[device];
      ++d.messages;
      d.bytes += payload_size(e);
      if (EventView(e).text("verdict", "accepted") != "accepted") ++d.refused_publishes;
    } else if (kind == "connect") {
      const std::string verdict = EventView(e).string("verdict", "unknown");
      ++stats.connect_verdicts[verdict];
      auto& d = stats.devices[device];
      if (verdict == "accepted")
        ++d.connects_accepted;
      else
        ++d.connects_refused;
    } else if (kind == "disconnect") {
      ++stats.devices[device].disconnects;
    }
  }
  // The time axis starts at run_start; a capture without one starts at its earliest event.
  stats.first_mono_ns = run_start.value_or(earliest);
  return stats;
}

double event_seconds(const Json& e, std::int64_t origin_ns, double time_scale) {
  return static_cast<double>(EventView(e).integer("mono_ns").value_or(0) - origin_ns) / 1e9 * time_scale;
}

std::map<std::string, std::vector<double>> publish_intervals(const std::vector<Json>& events,
                                                             double time_scale) {
  std::map<std::string, std::vector<double>> intervals;
  std::map<std::string, std::int64_t> last;
  for (const auto& e : events) {
    if (EventView(e).text("kind") != "publish") continue;
    if (EventView(e).text("verdict", "accepted") != "accepted") continue;
    if (!is_telemetry(EventView(e))) continue;
    const std::string device = EventView(e).string("device");
    const std::int64_t mono = EventView(e).integer("mono_ns").value_or(0);
    const auto it = last.find(device);
    if (it != last.end() && mono >= it->second)
      intervals[device].push_back(static_cast<double>(mono - it->second) / 1e9 * time_scale);
    last[device] = mono;
  }
  return intervals;
}

std::optional<double> published_value(std::string_view payload, std::string_view tag) {
  const JsonScan scan = scan_json(payload);
  if (!scan.root) return std::nullopt;
  return find_tag(*scan.root, tag);
}

TagSeries tag_series(const std::vector<Json>& events, std::string_view tag, std::string_view point,
                     std::int64_t origin_ns, double time_scale) {
  TagSeries series;
  for (const auto& e : events) {
    const std::string_view kind = EventView(e).text("kind");
    if (kind == "plc_change") {
      const EventView v(e);
      const Json* now = v.field("new");
      if (v.text("point") != point || !now) continue;
      const double t = event_seconds(e, origin_ns, time_scale);
      if (const Json* before = v.field("old"); series.plc.empty() && before)
        if (auto old = number_of(*before)) series.plc.push_back({std::max(0.0, t), *old});
      if (auto value = number_of(*now)) series.plc.push_back({t, *value});
    } else if (kind == "publish") {
      if (EventView(e).text("verdict", "accepted") != "accepted") continue;
      std::string payload;
      if (!base64_decode(EventView(e).text("payload_b64"), payload)) continue;
      if (auto v = published_value(payload, tag))
        series.published[EventView(e).string("device")].push_back(
            {event_seconds(e, origin_ns, time_scale), *v});
    }
  }
  return series;
}

std::vector<std::pair<std::string, std::string>> infer_plotted_tags(const std::vector<Json>& events,
                                                                    std::size_t max) {
  std::vector<std::string> points;
  std::vector<std::string> payload_keys;  // numeric top-level keys of telemetry, first seen first
  std::set<std::string> seen_points, seen_keys;
  for (const auto& e : events) {
    const std::string_view kind = EventView(e).text("kind");
    if (kind == "plc_change") {
      const std::string point(EventView(e).text("point"));
      if (!point.empty() && seen_points.insert(point).second) points.push_back(point);
    } else if (is_telemetry(EventView(e)) && seen_keys.size() < 64) {
      std::string payload;
      if (!base64_decode(EventView(e).text("payload_b64"), payload)) continue;
      const JsonScan scan = scan_json(payload);
      if (!scan.root || scan.root->type != JsonNode::Type::object) continue;
      for (const auto& [key, value] : scan.root->members)
        if (value.type != JsonNode::Type::boolean && node_number(value) && seen_keys.insert(key).second)
          payload_keys.push_back(key);
    }
  }
  std::vector<std::pair<std::string, std::string>> tags;
  if (!points.empty()) {
    for (const auto& p : points)
      if (seen_keys.count(p) && tags.size() < max) tags.emplace_back(p, p);
    return tags;
  }
  for (const auto& k : payload_keys)
    if (tags.size() < max) tags.emplace_back(k, k);
  return tags;
}

std::string summarize_event(const Json& e) {
  const std::string_view kind = EventView(e).text("kind", "?");
  std::string line = fmt::format("#{} {} {}", EventView(e).integer("seq").value_or(0), short_time(EventView(e).string("wall")), kind);
  const std::string device = EventView(e).string("device");
  if (!device.empty()) line += " " + device;
  if (kind == "publish") {
    line += fmt::format(" {} {} B", EventView(e).string("topic"), payload_size(e));
    const std::string verdict = EventView(e).string("verdict", "accepted");
    if (verdict != "accepted") line += " " + verdict;
    std::string payload;
    if (base64_decode(EventView(e).text("payload_b64"), payload) && !payload.empty())
      line += " " + truncated(payload, 120);
  } else if (kind == "connect") {
    line += fmt::format(" {} {}", EventView(e).string("auth"), EventView(e).string("verdict"));
    const std::string reason = EventView(e).string("reason");
    if (!reason.empty()) line += ": " + reason;
  } else if (kind == "plc_change") {
    line += fmt::format(" {} {} → {}", EventView(e).string("point"),
                        EventView(e).has("old") ? EventView(e).field("old")->dump() : "?",
                        EventView(e).has("new") ? EventView(e).field("new")->dump() : "?");
  } else if (kind == "dut_console") {
    line += " " + truncated(EventView(e).string("line"), 160);
  } else if (kind == "dut_action") {
    const EventView v(e);
    line += fmt::format(" {} #{} {}", v.string("action"), v.integer("action_id").value_or(0), v.string("phase"));
    if (v.string("phase") == "start") {
      line += fmt::format(" to {}", truncated(v.string("destination"), 80));
      if (v.has("subject")) line += " \"" + truncated(v.string("subject"), 80) + "\"";
      if (v.has("size")) line += fmt::format(" {} B", v.integer("size").value_or(0));
      if (v.has("line")) line += fmt::format(" (line {})", v.integer("line").value_or(0));
    } else {
      line += fmt::format(" status {}", v.integer("status").value_or(0));
      if (v.has("http_status")) line += fmt::format(" (HTTP {})", v.integer("http_status").value_or(0));
      if (v.has("error")) line += " " + truncated(v.string("error"), 120);
    }
  } else if (kind == "endpoint_request") {
    const EventView v(e);
    // HTTP: method and target; SMTP: the sender (or the refused command); FTP: command and path.
    const std::string endpoint = v.string("endpoint");
    const std::string what = endpoint == "smtp"  ? (v.has("from") ? "MAIL " + v.string("from") : v.string("command"))
                             : endpoint == "ftp" ? v.string("command") + " " + truncated(v.string("path"), 80)
                                                 : v.string("method") + " " + truncated(v.string("target"), 80);
    line += fmt::format(" {} {} → {}", endpoint, what, v.integer("status").value_or(0));
    if (v.has("size")) line += fmt::format(", {} B", v.integer("size").value_or(0));
    if (v.has("error")) line += " " + truncated(v.string("error"), 120);
  } else if (kind == "dut_alarm") {
    line += fmt::format(" {} {}", EventView(e).string("tag"), EventView(e).string("transition"));
  } else {
    for (const char* key : {"topic", "reason", "detail", "action", "fault", "message"}) {
      const std::string v = EventView(e).string(key);
      if (!v.empty()) line += " " + truncated(v, 120);
    }
  }
  // One line, always: payloads and console lines may contain newlines.
  for (auto& c : line)
    if (c == '\n' || c == '\r') c = ' ';
  return line;
}

std::map<std::uint64_t, const Json*> index_by_seq(const std::vector<Json>& events) {
  std::map<std::uint64_t, const Json*> index;
  for (const auto& e : events) index[static_cast<std::uint64_t>(EventView(e).integer("seq").value_or(0))] = &e;
  return index;
}

}  // namespace flexhil::report
