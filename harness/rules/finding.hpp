#pragma once
// What rules produce and reports, metrics and exit codes consume (docs/rules.md, docs/architecture.md).
// Rules are pure functions of the event stream and the scenario's expectations.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace flexhil::rules {

enum class Severity { error, warning, info };
// What the real Azure IoT Hub does with what the rule detected.
enum class HubBehaviour { refuses, disconnects, accepts, downstream_breaks };

// Where a rule applies: everywhere, only against the impersonated Azure IoT Hub (username grammar,
// topics, SAS/X.509, properties, C2D/twin/methods, hub limits), or only against a plain broker.
enum class Scope { any, hub, broker };

std::string_view to_string(Severity s);      // "error", "warning", "info"
std::string_view to_string(HubBehaviour h);  // "refuses", "disconnects", "accepts", "downstream-breaks"
std::string_view to_string(Scope s);         // "hub and broker", "hub only", "broker only"

// One entry of the rules catalogue (docs/rules.md is generated from these).
struct RuleInfo {
  std::string id;          // stable, upper-case, grouped by area: AUTH-…, TLS-…, TOPIC-…, PAYLOAD-…
  std::string area;        // AUTH, TLS, TOPIC, PAYLOAD, TIME, CADENCE, VALUE, CONN
  Severity severity = Severity::error;
  HubBehaviour hub = HubBehaviour::accepts;
  std::string title;       // one line
  std::string description; // what it checks, why it matters, the policy knobs (inferred behaviour)
  Scope scope = Scope::any;
};

struct Finding {
  std::string rule_id;
  Severity severity = Severity::error;
  std::string device;                  // "" when not device-specific
  HubBehaviour hub = HubBehaviour::accepts;
  std::string message;                 // one line with the measured numbers
  std::vector<std::uint64_t> evidence; // seq of the events that triggered it
};

}  // namespace flexhil::rules
