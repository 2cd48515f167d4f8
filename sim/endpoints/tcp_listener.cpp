#include "sim/endpoints/tcp_listener.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <memory>

#include "common/error.hpp"

namespace flexhil::endpoints {

Listening listen_tcp(const std::string& bind, std::uint16_t port, std::string_view what) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
  addrinfo* res = nullptr;
  const auto service = std::to_string(port);
  if (const int rc = ::getaddrinfo(bind.c_str(), service.c_str(), &hints, &res); rc != 0)
    throw InfrastructureError(fmt::format("{} cannot listen on {}:{}: {}", what, bind, port, gai_strerror(rc)));
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(res, freeaddrinfo);
  Listening out;
  std::string error = "no address";
  for (auto* ai = res; ai && !out.fd; ai = ai->ai_next) {
    UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0));
    if (!fd) continue;
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd.get(), ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd.get(), 64) == 0) {
      out.fd = std::move(fd);
    } else {
      error = std::strerror(errno);
    }
  }
  if (!out.fd) throw InfrastructureError(fmt::format("{} cannot listen on {}:{}: {}", what, bind, port, error));
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(out.fd.get(), reinterpret_cast<sockaddr*>(&ss), &len);
  out.port = ntohs(ss.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&ss)->sin_port
                                           : reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return out;
}

std::string peer_text(const sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    return fmt::format("{}:{}", host, ntohs(in->sin_port));
  }
  const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
  ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
  return fmt::format("[{}]:{}", host, ntohs(in6->sin6_port));
}

void send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, 2000) <= 0) return;
      continue;
    }
    if (n <= 0) return;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

LineRead read_line(int fd, int wake_fd, std::string& buffer, std::string& line,
                   std::chrono::steady_clock::time_point deadline, std::size_t max_line) {
  for (;;) {
    if (const auto nl = buffer.find('\n'); nl != std::string::npos) {
      line.assign(buffer, 0, nl);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      buffer.erase(0, nl + 1);
      return line.size() > max_line ? LineRead::too_long : LineRead::line;
    }
    if (buffer.size() > max_line + 2) {
      // Drop what was read so far: the rest of the overlong line is discarded when it ends.
      line.clear();
      buffer.clear();
      return LineRead::too_long;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return LineRead::timeout;
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    const int n = ::poll(fds, 2, static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    if (fds[1].revents & POLLIN) return LineRead::woken;
    char chunk[4096];
    const auto got = ::recv(fd, chunk, sizeof chunk, 0);
    if (got < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (got <= 0) return LineRead::closed;
    buffer.append(chunk, static_cast<std::size_t>(got));
  }
}

void AcceptLoop::start(const std::string& bind, std::uint16_t port, std::string_view what, Client on_client,
                       Error on_error) {
  if (thread_.joinable()) return;
  auto listening = listen_tcp(bind, port, what);
  wake_ = UniqueFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake_) throw InfrastructureError(std::string(what) + " cannot create an eventfd: " + std::strerror(errno));
  listener_ = std::move(listening.fd);
  port_ = listening.port;
  on_client_ = std::move(on_client);
  on_error_ = std::move(on_error);
  thread_ = std::thread([this] { serve(); });
}

void AcceptLoop::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(wake_.get(), &one, sizeof one);
  thread_.join();
  listener_.reset();
}

std::optional<std::string> AcceptLoop::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

void AcceptLoop::serve() {
  while (!stopping_) {
    pollfd fds[2] = {{listener_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::string("poll failed: ") + std::strerror(errno);
      {
        std::lock_guard lock(mutex_);
        failure_ = why;
      }
      if (on_error_) on_error_(why);
      return;
    }
    if (stopping_ || (fds[1].revents & POLLIN)) return;
    if (!(fds[0].revents & POLLIN)) continue;
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    UniqueFd client(::accept4(listener_.get(), reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!client) continue;  // the client gave up before we took it (ECONNABORTED, …)
    on_client_(std::move(client), peer_text(ss));
  }
}

}  // namespace flexhil::endpoints
