#include "sim/flexy/runtime/paho_wake.hpp"
#include "common/fd_range.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <fmt/format.h>
#include <mqtt/async_client.h>

#include "common/error.hpp"

namespace flexhil::flexy {
namespace {

// CONNACK, accepted, no session (MQTT 3.1.1 §3.2); PINGRESP (§3.13).
constexpr std::array<unsigned char, 4> kConnack{0x20, 0x02, 0x00, 0x00};
constexpr std::array<unsigned char, 2> kPingresp{0xD0, 0x00};
// A poll of paho's that ends without a ready socket is followed by a 100 ms sleep, during which
// a poke cannot wake it; a PINGRESP at least this often keeps every poll shorter than its 1 s
// timeout, so that sleep never happens (two wake-ups a second, nothing else).
constexpr int kHeartbeatMs = 400;

}  // namespace

PahoWake::PahoWake() {
  listen_fd_ = above_select_range(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  stop_fd_ = above_select_range(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listen_fd_ < 0 || stop_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 4) != 0 || ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string why = std::strerror(errno);
    if (listen_fd_ >= 0) ::close(listen_fd_);
    if (stop_fd_ >= 0) ::close(stop_fd_);
    throw InfrastructureError("paho wake: cannot listen on 127.0.0.1: " + why);
  }
  const auto port = ntohs(addr.sin_port);
  server_ = std::thread([this] { serve(); });
  try {
    client_ = std::make_shared<mqtt::async_client>(fmt::format("tcp://127.0.0.1:{}", port),
                                                   fmt::format("flexhil-paho-wake-{}", port), nullptr);
    // paho calls these with its own mutex held: they only take ours, and no paho call is ever
    // made while ours is held (poke() reads `connected_`, never the client).
    client_->set_connected_handler([this](const std::string&) {
      std::lock_guard lock(mutex_);
      connected_ = true;
      ready_changed_.notify_all();
    });
    client_->set_connection_lost_handler([this](const std::string&) {
      std::lock_guard lock(mutex_);
      connected_ = false;
    });
    auto opts = mqtt::connect_options_builder()
                    .mqtt_version(MQTTVERSION_3_1_1)
                    .clean_session(true)
                    .keep_alive_interval(std::chrono::seconds(0))  // the peer never answers a PINGREQ
                    .connect_timeout(std::chrono::seconds(10))
                    .finalize();
    client_->connect(opts);
  } catch (const mqtt::exception& e) {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(stop_fd_, &one, sizeof one);
    server_.join();
    ::close(listen_fd_);
    ::close(stop_fd_);
    throw InfrastructureError(std::string("paho wake: cannot start its client: ") + e.what());
  }
}

PahoWake::~PahoWake() {
  {
    std::lock_guard lock(mutex_);
    connected_ = false;  // no poke from now on
  }
  try {
    if (client_->is_connected()) client_->disconnect()->wait_for(std::chrono::seconds(2));
  } catch (const mqtt::exception&) {
    // Already gone: nothing to close.
  }
  client_.reset();  // paho's destructor; our peer sees the socket close
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(stop_fd_, &one, sizeof one);
  if (server_.joinable()) server_.join();
  {
    std::lock_guard lock(mutex_);
    if (peer_fd_ >= 0) ::close(peer_fd_);
    peer_fd_ = -1;
  }
  ::close(listen_fd_);
  ::close(stop_fd_);
}

bool PahoWake::ready() const {
  std::lock_guard lock(mutex_);
  return connected_;
}

bool PahoWake::wait_ready(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return ready_changed_.wait_for(lock, timeout, [&] { return connected_; });
}

void PahoWake::poke() noexcept {
  if (write_pingresp()) ++pokes_;
}

bool PahoWake::write_pingresp() noexcept {
  std::lock_guard lock(mutex_);
  if (peer_fd_ < 0 || !connected_) return false;
  return ::send(peer_fd_, kPingresp.data(), kPingresp.size(), MSG_NOSIGNAL | MSG_DONTWAIT) ==
         static_cast<ssize_t>(kPingresp.size());
}

void PahoWake::serve() {
  std::array<unsigned char, 512> buf{};
  for (;;) {
    int peer = -1;
    {
      std::lock_guard lock(mutex_);
      peer = peer_fd_;
    }
    std::array<pollfd, 3> fds{{{stop_fd_, POLLIN, 0}, {listen_fd_, POLLIN, 0}, {peer, POLLIN, 0}}};
    const int ready = ::poll(fds.data(), peer >= 0 ? 3 : 2, kHeartbeatMs);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (ready == 0) {
      (void)write_pingresp();
      continue;
    }
    if (fds[0].revents) return;
    if (fds[1].revents & POLLIN) {
      const int c = above_select_range(::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC));
      if (c >= 0) {
        int one = 1;
        ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        // Answered before paho's CONNECT arrives: the socket is readable as soon as paho polls
        // it, so its connect needs no poll timeout of its own.
        [[maybe_unused]] auto n = ::send(c, kConnack.data(), kConnack.size(), MSG_NOSIGNAL);
        std::lock_guard lock(mutex_);
        if (peer_fd_ >= 0) ::close(peer_fd_);
        peer_fd_ = c;
      }
    }
    if (peer >= 0 && fds[2].revents) {
      // What paho sends (CONNECT, DISCONNECT) is read and dropped; EOF ends this connection.
      const auto n = ::recv(peer, buf.data(), buf.size(), 0);
      if (n <= 0) {
        std::lock_guard lock(mutex_);
        if (peer_fd_ == peer) {
          ::close(peer_fd_);
          peer_fd_ = -1;
        }
      }
    }
  }
}

}  // namespace flexhil::flexy
