#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <limits>
#include <optional>

#include "common/event_view.hpp"
#include "common/mqtt_topic_filter.hpp"
#include "harness/rules/catalogue.hpp"
#include "harness/rules/context.hpp"
#include "harness/rules/fault_attribution.hpp"
#include "harness/rules/rules.hpp"
#include "harness/rules/timestamp.hpp"

namespace flexhil::rules {
namespace detail {

std::string fmt_s(double seconds) { return fmt::format("{:.3f} s", seconds); }

void Collector::add(const std::string& rule_id, const std::string& device, const std::string& message,
                    std::vector<std::uint64_t> evidence) {
  const auto key = std::make_pair(rule_id, device);
  auto it = index_.find(key);
  if (it == index_.end()) {
    Entry e;
    e.finding.rule_id = rule_id;
    e.finding.device = device;
    e.finding.message = message;
    if (const auto* info = find_rule(rule_id)) {
      e.finding.severity = info->severity;
      e.finding.hub = info->hub;
    } else {
      e.finding.severity = Severity::error;
      e.finding.hub = rule_id.rfind("AUTH-", 0) == 0 ? HubBehaviour::refuses : HubBehaviour::accepts;
    }
    it = index_.emplace(key, entries_.size()).first;
    entries_.push_back(std::move(e));
  }
  Entry& e = entries_[it->second];
  ++e.count;
  for (auto s : evidence)
    if (e.finding.evidence.size() < max_evidence &&
        std::find(e.finding.evidence.begin(), e.finding.evidence.end(), s) == e.finding.evidence.end())
      e.finding.evidence.push_back(s);
}

std::vector<Finding> Collector::finish() const {
  std::vector<Finding> out;
  for (const auto& e : entries_) {
    Finding f = e.finding;
    if (e.count > 1) f.message += fmt::format(" (first of {} occurrences)", e.count);
    out.push_back(std::move(f));
  }
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    const auto fa = a.evidence.empty() ? UINT64_MAX : a.evidence.front();
    const auto fb = b.evidence.empty() ? UINT64_MAX : b.evidence.front();
    return fa < fb;
  });
  return out;
}

