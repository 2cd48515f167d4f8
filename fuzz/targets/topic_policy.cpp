// The hub's topic policy and property bags. Input: "<device id>\n<topic or filter>".
// Never throws. A decoded bag must be writable to a capture (the writer replaces invalid UTF-8)
// and survive an encode → decode round trip.
#include "broker/property_bag.hpp"
#include "broker/topic_policy.hpp"
#include "fuzz/support/fuzz_target.hpp"

using namespace flexhil;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto f = fuzz::fields(fuzz::as_text(data, size), 2);
  const auto device = f[0];
  const auto topic = f[1];

  const auto publish = broker::classify_publish(device, topic);
  (void)broker::to_string(publish.kind);
  if (publish.kind == broker::PublishKind::forbidden) fuzz::require(!publish.reason_id.empty());
  (void)publish.props.to_json().dump(-1, ' ', false, Json::error_handler_t::replace);

  const auto subscribe = broker::classify_subscribe(device, topic);
  (void)broker::to_string(subscribe.kind);
  (void)broker::device_may_receive(device, topic);

  const auto bag = broker::decode_property_bag(topic);
  (void)bag.to_json().dump(-1, ' ', false, Json::error_handler_t::replace);
  if (bag.errors.empty()) {
    const auto round = broker::decode_property_bag(broker::encode_property_bag(bag.entries));
    fuzz::require(round.errors.empty() && round.entries == bag.entries);
  }
  bool ok = true;
  const auto decoded = broker::percent_decode(topic, &ok);
  fuzz::require(broker::percent_decode(broker::percent_encode(decoded)) == decoded);
  (void)broker::c2d_topic(device, broker::encode_property_bag(bag.entries));
  (void)broker::method_request_topic(device, topic);
  return 0;
}
