#pragma once
#include <boost/test/unit_test.hpp>
// Hand-built event vectors for rule tests: times in scenario seconds from a run_start at
// 2026-11-26T08:00:00Z (time scale 1 unless given).
#include <algorithm>
#include <cstdio>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "common/event.hpp"
#include "harness/rules/rules.hpp"

namespace flexhil::rules {
inline std::ostream& operator<<(std::ostream& o, Severity s) { return o << to_string(s); }
inline std::ostream& operator<<(std::ostream& o, HubBehaviour h) { return o << to_string(h); }
}  // namespace flexhil::rules

namespace flexhil::testing {

class Events {
 public:
  explicit Events(double scale = 1.0) : scale_(scale) {
    Json ev{{"kind", "run_start"}, {"scenario", "t"}, {"run", "r"}, {"time_scale", scale}};
    add(std::move(ev), 0);
  }
  // `t` in scenario seconds.
  Json& add(Json ev, double t) {
    ev["seq"] = ++seq_;
    ev["mono_ns"] = static_cast<std::int64_t>(1'000'000'000'000LL + t / scale_ * 1e9);
    ev["wall"] = wall(t / scale_);
    events_.push_back(std::move(ev));
    return events_.back();
  }
  Json& connect(const std::string& device, double t, bool accepted = true, const std::string& reason_id = "") {
    Json ev{{"kind", "connect"}, {"device", device}, {"verdict", accepted ? "accepted" : "refused"},
            {"connack", accepted ? 0 : 5}, {"reason", accepted ? "ok" : "refused for a reason"},
            {"username_form", "current"}, {"username", "h.azure-devices.net/" + device + "/?api-version=2021-04-12"}};
    if (!reason_id.empty()) ev["reason_id"] = reason_id;
    return add(std::move(ev), t);
  }
  Json& disconnect(const std::string& device, double t, const std::string& reason) {
    return add({{"kind", "disconnect"}, {"device", device}, {"reason", reason}, {"detail", ""}}, t);
  }
  Json& publish(const std::string& device, double t, const std::string& payload, bool content_type = true,
                std::string topic = "") {
    if (topic.empty()) topic = "devices/" + device + "/messages/events/";
    Json props = Json::object();
    if (content_type) props = {{"$.ct", "application/json"}, {"$.ce", "utf-8"}};
    return add({{"kind", "publish"}, {"device", device}, {"topic", topic}, {"props", props}, {"qos", 0},
                {"retain", false}, {"size", payload.size()}, {"payload_b64", base64_encode(payload)},
                {"verdict", "accepted"}},
               t);
  }
  Json& plc_change(const std::string& point, double t, double old_value, double new_value, int unit = 1) {
    return add({{"kind", "plc_change"}, {"unit", unit}, {"point", point}, {"old", old_value}, {"new", new_value},
                {"cause", "waveform"}},
               t);
  }
  Json& end(double t) { return add({{"kind", "run_end"}, {"reason", "completed"}}, t); }
  const std::vector<Json>& events() const { return events_; }

  static std::string wall(double real_s) {
    const auto total_us = static_cast<long long>(real_s * 1e6 + 0.5);
    const long long s = total_us / 1'000'000, us = total_us % 1'000'000;
    char buf[64];
    std::snprintf(buf, sizeof buf, "2026-11-26T%02lld:%02lld:%02lld.%06lldZ", 8 + s / 3600, (s / 60) % 60, s % 60, us);
    return buf;
  }

 private:
  double scale_;
  std::uint64_t seq_ = 0;
  std::vector<Json> events_;
};

inline std::set<std::string> ids(const std::vector<rules::Finding>& f) {
  std::set<std::string> out;
  for (const auto& x : f) out.insert(x.rule_id);
  return out;
}
inline const rules::Finding* find(const std::vector<rules::Finding>& f, const std::string& id) {
  for (const auto& x : f)
    if (x.rule_id == id) return &x;
  return nullptr;
}
// The finding `id`; a missing one fails the test case (never a null dereference). The vector may
// be a temporary: use the result within the same full expression.
inline const rules::Finding& require_finding(const std::vector<rules::Finding>& f, const std::string& id) {
  const auto* found = find(f, id);
  if (!found) {
    std::string all;
    for (const auto& x : f) all += " " + x.rule_id;
    BOOST_TEST_REQUIRE(found != nullptr, "no finding " << id << "; found:" << (all.empty() ? " none" : all));
  }
  return *found;
}
// Expectations that judge nothing unless a test turns it on.
inline rules::Expectations quiet() {
  rules::Expectations e;
  e.connect_within_s.reset();
  e.timestamp_key = "";
  e.content_type_required = true;
  return e;
}

}  // namespace flexhil::testing
