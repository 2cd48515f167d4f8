#pragma once
// The Flexy's MQTT command family (MQTT "OPEN" / "SETPARAM" / "CONNECT" / "SUBSCRIBE" /
// "PUBLISH" / "READ" / "MSGTOPIC" / "MSGDATA" / "STATUS" / "DISCONNECT") on paho.mqtt.cpp.
// command() is called from the BASIC thread. CONNECT resolves the host name on that thread (LSTERR
// 28 when it does not resolve, LSTERR 29 when a CAFile/CertFile/KeyFile is missing, unreadable or
// does not match: tls_files.hpp) and then connects in the background; OPEN waits at most 2 s for
// a previous connection to close. Neither wait holds the bridge's lock, so status(), STATUS and
// shutdown() from other threads answer meanwhile (the locking rule: mqtt_bridge.cpp, README.md).
// Status codes: 2 starting (opened), 3 connecting, 4 disconnected, 5 connected. Received messages
// wait in an inbox for READ; each one and each status change is reported through Events so the
// device can queue ONMQTT / ONMQTTSTATUS. After a drop or a failed attempt the bridge reconnects
// by itself every reconnect_delay (scenario time) when auto_reconnect is set (*unverified* on a Flexy).
// Subscriptions are remembered and (re)sent on every connection.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "sim/flexy/basic/host.hpp"
#include "sim/flexy/runtime/flexy_config.hpp"
#include "sim/flexy/runtime/tls_files.hpp"

namespace flexhil::flexy {

namespace mqtt_status {
inline constexpr int starting = 2;
inline constexpr int connecting = 3;
inline constexpr int disconnected = 4;
inline constexpr int connected = 5;
}  // namespace mqtt_status

// Whether `host` resolves to an address. May block (DNS); the bridge calls it without its lock.
using HostResolver = std::function<bool(const std::string& host)>;
bool host_resolves_by_getaddrinfo(const std::string& host);  // the default HostResolver

class PahoWake;

class MqttBridge {
 public:
  struct Events {
    std::function<void()> message_arrived;                      // queue ONMQTT
    std::function<void(int status)> status_changed;             // queue ONMQTTSTATUS
    std::function<void(const std::string& message, int level)> log;  // dut_log
    // PUBLISH while not connected (dropped); when unset, it goes to `log` instead.
    // `checked_status`: the program had read MQTT("STATUS") = 5 in the same BASIC request.
    std::function<void(const std::string& message, const std::string& topic, bool checked_status)> publish_dropped;
    // A CAFile/CertFile/KeyFile the TLS connect cannot use (the connect is not attempted); when
    // unset, it goes to `log` instead.
    std::function<void(const std::string& message, const TlsFileProblem& problem)> tls_file_error;
    // CONNECT's host does not resolve: the host the program dialed and the host names this
    // bridge routes (settings.resolve), so a misspelt hub name can be explained; when unset, it
    // goes to `log` instead.
    std::function<void(const std::string& message, const std::string& host, const std::vector<std::string>& routed)>
        host_unresolved;
    // A PUBLISH that our MQTT client took 100 ms (scenario time) or more to write (QoS 0) or to
    // get acknowledged (QoS 1), in scenario seconds; called on a paho thread.
    std::function<void(double seconds)> publish_late;
  };
  // `resolver` decides whether CONNECT's host resolves (a test can make it hang); null or
  // omitted: host_resolves_by_getaddrinfo. Host names under settings.resolve ("host" or
  // "host:port" keys; "host:port" wins) are not resolved but connected through ConnectProxy.
  // `wake` ends paho's receive-thread poll when the proxy accepts (paho_wake.hpp); share one per
  // process, made before the other paho clients connect. Null: the bridge makes its own when
  // settings.resolve is not empty.
  MqttBridge(MqttSettings settings, std::string usr_dir, const Clock& clock, Events events,
             HostResolver resolver = host_resolves_by_getaddrinfo, std::shared_ptr<PahoWake> wake = nullptr);
  ~MqttBridge();  // disconnects, stops reconnecting; no callback runs afterwards
  MqttBridge(const MqttBridge&) = delete;
  MqttBridge& operator=(const MqttBridge&) = delete;

  basic::HostResult command(std::string_view command, const std::vector<basic::Value>& args);
  int status() const;
  std::size_t pending_messages() const;
  // Stops the bridge; a command waiting on another thread (CONNECT resolving, OPEN) then fails
  // with "the device is stopping". Destroy the bridge only once no command is running.
  void shutdown();
  // The device's WAN link (ConnectProxy::set_link): down cuts the routed connection — the device
  // sees it lost at once, the hub only at its keep-alive expiry — and makes routed connects fail
  // until it is up again; the bridge reconnects on its usual schedule then. Connections to hosts
  // the scenario does not route are real network connections and are not affected.
  void set_link(bool up);
  // A BASIC request (Init, a timer, ONMQTT, …) begins: what the program learnt from STATUS in
  // the previous one no longer counts.
  void new_request();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace flexhil::flexy
