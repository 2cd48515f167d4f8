#include "sim/flexy/runtime/line_dialog.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fmt/format.h>

namespace flexhil::flexy {

ReplyParse parse_server_reply(std::string_view buffer, ServerReply& out, std::size_t& consumed) {
  out = ServerReply{};
  std::size_t pos = 0;
  bool first = true;
  for (;;) {
    const auto nl = buffer.find('\n', pos);
    if (nl == std::string_view::npos) return buffer.size() - pos > 4096 ? ReplyParse::malformed : ReplyParse::incomplete;
    auto line = buffer.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl + 1;
    int code = 0;
    const bool coded = line.size() >= 3 && std::from_chars(line.data(), line.data() + 3, code).ptr == line.data() + 3 &&
                       code >= 100 && code <= 599 && (line.size() == 3 || line[3] == ' ' || line[3] == '-');
    if (first) {
      if (!coded) return ReplyParse::malformed;
      out.code = code;
      first = false;
    } else if (coded && code != out.code && line.size() > 3 && line[3] == ' ') {
      return ReplyParse::malformed;  // a last line must repeat the first line's code
    }
    const bool text_only = !coded || code != out.code;  // RFC 959: inner lines may be any text
    const auto text = text_only ? line : line.substr(std::min<std::size_t>(4, line.size()));
    if (!out.text.empty()) out.text += "\n";
    out.text.append(text);
    if (!text_only && (line.size() == 3 || line[3] == ' ')) {
      consumed = pos;
      return ReplyParse::complete;
    }
  }
}

bool wait_socket(int fd, short events, int cancel_fd, const DialogDeadline& deadline, std::string& error) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline.at - DialogClock::now()).count();
    if (left <= 0) {
      error = fmt::format("no answer within {:.1f} s", static_cast<double>(deadline.total.count()) / 1000.0);
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

UniqueFd connect_ipv4(const std::string& address, int cancel_fd, const DialogDeadline& deadline, std::string& error) {
  const auto colon = address.rfind(':');
  int port = 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (colon == std::string::npos ||
      std::from_chars(address.data() + colon + 1, address.data() + address.size(), port).ec != std::errc() ||
      port < 1 || port > 65535 || ::inet_pton(AF_INET, address.substr(0, colon).c_str(), &addr.sin_addr) != 1) {
    error = fmt::format("'{}' is not an IPv4 address:port", address);
    return UniqueFd();
  }
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) {
    error = std::string("socket failed: ") + std::strerror(errno);
    return UniqueFd();
  }
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
    error = fmt::format("connect to {} failed: {}", address, std::strerror(errno));
    return UniqueFd();
  }
  if (!wait_socket(fd.get(), POLLOUT, cancel_fd, deadline, error)) return UniqueFd();
  int so_error = 0;
  socklen_t len = sizeof so_error;
  ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &so_error, &len);
  if (so_error != 0) {
    error = fmt::format("connect to {} failed: {}", address, std::strerror(so_error));
    return UniqueFd();
  }
  return fd;
}

bool send_bytes(int fd, std::string_view data, int cancel_fd, const DialogDeadline& deadline, std::string& error) {
  while (!data.empty()) {
    const auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      if (!wait_socket(fd, POLLOUT, cancel_fd, deadline, error)) return false;
      continue;
    }
    if (n < 0) {
      error = std::string("sending failed: ") + std::strerror(errno);
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

LineDialog::LineDialog(std::chrono::milliseconds timeout, int cancel_fd)
    : deadline_(DialogDeadline::in(timeout)), cancel_fd_(cancel_fd) {}

bool LineDialog::connect(const std::string& address) {
  address_ = address;
  fd_ = connect_ipv4(address, cancel_fd_, deadline_, result_.error);
  return static_cast<bool>(fd_);
}

bool LineDialog::send_raw(std::string_view data) { return send_bytes(fd_.get(), data, cancel_fd_, deadline_, result_.error); }

bool LineDialog::send_line(std::string_view line) { return send_raw(std::string(line) + "\r\n"); }

std::optional<ServerReply> LineDialog::read_reply() {
  for (;;) {
    ServerReply r;
    std::size_t consumed = 0;
    const auto state = parse_server_reply(buffer_, r, consumed);
    if (state == ReplyParse::complete) {
      buffer_.erase(0, consumed);
      result_.code = r.code;
      result_.reply = r.text;
      return r;
    }
    if (state == ReplyParse::malformed) {
      result_.error = "malformed reply from " + address_;
      return std::nullopt;
    }
    if (!wait_socket(fd_.get(), POLLIN, cancel_fd_, deadline_, result_.error)) return std::nullopt;
    char chunk[4096];
    const auto n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
    if (n <= 0) {
      result_.error = "the server closed the connection";
      return std::nullopt;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

bool LineDialog::expect_reply(int expect, const char* what, int also) {
  const auto r = read_reply();
  if (!r) {
    result_.error = fmt::format("{}: {}", what, result_.error);
    return false;
  }
  if (r->code == expect || (also && r->code == also)) return true;
  result_.error = fmt::format("{} refused: {} {}", what, r->code, r->text);
  return false;
}

bool LineDialog::step(std::string_view line, int expect, const char* what, int also) {
  if (!send_line(line)) {
    result_.error = fmt::format("{}: {}", what, result_.error);
    return false;
  }
  return expect_reply(expect, what, also);
}

DialogResult LineDialog::succeed_and_quit() {
  DialogResult done;
  done.ok = true;
  done.code = result_.code;
  done.reply = result_.reply;
  done.content = std::move(result_.content);
  step("QUIT", 221, "QUIT");
  return done;
}

}  // namespace flexhil::flexy
