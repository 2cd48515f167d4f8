#pragma once
// Host-name overrides for the emulated Flexy's MQTT client, done the way a real network would:
// the program connects to "<hub>.azure-devices.net:8883" unchanged, paho is told to use this
// in-process HTTP CONNECT proxy, and the proxy opens the TCP connection to wherever the override
// says ("127.0.0.1:18883"). The TLS session runs end to end through the proxy, so SNI and the
// certificate host-name check still use the hub name the program gave.
// Only names in the route table are proxied; anything else is refused with 403.
#include <atomic>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace flexhil::flexy {

class ConnectProxy {
 public:
  // routes: lower-case host name -> "ip:port". Listens on 127.0.0.1:<ephemeral>.
  explicit ConnectProxy(std::map<std::string, std::string> routes);  // throws InfrastructureError
  ~ConnectProxy();
  ConnectProxy(const ConnectProxy&) = delete;
  ConnectProxy& operator=(const ConnectProxy&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  std::string url() const;  // "http://127.0.0.1:<port>"

 private:
  void accept_loop();
  void serve(int client);

  std::map<std::string, std::string> routes_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;  // eventfd: wakes every thread for shutdown
  std::uint16_t port_ = 0;
  struct Tunnel {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::mutex mutex_;
  std::list<Tunnel> tunnels_;  // finished ones are joined on the next accept
  std::thread acceptor_;
};

}  // namespace flexhil::flexy
