#include "common/event_view.hpp"

#include <cmath>
#include <limits>

namespace flexhil {

const Json* EventView::field(std::string_view key) const noexcept {
  if (!event_.is_object()) return nullptr;
  const auto it = event_.find(key);
  return it == event_.end() ? nullptr : &*it;
}

std::string_view EventView::text(std::string_view key, std::string_view fallback) const noexcept {
  const Json* f = field(key);
  if (!f || !f->is_string()) return fallback;
  return f->get_ref<const std::string&>();
}

std::string EventView::display(std::string_view key) const {
  const Json* f = field(key);
  if (!f || f->is_null()) return {};
  if (f->is_string()) return f->get<std::string>();
  return f->dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<double> EventView::number(std::string_view key) const noexcept {
  const Json* f = field(key);
  if (!f || !f->is_number()) return std::nullopt;
  return f->get<double>();
}

std::optional<std::int64_t> EventView::integer(std::string_view key) const noexcept {
  const Json* f = field(key);
  if (!f) return std::nullopt;
  if (f->is_number_unsigned()) {
    const auto u = f->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (f->is_number_integer()) return f->get<std::int64_t>();
  if (f->is_number_float()) {
    const double d = f->get<double>();
    // 2^63 is exactly representable; anything at or beyond it does not fit.
    if (!std::isfinite(d) || d != std::trunc(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0)
      return std::nullopt;
    return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

std::optional<bool> EventView::boolean(std::string_view key) const noexcept {
  const Json* f = field(key);
  if (!f || !f->is_boolean()) return std::nullopt;
  return f->get<bool>();
}

const Json* EventView::object(std::string_view key) const noexcept {
  const Json* f = field(key);
  return f && f->is_object() ? f : nullptr;
}

std::uint64_t EventView::seq() const noexcept {
  const auto s = integer("seq");
  return s && *s > 0 ? static_cast<std::uint64_t>(*s) : 0;
}

std::int64_t EventView::mono_ns() const noexcept { return integer("mono_ns").value_or(0); }

std::string telemetry_prefix(std::string_view device) {
  const auto slash = device.find('/');
  if (slash == std::string_view::npos) return "devices/" + std::string(device) + "/messages/events/";
  return "devices/" + std::string(device.substr(0, slash)) + "/modules/" + std::string(device.substr(slash + 1)) +
         "/messages/events/";
}

bool is_telemetry_topic(std::string_view device, std::string_view topic) {
  if (device.empty()) return false;
  const std::string prefix = telemetry_prefix(device);
  return topic.rfind(prefix, 0) == 0 || topic == std::string_view(prefix).substr(0, prefix.size() - 1);
}

bool is_telemetry(const EventView& e) {
  // A plain broker marks its telemetry (`telemetry`: the publish matched the run's filter).
  return e.kind() == "publish" && (e.flag("telemetry") || is_telemetry_topic(e.device(), e.text("topic")));
}

EventClass classify(const EventView& e) {
  const std::string_view kind = e.kind();
  if (kind == "publish") {
    if (is_telemetry(e)) return EventClass::telemetry;
    const std::string_view topic = e.text("topic");
    if (topic.rfind("$iothub/twin/", 0) == 0) return EventClass::twin;
    if (topic.rfind("$iothub/methods/", 0) == 0) return EventClass::method;
    return EventClass::other_publish;
  }
  if (kind == "twin_get" || kind == "twin_patch_reported" || kind == "desired_update") return EventClass::twin;
  if (kind == "method_request" || kind == "method_response") return EventClass::method;
  if (kind == "c2d_sent" || kind == "c2d_delivered" || kind == "c2d_expired" || kind == "c2d_refused" ||
      kind == "c2d_dropped")
    return EventClass::c2d;
  if (kind == "connect") return EventClass::connect;
  if (kind == "tls_failure") return EventClass::tls;
  if (kind == "disconnect") return EventClass::disconnect;
  if (kind == "subscribe") return EventClass::subscribe;
  if (kind == "plc_change" || kind == "plc_fault") return EventClass::plc;
  if (kind == "dut_console" || kind == "dut_log" || kind == "dut_action" || kind == "dut_alarm" ||
      kind == "dut_sms_received")
    return EventClass::dut;
  if (kind == "run_start" || kind == "run_end" || kind == "action" || kind == "ca_bundle" ||
      kind == "endpoint_request" || kind == "endpoint_error")
    return EventClass::harness;
  if (kind == "hub_error" || kind == "command_rejected" || kind == "device_status") return EventClass::hub;
  return EventClass::unknown;
}

std::string_view to_string(EventClass c) {
  switch (c) {
    case EventClass::telemetry: return "telemetry";
    case EventClass::twin: return "twin";
    case EventClass::method: return "method";
    case EventClass::c2d: return "c2d";
    case EventClass::other_publish: return "other_publish";
    case EventClass::connect: return "connect";
    case EventClass::tls: return "tls";
    case EventClass::disconnect: return "disconnect";
    case EventClass::subscribe: return "subscribe";
    case EventClass::plc: return "plc";
    case EventClass::dut: return "dut";
    case EventClass::harness: return "harness";
    case EventClass::hub: return "hub";
    case EventClass::unknown: return "unknown";
  }
  return "unknown";
}

}  // namespace flexhil
