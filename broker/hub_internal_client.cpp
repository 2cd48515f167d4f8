#include "broker/hub_internal_client.hpp"

#include <mqtt/async_client.h>

#include "common/error.hpp"

namespace flexhil::broker {

struct HubInternalClient::Impl {
  Impl(std::uint16_t port, const std::string& client_id)
      : client("tcp://127.0.0.1:" + std::to_string(port), client_id) {}
  mqtt::async_client client;
  std::chrono::milliseconds timeout{5000};
};

HubInternalClient::HubInternalClient(std::uint16_t port, const std::string& client_id,
                                     const std::string& username, const std::string& password,
                                     std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(port, client_id)) {
  impl_->timeout = timeout;
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

bool HubInternalClient::send_ping(std::int64_t id) {
  try {
    if (!impl_->client.is_connected()) return false;
    impl_->client.publish(kCmdPingTopic, Json{{"id", id}}.dump(), 0, false);
    return true;
  } catch (const mqtt::exception&) {
    return false;
  }
}

}  // namespace flexhil::broker
