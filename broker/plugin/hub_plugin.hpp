#pragma once
// The state and the event handlers of the `iothub` mosquitto plugin. One HubPlugin lives in the
// userdata pointer mosquitto hands back to every callback (no globals); mosquitto runs all
// callbacks on its single thread, so no locking is needed.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker/c2d_queue.hpp"
#include "broker/connect_judge.hpp"
#include "broker/harness_commands.hpp"
#include "broker/plain_broker.hpp"
#include "broker/plugin/audit_log.hpp"
#include "broker/plugin/client_certificate.hpp"
#include "broker/plugin/tls_shim_probe.hpp"
#include "broker/plugin_options.hpp"
#include "broker/registry.hpp"
#include "broker/twin_state.hpp"

struct mosquitto;
struct mosquitto_evt_basic_auth;
struct mosquitto_evt_acl_check;
struct mosquitto_evt_message;
struct mosquitto_evt_disconnect;
struct mosquitto_evt_tick;

namespace flexhil::broker::plugin {

// One MQTT connection the plugin has seen authenticate.
struct Connection {
  std::string client_id;
  bool internal = false;
  bool accepted = false;
  bool clean_session = true;
  std::optional<std::int64_t> sas_expiry;
  // Set just before the plugin kicks the client, so the disconnect event can say why.
  std::string kick_reason;  // "kicked", "sas-expired"
  std::string kick_detail;
  bool replaced = false;  // a newer connection with the same ClientId was accepted
  // The TLS shim's handle of this client's TLS session (null: WebSocket, plain, or no shim):
  // the time of its last read (keep-alive) and its CONNECT bytes (the will).
  const void* tls_session = nullptr;
  int keepalive = 0;  // seconds, as sent in CONNECT
};

// Subscriptions of a session (ClientId), kept across reconnects with CleanSession=0.
struct Session {
  std::map<std::string, int> filters;  // filter → granted QoS
};

class HubPlugin {
 public:
  HubPlugin(IothubOptions options, Registry registry);
  // Plain mode (options.plain): a generic MQTT broker judging only `users` (empty = anonymous).
  HubPlugin(IothubOptions options, Registry registry, std::vector<PlainUser> users);

  int on_basic_auth(mosquitto_evt_basic_auth& ev);
  int on_acl_check(mosquitto_evt_acl_check& ev);
  int on_message(mosquitto_evt_message& ev);
  int on_disconnect(mosquitto_evt_disconnect& ev);
  int on_tick(mosquitto_evt_tick& ev);

 private:
  int plain_basic_auth(mosquitto_evt_basic_auth& ev, Connection conn);
  int plain_acl_check(mosquitto_evt_acl_check& ev, Connection& conn);
  void plain_message(mosquitto_evt_message& ev, const Connection& conn);
  int acl_device_subscribe(mosquitto_evt_acl_check& ev, Connection& conn);
  int acl_device_write(mosquitto_evt_acl_check& ev, Connection& conn);
  void device_message(mosquitto_evt_message& ev, const Connection& conn);
  // The will of a connection that just ended without DISCONNECT (mosquitto checks it with a
  // write ACL after the disconnect event).
  int will_message(mosquitto_evt_acl_check& ev, const Connection& conn);
  void check_keepalives(std::int64_t now_ns);
  void check_sas_expiry(std::int64_t now_s);
  void harness_command(const mosquitto_evt_message& ev);
  // C2D (c2d_queue.hpp): accept or refuse, deliver at once or queue; the queue is flushed when
  // the device can take it and expired on ticks.
  void c2d_command(const C2dCommand& cmd);
  void c2d_deliver(const C2dMessage& m, int qos, bool from_queue);
  // Delivers what is queued for `device` if it is connected and subscribed to its C2D topic and
  // its session may receive queued messages (CleanSession=0, or the `deliver` policy).
  void c2d_flush(const std::string& device);
  // A CleanSession=1 connect under the `drop` policy: what was queued is dropped, recorded.
  void c2d_drop_queued(const std::string& device, const std::string& reason);
  void c2d_expire();
  void device_status(const std::string& request);
  std::string new_message_id();
  // Kicks `client_id` after recording why; `conn` must not be used afterwards.
  void kick(Connection& conn, const std::string& reason, const std::string& detail);
  void emit(Json event);   // queued in the audit stream…
  void note_stall(std::int64_t now_ns);  // hub_stall when the last tick is kStallReportNs ago or more
  static constexpr std::int64_t kStallReportNs = 250'000'000;
  void flush_audit(std::int64_t now_ns);  // …and written on a tick once audit_flush_ms has passed
  // The wall time of a CLOCK_MONOTONIC instant, from the offset between the two clocks read on
  // the last slow tick (at most 10 ms ago while the loop turns): one clock read per message, not
  // two. The offset moves only with NTP's slew (microseconds over 10 ms) or a clock step, which
  // the next slow tick picks up.
  std::chrono::system_clock::time_point wall_at(std::int64_t mono_ns) const;
  void read_wall_offset();
  // "mqtts", "websocket" or "internal" (the plain loopback listener of the harness).
  std::string listener_of(const mosquitto* client, bool tls_session) const;
  void deliver(const std::string& client_id, const std::string& topic, const std::string& payload, int qos);
  TwinState& twin(const std::string& device_id);
  std::optional<int> subscribed_qos(const std::string& client_id, const std::string& filter) const;
  bool connected(const std::string& client_id) const;

  IothubOptions options_;
  Registry registry_;
  std::vector<PlainUser> plain_users_;
  ConnectPolicy policy_;
  RegisteredCas cas_;
  // The preloaded TLS shim: tells a TLS session from the plain internal listener (which
  // mosquitto's plugin API does not name), a session's last read and its CONNECT bytes.
  TlsShimProbe shim_;
  std::unordered_map<const mosquitto*, Connection> connections_;
  // Connections whose disconnect event just ran, until the next tick: mosquitto checks their
  // will (if any) right after that event.
  std::unordered_map<const mosquitto*, Connection> departed_;
  std::map<std::string, const mosquitto*> current_;  // ClientId → its live connection
  std::map<std::string, Session> sessions_;
  std::map<std::string, TwinState> twins_;
  C2dQueue c2d_;
  std::mt19937_64 ids_{std::random_device{}()};       // $.mid of C2D messages
  // device → Unix ms of its last connect/publish/disconnect (formatted only when asked: a
  // publish must not pay for a date)
  std::map<std::string, std::int64_t> last_seen_;
  std::int64_t next_expiry_check_ = 0;
  // Keep-alives are checked every 100 ms, not on every tick: a flood makes a tick per message,
  // and a fleet of a thousand sessions would be walked for each; 100 ms is well inside the
  // ±0.5 s the verdict allows.
  std::int64_t next_keepalive_check_ns_ = 0;
  std::int64_t last_tick_ns_ = 0;  // mosquitto ticks at least every 100 ms when it is not held up
  // C2D and SAS expiry and the wall clock's offset are looked at every 10 ms, not on every tick:
  // under one device's flood mosquitto ticks once per message, and each look was a clock read.
  std::int64_t next_slow_tick_ns_ = 0;
  std::int64_t wall_offset_ns_ = 0;  // CLOCK_REALTIME − CLOCK_MONOTONIC
  // Written by the plugin itself (not published): the capture then never depends on an MQTT
  // queue or on the harness's connection being up (broker/README.md). Null without audit_file.
  std::unique_ptr<AuditLog> audit_;
  std::uint64_t reported_failures_ = 0;  // write failures already logged to broker.log
};

}  // namespace flexhil::broker::plugin
