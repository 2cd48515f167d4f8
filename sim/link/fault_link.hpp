#pragma once
// The fault point between a device and the hub: a TCP relay on 127.0.0.1 (or a bench address)
// that forwards each connection to the hub's port and does to it what LinkShaper says — pass,
// delay (latency, jitter), throttle (bandwidth), go silent (blackhole) or close every session and
// refuse new ones (cut; flap = cut and up in turn). TLS runs end to end through it, so the hub
// still judges the device's own handshake. One thread accepts, one per connection relays; every
// change of fault wakes them at once.
//
//   FaultLink link("127.0.0.1:18883");
//   link.start("127.0.0.1", 0);          // throws InfrastructureError
//   route the device to 127.0.0.1:link.port()
//   link.set_fault({FaultKind::latency, 2.0, 0.5});
//   link.set_fault({});                  // healthy again
#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/unique_fd.hpp"
#include "sim/link/link_shaper.hpp"

namespace flexhil::link {

class FaultLink {
 public:
  explicit FaultLink(std::string upstream);  // "ip:port" of the hub listener
  ~FaultLink();
  FaultLink(const FaultLink&) = delete;
  FaultLink& operator=(const FaultLink&) = delete;

  void start(const std::string& bind, std::uint16_t port);
  void stop();  // also on destruction
  std::uint16_t port() const noexcept { return port_; }

  void set_fault(const LinkFault& fault);  // thread-safe; from now on
  LinkFault fault() const;
  std::uint64_t accepted() const noexcept { return accepted_.load(); }  // connections relayed
  std::uint64_t refused() const noexcept { return refused_.load(); }    // closed while cut

 private:
  struct Connection;
  void accept_loop();
  void relay(Connection& c);
  void wake_all();

  std::string upstream_host_;
  std::uint16_t upstream_port_ = 0;
  UniqueFd listen_;
  UniqueFd stop_fd_;  // eventfd: the relay is stopping
  std::uint16_t port_ = 0;
  std::thread acceptor_;
  mutable std::mutex mutex_;
  LinkFault fault_;
  double fault_since_ = 0;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::uint64_t> accepted_{0}, refused_{0};
  std::list<std::unique_ptr<Connection>> connections_;
};

}  // namespace flexhil::link
