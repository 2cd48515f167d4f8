#pragma once
// Ends the poll of paho.mqtt.c's receive thread on demand.
//
// Why: paho.mqtt.c runs one receive thread for every MQTTAsync client of the process. Each of
// its cycles copies the list of paho sockets and polls that copy for reading for up to 1 s (then
// sleeps 100 ms when nothing was ready). A socket paho creates meanwhile — the TCP connect of a
// new MQTT "CONNECT" — is not in the copy, so paho notices its connection only when that poll
// ends: up to 1.1 s late whenever another paho client (the harness's own, another Flexy) sits
// idle in the same process. Nothing in paho's API shortens the cycle.
//
// How: a paho client of our own, connected over plain TCP to a loopback peer held here, is one
// socket in every copy. poke() writes an MQTT PINGRESP to it from the peer's side: paho's poll
// returns at once, the PINGRESP is consumed (paho only clears its ping flag), and the next
// cycle's copy holds the new socket. ConnectProxy calls poke() when it accepts paho's
// connection, which is after paho registered the socket, so no poke can come too early.
//
// A poll that times out is followed by a 100 ms sleep no poke can end, so the peer also writes
// a PINGRESP every 400 ms: paho's polls then never time out.
//
// The client needs one cycle of its own to connect (ready()); pokes before that do nothing.
// Share one PahoWake between the bridges of a process and create it before other paho clients
// connect (see wait_ready) to make their first connect fast too.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

namespace mqtt {
class async_client;
}

namespace flexhil::flexy {

class PahoWake {
 public:
  PahoWake();  // listens on 127.0.0.1:<ephemeral> and starts the client's connect; throws InfrastructureError
  ~PahoWake();
  PahoWake(const PahoWake&) = delete;
  PahoWake& operator=(const PahoWake&) = delete;

  // Wakes paho's receive thread; a no-op until ready(). Thread-safe, never blocks.
  void poke() noexcept;
  bool ready() const;
  // Waits (without polling) until the client is connected; false on timeout.
  bool wait_ready(std::chrono::milliseconds timeout) const;
  // Pokes written so far, heartbeats not counted (tests assert on the mechanism through it).
  std::uint64_t pokes() const noexcept { return pokes_.load(); }

 private:
  void serve();
  bool write_pingresp() noexcept;

  int listen_fd_ = -1;
  int stop_fd_ = -1;  // eventfd: ends serve()
  mutable std::mutex mutex_;
  mutable std::condition_variable ready_changed_;
  bool connected_ = false;  // the client's CONNACK was read (paho's connected handler), guarded by mutex_
  int peer_fd_ = -1;        // our end of the client's connection, guarded by mutex_
  std::atomic<std::uint64_t> pokes_{0};
  std::thread server_;
  std::shared_ptr<mqtt::async_client> client_;
};

}  // namespace flexhil::flexy
