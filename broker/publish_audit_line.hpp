#pragma once
// The audit event of an accepted device publish — the one event the hub writes per message — as
// JSON members written directly (common/json_text.hpp) instead of an nlohmann object: the same
// fields and values as the generic path (kind, mono_ns, wall, device, topic, props, props_errors,
// qos, retain, size, payload_b64, verdict, reason), without the braces, so AuditLog can add its
// src/src_seq. Pure.
#include <cstdint>
#include <string>
#include <string_view>

#include "broker/property_bag.hpp"

namespace flexhil::broker {

struct AcceptedPublish {
  std::string_view device;
  std::string_view topic;
  const PropertyBag* props = nullptr;  // decoded property bag of a telemetry topic (may be empty)
  int qos = 0;
  bool retain = false;
  std::string_view payload;
  std::int64_t mono_ns = 0;
  std::string_view wall;  // format_wall_iso
};

void append_accepted_publish_members(std::string& out, const AcceptedPublish& p);
std::string accepted_publish_members(const AcceptedPublish& p);

}  // namespace flexhil::broker
