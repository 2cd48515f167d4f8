#include "broker/will_policy.hpp"

#include "broker/topic_policy.hpp"

namespace flexhil::broker {

WillVerdict judge_will(std::string_view device_id, const std::optional<ConnectWill>& will, bool refuse_policy) {
  WillVerdict v;
  if (!will) return v;
  if (classify_publish(device_id, will->topic).kind == PublishKind::telemetry) return v;
  v.refuse = refuse_policy;
  v.reason_id = std::string(kWillRuleId);
  v.reason = "will topic '" + will->topic + "' is not the device's telemetry topic devices/" + std::string(device_id) +
             "/messages/events/ (will_policy=" + (refuse_policy ? "refuse" : "accept") + ")";
  return v;
}

PropertyBag will_properties(PropertyBag bag, bool retain) {
  bag.entries.emplace_back("iothub-MessageType", std::string("Will"));
  if (retain) bag.entries.emplace_back("mqtt-retain", std::string("true"));
  return bag;
}

}  // namespace flexhil::broker
