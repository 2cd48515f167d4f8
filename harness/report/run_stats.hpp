#pragma once
// Facts derived from a run's events that several reports show: per-device message counts and
// bytes, connect verdicts, publish intervals, and the PLC-vs-published value series of a tag.
// Pure functions of the event list.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/event.hpp"

namespace flexhil::report {

struct DeviceStats {
  std::uint64_t messages = 0;             // publish events (any verdict)
  std::uint64_t bytes = 0;                // payload bytes of those publishes
  std::uint64_t refused_publishes = 0;    // publish verdict other than "accepted"
  std::uint64_t connects_accepted = 0;
  std::uint64_t connects_refused = 0;
  std::uint64_t disconnects = 0;
};

struct RunStats {
  std::map<std::string, DeviceStats> devices;          // by device id
  std::map<std::string, std::uint64_t> connect_verdicts;  // "accepted" / "refused" → count
  std::map<std::string, std::uint64_t> events_by_kind;
  std::int64_t first_mono_ns = 0;  // origin of the time axis: run_start, else the first event
  std::int64_t last_mono_ns = 0;
};

RunStats compute_stats(const std::vector<Json>& events);

// Seconds of event `e` since `origin_ns` (mono_ns), scaled to scenario seconds.
double event_seconds(const Json& e, std::int64_t origin_ns, double time_scale);

// Intervals between consecutive accepted publishes of each device (scenario seconds), only of
// telemetry (is_telemetry(), common/event_view.hpp).
std::map<std::string, std::vector<double>> publish_intervals(const std::vector<Json>& events,
                                                             double time_scale);

struct ValuePoint {
  double t = 0;  // scenario seconds since the origin
  double value = 0;
};
struct TagSeries {
  std::vector<ValuePoint> plc;        // PLC point value after each plc_change (plus the first `old`)
  std::map<std::string, std::vector<ValuePoint>> published;  // by device
};
TagSeries tag_series(const std::vector<Json>& events, std::string_view tag, std::string_view point,
                     std::int64_t origin_ns, double time_scale);

// The numeric value of `tag` in a JSON payload: the first member named `tag` found depth-first
// (also inside arrays/objects, and {"name": tag, "value": v} entries). Strings holding numbers
// ("21.5") and booleans count; anything else is nullopt. Malformed JSON is nullopt.
std::optional<double> published_value(std::string_view payload, std::string_view tag);

// Tags worth plotting when the scenario names none: PLC points (plc_change) that also appear as
// keys in the published payloads; without PLC changes, the numeric top-level keys of the
// telemetry payloads. First-seen order, at most `max`.
std::vector<std::pair<std::string, std::string>> infer_plotted_tags(const std::vector<Json>& events,
                                                                    std::size_t max = 6);

// One line describing an event for evidence lists: "#12 08:00:12.345 publish Flexy1 devices/… 87 B".
std::string summarize_event(const Json& e);

// Events by seq, for evidence lookups.
std::map<std::uint64_t, const Json*> index_by_seq(const std::vector<Json>& events);

}  // namespace flexhil::report