Context::Context(const std::vector<Json>& evs, const Expectations& ex) : events(evs), expect(ex) {
  scale = ex.time_scale;
  const Json* start = nullptr;
  for (const auto& ev : events)
    if (EventView(ev).kind() == "run_start") {
      start = &ev;
      break;
    }
  if (start) {
    if (const auto ts = EventView(*start).number("time_scale"); ts && *ts > 0) scale = *ts;
  } else if (!events.empty()) {
    start = &events.front();
  }
  if (start) {
    start_mono = EventView(*start).mono_ns();
    if (auto w = parse_timestamp(EventView(*start).string("wall"))) start_wall_s = w->epoch_s;
  }
  for (const auto& ev : events) end_t = std::max(end_t, t(ev));

  // Connected intervals.
  std::map<std::string, double> open;
  auto close = [&](const std::string& device, double at) {
    auto it = open.find(device);
    if (it == open.end()) return;
    connected[device].emplace_back(it->second, at);
    open.erase(it);
  };
  for (const auto& ev : events) {
    const auto kind = EventView(ev).kind();
    const double at = t(ev);
    if (kind == "dut_timer_late" || kind == "dut_publish_late")
      own_delays.push_back({EventView(ev).string("device"), at, EventView(ev).number("late_s").value_or(0)});
    if (kind == "hub_stall") own_delays.push_back({"", at, EventView(ev).number("stalled_s").value_or(0) * scale});
    if (kind == "connect" && EventView(ev).string("verdict") == "accepted") {
      close(EventView(ev).string("device"), at);
      open[EventView(ev).string("device")] = at;
    } else if (kind == "disconnect" && EventView(ev).string("reason") != "replaced") {
      close(EventView(ev).string("device"), at);
    } else if (kind == "action" && EventView(ev).string("action") == "broker-restart") {
      while (!open.empty()) close(open.begin()->first, at);
    } else if (kind == "action" && EventView(ev).string("action") == "wan" && EventView(ev).string("link") == "down") {
      // The hub still holds the silent session, but nothing the device sends gets through.
      close(EventView(ev).string("device"), at);
    }
  }
  while (!open.empty()) close(open.begin()->first, end_t);

  // Telemetry, decoded and scanned once.
  std::set<std::string> not_tags(ex.required_keys.begin(), ex.required_keys.end());
  if (!ex.timestamp_key.empty()) not_tags.insert(ex.timestamp_key);
  for (const auto& ev : events) {
    const EventView e(ev);
    // The hub's telemetry is its telemetry topic; a plain broker's, the publishes the scenario's
    // telemetry_topic filter selects.
    const bool telemetry_event = ex.target == Target::broker
                                     ? e.kind() == "publish" && topic_matches_filter(ex.telemetry_topic, e.text("topic"))
                                     : is_telemetry(e);
    if (!telemetry_event) continue;
    Telemetry m;
    m.event = &ev;
    m.seq = e.seq();
    m.device = e.string("device");
    m.t = t(ev);
    m.wall_s = start_wall_s + m.t;
    m.payload_decoded = base64_decode(e.text("payload_b64"), m.payload);
    const auto size = e.integer("size");
    m.size = size && *size >= 0 ? static_cast<std::size_t>(*size) : m.payload.size();
    m.utf8_error = first_invalid_utf8(m.payload);
    m.scan = scan_json(m.payload);
    telemetry.push_back(std::move(m));
  }
  for (auto& m : telemetry) {
    if (!m.scan.root || m.scan.root->type != JsonNode::Type::object) continue;
    for (const auto& [key, node] : m.scan.root->members)
      if (!not_tags.count(key)) m.tags.emplace_back(key, &node);
  }
  for (auto& m : telemetry) {
    auto& sel = selected_tags[m.device];
    if (!ex.tags.empty()) {
      if (sel.empty())
        for (const auto& tg : ex.tags) sel.insert(tg.name);
    } else {
      for (const auto& [key, node] : m.tags) sel.insert(key);
    }
  }
  for (auto& m : telemetry) {
    if (m.tags.empty()) continue;
    const auto& sel = selected_tags[m.device];
    std::set<std::string> present;
    for (const auto& [key, node] : m.tags) present.insert(key);
    const bool all = std::all_of(sel.begin(), sel.end(), [&](const std::string& n) { return present.count(n) > 0; });
    m.kind = all ? Telemetry::Kind::full : Telemetry::Kind::change;
  }
  // A change push in which every selected tag changed carries all tags, like a full push. Such an
  // all-changed publish is taken as a full push only when it comes on the full-push schedule
  // (previous full push + period ± tolerance); the device's first one stays a full push unless
  // the next full push comes off that schedule. A publish carrying all tags of which at least one
  // did not change is a full push, unless it follows a full push by less than half a period.
  {
    std::map<std::pair<std::string, std::string>, std::string> last;  // (device, tag) → value text
    struct LastFull {
      Telemetry* push;
      bool tentative;  // every tag new or changed: maybe a change push after all
    };
    std::map<std::string, LastFull> last_full;
    auto text = [](const JsonNode& n) { return n.type == JsonNode::Type::string ? "\"" + n.text + "\"" : n.text; };
    const double tol = ex.period_tolerance_s;
    auto on_schedule = [&](double since) {
      return ex.full_push_period_s && std::abs(since - *ex.full_push_period_s) <= tol;
    };
    for (auto& m : telemetry) {
      if (m.kind == Telemetry::Kind::full) {
        bool all_changed = true;
        for (const auto& [key, node] : m.tags) {
          const auto it = last.find({m.device, key});
          if (it != last.end() && it->second == text(*node)) all_changed = false;
        }
        const auto lf = last_full.find(m.device);
        if (lf != last_full.end() && ex.full_push_period_s) {
          const double since = m.t - lf->second.push->t;
          if (since < *ex.full_push_period_s / 2 && !lf->second.tentative) {
            m.kind = Telemetry::Kind::change;  // both timers firing together
          } else if (all_changed && !on_schedule(since)) {
            m.kind = Telemetry::Kind::change;
          } else if (lf->second.tentative && !on_schedule(since) && !all_changed) {
            lf->second.push->kind = Telemetry::Kind::change;  // the earlier one was a change push
          }
        }
        if (m.kind == Telemetry::Kind::full) last_full[m.device] = {&m, all_changed};
      }
      for (const auto& [key, node] : m.tags) last[{m.device, key}] = text(*node);
    }
  }
}

