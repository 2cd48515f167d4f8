#pragma once
// Internal to the rules: the event stream pre-digested once (times in scenario seconds,
// telemetry decoded and scanned, connected intervals) and the per-(rule, device) aggregation of
// findings. Every rule family is a function of a Context.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/event.hpp"
#include "common/event_view.hpp"
#include "harness/rules/expectations.hpp"
#include "harness/rules/finding.hpp"
#include "common/json_scan.hpp"

namespace flexhil::rules::detail {

inline constexpr std::size_t max_evidence = 50;

class Collector {
 public:
  // Adds one occurrence; occurrences of the same rule and device become one finding whose
  // message is the first occurrence's plus the count.
  void add(const std::string& rule_id, const std::string& device, const std::string& message,
           std::vector<std::uint64_t> evidence);
  std::vector<Finding> finish() const;

 private:
  struct Entry {
    Finding finding;
    std::size_t count = 0;
  };
  std::vector<Entry> entries_;
  std::map<std::pair<std::string, std::string>, std::size_t> index_;
};

struct Telemetry {
  const Json* event = nullptr;
  std::uint64_t seq = 0;
  std::string device;
  double t = 0;       // scenario seconds since the run started
  double wall_s = 0;  // scenario wall time of receipt, seconds since 1970 UTC
  std::size_t size = 0;
  std::string payload;
  bool payload_decoded = false;
  std::optional<std::size_t> utf8_error;
  JsonScan scan;
  std::vector<std::pair<std::string, const JsonNode*>> tags;  // tag members in order, dups kept
  enum class Kind { full, change, none } kind = Kind::none;
};

struct Context {
  Context(const std::vector<Json>& events, const Expectations& expect);

  const std::vector<Json>& events;
  const Expectations& expect;
  double scale = 1.0;
  std::int64_t start_mono = 0;
  double start_wall_s = 0;
  double end_t = 0;  // scenario seconds of the last event (or run_end)
  std::vector<Telemetry> telemetry;  // in capture order
  std::map<std::string, std::vector<std::pair<double, double>>> connected;  // device → [from, to)
  std::map<std::string, std::set<std::string>> selected_tags;  // device → tag names
  // Our own parts held up (dut_timer_late of an emulated Flexy, hub_stall of the broker): the
  // scenario time it was told and by how many scenario seconds; device "" = every device.
  struct OwnDelay {
    std::string device;
    double at = 0;
    double by = 0;
  };
  std::vector<OwnDelay> own_delays;
  Collector findings;

  double t(const Json& ev) const;  // scenario seconds since start
  bool is_connected(const std::string& device, double at) const;
  // Connected over all of [from, to] on one connection (no drop, restart or WAN cut inside).
  bool connected_throughout(const std::string& device, double from, double to) const;
  // A delay of our own told between a and b (a little past both ends) of at least `off`
  // scenario seconds: what is late by no more than that is our doing, not the device's.
  bool explained_by_own_delay(const std::string& device, double a, double b, double off) const;
  const TagExpectation* tag(const std::string& name, const std::string& device) const;  // the device's own
};

// Helpers shared by the rule families (event fields: common/event_view.hpp).
std::string fmt_s(double seconds);                              // "12.345 s"

void connection_rules(Context& c);  // AUTH-…, TLS-…, CONN-…
void topic_rules(Context& c);       // TOPIC-…, PROPS-…
void payload_rules(Context& c);     // PAYLOAD-…
void time_rules(Context& c);        // TIME-…
void cadence_rules(Context& c);     // CADENCE-…
void value_rules(Context& c);       // VALUE-…
void volume_rules(Context& c);      // THROTTLE-D2C-RATE, QUOTA-…
void fleet_rules(Context& c);       // THROTTLE-CONNECT-RATE, FLEET-… (fleet_rules.cpp)
void outage_rules(Context& c);      // OUTAGE-… (outage_rules.cpp)
void dut_rules(Context& c);         // DUT-…, METHOD-…, CADENCE-PUBLISH-WHILE-DISCONNECTED
void ca_bundle_rules(Context& c);   // TLS-CA-BUNDLE-… (ca_bundle_rules.cpp)
// HARNESS-… from every event of the capture (also those after run_end).
void harness_rules(Context& c, const std::vector<Json>& all_events);
void action_rules(Context& c);      // DUT-ACTION-MISSING (events and outbound actions)

}  // namespace flexhil::rules::detail
