#include "harness/report/labels.hpp"

namespace flexhil::report {

std::string_view severity_label(rules::Severity s) {
  switch (s) {
    case rules::Severity::error: return "error";
    case rules::Severity::warning: return "warning";
    case rules::Severity::info: return "info";
  }
  return "error";
}

std::string_view hub_label(rules::HubBehaviour h) {
  switch (h) {
    case rules::HubBehaviour::refuses: return "refuses";
    case rules::HubBehaviour::disconnects: return "disconnects";
    case rules::HubBehaviour::accepts: return "accepts";
    case rules::HubBehaviour::downstream_breaks: return "downstream-breaks";
  }
  return "accepts";
}

std::string_view device_label(std::string_view device) { return device.empty() ? "hub" : device; }

}  // namespace flexhil::report
