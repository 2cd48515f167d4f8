#pragma once
// The hub's cloud-to-device queue, as IoT Hub keeps one per device: a message is accepted (or
// refused: over 64 KB, a full queue of 50, an unknown device), waits until the device can take it
// (connected and subscribed to devices/{id}/messages/devicebound/#) and leaves the queue delivered,
// expired (its TTL ran out first) or dropped (a CleanSession=1 connect under the `drop` policy).
// Pure state and decisions: the plugin owns one, passes the clock in and does the I/O.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace flexhil::broker {

struct C2dLimits {
  std::size_t max_body_bytes = 64 * 1024;  // IoT Hub: C2D messages up to 64 KB
  std::size_t max_pending = 50;            // IoT Hub: up to 50 messages queued per device
  std::int64_t default_ttl_s = 3600;       // IoT Hub's default C2D time to live (1 hour)
  std::int64_t max_ttl_s = 172800;         // IoT Hub's maximum (2 days)
};

struct C2dMessage {
  std::string device;
  std::string mid;      // $.mid: the hub's message id
  std::string request;  // the sender's correlation id ("" = none), echoed in every event
  std::string topic;    // devices/{id}/messages/devicebound/{property bag}
  std::string body;
  std::int64_t enqueued_ms = 0;  // Unix ms
  std::int64_t expires_ms = 0;   // Unix ms
};

// Why a message is not accepted ("" reason_id = accepted).
struct C2dAdmission {
  std::string reason_id;  // C2D-TOO-LARGE, C2D-QUEUE-FULL, C2D-DEVICE-NOT-FOUND
  std::string reason;
  bool accepted() const { return reason_id.empty(); }
};

class C2dQueue {
 public:
  explicit C2dQueue(C2dLimits limits = {}) : limits_(limits) {}

  const C2dLimits& limits() const { return limits_; }
  // `known_device`: the registry holds it. Nothing is queued by this call.
  C2dAdmission admit(const std::string& device, bool known_device, std::size_t body_bytes) const;
  void push(C2dMessage message);
  // Messages whose TTL ran out by `now_ms`, removed from the queue, oldest first.
  std::vector<C2dMessage> take_expired(std::int64_t now_ms);
  // Every message queued for `device`, removed, oldest first.
  std::vector<C2dMessage> take_all(const std::string& device);
  std::size_t pending(const std::string& device) const;

 private:
  C2dLimits limits_;
  std::map<std::string, std::deque<C2dMessage>> queues_;
};

// The property bag IoT Hub puts on a C2D topic: `$.mid`, `$.to`, `$.exp` (ISO 8601 UTC, only when
// the sender set a TTL), then the sender's properties in order (a sender's `$.…` system property,
// e.g. `$.cid` or `$.ct`, is kept as given; its own `$.mid`/`$.to`/`$.exp` replace the hub's).
std::string c2d_message_topic(const std::string& device, const std::string& mid, std::optional<std::int64_t> expires_ms,
                              const std::vector<std::pair<std::string, std::optional<std::string>>>& properties);

// "2026-12-02T08:15:00.250Z"
std::string iso8601_utc_ms(std::int64_t unix_ms);

}  // namespace flexhil::broker
