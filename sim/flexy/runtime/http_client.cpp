#include "sim/flexy/runtime/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fmt/format.h>

#include "common/unique_fd.hpp"

namespace flexhil::flexy {
namespace {

using Clock = std::chrono::steady_clock;

// Waits for `events` on fd; false on the deadline or a cancel (error says which).
bool wait_for(int fd, short events, int cancel_fd, Clock::time_point deadline, std::chrono::milliseconds timeout,
              std::string& error) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      error = fmt::format("no answer within {:.1f} s", static_cast<double>(timeout.count()) / 1000.0);
      return false;
    }
    pollfd fds[2] = {{fd, events, 0}, {cancel_fd, POLLIN, 0}};
    const int n = ::poll(fds, cancel_fd >= 0 ? 2 : 1, static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = std::string("poll failed: ") + std::strerror(errno);
      return false;
    }
    if (cancel_fd >= 0 && (fds[1].revents & POLLIN)) {
      error = "cancelled (the device stopped)";
      return false;
    }
    if (n > 0) return true;
  }
}

}  // namespace

HttpExchange http_exchange(const std::string& address, const http::Request& request, std::chrono::milliseconds timeout,
                           int cancel_fd) {
  HttpExchange out;
  const auto deadline = Clock::now() + timeout;
  const auto colon = address.rfind(':');
  int port = 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (colon == std::string::npos ||
      std::from_chars(address.data() + colon + 1, address.data() + address.size(), port).ec != std::errc() ||
      port < 1 || port > 65535 || ::inet_pton(AF_INET, address.substr(0, colon).c_str(), &addr.sin_addr) != 1) {
    out.error = fmt::format("'{}' is not an IPv4 address:port", address);
    return out;
  }
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) {
    out.error = std::string("socket failed: ") + std::strerror(errno);
    return out;
  }
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
    out.error = fmt::format("connect to {} failed: {}", address, std::strerror(errno));
    return out;
  }
  if (!wait_for(fd.get(), POLLOUT, cancel_fd, deadline, timeout, out.error)) return out;
  int so_error = 0;
  socklen_t len = sizeof so_error;
  ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &so_error, &len);
  if (so_error != 0) {
    out.error = fmt::format("connect to {} failed: {}", address, std::strerror(so_error));
    return out;
  }
  const std::string wire = http::serialize(request);
  std::string_view rest = wire;
  while (!rest.empty()) {
    const auto n = ::send(fd.get(), rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      if (!wait_for(fd.get(), POLLOUT, cancel_fd, deadline, timeout, out.error)) return out;
      continue;
    }
    if (n < 0) {
      out.error = fmt::format("sending to {} failed: {}", address, std::strerror(errno));
      return out;
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  std::string buffer;
  for (;;) {
    if (!wait_for(fd.get(), POLLIN, cancel_fd, deadline, timeout, out.error)) return out;
    char chunk[16384];
    const auto n = ::recv(fd.get(), chunk, sizeof chunk, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
    if (n < 0 && errno != ECONNRESET) {
      out.error = fmt::format("receiving from {} failed: {}", address, std::strerror(errno));
      return out;
    }
    const bool closed = n <= 0;
    if (!closed) buffer.append(chunk, static_cast<std::size_t>(n));
    auto parsed = http::parse_response(buffer, closed);
    if (parsed.state == http::ParseState::complete) {
      out.answered = true;
      out.response = std::move(parsed.response);
      return out;
    }
    if (parsed.state == http::ParseState::error) {
      out.error = "malformed response: " + parsed.error;
      return out;
    }
  }
}

}  // namespace flexhil::flexy
