#include "sim/flexy/runtime/mqtt_bridge.hpp"

#include <netdb.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fmt/format.h>
#include <map>
#include <mqtt/async_client.h>
#include <mutex>
#include <optional>
#include <thread>

#include "common/ascii_case.hpp"
#include "sim/flexy/basic/errors.hpp"
#include "sim/flexy/runtime/connect_proxy.hpp"
#include "sim/flexy/runtime/paho_wake.hpp"

namespace flexhil::flexy {
namespace {


std::string text_of(const basic::Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<std::int32_t>(&v)) return std::to_string(*i);
  const double d = std::get<double>(v);
  if (d == std::floor(d) && std::abs(d) < 1e15) return std::to_string(static_cast<long long>(d));
  return fmt::format("{}", d);
}

std::optional<long long> int_of(const basic::Value& v) {
  if (const auto* i = std::get_if<std::int32_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<long long>(*d);
  try {
    std::size_t used = 0;
    const auto s = std::get<std::string>(v);
    const long long n = std::stoll(s, &used);
    if (used == 0) return std::nullopt;
    return n;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

constexpr int kWanDown = basic::error_code::wan_down;
constexpr int kTlsFile = basic::error_code::tls_file;
constexpr int kInvalidParameter = basic::error_code::invalid_parameter;

basic::HostResult stopping_result() {
  return basic::HostResult::fail(kInvalidParameter, "MQTT: the device is stopping");
}

}  // namespace

bool host_resolves_by_getaddrinfo(const std::string& host) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (res) ::freeaddrinfo(res);
  return rc == 0;
}

// The locking rule: `mutex` guards the state below and is only ever held for bookkeeping. A
// section that holds it never makes a blocking call — no DNS resolution, no paho call or wait on
// a paho token, no sleep, no callback into the device (Events) — it records what must happen in
// a Deferred, which run() performs once `mutex` is released. Where a command itself has to wait
// (resolving the host of CONNECT, the old client's disconnect in OPEN) it releases the lock
// around the wait and re-checks `stopping` and `generation` after taking it again.
struct MqttBridge::State {
  // Callbacks from paho threads reach the state only through `relay`, which shutdown() cuts.
  // Each carries the client it came from, so one from a client OPEN has replaced is ignored.
  struct Relay : mqtt::iaction_listener {
    std::mutex mutex;
    State* state = nullptr;
    void on_failure(const mqtt::token& tok) override {
      if (tok.get_type() == mqtt::token::Type::PUBLISH) return;  // lost with its connection: logged there
      std::lock_guard lock(mutex);
      const int rc = tok.get_return_code();
      if (!state) return;
      std::string why = rc > 0 ? fmt::format("connection refused by the broker (CONNACK {})", rc)
                               : fmt::format("connect failed (network or TLS error, paho rc {})", rc);
      // paho says nothing about TLS (we install no ssl error handler, tls_files.hpp): find out
      // whether the server failed verification against the CAFile, as the Flexy's log would say.
      if (rc <= 0)
        if (const auto target = state->verification_target()) {
          if (const auto error = server_verification_error(target->connect_host, target->port, target->server_name,
                                                           target->ca_path))
            why = fmt::format("TLS connect failed (the server certificate of {} does not verify with CAFile {}: {})",
                              target->server_name, target->ca_value.empty() ? "(none)" : target->ca_value, *error);
        }
      state->on_connect_failed(tok.get_client(), why);
    }
    // A PUBLISH written (QoS 0) or acknowledged (QoS 1): its user context is the scenario time the
    // program's MQTT "PUBLISH" ran (a number, not a pointer: nothing to own or free).
    void on_success(const mqtt::token& tok) override {
      if (tok.get_type() != mqtt::token::Type::PUBLISH) return;
      const Clock::Nanos issued{static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(tok.get_user_context()))};
      std::lock_guard lock(mutex);
      if (state) state->on_publish_done(issued);
    }
  };

  State(MqttSettings s, std::string usr, const Clock& c, Events e, HostResolver r, std::shared_ptr<PahoWake> w)
      : settings(std::move(s)), usr_dir(std::move(usr)), clock(c), events(std::move(e)),
        resolver(r ? std::move(r) : HostResolver(host_resolves_by_getaddrinfo)), paho_wake(std::move(w)),
        relay(std::make_shared<Relay>()) {
    // Host names are case-insensitive: whoever filled the map, look-ups use lower case.
    std::map<std::string, std::string> routes;
    for (const auto& [host, target] : settings.resolve) routes[ascii_lower(host)] = target;
    settings.resolve = std::move(routes);
    // Created now, not at CONNECT: its own connect needs one paho cycle (paho_wake.hpp), which
    // then overlaps the device's start instead of delaying the program's first CONNECT.
    if (!paho_wake && !settings.resolve.empty()) paho_wake = std::make_shared<PahoWake>();
    relay->state = this;
    reconnector = std::thread([this] { reconnect_loop(); });
  }

  MqttSettings settings;
  std::string usr_dir;
  const Clock& clock;
  Events events;
  HostResolver resolver;
  std::shared_ptr<PahoWake> paho_wake;  // poked by the proxy on each accepted connection; null without routes
  std::shared_ptr<Relay> relay;

  mutable std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  // The program read MQTT("STATUS") = 5 in the BASIC request now running (new_request() clears
  // it): a PUBLISH it then makes to a connection lost in between is a race, not a missing check.
  bool status_seen_connected = false;

  // Our MQTT stack, not the program, held the message up: paho's threads serve every client of
  // the process (a fleet's TLS handshakes queue its publishes) and a starved host delays them.
  // Told from 100 ms of scenario time, so the cadence rules do not blame the device for it.
  void on_publish_done(Clock::Nanos issued) {
    const auto took = clock.steady() - issued;
    if (took >= std::chrono::milliseconds(100) && events.publish_late)
      events.publish_late(std::chrono::duration<double>(took).count());
  }

  // MQTT "OPEN" / "SETPARAM"
  bool opened = false;
  std::uint64_t generation = 0;  // counts OPENs: a CONNECT resolving across one gives up
  std::string client_id, host;
  int port = 8883;
  int keepalive = 60;
  int mqtt_version = MQTTVERSION_3_1_1;
  std::string tls_version, ca_file, cert_file, key_file, username, password;
  bool password_set = false, clean_session = true;
  std::string will_topic, will_payload;
  int will_qos = 0;
  bool will_retain = false;

  std::unique_ptr<ConnectProxy> proxy;
  bool link_up = true;  // the WAN link (set_link); routed connections run through `proxy`
  // Shared so a paho call can run after `mutex` is released: paho holds its own mutex while it
  // calls our callbacks, and the callbacks take `mutex`, so no paho call may happen under it.
  std::shared_ptr<mqtt::async_client> client;
  int status = mqtt_status::disconnected;
  bool want_connected = false;
  std::optional<std::chrono::steady_clock::time_point> reconnect_at;
  std::vector<std::pair<std::string, int>> subscriptions;
  std::deque<std::pair<std::string, std::string>> inbox;
  std::pair<std::string, std::string> loaded;
  bool verification_diagnosed = false;
  // The connection of `client` was lost: the next connect uses a new paho client (see
  // start_connect_locked).
  bool client_lost = false;
  std::thread reconnector;

  // What a section holding `mutex` decided to do; run() does it after the section unlocked:
  // first the actions in order (paho calls, logs, device callbacks), then the status changes.
  struct Deferred {
    std::vector<std::function<void()>> actions;
    std::vector<int> status_changes;
  };
  void run(Deferred& deferred) {
    for (auto& f : deferred.actions) f();
    deferred.actions.clear();
    for (int s : deferred.status_changes)
      if (events.status_changed) events.status_changed(s);
    deferred.status_changes.clear();
  }

  void log(const std::string& message, int level) {
    if (events.log) events.log(message, level);
  }
  void log_later(Deferred& deferred, std::string message, int level) {
    deferred.actions.push_back([this, message = std::move(message), level] { log(message, level); });
  }
  void set_status_locked(int next, Deferred& deferred) {
    if (status == next) return;
    status = next;
    deferred.status_changes.push_back(next);
  }
  // Whether a paho callback comes from the client in use (not one OPEN has since replaced).
  bool is_current_locked(const mqtt::iasync_client* origin) const {
    return client && origin == static_cast<const mqtt::iasync_client*>(client.get());
  }

  bool use_tls() const {
    return !ca_file.empty() || !cert_file.empty() || !tls_version.empty() || port == 8883;
  }
  std::string uri() const { return fmt::format("{}://{}:{}", use_tls() ? "ssl" : "tcp", host, port); }

  TlsFile tls_file(const char* parameter, const std::string& value) const {
    return {parameter, value, value.empty() ? std::string() : map_usr_path(usr_dir, value)};
  }

  struct VerificationTarget {
    std::string connect_host, server_name, ca_value, ca_path;
    int port = 0;
  };
  // Where and how the failed TLS connect went, once per run of failures (each diagnosis is one
  // more handshake the hub sees); nullopt when not TLS or already diagnosed.
  std::optional<VerificationTarget> verification_target() {
    std::lock_guard lock(mutex);
    if (stopping || !use_tls() || verification_diagnosed) return std::nullopt;
    verification_diagnosed = true;
    VerificationTarget t{host, host, ca_file, ca_file.empty() ? std::string() : map_usr_path(usr_dir, ca_file), port};
    if (const auto* route = find_route(settings.resolve, host, port)) {
      const auto colon = route->rfind(':');
      t.connect_host = route->substr(0, colon);
      if (colon != std::string::npos) t.port = std::atoi(route->c_str() + colon + 1);
    }
    return t;
  }

  // Prepares one connection attempt; the paho call itself goes into `deferred`. Returns the TLS
  // file problem that stopped it before paho was called, if any.
  std::optional<TlsFileProblem> start_connect_locked(Deferred& deferred) {
    reconnect_at.reset();
    if (!link_up && find_route(settings.resolve, host, port)) {
      log_later(deferred, fmt::format("MQTT: connect to {} failed: the WAN link is down", uri()), basic::log_level::error);
      set_status_locked(mqtt_status::disconnected, deferred);
      schedule_reconnect_locked();
      return std::nullopt;
    }
    if (use_tls())
      if (auto problem = check_tls_files(tls_file("CAFile", ca_file), tls_file("CertFile", cert_file),
                                         tls_file("KeyFile", key_file))) {
        auto message = fmt::format("MQTT: TLS connect to {} not attempted: {}", uri(), problem->describe());
        if (events.tls_file_error)
          deferred.actions.push_back([this, message, problem = *problem] { events.tls_file_error(message, problem); });
        else
          log_later(deferred, std::move(message), basic::log_level::error);
        set_status_locked(mqtt_status::disconnected, deferred);
        schedule_reconnect_locked();
        return problem;
      }
    // paho keeps a PUBLISH it had queued but not yet written when the connection dropped, and
    // sends it after the reconnect: a QoS 0 message seconds old, with a stale timestamp and
    // value. A new client drops it with the old one (policy: README, "Behaviour chosen").
    // Destroyed after the lock is released, never on a paho thread (callers are the BASIC and
    // the reconnect threads).
    if (client && client_lost)
      deferred.actions.push_back([old = std::move(client)]() mutable { old.reset(); });
    client_lost = false;
    if (!client) {
      client = std::make_shared<mqtt::async_client>(uri(), client_id, nullptr);
      // A raw pointer, only compared: the client must not own itself through its handlers.
      const mqtt::iasync_client* origin = client.get();
      auto r = relay;
      client->set_connected_handler([r, origin](const std::string&) {
        std::lock_guard lock(r->mutex);
        if (r->state) r->state->on_connected(origin);
      });
      client->set_connection_lost_handler([r, origin](const std::string& cause) {
        std::lock_guard lock(r->mutex);
        if (r->state) r->state->on_connection_lost(origin, cause);
      });
      client->set_message_callback([r, origin](mqtt::const_message_ptr msg) {
        std::lock_guard lock(r->mutex);
        if (r->state) r->state->on_message(origin, msg->get_topic(), msg->to_string());
      });
    }
    mqtt::connect_options opts;
    opts.set_mqtt_version(mqtt_version);
    opts.set_keep_alive_interval(keepalive);
    opts.set_clean_session(clean_session);
    opts.set_connect_timeout(static_cast<int>(std::ceil(settings.connect_timeout_seconds)));
    if (!username.empty()) opts.set_user_name(username);
    if (password_set) opts.set_password(password);
    if (!will_topic.empty())
      opts.set_will(mqtt::will_options(will_topic, will_payload, will_qos, will_retain));
    std::string route;
    if (const auto* r = find_route(settings.resolve, host, port)) {
      if (!proxy) {
        proxy = std::make_unique<ConnectProxy>(settings.resolve, [w = paho_wake] {
          if (w) w->poke();
        });
        proxy->set_link(link_up);
      }
      route = *r;
      // paho strips the scheme that names the proxy kind; the proxy itself always speaks plain
      // HTTP CONNECT and the TLS session runs inside the tunnel.
      if (use_tls())
        opts.set_https_proxy("https://127.0.0.1:" + std::to_string(proxy->port()));
      else
        opts.set_http_proxy(proxy->url());
    }
    if (use_tls()) {
      mqtt::ssl_options ssl;
      if (!ca_file.empty()) ssl.set_trust_store(map_usr_path(usr_dir, ca_file));
      if (!cert_file.empty()) ssl.set_key_store(map_usr_path(usr_dir, cert_file));
      if (!key_file.empty()) ssl.set_private_key(map_usr_path(usr_dir, key_file));
      ssl.set_enable_server_cert_auth(true);
      ssl.set_verify(true);  // host-name check against the host the program gave
      const auto v = ascii_lower(tls_version);
      ssl.set_ssl_version(v == "tlsv1" || v == "tlsv1.0" ? MQTT_SSL_VERSION_TLS_1_0
                          : v == "tlsv1.1"               ? MQTT_SSL_VERSION_TLS_1_1
                          : v.empty()                    ? MQTT_SSL_VERSION_DEFAULT
                                                         : MQTT_SSL_VERSION_TLS_1_2);
      // No ssl.set_error_handler(): in paho.mqtt.cpp 1.2.0 its context points into the copy of
      // the options that async_client::connect() destroys on return, and the first TLS error
      // then crashes paho's receive thread (eclipse-paho/paho.mqtt.cpp#325). The files are
      // checked above and verification errors diagnosed in Relay::on_failure instead.
      opts.set_ssl(std::move(ssl));
    }
    log_later(deferred,
              fmt::format("MQTT: connecting to {} as '{}'{}", uri(), client_id,
                          route.empty() ? std::string() : fmt::format(" (host override -> {})", route)),
              basic::log_level::info);
    set_status_locked(mqtt_status::connecting, deferred);
    deferred.actions.push_back([this, c = client, opts = std::move(opts)]() mutable {
      try {
        c->connect(opts, nullptr, *relay);
      } catch (const mqtt::exception& e) {
        on_connect_failed(c.get(), fmt::format("connect failed at once ({})", e.what()));
      }
    });
    return std::nullopt;
  }

  void schedule_reconnect_locked() {
    if (!settings.auto_reconnect || !want_connected || stopping) return;
    const auto delay = clock.to_real(std::chrono::duration_cast<Clock::Nanos>(
        std::chrono::duration<double>(settings.reconnect_delay_seconds)));
    reconnect_at = std::chrono::steady_clock::now() + delay;
    wake.notify_all();
  }

  void reconnect_loop() {
    std::unique_lock lock(mutex);
    for (;;) {
      if (stopping) return;
      if (reconnect_at) {
        if (wake.wait_until(lock, *reconnect_at, [&] { return stopping; })) return;
        if (!reconnect_at || std::chrono::steady_clock::now() < *reconnect_at) continue;
        if (!want_connected || status == mqtt_status::connected) {
          reconnect_at.reset();
          continue;
        }
        Deferred deferred;
        (void)start_connect_locked(deferred);  // a file problem is logged; retried next time
        lock.unlock();
        run(deferred);
        lock.lock();
      } else {
        wake.wait(lock, [&] { return stopping || reconnect_at.has_value(); });
      }
    }
  }

  void on_connected(const mqtt::iasync_client* origin) {
    Deferred deferred;
    std::vector<std::pair<std::string, int>> subscribe;
    std::shared_ptr<mqtt::async_client> c;
    {
      std::lock_guard lock(mutex);
      if (stopping || !is_current_locked(origin)) return;
      log_later(deferred, fmt::format("MQTT: connected to {}", uri()), basic::log_level::info);
      verification_diagnosed = false;
      set_status_locked(mqtt_status::connected, deferred);
      subscribe = subscriptions;
      c = client;
    }
    for (const auto& [topic, qos] : subscribe) {
      try {
        c->subscribe(topic, qos);
      } catch (const mqtt::exception& e) {
        log_later(deferred, fmt::format("MQTT: SUBSCRIBE {} failed: {}", topic, e.what()), basic::log_level::error);
      }
    }
    run(deferred);
  }

  void on_connect_failed(const mqtt::iasync_client* origin, const std::string& why) {
    Deferred deferred;
    {
      std::lock_guard lock(mutex);
      if (stopping || !is_current_locked(origin)) return;
      log_later(deferred, fmt::format("MQTT: {} to {}", why, uri()), basic::log_level::error);
      set_status_locked(mqtt_status::disconnected, deferred);
      schedule_reconnect_locked();
    }
    run(deferred);
  }

  void on_connection_lost(const mqtt::iasync_client* origin, const std::string& cause) {
    Deferred deferred;
    {
      std::lock_guard lock(mutex);
      if (stopping || !is_current_locked(origin)) return;
      log_later(deferred, fmt::format("MQTT: connection to {} lost{}{}", uri(), cause.empty() ? "" : ": ", cause),
                basic::log_level::error);
      client_lost = true;
      set_status_locked(mqtt_status::disconnected, deferred);
      schedule_reconnect_locked();
    }
    run(deferred);
  }

  void on_message(const mqtt::iasync_client* origin, std::string topic, std::string payload) {
    Deferred deferred;
    {
      std::lock_guard lock(mutex);
      if (stopping || !is_current_locked(origin)) return;
      if (inbox.size() >= settings.inbox_capacity) {
        log_later(deferred, fmt::format("MQTT: inbox full ({} messages), message on {} dropped", inbox.size(), topic),
                  basic::log_level::error);
      } else {
        inbox.emplace_back(std::move(topic), std::move(payload));
        if (events.message_arrived) deferred.actions.push_back([this] { events.message_arrived(); });
      }
    }
    run(deferred);
  }

  // Waits (at most 2 s) for a connected client to disconnect; called without `mutex`.
  static void disconnect_and_wait(const std::shared_ptr<mqtt::async_client>& c) {
    try {
      if (c->is_connected()) c->disconnect()->wait_for(std::chrono::seconds(2));
    } catch (const mqtt::exception&) {
    }
  }

  void shutdown() {
    {
      std::lock_guard lock(relay->mutex);  // waits for a callback in flight
      relay->state = nullptr;
    }
    std::shared_ptr<mqtt::async_client> old;
    std::unique_ptr<ConnectProxy> old_proxy;
    {
      std::lock_guard lock(mutex);
      if (stopping) return;
      stopping = true;
      want_connected = false;
      old = std::move(client);
      old_proxy = std::move(proxy);
    }
    wake.notify_all();
    if (reconnector.joinable()) reconnector.join();
    if (old) disconnect_and_wait(old);
    old.reset();
    old_proxy.reset();
  }

  void set_link(bool up) {
    Deferred deferred;
    {
      std::lock_guard lock(mutex);
      if (stopping || link_up == up) return;
      link_up = up;
      // Under `mutex`: the proxy takes only its own lock and never calls back into the bridge.
      if (proxy) proxy->set_link(up);
      log_later(deferred, up ? "MQTT: WAN link up" : "MQTT: WAN link down", up ? basic::log_level::info : basic::log_level::error);
    }
    run(deferred);
  }

  basic::HostResult command(std::string_view name, const std::vector<basic::Value>& args) {
    Deferred deferred;
    basic::HostResult result = basic::HostResult::ok();
    {
      std::unique_lock lock(mutex);
      result = command_locked(ascii_lower(name), name, args, lock, deferred);
    }
    run(deferred);
    return result;
  }

  // Called and returns with `lock` (on `mutex`) held. OPEN and CONNECT release it around what
  // they wait for, and re-check the state once they hold it again.
  basic::HostResult command_locked(const std::string& cmd, std::string_view name, const std::vector<basic::Value>& args,
                                   std::unique_lock<std::mutex>& lock, Deferred& deferred) {
    auto arg = [&](std::size_t i) -> std::optional<basic::Value> {
      if (i < args.size()) return args[i];
      return std::nullopt;
    };
    auto missing = [&](const char* what) {
      return basic::HostResult::fail(kInvalidParameter, fmt::format("MQTT \"{}\": {} expected", name, what));
    };
    if (stopping) return stopping_result();
    if (cmd == "status") {
      if (status == mqtt_status::connected) status_seen_connected = true;
      return basic::HostResult::ok(std::int32_t{status});
    } else if (cmd == "open") {
      if (!arg(0) || !arg(1)) return missing("client id and host");
      // A loop: while the lock was released another thread may have connected a new client.
      while (client) {
        want_connected = false;
        reconnect_at.reset();
        auto old = std::move(client);
        lock.unlock();
        disconnect_and_wait(old);
        old.reset();  // paho's destructor joins its threads
        lock.lock();
        if (stopping) return stopping_result();
      }
      ++generation;
      client_id = text_of(*arg(0));
      host = text_of(*arg(1));
      opened = true;
      subscriptions.clear();
      inbox.clear();
      set_status_locked(mqtt_status::starting, deferred);
    } else if (cmd == "setparam") {
      if (!arg(0) || !arg(1)) return missing("parameter name and value");
      const auto p = ascii_lower(text_of(*arg(0)));
      const auto v = text_of(*arg(1));
      auto as_int = [&](long long lo, long long hi) -> std::optional<int> {
        const auto n = int_of(*arg(1));
        if (!n || *n < lo || *n > hi) return std::nullopt;
        return static_cast<int>(*n);
      };
      auto bad = [&] {
        return basic::HostResult::fail(kInvalidParameter, fmt::format("MQTT \"SETPARAM\": bad value '{}' for {}", v, text_of(*arg(0))));
      };
      if (p == "port") {
        auto n = as_int(1, 65535);
        if (!n) return bad();
        port = *n;
      } else if (p == "keepalive") {
        auto n = as_int(0, 65535);
        if (!n) return bad();
        keepalive = *n;
      } else if (p == "protocolversion") {
        if (v == "3.1.1" || v == "4")
          mqtt_version = MQTTVERSION_3_1_1;
        else if (v == "3.1" || v == "3")
          mqtt_version = MQTTVERSION_3_1;
        else
          return bad();
      } else if (p == "tlsversion") {
        tls_version = v;
      } else if (p == "cafile") {
        ca_file = v;
      } else if (p == "certfile") {
        cert_file = v;
      } else if (p == "keyfile") {
        key_file = v;
      } else if (p == "username") {
        username = v;
      } else if (p == "password") {
        password = v;
        password_set = true;
      } else if (p == "cleansession") {
        clean_session = !(v == "0" || ascii_lower(v) == "false");
      } else if (p == "willtopic") {
        will_topic = v;
      } else if (p == "willpayload") {
        will_payload = v;
      } else if (p == "willqos") {
        auto n = as_int(0, 2);
        if (!n) return bad();
        will_qos = *n;
      } else if (p == "willretain") {
        will_retain = !(v == "0" || ascii_lower(v) == "false");
      } else if (p == "log") {
        // Paho logging on the Flexy; the emulator logs connection events regardless.
      } else {
        return basic::HostResult::fail(kInvalidParameter, fmt::format("MQTT \"SETPARAM\": unknown parameter '{}'", text_of(*arg(0))));
      }
    } else if (cmd == "connect") {
      if (!opened) return basic::HostResult::fail(kInvalidParameter, "MQTT \"CONNECT\" before MQTT \"OPEN\"");
      if (!find_route(settings.resolve, host, port)) {
        const auto asked = host;
        const auto opened_as = generation;
        lock.unlock();
        const bool resolves = resolver(asked);
        lock.lock();
        if (stopping) return stopping_result();
        if (generation != opened_as)
          return basic::HostResult::fail(
              kInvalidParameter, fmt::format("MQTT \"CONNECT\": MQTT \"OPEN\" ran while '{}' was being resolved", asked));
        if (!resolves) {
          auto message = fmt::format("MQTT: host '{}' does not resolve (WAN down?)", asked);
          if (events.host_unresolved) {
            std::vector<std::string> routed;
            for (const auto& [name, route] : settings.resolve) routed.push_back(name);
            deferred.actions.push_back([this, message, asked, routed] { events.host_unresolved(message, asked, routed); });
          } else {
            log_later(deferred, std::move(message), basic::log_level::error);
          }
          return basic::HostResult::fail(kWanDown, fmt::format("MQTT \"CONNECT\": host '{}' does not resolve", asked));
        }
      }
      want_connected = true;
      verification_diagnosed = false;
      if (status != mqtt_status::connected && status != mqtt_status::connecting)
        if (const auto problem = start_connect_locked(deferred))
          return basic::HostResult::fail(kTlsFile, problem->describe());
    } else if (cmd == "disconnect" || cmd == "close") {
      want_connected = false;
      reconnect_at.reset();
      if (client) {
        deferred.actions.push_back([c = client] {
          try {
            if (c->is_connected()) c->disconnect();
          } catch (const mqtt::exception&) {
          }
        });
      }
      set_status_locked(mqtt_status::disconnected, deferred);
    } else if (cmd == "subscribe") {
      if (!arg(0)) return missing("topic");
      const auto topic = text_of(*arg(0));
      const int qos = std::clamp(arg(1) ? static_cast<int>(int_of(*arg(1)).value_or(0)) : 0, 0, 2);
      subscriptions.emplace_back(topic, qos);
      if (client && status == mqtt_status::connected) {
        deferred.actions.push_back([this, c = client, topic, qos] {
          try {
            c->subscribe(topic, qos);
          } catch (const mqtt::exception& e) {
            log(fmt::format("MQTT: SUBSCRIBE {} failed: {}", topic, e.what()), basic::log_level::error);
          }
        });
      }
    } else if (cmd == "publish") {
      if (!arg(0) || !arg(1)) return missing("topic and payload");
      const auto topic = text_of(*arg(0));
      const auto payload = text_of(*arg(1));
      const int qos = std::clamp(arg(2) ? static_cast<int>(int_of(*arg(2)).value_or(0)) : 0, 0, 2);
      const bool retain = arg(3) && int_of(*arg(3)).value_or(0) != 0;
      if (!client || status != mqtt_status::connected) {
        auto why = fmt::format("MQTT \"PUBLISH\" to {} while not connected (status {}): message dropped", topic, status);
        if (status_seen_connected)
          why += "; the connection was lost after this request's MQTT(\"STATUS\") returned 5";
        if (events.publish_dropped)
          deferred.actions.push_back([this, why, topic, checked = status_seen_connected] {
            events.publish_dropped(why, topic, checked);
          });
        else
          log_later(deferred, why, basic::log_level::error);
        if (settings.publish_error_when_disconnected) return basic::HostResult::fail(kInvalidParameter, why);
      } else {
        const auto issued = clock.steady();
        deferred.actions.push_back([this, c = client, topic, payload, qos, retain, issued, r = relay] {
          try {
            c->publish(topic, payload.data(), payload.size(), qos, retain,
                       reinterpret_cast<void*>(static_cast<std::uintptr_t>(issued.count())), *r);
          } catch (const mqtt::exception& e) {
            log(fmt::format("MQTT: PUBLISH to {} failed: {}", topic, e.what()), basic::log_level::error);
          }
        });
      }
    } else if (cmd == "read") {
      const auto count = static_cast<std::int32_t>(inbox.size());
      if (!inbox.empty()) {
        loaded = std::move(inbox.front());
        inbox.pop_front();
      } else {
        loaded = {};
      }
      return basic::HostResult::ok(count);
    } else if (cmd == "msgtopic") {
      return basic::HostResult::ok(loaded.first);
    } else if (cmd == "msgdata") {
      return basic::HostResult::ok(loaded.second);
    } else {
      return basic::HostResult::fail(kInvalidParameter, fmt::format("unknown MQTT command \"{}\"", name));
    }
    return basic::HostResult::ok();
  }
};

MqttBridge::MqttBridge(MqttSettings settings, std::string usr_dir, const Clock& clock, Events events,
                       HostResolver resolver, std::shared_ptr<PahoWake> wake)
    : state_(std::make_shared<State>(std::move(settings), std::move(usr_dir), clock, std::move(events),
                                     std::move(resolver), std::move(wake))) {}

MqttBridge::~MqttBridge() { shutdown(); }

void MqttBridge::shutdown() { state_->shutdown(); }

void MqttBridge::set_link(bool up) { state_->set_link(up); }

void MqttBridge::new_request() {
  std::lock_guard lock(state_->mutex);
  state_->status_seen_connected = false;
}

basic::HostResult MqttBridge::command(std::string_view command, const std::vector<basic::Value>& args) {
  return state_->command(command, args);
}

int MqttBridge::status() const {
  std::lock_guard lock(state_->mutex);
  return state_->status;
}

std::size_t MqttBridge::pending_messages() const {
  std::lock_guard lock(state_->mutex);
  return state_->inbox.size();
}

}  // namespace flexhil::flexy
