#include "broker/c2d_queue.hpp"

#include <ctime>
#include <fmt/format.h>

#include "broker/property_bag.hpp"

namespace flexhil::broker {

C2dAdmission C2dQueue::admit(const std::string& device, bool known_device, std::size_t body_bytes) const {
  if (!known_device) return {"C2D-DEVICE-NOT-FOUND", fmt::format("device '{}' is not in the registry", device)};
  if (body_bytes > limits_.max_body_bytes)
    return {"C2D-TOO-LARGE",
            fmt::format("message of {} bytes exceeds IoT Hub's C2D limit of {} bytes", body_bytes, limits_.max_body_bytes)};
  if (pending(device) >= limits_.max_pending)
    return {"C2D-QUEUE-FULL", fmt::format("{} messages already pending for '{}'; IoT Hub queues at most {} per device",
                                          pending(device), device, limits_.max_pending)};
  return {};
}

void C2dQueue::push(C2dMessage message) {
  auto& q = queues_[message.device];
  q.push_back(std::move(message));
}

std::vector<C2dMessage> C2dQueue::take_expired(std::int64_t now_ms) {
  std::vector<C2dMessage> out;
  for (auto it = queues_.begin(); it != queues_.end();) {
    auto& q = it->second;
    // TTLs differ per message, so the whole queue is looked at, keeping the order of the rest.
    std::deque<C2dMessage> kept;
    for (auto& m : q) {
      if (m.expires_ms <= now_ms)
        out.push_back(std::move(m));
      else
        kept.push_back(std::move(m));
    }
    q = std::move(kept);
    it = q.empty() ? queues_.erase(it) : std::next(it);
  }
  return out;
}

std::vector<C2dMessage> C2dQueue::take_all(const std::string& device) {
  std::vector<C2dMessage> out;
  auto it = queues_.find(device);
  if (it == queues_.end()) return out;
  for (auto& m : it->second) out.push_back(std::move(m));
  queues_.erase(it);
  return out;
}

std::size_t C2dQueue::pending(const std::string& device) const {
  auto it = queues_.find(device);
  return it == queues_.end() ? 0 : it->second.size();
}

std::string iso8601_utc_ms(std::int64_t unix_ms) {
  const std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(unix_ms % 1000));
}

std::string c2d_message_topic(const std::string& device, const std::string& mid, std::optional<std::int64_t> expires_ms,
                              const std::vector<std::pair<std::string, std::optional<std::string>>>& properties) {
  std::vector<std::pair<std::string, std::optional<std::string>>> bag;
  auto given = [&](const char* name) {
    for (const auto& [k, v] : properties)
      if (k == name) return true;
    return false;
  };
  if (!given("$.mid")) bag.emplace_back("$.mid", mid);
  if (!given("$.to")) bag.emplace_back("$.to", "/devices/" + device + "/messages/deviceBound");
  if (expires_ms && !given("$.exp")) bag.emplace_back("$.exp", iso8601_utc_ms(*expires_ms));
  for (const auto& p : properties) bag.push_back(p);
  return "devices/" + device + "/messages/devicebound/" + encode_property_bag(bag);
}

}  // namespace flexhil::broker
