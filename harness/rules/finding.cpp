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

}  // namespace flexhil::rules
