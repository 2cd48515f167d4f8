#include "sim/flexy/runtime/http_client.hpp"

// Connecting, sending and waiting are line_dialog.hpp's (shared with the SMTP and FTP clients).

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "common/unique_fd.hpp"
#include "sim/flexy/runtime/line_dialog.hpp"

namespace flexhil::flexy {

HttpExchange http_exchange(const std::string& address, const http::Request& request, std::chrono::milliseconds timeout,
                           int cancel_fd) {
  HttpExchange out;
  const auto deadline = DialogDeadline::in(timeout);
  UniqueFd fd = connect_ipv4(address, cancel_fd, deadline, out.error);
  if (!fd) return out;
  const std::string wire = http::serialize(request);
  if (!send_bytes(fd.get(), wire, cancel_fd, deadline, out.error)) return out;
  std::string buffer;
  for (;;) {
    if (!wait_socket(fd.get(), POLLIN, cancel_fd, deadline, out.error)) return out;
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
