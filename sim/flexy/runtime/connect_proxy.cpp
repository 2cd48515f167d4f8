#include "sim/flexy/runtime/connect_proxy.hpp"
#include "common/fd_range.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <fmt/format.h>

#include "common/ascii_case.hpp"
#include "common/error.hpp"

namespace flexhil::flexy {
namespace {

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

bool send_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const auto n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

void set_nodelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int connect_to(const std::string& target) {
  const auto colon = target.rfind(':');
  if (colon == std::string::npos) return -1;
  std::string host = target.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port = target.substr(colon + 1);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0) return -1;
  int fd = -1;
  for (auto* ai = res; ai; ai = ai->ai_next) {
    fd = above_select_range(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    if (fd < 0) continue;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(res);
  if (fd >= 0) set_nodelay(fd);
  return fd;
}


constexpr std::string_view kEstablished = "HTTP/1.1 200 Connection established\r\n\r\n";

}  // namespace

const std::string* find_route(const std::map<std::string, std::string>& routes, std::string_view host, int port) {
  const auto name = ascii_lower(host);
  if (const auto it = routes.find(fmt::format("{}:{}", name, port)); it != routes.end()) return &it->second;
  if (const auto it = routes.find(name); it != routes.end()) return &it->second;
  return nullptr;
}

ConnectProxy::ConnectProxy(std::map<std::string, std::string> routes, std::function<void()> on_accept)
    : routes_(std::move(routes)), on_accept_(std::move(on_accept)) {
  listen_fd_ = above_select_range(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  stop_fd_ = above_select_range(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (listen_fd_ < 0 || stop_fd_ < 0) throw InfrastructureError("connect proxy: cannot create sockets");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 16) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(listen_fd_);
    ::close(stop_fd_);
    throw InfrastructureError(fmt::format("connect proxy: cannot listen on 127.0.0.1: {}", std::strerror(errno)));
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

ConnectProxy::~ConnectProxy() {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(stop_fd_, &one, sizeof one);
  if (acceptor_.joinable()) acceptor_.join();
  {
    std::lock_guard lock(mutex_);
    for (auto& t : tunnels_) {
      if (t.thread.joinable()) t.thread.join();
      ::close(t.cut_fd);
    }
  }
  ::close(listen_fd_);
  ::close(stop_fd_);
}

std::string ConnectProxy::url() const { return fmt::format("http://127.0.0.1:{}", port_); }

void ConnectProxy::set_link(bool up) {
  if (link_up_.exchange(up) == up || up) return;
  const std::uint64_t one = 1;
  std::lock_guard lock(mutex_);
  for (auto& t : tunnels_) {
    if (t.done->load()) continue;
    [[maybe_unused]] const auto n = ::write(t.cut_fd, &one, sizeof one);
  }
}

void ConnectProxy::accept_loop() {
  for (;;) {
    std::array<pollfd, 2> fds{{{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}}};
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    if (!(fds[0].revents & POLLIN)) continue;
    const int client = above_select_range(::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC));
    if (client < 0) continue;
    if (!link_up_.load()) {  // no WAN: the connect gets nowhere
      ::close(client);
      continue;
    }
    // Relayed TLS records and the CONNACK must not wait for an ACK (Nagle): up to 40 ms each.
    set_nodelay(client);
    // The answer before the request (header comment): ready when paho first reads.
    if (!send_all(client, kEstablished.data(), kEstablished.size())) {
      ::close(client);
      continue;
    }
    if (on_accept_) on_accept_();
    std::lock_guard lock(mutex_);
    for (auto it = tunnels_.begin(); it != tunnels_.end();) {
      if (it->done->load()) {
        it->thread.join();
        ::close(it->cut_fd);
        it = tunnels_.erase(it);
      } else {
        ++it;
      }
    }
    const int cut_fd = above_select_range(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (cut_fd < 0) {
      ::close(client);
      continue;
    }
    auto done = std::make_shared<std::atomic<bool>>(false);
    tunnels_.push_back({std::thread([this, client, cut_fd, done] {
                          serve(client, cut_fd);
                          done->store(true);
                        }),
                        done, cut_fd});
    // A cut between the check above and this push found no tunnel to cut: cut it here.
    if (!link_up_.load()) {
      const std::uint64_t one = 1;
      [[maybe_unused]] const auto n = ::write(cut_fd, &one, sizeof one);
    }
  }
}

void ConnectProxy::serve(int client_fd, int cut_fd) {
  Fd client(client_fd);
  // Read the request head: "CONNECT host:port HTTP/1.1\r\n...\r\n\r\n".
  std::string head;
  std::array<char, 4096> buf{};
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < 8192) {
    std::array<pollfd, 3> fds{{{client.fd, POLLIN, 0}, {stop_fd_, POLLIN, 0}, {cut_fd, POLLIN, 0}}};
    if (::poll(fds.data(), fds.size(), 10000) <= 0 || fds[1].revents || fds[2].revents) return;
    const auto n = ::recv(client.fd, buf.data(), buf.size(), 0);
    if (n <= 0) return;
    head.append(buf.data(), static_cast<std::size_t>(n));
  }
  const auto end_of_head = head.find("\r\n\r\n");
  if (end_of_head == std::string::npos) return;
  std::string early = head.substr(end_of_head + 4);  // bytes sent after the request (a ClientHello)
  char method[16] = {}, authority[512] = {};
  if (std::sscanf(head.c_str(), "%15s %511s", method, authority) != 2 || std::string(method) != "CONNECT") return;
  std::string host(authority);
  int port = 0;
  if (const auto colon = host.rfind(':'); colon != std::string::npos) {
    port = std::atoi(host.c_str() + colon + 1);
    host.resize(colon);
  }
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const auto* route = find_route(routes_, host, port);
  if (!route) return;
  Fd upstream(connect_to(*route));
  if (upstream.fd < 0) return;
  if (!early.empty() && !send_all(upstream.fd, early.data(), early.size())) return;
  // Relay both ways until either side closes or the proxy shuts down.
  for (;;) {
    std::array<pollfd, 4> fds{
        {{client.fd, POLLIN, 0}, {upstream.fd, POLLIN, 0}, {stop_fd_, POLLIN, 0}, {cut_fd, POLLIN, 0}}};
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[2].revents) return;
    if (fds[3].revents) {
      ::close(client.fd);
      client.fd = -1;
      blackhole(upstream.fd);
      return;
    }
    for (int side = 0; side < 2; ++side) {
      if (!fds[static_cast<std::size_t>(side)].revents) continue;
      const int from = side == 0 ? client.fd : upstream.fd;
      const int to = side == 0 ? upstream.fd : client.fd;
      const auto n = ::recv(from, buf.data(), buf.size(), 0);
      if (n <= 0 || !send_all(to, buf.data(), static_cast<std::size_t>(n))) return;
    }
  }
}

void ConnectProxy::blackhole(int upstream) {
  std::array<char, 4096> buf{};
  for (;;) {
    std::array<pollfd, 2> fds{{{upstream, POLLIN, 0}, {stop_fd_, POLLIN, 0}}};
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    if (::recv(upstream, buf.data(), buf.size(), 0) <= 0) return;  // what the hub sends is lost
  }
}

}  // namespace flexhil::flexy
