#pragma once
// Host-name overrides for the emulated Flexy's MQTT client, done the way a real network would:
// the program connects to "<hub>.azure-devices.net:8883" unchanged, paho is told to use this
// in-process HTTP CONNECT proxy, and the proxy opens the TCP connection to wherever the override
// says ("127.0.0.1:18883"). The TLS session runs end to end through the proxy, so SNI and the
// certificate host-name check still use the hub name the program gave.
//
// The proxy answers "200 Connection established" the moment it accepts a connection, before
// the request arrives, and only then reads the request and opens the route. Why: paho.mqtt.c's
// Proxy_connect() sends its request and reads the answer at once; when the answer is not there
// yet it sleeps 250 ms and tries again. And while paho's TCP connect is pending, its receive
// thread waits up to 1 s for the socket to become readable (a writable one is not enough): the
// early answer makes it readable at once. `on_accept` runs right after that answer (the MQTT
// bridge pokes paho's receive thread with it: paho_wake.hpp).
// A request for a host that is not in the route table (or a route that does not answer) gets
// its connection closed: paho then reports a failed TLS connect. The bridge only ever sends
// routed hosts here.
//
// The proxy is also the device's WAN link (`set_link`): when the link goes down, what a Flexy's
// modem does to its sessions happens to every tunnel — the device's side is closed at once (its
// sockets die with the PPP session), while the far side just goes silent (nothing reaches the
// hub any more), so the hub drops the session at its keep-alive expiry as the real one would,
// and publishes the device's will then. New connections are closed unanswered until the link is
// up again.
#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace flexhil::flexy {

// The route of a connection to host:port in a table keyed "host" or "host:port" (lower case):
// "host:port" wins over "host". Null when neither is there.
const std::string* find_route(const std::map<std::string, std::string>& routes, std::string_view host, int port);

class ConnectProxy {
 public:
  // routes: as find_route() reads them, each to "ip:port". Listens on 127.0.0.1:<ephemeral>.
  // on_accept (optional) runs on the proxy's accept thread once a connection has its answer.
  explicit ConnectProxy(std::map<std::string, std::string> routes,
                        std::function<void()> on_accept = {});  // throws InfrastructureError
  ~ConnectProxy();
  ConnectProxy(const ConnectProxy&) = delete;
  ConnectProxy& operator=(const ConnectProxy&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  std::string url() const;  // "http://127.0.0.1:<port>"

  // The WAN link (header comment); up at construction. Thread-safe.
  void set_link(bool up);
  bool link_up() const noexcept { return link_up_.load(); }

 private:
  void accept_loop();
  void serve(int client, int cut_fd);
  // After a cut: the far side stays open and unanswered until it closes or the proxy stops.
  void blackhole(int upstream);

  std::map<std::string, std::string> routes_;
  std::function<void()> on_accept_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;  // eventfd: wakes every thread for shutdown
  std::uint16_t port_ = 0;
  std::atomic<bool> link_up_{true};
  struct Tunnel {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
    int cut_fd = -1;  // eventfd: the link went down; owned here, closed after the join
  };
  std::mutex mutex_;
  std::list<Tunnel> tunnels_;  // finished ones are joined on the next accept
  std::thread acceptor_;
};

}  // namespace flexhil::flexy
