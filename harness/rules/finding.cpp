#include "harness/rules/finding.hpp"

namespace flexhil::rules {

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::info: return "info";
  }
  return "error";
}

std::string_view to_string(HubBehaviour h) {
  switch (h) {
    case HubBehaviour::refuses: return "refuses";
    case HubBehaviour::disconnects: return "disconnects";
    case HubBehaviour::accepts: return "accepts";
    case HubBehaviour::downstream_breaks: return "downstream-breaks";
  }
  return "accepts";
}

std::string_view to_string(Scope s) {
  switch (s) {
    case Scope::any: return "hub and broker";
    case Scope::hub: return "hub only";
    case Scope::broker: return "broker only";
  }
  return "hub and broker";
}

}  // namespace flexhil::rules
