#include "broker/hub_internal_client.hpp"

#include <mqtt/async_client.h>

#include "common/error.hpp"
#include "common/event_view.hpp"
#include "common/json_read.hpp"

namespace flexhil::broker {

struct HubInternalClient::Impl {
  Impl(std::uint16_t port, const std::string& client_id, EventSink& s)
      : sink(s), client("tcp://127.0.0.1:" + std::to_string(port), client_id), port_(port) {}
  EventSink& sink;
  mqtt::async_client client;
  std::uint16_t port_;
  std::chrono::milliseconds timeout{5000};

  void on_message(const mqtt::const_message_ptr& msg) {
    if (msg->get_topic() != kAuditTopic) return;
    Json event = parse_json_or_discarded(msg->get_payload_str());
    if (!event.is_object() || EventView(event).kind().empty()) {
      // The plugin is ours, so this is a bug there; keep it visible in the capture.
      Json bad = make_event("hub_error");
      bad["detail"] = "malformed audit message from the plugin";
      bad["payload_b64"] = base64_encode(msg->get_payload_str());
      sink.emit(std::move(bad));
      return;
    }
    sink.emit(std::move(event));
  }
};

HubInternalClient::HubInternalClient(std::uint16_t port, const std::string& client_id,
                                     const std::string& username, const std::string& password,
                                     EventSink& sink, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(port, client_id, sink)) {
  impl_->timeout = timeout;
  impl_->client.set_message_callback([impl = impl_.get()](mqtt::const_message_ptr m) { impl->on_message(m); });
  const auto where = "the hub's internal listener 127.0.0.1:" + std::to_string(port);
  auto opts = mqtt::connect_options_builder()
                  .mqtt_version(MQTTVERSION_3_1_1)
                  .clean_session(true)
                  .keep_alive_interval(std::chrono::seconds(30))
                  .user_name(username)
                  .password(password)
                  .connect_timeout(std::chrono::duration_cast<std::chrono::seconds>(timeout) + std::chrono::seconds(1))
                  .finalize();
  try {
    if (!impl_->client.connect(opts)->wait_for(timeout))
      throw InfrastructureError("the harness client could not connect to " + where + " within " +
                                std::to_string(timeout.count()) + " ms");
    auto sub = impl_->client.subscribe(kAuditTopic, 1);
    if (!sub->wait_for(timeout))
      throw InfrastructureError("the harness client could not subscribe to " + std::string(kAuditTopic) + " on " + where);
    const auto codes = sub->get_subscribe_response().get_reason_codes();
    if (!codes.empty() && codes.front() >= 0x80)
      throw InfrastructureError("the hub refused the harness's subscription to " + std::string(kAuditTopic) +
                                " on " + where + " (is the iothub plugin's internal user configured?)");
  } catch (const mqtt::exception& e) {
    throw InfrastructureError("the harness client failed on " + where + ": " + e.what() +
                              " (CONNACK " + std::to_string(e.get_return_code()) + ")");
  }
}

HubInternalClient::~HubInternalClient() {
  try {
    if (impl_->client.is_connected()) impl_->client.disconnect()->wait_for(std::chrono::seconds(2));
  } catch (const mqtt::exception&) {
    // The broker may already be gone (stop, restart): nothing left to close.
  }
}

bool HubInternalClient::connected() const { return impl_->client.is_connected(); }

void HubInternalClient::publish_command(const std::string& topic, const Json& command) {
  try {
    auto token = impl_->client.publish(topic, command.dump(), 1, false);
    if (!token->wait_for(impl_->timeout))
      throw InfrastructureError("the hub did not acknowledge the command on " + topic + " within " +
                                std::to_string(impl_->timeout.count()) + " ms");
  } catch (const mqtt::exception& e) {
    throw InfrastructureError("cannot send the command on " + topic + " to the hub: " + std::string(e.what()));
  }
}

}  // namespace flexhil::broker
