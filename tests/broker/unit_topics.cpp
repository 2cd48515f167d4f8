// Topic classification: what a device may publish and subscribe to.
#include <boost/test/unit_test.hpp>

#include "broker/topic_policy.hpp"

using namespace flexhil::broker;

namespace {
std::string kind(const PublishClass& c) { return std::string(to_string(c.kind)); }
std::string kind(const SubscribeClass& c) { return std::string(to_string(c.kind)); }
}  // namespace

BOOST_AUTO_TEST_SUITE(topic_policy)

BOOST_AUTO_TEST_CASE(own_telemetry_without_bag_is_telemetry) {
  const auto c = classify_publish("Flexy1", "devices/Flexy1/messages/events/");
  BOOST_TEST(kind(c) == "telemetry");
  BOOST_TEST(c.props.entries.empty());
}

BOOST_AUTO_TEST_CASE(telemetry_bag_in_both_dollar_forms_is_decoded) {
  for (const auto* t : {"devices/Flexy1/messages/events/$.ct=application%2Fjson&$.ce=utf-8&alarm",
                        "devices/Flexy1/messages/events/%24.ct=application%2Fjson&%24.ce=utf-8&alarm"}) {
    const auto c = classify_publish("Flexy1", t);
    BOOST_TEST(kind(c) == "telemetry");
    const auto j = c.props.to_json();
    BOOST_TEST(j["$.ct"] == "application/json");
    BOOST_TEST(j["$.ce"] == "utf-8");
    BOOST_TEST(j["alarm"].is_null());
  }
}

BOOST_AUTO_TEST_CASE(telemetry_without_trailing_slash_is_forbidden) {
  BOOST_TEST(classify_publish("Flexy1", "devices/Flexy1/messages/events").reason_id == "TOPIC-FORBIDDEN");
}

