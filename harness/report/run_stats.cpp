#include "harness/report/run_stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <set>

#include "harness/report/json_access.hpp"

namespace flexhil::report {

namespace {

std::uint64_t payload_size(const Json& e) {
  if (const auto size = field_number(e, "size")) return static_cast<std::uint64_t>(*size);
  std::string decoded;
  if (base64_decode(field_view(e, "payload_b64"), decoded)) return decoded.size();
  return 0;
}

bool is_telemetry_topic(std::string_view topic) {
  return topic.rfind("devices/", 0) == 0 && topic.find("/messages/events/") != std::string::npos;
}

std::optional<double> number_of(const Json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    const double d = std::strtod(s.c_str(), &end);
    // Whole string must be the number (surrounding blanks tolerated, as Flexy pads some formats).
    while (end && *end == ' ') ++end;
    if (end == s.c_str() || (end && *end != '\0') || !std::isfinite(d)) return std::nullopt;
    return d;
  }
  return std::nullopt;
}

std::optional<double> find_tag(const Json& j, std::string_view tag, int depth) {
  if (depth > 8) return std::nullopt;
  if (j.is_object()) {
    const auto it = j.find(std::string(tag));
    if (it != j.end()) {
      if (auto v = number_of(*it)) return v;
      if (it->is_object() && it->contains("value")) return number_of((*it)["value"]);
    }
    const auto name = j.find("name");
    if (name != j.end() && name->is_string() && name->get<std::string>() == tag &&
        j.contains("value"))
      return number_of(j["value"]);
    for (const auto& [key, child] : j.items()) {
      if (child.is_structured())
        if (auto v = find_tag(child, tag, depth + 1)) return v;
    }
  } else if (j.is_array()) {
    for (const auto& child : j)
      if (auto v = find_tag(child, tag, depth + 1)) return v;
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
    const std::string_view kind = field_view(e, "kind", "?");
    const std::int64_t mono = field_int(e, "mono_ns");
    ++stats.events_by_kind[std::string(kind)];
    if (kind == "run_start" && !run_start) run_start = mono;
    if (mono > 0 && (earliest == 0 || mono < earliest)) earliest = mono;
    stats.last_mono_ns = std::max(stats.last_mono_ns, mono);
    const std::string device = field_string(e, "device");
    if (kind == "publish") {
      auto& d = stats.devices[device];
      ++d.messages;
      d.bytes += payload_size(e);
      if (field_view(e, "verdict", "accepted") != "accepted") ++d.refused_publishes;
    } else if (kind == "connect") {
      const std::string verdict = field_string(e, "verdict", "unknown");
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
  return static_cast<double>(field_int(e, "mono_ns") - origin_ns) / 1e9 * time_scale;
}

std::map<std::string, std::vector<double>> publish_intervals(const std::vector<Json>& events,
                                                             double time_scale) {
  std::map<std::string, std::vector<double>> intervals;
  std::map<std::string, std::int64_t> last;
  for (const auto& e : events) {
    if (field_view(e, "kind") != "publish") continue;
    if (field_view(e, "verdict", "accepted") != "accepted") continue;
    if (!is_telemetry_topic(field_view(e, "topic"))) continue;
    const std::string device = field_string(e, "device");
    const std::int64_t mono = field_int(e, "mono_ns");
    const auto it = last.find(device);
    if (it != last.end() && mono >= it->second)
      intervals[device].push_back(static_cast<double>(mono - it->second) / 1e9 * time_scale);
    last[device] = mono;
  }
  return intervals;
}

std::optional<double> published_value(std::string_view payload, std::string_view tag) {
  const Json j = Json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return find_tag(j, tag, 0);
}

TagSeries tag_series(const std::vector<Json>& events, std::string_view tag, std::string_view point,
                     std::int64_t origin_ns, double time_scale) {
  TagSeries series;
  for (const auto& e : events) {
    const std::string_view kind = field_view(e, "kind");
    if (kind == "plc_change") {
      if (field_view(e, "point") != point || !e.contains("new")) continue;
      const double t = event_seconds(e, origin_ns, time_scale);
      if (series.plc.empty() && e.contains("old"))
        if (auto old = number_of(e["old"])) series.plc.push_back({std::max(0.0, t), *old});
      if (auto v = number_of(e["new"])) series.plc.push_back({t, *v});
    } else if (kind == "publish") {
      if (field_view(e, "verdict", "accepted") != "accepted") continue;
      std::string payload;
      if (!base64_decode(field_view(e, "payload_b64"), payload)) continue;
      if (auto v = published_value(payload, tag))
        series.published[field_string(e, "device")].push_back(
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
    const std::string_view kind = field_view(e, "kind");
    if (kind == "plc_change") {
      const std::string point(field_view(e, "point"));
      if (!point.empty() && seen_points.insert(point).second) points.push_back(point);
    } else if (kind == "publish" && is_telemetry_topic(field_view(e, "topic")) && seen_keys.size() < 64) {
      std::string payload;
      if (!base64_decode(field_view(e, "payload_b64"), payload)) continue;
      const Json j = Json::parse(payload, nullptr, false);
      if (!j.is_object()) continue;
      for (const auto& [key, value] : j.items())
        if (number_of(value) && !value.is_boolean() && seen_keys.insert(key).second) payload_keys.push_back(key);
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
  const std::string_view kind = field_view(e, "kind", "?");
  std::string line = fmt::format("#{} {} {}", field_int(e, "seq"), short_time(field_string(e, "wall")), kind);
  const std::string device = field_string(e, "device");
  if (!device.empty()) line += " " + device;
  if (kind == "publish") {
    line += fmt::format(" {} {} B", field_string(e, "topic"), payload_size(e));
    const std::string verdict = field_string(e, "verdict", "accepted");
    if (verdict != "accepted") line += " " + verdict;
    std::string payload;
    if (base64_decode(field_view(e, "payload_b64"), payload) && !payload.empty())
      line += " " + truncated(payload, 120);
  } else if (kind == "connect") {
    line += fmt::format(" {} {}", field_string(e, "auth"), field_string(e, "verdict"));
    const std::string reason = field_string(e, "reason");
    if (!reason.empty()) line += ": " + reason;
  } else if (kind == "plc_change") {
    line += fmt::format(" {} {} → {}", field_string(e, "point"),
                        e.contains("old") ? e["old"].dump() : "?", e.contains("new") ? e["new"].dump() : "?");
  } else if (kind == "dut_console") {
    line += " " + truncated(field_string(e, "line"), 160);
  } else {
    for (const char* key : {"topic", "reason", "detail", "action", "fault", "message"}) {
      const std::string v = field_string(e, key);
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
  for (const auto& e : events) index[static_cast<std::uint64_t>(field_int(e, "seq"))] = &e;
  return index;
}

}  // namespace flexhil::report
