// CADENCE-…: periods of full and change pushes, what a push carries.
// Classification (see Context): a telemetry object with every selected tag is a full push, one
// with a strict subset a change push.
#include <cmath>
#include <fmt/format.h>

#include "harness/rules/context.hpp"

namespace flexhil::rules::detail {
namespace {

using Kind = Telemetry::Kind;

bool same_connection(const Context& c, const std::string& device, double a, double b) {
  const auto it = c.connected.find(device);
  if (it == c.connected.end()) return true;  // no connect events (partial capture): judge anyway
  for (const auto& [from, to] : it->second)
    if (a >= from && b <= to) return true;
  return false;
}

// Checks the intervals between consecutive pushes of one kind and device against `period`.
void check_period(Context& c, const std::string& rule, const char* what, Kind kind, double period,
                  bool multiples_allowed) {
  const double tol = c.expect.period_tolerance_s;
  std::map<std::string, std::vector<const Telemetry*>> by_device;
  for (const auto& m : c.telemetry)
    if (m.kind == kind) by_device[m.device].push_back(&m);
  for (const auto& [device, pushes] : by_device) {
    std::size_t judged = 0, out = 0, excused = 0;
    double sum = 0, worst_jitter = 0, worst_interval = 0, worst_at = 0;
    std::vector<std::uint64_t> evidence;
    for (std::size_t i = 1; i < pushes.size(); ++i) {
      const auto* a = pushes[i - 1];
      const auto* b = pushes[i];
      if (!same_connection(c, device, a->t, b->t)) continue;
      const double d = b->t - a->t;
      ++judged;
      sum += d;
      double jitter = d - period;
      if (multiples_allowed && d >= period - tol) jitter = d - std::round(d / period) * period;
      if (std::abs(jitter) > tol && c.explained_by_own_delay(device, a->t, b->t, std::abs(jitter) - tol)) {
        ++excused;
        --judged;
        sum -= d;
        continue;
      }
      if (std::abs(jitter) > tol) {
        ++out;
        if (evidence.size() < max_evidence) {
          evidence.push_back(a->seq);
          evidence.push_back(b->seq);
        }
        if (std::abs(jitter) > std::abs(worst_jitter)) {
          worst_jitter = jitter;
          worst_interval = d;
          worst_at = b->t;
        }
      }
    }
    // A few intervals our delays spoiled are left out; when they are a quarter or more of the
    // device's, what is left is no verdict on its cadence.
    if (excused > 0 && excused * 4 >= excused + judged)
      c.findings.add("HARNESS-HOST-LAG", device,
                     fmt::format("{}: {} of {} intervals not judged: our own parts fell behind (the emulated "
                                 "Flexy's timers fired late or the hub was held up; time scale ×{})",
                                 what, excused, excused + judged, c.scale),
                     {});
    if (out > 0)
      c.findings.add(rule, device,
                     fmt::format("{} interval {} at {} (expected {}{} ± {}); {} of {} intervals out of tolerance, "
                                 "mean {}",
                                 what, fmt_s(worst_interval), fmt_s(worst_at), fmt_s(period),
                                 multiples_allowed ? " or a multiple" : "", fmt_s(tol), out, judged,
                                 fmt_s(sum / static_cast<double>(judged))),
                     evidence);
  }
  // A device that never sends this kind of push while the period says it should have.
  if (kind != Kind::full) return;
  for (const auto& [device, intervals] : c.connected) {
    double connected_for = 0;
    for (const auto& [from, to] : intervals) connected_for = std::max(connected_for, to - from);
    if (by_device.count(device) == 0 && connected_for >= 2 * period + tol) {
      bool any_telemetry = false, unreadable = false;
      for (const auto& m : c.telemetry)
        if (m.device == device) {
          any_telemetry = true;
          unreadable = unreadable || m.tags.empty();  // not a JSON object of tags: PAYLOAD-… says why
        }
      if (unreadable) continue;
      c.findings.add(rule, device,
                     fmt::format("no full push during {} connected (expected one every {}){}", fmt_s(connected_for),
                                 fmt_s(period), any_telemetry ? "" : "; no telemetry at all"),
                     {});
    }
  }
}

std::string value_text(const JsonNode& n) { return n.type == JsonNode::Type::string ? "\"" + n.text + "\"" : n.text; }

}  // namespace

void cadence_rules(Context& c) {
  if (c.expect.full_push_period_s)
    check_period(c, "CADENCE-FULL-PUSH", "full-push", Kind::full, *c.expect.full_push_period_s, false);
  if (c.expect.change_push_period_s)
    check_period(c, "CADENCE-CHANGE-PUSH", "change-push", Kind::change, *c.expect.change_push_period_s, true);

  std::map<std::pair<std::string, std::string>, std::string> last;  // (device, tag) → published text
  for (const auto& m : c.telemetry) {
    if (m.kind == Kind::none) continue;
    if (m.kind == Kind::full) {
      std::map<std::string, int> count;
      for (const auto& [key, node] : m.tags) ++count[key];
      std::vector<std::string> problems;
      for (const auto& [key, n] : count)
        if (n > 1) problems.push_back(fmt::format("\"{}\" {} times", key, n));
      if (!c.expect.tags.empty())
        for (const auto& [key, n] : count)
          if (!c.tag(key, m.device)) problems.push_back(fmt::format("\"{}\" which is no selected tag", key));
      if (!problems.empty()) {
        std::string list;
        for (const auto& p : problems) list += (list.empty() ? "" : ", ") + p;
        c.findings.add("CADENCE-FULL-PUSH-INCOMPLETE", m.device,
                       fmt::format("full push at {} carries {}", fmt_s(m.t), list), {m.seq});
      }
    } else {
      std::vector<std::string> unchanged;
      for (const auto& [key, node] : m.tags) {
        const auto it = last.find({m.device, key});
        if (it != last.end() && it->second == value_text(*node)) unchanged.push_back(key);
      }
      if (!unchanged.empty() && unchanged.size() == m.tags.size())
        c.findings.add("CADENCE-PUBLISH-WITHOUT-CHANGE", m.device,
                       fmt::format("change push at {} repeats the last published value of all its {} tag(s)",
                                   fmt_s(m.t), m.tags.size()),
                       {m.seq});
      else if (!unchanged.empty()) {
        std::string list;
        for (const auto& k : unchanged) list += (list.empty() ? "\"" : ", \"") + k + "\"";
        c.findings.add("CADENCE-CHANGE-PUSH-UNCHANGED-TAGS", m.device,
                       fmt::format("change push at {} carries {} of {} tags unchanged: {}", fmt_s(m.t),
                                   unchanged.size(), m.tags.size(), list),
                       {m.seq});
      }
    }
    for (const auto& [key, node] : m.tags) last[{m.device, key}] = value_text(*node);
  }
}

}  // namespace flexhil::rules::detail
