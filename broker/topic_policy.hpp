#pragma once
// Which topics a device may publish to and subscribe to (docs/hub-behaviour.md
// "Topics"): its own telemetry (with property bag), cloud-to-device, twin and direct-method
// topics. Anything else, or another device's topics, disconnects the device. Pure.
#include <string>
#include <string_view>

#include "broker/property_bag.hpp"

namespace flexhil::broker {

enum class PublishKind { telemetry, twin_get, twin_patch_reported, method_response, forbidden };
enum class SubscribeKind { c2d, twin_response, twin_desired, methods, forbidden };

std::string_view to_string(PublishKind kind);
std::string_view to_string(SubscribeKind kind);

struct PublishClass {
  PublishKind kind = PublishKind::forbidden;
  PropertyBag props;    // telemetry: the decoded property bag
  std::string rid;      // twin/method topics: the $rid value ("" when absent)
  int status = 0;       // method_response: {status}
  std::string reason;   // forbidden: why
  std::string reason_id;  // forbidden: TOPIC-FORBIDDEN | TOPIC-OTHER-DEVICE
};

struct SubscribeClass {
  SubscribeKind kind = SubscribeKind::forbidden;
  std::string reason;
  std::string reason_id;
};

PublishClass classify_publish(std::string_view device_id, std::string_view topic);
SubscribeClass classify_subscribe(std::string_view device_id, std::string_view filter);

// May `device_id` receive a message on `topic`? (mosquitto's read check: only the device's own
// cloud-to-device, twin response/desired and method request topics.)
bool device_may_receive(std::string_view device_id, std::string_view topic);

// Topics the hub sends to a device.
std::string c2d_topic(std::string_view device_id, std::string_view encoded_bag_extra);
std::string twin_response_topic(int status, std::string_view rid, std::string_view version = {});
std::string desired_patch_topic(long long version);
std::string method_request_topic(std::string_view method, std::string_view rid);

}  // namespace flexhil::broker