double Context::t(const Json& ev) const {
  return static_cast<double>(EventView(ev).mono_ns() - start_mono) / 1e9 * scale;
}

bool Context::is_connected(const std::string& device, double at) const {
  const auto it = connected.find(device);
  if (it == connected.end()) return false;
  for (const auto& [from, to] : it->second)
    if (at >= from && at <= to) return true;
  return false;
}

bool Context::connected_throughout(const std::string& device, double from, double to) const {
  const auto it = connected.find(device);
  if (it == connected.end()) return false;
  return std::any_of(it->second.begin(), it->second.end(),
                     [&](const auto& iv) { return iv.first <= from && to <= iv.second; });
}

// A delay of our own (an emulated Flexy's timer handled late, its PUBLISH held up in our MQTT
// stack, the broker held up) shifts what the device sends by as much. A late expiry is told
// before the push it causes, a stall just after the pushes it held up, so the window reaches a
// little past both ends.
bool Context::explained_by_own_delay(const std::string& device, double a, double b, double off) const {
  constexpr double reach = 1.0;  // scenario seconds
  return std::any_of(own_delays.begin(), own_delays.end(), [&](const OwnDelay& d) {
    return (d.device.empty() || d.device == device) && d.at >= a - reach && d.at <= b + reach && d.by >= off;
  });
}

const TagExpectation* Context::tag(const std::string& name, const std::string& device) const {
  for (const auto& tg : expect.tags_for(device))
    if (tg.name == name) return &tg;
  return nullptr;
}

}  // namespace detail