BOOST_AUTO_TEST_CASE(another_devices_telemetry_topic_is_other_device) {
  const auto c = classify_publish("Flexy1", "devices/Flexy2/messages/events/");
  BOOST_TEST(kind(c) == "forbidden");
  BOOST_TEST(c.reason_id == "TOPIC-OTHER-DEVICE");
  BOOST_TEST(c.reason.find("Flexy2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(device_id_prefix_is_not_the_same_device) {
  BOOST_TEST(classify_publish("Flexy1", "devices/Flexy10/messages/events/").reason_id == "TOPIC-OTHER-DEVICE");
}

BOOST_AUTO_TEST_CASE(arbitrary_topics_are_forbidden) {
  for (const auto* t : {"test", "a/b/c", "$iothub/twin/GET", "$flexhil/cmd/c2d", "$SYS/broker/uptime",
                        "devices/Flexy1/messages/devicebound/x"}) {
    BOOST_TEST_INFO(t);
    const auto c = classify_publish("Flexy1", t);
    BOOST_TEST(kind(c) == "forbidden");
    BOOST_TEST(c.reason_id == "TOPIC-FORBIDDEN");
  }
}

BOOST_AUTO_TEST_CASE(twin_get_and_reported_patch_carry_the_rid) {
  const auto g = classify_publish("Flexy1", "$iothub/twin/GET/?$rid=42");
  BOOST_TEST(kind(g) == "twin_get");
  BOOST_TEST(g.rid == "42");
  const auto p = classify_publish("Flexy1", "$iothub/twin/PATCH/properties/reported/?$rid=abc&x=1");
  BOOST_TEST(kind(p) == "twin_patch_reported");
  BOOST_TEST(p.rid == "abc");
}

BOOST_AUTO_TEST_CASE(method_response_carries_status_and_rid) {
  const auto c = classify_publish("Flexy1", "$iothub/methods/res/200/?$rid=7");
  BOOST_TEST(kind(c) == "method_response");
  BOOST_TEST(c.status == 200);
  BOOST_TEST(c.rid == "7");
  BOOST_TEST(kind(classify_publish("Flexy1", "$iothub/methods/res/abc/?$rid=7")) == "forbidden");
}

BOOST_AUTO_TEST_CASE(the_four_device_subscriptions_are_allowed) {
  BOOST_TEST(kind(classify_subscribe("Flexy1", "devices/Flexy1/messages/devicebound/#")) == "c2d");
  BOOST_TEST(kind(classify_subscribe("Flexy1", "$iothub/twin/res/#")) == "twin_response");
  BOOST_TEST(kind(classify_subscribe("Flexy1", "$iothub/twin/PATCH/properties/desired/#")) == "twin_desired");
  BOOST_TEST(kind(classify_subscribe("Flexy1", "$iothub/methods/POST/#")) == "methods");
}

BOOST_AUTO_TEST_CASE(other_subscriptions_are_forbidden_or_other_device) {
  BOOST_TEST(classify_subscribe("Flexy1", "devices/Flexy2/messages/devicebound/#").reason_id == "TOPIC-OTHER-DEVICE");
  for (const auto* f : {"#", "devices/+/messages/events/#", "devices/Flexy1/messages/events/#", "$flexhil/#",
                        "$SYS/#", "$iothub/#"}) {
    BOOST_TEST_INFO(f);
    BOOST_TEST(kind(classify_subscribe("Flexy1", f)) == "forbidden");
  }
}

BOOST_AUTO_TEST_CASE(wildcard_device_segment_is_forbidden_not_other_device) {
  BOOST_TEST(classify_subscribe("Flexy1", "devices/+/messages/events/#").reason_id == "TOPIC-FORBIDDEN");
  BOOST_TEST(classify_subscribe("Flexy1", "devices/#").reason_id == "TOPIC-FORBIDDEN");
}

BOOST_AUTO_TEST_CASE(devices_receive_only_their_own_downstream_topics) {
  BOOST_TEST(device_may_receive("Flexy1", "devices/Flexy1/messages/devicebound/%24.to=x"));
  BOOST_TEST(device_may_receive("Flexy1", "$iothub/twin/res/200/?$rid=1"));
  BOOST_TEST(!device_may_receive("Flexy1", "devices/Flexy2/messages/devicebound/%24.to=x"));
  BOOST_TEST(!device_may_receive("Flexy1", "devices/Flexy1/messages/events/"));
  BOOST_TEST(!device_may_receive("Flexy1", "$flexhil/audit"));
}

BOOST_AUTO_TEST_CASE(downstream_topics_have_the_hub_spelling) {
  BOOST_TEST(c2d_topic("Flexy1", "a=b") ==
             "devices/Flexy1/messages/devicebound/%24.to=%2Fdevices%2FFlexy1%2Fmessages%2FdeviceBound&a=b");
  BOOST_TEST(twin_response_topic(204, "5", "3") == "$iothub/twin/res/204/?$rid=5&$version=3");
  BOOST_TEST(twin_response_topic(200, "5") == "$iothub/twin/res/200/?$rid=5");
  BOOST_TEST(desired_patch_topic(4) == "$iothub/twin/PATCH/properties/desired/?$version=4");
  BOOST_TEST(method_request_topic("reboot", "9") == "$iothub/methods/POST/reboot/?$rid=9");
}

BOOST_AUTO_TEST_CASE(a_module_publishes_on_its_module_topics_and_gets_no_cloud_to_device) {
  const auto t = classify_publish("Flexy205/collector", "devices/Flexy205/modules/collector/messages/events/a=1");
  BOOST_TEST(to_string(t.kind) == "telemetry");
  BOOST_TEST(**t.props.find("a") == "1");
  BOOST_TEST(to_string(classify_publish("Flexy205/collector", "$iothub/twin/GET/?$rid=1").kind) == "twin_get");
  // Its device's telemetry topic is another identity's.
  const auto other = classify_publish("Flexy205/collector", "devices/Flexy205/messages/events/");
  BOOST_TEST(other.reason_id == "TOPIC-OTHER-DEVICE");
  BOOST_TEST(classify_publish("Flexy205", "devices/Flexy205/modules/collector/messages/events/").reason_id ==
             "TOPIC-OTHER-DEVICE");
  BOOST_TEST(classify_subscribe("Flexy205/collector", "devices/Flexy205/modules/collector/messages/devicebound/#")
                 .reason_id == "TOPIC-FORBIDDEN");
  BOOST_TEST(to_string(classify_subscribe("Flexy205/collector", "$iothub/methods/POST/#").kind) == "methods");
  BOOST_TEST(!device_may_receive("Flexy205/collector", "devices/Flexy205/modules/collector/messages/devicebound/x"));
  BOOST_TEST(device_may_receive("Flexy205/collector", "$iothub/twin/res/200/?$rid=1"));
}

BOOST_AUTO_TEST_SUITE_END()

