#include "broker/topic_policy.hpp"

#include <charconv>

namespace flexhil::broker {

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// "$rid" of a "?$rid=…&…" query ("" when absent); `query` starts after '?'.
std::string rid_of(std::string_view query) {
  const auto bag = decode_property_bag(query);
  if (const auto* v = bag.find("$rid"); v && *v) return **v;
  return "";
}

// The identity named by a devices/{id}/… topic: "{id}", or "{id}/{module}" for
// devices/{id}/modules/{module}/….
std::string topic_device(std::string_view topic) {
  if (!starts_with(topic, "devices/")) return {};
  auto rest = topic.substr(8);
  const auto slash = rest.find('/');
  std::string id(rest.substr(0, slash));
  if (slash == std::string_view::npos) return id;
  rest = rest.substr(slash + 1);
  if (!starts_with(rest, "modules/")) return id;
  rest = rest.substr(8);
  return id + "/" + std::string(rest.substr(0, rest.find('/')));
}

// The topic root of an identity: devices/{id} or devices/{deviceId}/modules/{moduleId} for a
// module's ClientId "{deviceId}/{moduleId}".
std::string identity_root(std::string_view client_id) {
  const auto slash = client_id.find('/');
  if (slash == std::string_view::npos) return "devices/" + std::string(client_id);
  return "devices/" + std::string(client_id.substr(0, slash)) + "/modules/" + std::string(client_id.substr(slash + 1));
}
bool is_module(std::string_view client_id) { return client_id.find('/') != std::string_view::npos; }

namespace {
// The length of `identity_root(client_id) + suffix` when `topic` starts with it, else 0 — without
// building the string: this runs twice for every message a device sends.
std::size_t identity_prefix(std::string_view topic, std::string_view client_id, std::string_view suffix) {
  std::size_t at = 0;
  auto take = [&](std::string_view part) {
    if (topic.compare(at, part.size(), part) != 0) return false;
    at += part.size();
    return true;
  };
  const auto slash = client_id.find('/');
  const bool root = slash == std::string_view::npos
                        ? take("devices/") && take(client_id)
                        : take("devices/") && take(client_id.substr(0, slash)) && take("/modules/") &&
                              take(client_id.substr(slash + 1));
  return root && take(suffix) ? at : 0;
}
}  // namespace

template <typename C>
C forbidden(std::string_view device_id, std::string_view topic, std::string_view what) {
  C c;
  const auto other = topic_device(topic);
  // A wildcard in the device segment is no device at all: plainly forbidden.
  const bool wildcard = other.find_first_of("+#") != std::string::npos;
  if (!other.empty() && other != device_id && !wildcard) {
    c.reason_id = "TOPIC-OTHER-DEVICE";
    c.reason = std::string(what) + " on another device's topic '" + std::string(topic) + "' (device '" +
               std::string(device_id) + "')";
  } else {
    c.reason_id = "TOPIC-FORBIDDEN";
    c.reason = std::string(what) + " on topic '" + std::string(topic) + "' which IoT Hub does not offer to devices";
  }
  return c;
}

}  // namespace

std::string_view to_string(PublishKind kind) {
  switch (kind) {
    case PublishKind::telemetry: return "telemetry";
    case PublishKind::twin_get: return "twin_get";
    case PublishKind::twin_patch_reported: return "twin_patch_reported";
    case PublishKind::method_response: return "method_response";
    case PublishKind::forbidden: return "forbidden";
  }
  return "forbidden";
}

std::string_view to_string(SubscribeKind kind) {
  switch (kind) {
    case SubscribeKind::c2d: return "c2d";
    case SubscribeKind::twin_response: return "twin_response";
    case SubscribeKind::twin_desired: return "twin_desired";
    case SubscribeKind::methods: return "methods";
    case SubscribeKind::forbidden: return "forbidden";
  }
  return "forbidden";
}

PublishClass classify_publish(std::string_view device_id, std::string_view topic) {
  PublishClass c;
  if (const auto events = identity_prefix(topic, device_id, "/messages/events/")) {
    c.kind = PublishKind::telemetry;
    c.props = decode_property_bag(topic.substr(events));
    return c;
  }
  if (starts_with(topic, "$iothub/twin/GET/?")) {
    c.kind = PublishKind::twin_get;
    c.rid = rid_of(topic.substr(18));
    return c;
  }
  constexpr std::string_view patch = "$iothub/twin/PATCH/properties/reported/?";
  if (starts_with(topic, patch)) {
    c.kind = PublishKind::twin_patch_reported;
    c.rid = rid_of(topic.substr(patch.size()));
    return c;
  }
  constexpr std::string_view res = "$iothub/methods/res/";
  if (starts_with(topic, res)) {
    auto rest = topic.substr(res.size());
    const auto slash = rest.find("/?");
    int status = 0;
    if (slash != std::string_view::npos && slash > 0) {
      auto [p, ec] = std::from_chars(rest.data(), rest.data() + slash, status);
      if (ec == std::errc() && p == rest.data() + slash) {
        c.kind = PublishKind::method_response;
        c.status = status;
        c.rid = rid_of(rest.substr(slash + 2));
        return c;
      }
    }
  }
  return forbidden<PublishClass>(device_id, topic, "publish");
}

SubscribeClass classify_subscribe(std::string_view device_id, std::string_view filter) {
  SubscribeClass c;
  // *inferred*: modules get no cloud-to-device messages (IoT Hub sends C2D to devices only).
  if (!is_module(device_id) && filter == identity_root(device_id) + "/messages/devicebound/#") c.kind = SubscribeKind::c2d;
  else if (filter == "$iothub/twin/res/#") c.kind = SubscribeKind::twin_response;
  else if (filter == "$iothub/twin/PATCH/properties/desired/#") c.kind = SubscribeKind::twin_desired;
  else if (filter == "$iothub/methods/POST/#") c.kind = SubscribeKind::methods;
  else return forbidden<SubscribeClass>(device_id, filter, "subscribe");
  return c;
}

bool device_may_receive(std::string_view device_id, std::string_view topic) {
  return (!is_module(device_id) && identity_prefix(topic, device_id, "/messages/devicebound/") > 0) ||
         starts_with(topic, "$iothub/twin/res/") || starts_with(topic, "$iothub/twin/PATCH/properties/desired/") ||
         starts_with(topic, "$iothub/methods/POST/");
}

std::string c2d_topic(std::string_view device_id, std::string_view encoded_bag_extra) {
  std::string t = "devices/" + std::string(device_id) + "/messages/devicebound/%24.to=%2Fdevices%2F" +
                  percent_encode(device_id) + "%2Fmessages%2FdeviceBound";
  if (!encoded_bag_extra.empty()) t += "&" + std::string(encoded_bag_extra);
  return t;
}

std::string twin_response_topic(int status, std::string_view rid, std::string_view version) {
  std::string t = "$iothub/twin/res/" + std::to_string(status) + "/?$rid=" + std::string(rid);
  if (!version.empty()) t += "&$version=" + std::string(version);
  return t;
}

std::string desired_patch_topic(long long version) {
  return "$iothub/twin/PATCH/properties/desired/?$version=" + std::to_string(version);
}

std::string method_request_topic(std::string_view method, std::string_view rid) {
  return "$iothub/methods/POST/" + std::string(method) + "/?$rid=" + std::string(rid);
}

}  // namespace flexhil::broker