std::vector<Finding> evaluate(const std::vector<Json>& all_events, const Expectations& expect, EvaluationTimes* times) {
  const auto started = std::chrono::steady_clock::now();
  auto timed = [&](const char* family, auto&& run) {
    const auto t0 = std::chrono::steady_clock::now();
    run();
    if (times)
      times->families.emplace_back(family, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  };
  // Judged in seq order, whatever order the events were delivered in, so a live run and
  // `flexhil validate` of its capture see the same stream. Events without a seq keep their place
  // relative to each other, after the numbered ones.
  std::vector<const Json*> order;
  order.reserve(all_events.size());
  for (const auto& ev : all_events) order.push_back(&ev);
  std::stable_sort(order.begin(), order.end(), [](const Json* a, const Json* b) {
    const auto sa = EventView(*a).seq(), sb = EventView(*b).seq();
    return (sa == 0 ? UINT64_MAX : sa) < (sb == 0 ? UINT64_MAX : sb);
  });
  // What happens after run_end is the harness tearing parts down, not the device's behaviour.
  std::vector<Json> events;
  events.reserve(order.size());
  for (const Json* ev : order) {
    events.push_back(*ev);
    if (EventView(*ev).kind() == "run_end") break;
  }
  std::optional<detail::Context> context;
  timed("context", [&] { context.emplace(events, expect); });
  detail::Context& c = *context;
  timed("connection", [&] { detail::connection_rules(c); });
  timed("topic", [&] { detail::topic_rules(c); });
  timed("payload", [&] { detail::payload_rules(c); });
  timed("time", [&] { detail::time_rules(c); });
  timed("cadence", [&] { detail::cadence_rules(c); });
  timed("value", [&] { detail::value_rules(c); });
  timed("volume", [&] { detail::volume_rules(c); });
  timed("fleet", [&] { detail::fleet_rules(c); });
  timed("outage", [&] { detail::outage_rules(c); });
  timed("dut", [&] { detail::dut_rules(c); });
  timed("ca_bundle", [&] { detail::ca_bundle_rules(c); });
  timed("action", [&] { detail::action_rules(c); });
  timed("harness", [&] { detail::harness_rules(c, all_events); });
  auto findings = c.findings.finish();
  // Rules that do not apply to this target (Azure-only against a plain broker) report nothing:
  // the reports list them as not applicable instead.
  std::erase_if(findings, [&](const Finding& f) { return !applies(f.rule_id, expect.target); });
  detail::attribute_faults(findings, c);
  if (times) times->total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return findings;
}

bool is_infrastructure(const Finding& f) { return f.rule_id.rfind("HARNESS-", 0) == 0; }

namespace {
// An expected entry: "RULE" (on any device) or "RULE@device" (on that device).
bool entry_found(const std::string& entry, const std::vector<Finding>& findings) {
  const auto at = entry.find('@');
  for (const auto& f : findings)
    if (at == std::string::npos ? f.rule_id == entry
                                : f.rule_id == entry.substr(0, at) && f.device == entry.substr(at + 1))
      return true;
  return false;
}

// Whether `entries` expect finding `f`; `qualified` says whether they name its rule per device.
bool entry_covers(const std::vector<std::string>& entries, const Finding& f, bool& qualified) {
  bool covered = false;
  for (const auto& e : entries) {
    const auto at = e.find('@');
    if (e.compare(0, at, f.rule_id) != 0 || (at == std::string::npos ? e.size() : at) != f.rule_id.size()) continue;
    if (at == std::string::npos) {
      covered = true;
    } else {
      qualified = true;
      covered = covered || e.compare(at + 1, std::string::npos, f.device) == 0;
    }
  }
  return covered;
}
}  // namespace

Verdict judge(const std::vector<Finding>& findings, const FindingExpectations& expect) {
  Verdict v;
  // A finding not expected is reported by rule id, or as RULE@device where the expectations name
  // that rule per device (the fleet member that is not the one expected).
  auto add_unexpected = [](std::set<std::string>& into, const Finding& f, bool qualified) {
    into.insert(qualified ? f.rule_id + "@" + f.device : f.rule_id);
  };
  if (expect.exact) {
    const std::set<std::string> want(expect.exact->begin(), expect.exact->end());
    for (const auto& id : want)
      if (!entry_found(id, findings)) v.missing.push_back(id);
    std::set<std::string> unexpected;
    for (const auto& f : findings) {
      bool qualified = false;
      if (!entry_covers(*expect.exact, f, qualified)) add_unexpected(unexpected, f, qualified);
    }
    v.unexpected.assign(unexpected.begin(), unexpected.end());
  } else {
    const std::set<std::string> must(expect.must_find.begin(), expect.must_find.end());
    for (const auto& id : must)
      if (!entry_found(id, findings)) v.missing.push_back(id);
    std::set<std::string> unexpected;
    for (const auto& f : findings) {
      bool q_not = false, q_must = false;
      if (entry_covers(expect.must_not_find, f, q_not))
        add_unexpected(unexpected, f, q_not);
      else if (f.severity == Severity::error && !entry_covers(expect.must_find, f, q_must))
        add_unexpected(unexpected, f, q_must);
    }
    v.unexpected.assign(unexpected.begin(), unexpected.end());
  }
  v.passed = v.missing.empty() && v.unexpected.empty();
  std::vector<std::string> infra;
  for (const auto& f : findings)
    if (is_infrastructure(f)) infra.push_back(f.rule_id);
  if (!infra.empty()) {
    v.passed = false;
    v.infrastructure = true;
    v.summary = fmt::format("ERROR: the harness failed, not the device ({}); no verdict on the device",
                            fmt::join(infra, ", "));
    return v;
  }
  if (v.passed)
    v.summary = fmt::format("PASSED ({} finding{})", findings.size(), findings.size() == 1 ? "" : "s");
  else
    v.summary = fmt::format("FAILED: {}{}{}", v.unexpected.empty() ? "" : fmt::format("unexpected {}", fmt::join(v.unexpected, ", ")),
                            (!v.unexpected.empty() && !v.missing.empty()) ? "; " : "",
                            v.missing.empty() ? "" : fmt::format("missing {}", fmt::join(v.missing, ", ")));
  return v;
}

}  // namespace flexhil::rules
