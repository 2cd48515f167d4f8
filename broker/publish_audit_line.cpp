#include "broker/publish_audit_line.hpp"

#include "common/event.hpp"
#include "common/json_text.hpp"

namespace flexhil::broker {

std::string accepted_publish_members(const AcceptedPublish& p) {
  std::string out;
  append_accepted_publish_members(out, p);
  return out;
}

void append_accepted_publish_members(std::string& out, const AcceptedPublish& p) {
  out.reserve(out.size() + 256 + p.topic.size() + p.payload.size() * 4 / 3);
  out += "\"kind\":\"publish\",\"mono_ns\":";
  out += std::to_string(p.mono_ns);
  out += ",\"wall\":";
  append_json_string(out, p.wall);
  out += ',';
  append_json_key(out, "device");
  append_json_string(out, p.device);
  out += ',';
  append_json_key(out, "topic");
  append_json_string(out, p.topic);
  out += ",\"props\":{";
  bool first = true;
  const auto& entries = p.props ? p.props->entries : decltype(p.props->entries){};
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& [key, value] = entries[i];
    bool later = false;  // a repeated name keeps its last value, as PropertyBag::to_json does
    for (std::size_t j = i + 1; j < entries.size() && !later; ++j) later = entries[j].first == key;
    if (later || (p.retain && key == "mqtt-retain")) continue;
    if (!first) out += ',';
    first = false;
    append_json_key(out, key);
    if (value)
      append_json_string(out, *value);
    else
      out += "null";
  }
  // IoT Hub forwards a retained message with this application property (and stores nothing).
  if (p.retain) out += first ? "\"mqtt-retain\":\"true\"" : ",\"mqtt-retain\":\"true\"";
  out += '}';
  if (p.props && !p.props->errors.empty()) {
    out += ",\"props_errors\":[";
    for (std::size_t i = 0; i < p.props->errors.size(); ++i) {
      if (i) out += ',';
      append_json_string(out, p.props->errors[i]);
    }
    out += ']';
  }
  out += ",\"qos\":";
  out += std::to_string(p.qos);
  out += p.retain ? ",\"retain\":true" : ",\"retain\":false";
  out += ",\"size\":";
  out += std::to_string(p.payload.size());
  out += ",\"payload_b64\":\"";
  append_base64(out, p.payload);  // the base64 alphabet needs no escaping
  out += "\",\"verdict\":\"accepted\",\"reason\":";
  append_json_string(out, p.retain ? "retain flag set: IoT Hub does not store it (forwarded as mqtt-retain=true)" : "");
}

}  // namespace flexhil::broker
