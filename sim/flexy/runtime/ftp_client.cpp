#include "sim/flexy/runtime/ftp_client.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fmt/format.h>

namespace flexhil::flexy {

std::optional<std::uint16_t> parse_pasv_port(const std::string& reply_text) {
  const auto open = reply_text.find('(');
  const auto close = reply_text.find(')', open == std::string::npos ? 0 : open);
  if (open == std::string::npos || close == std::string::npos) return std::nullopt;
  std::array<int, 6> n{};
  const char* p = reply_text.data() + open + 1;
  const char* end = reply_text.data() + close;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const auto [next, ec] = std::from_chars(p, end, n[i]);
    if (ec != std::errc() || n[i] < 0 || n[i] > 255) return std::nullopt;
    p = next;
    if (i + 1 < n.size()) {
      if (p == end || *p != ',') return std::nullopt;
      ++p;
    }
  }
  if (p != end) return std::nullopt;
  const int port = n[4] * 256 + n[5];
  if (port == 0) return std::nullopt;
  return static_cast<std::uint16_t>(port);
}

DialogResult ftp_transfer(const std::string& address, const FtpJob& job, std::chrono::milliseconds timeout,
                          int cancel_fd) {
  LineDialog d(timeout, cancel_fd);
  auto& r = d.result();
  if (!d.connect(address)) return r;
  if (!d.expect_reply(220, "greeting")) return r;
  // 230 at once: a server that needs no password.
  if (!d.step("USER " + job.user, 331, "USER", 230)) return r;
  if (r.code == 331 && !d.step("PASS " + job.password, 230, "PASS", 202)) return r;
  if (!d.step("TYPE I", 200, "TYPE")) return r;
  if (!job.dir.empty() && !d.step("CWD " + job.dir, 250, "CWD")) return r;
  if (!d.step("PASV", 227, "PASV")) return r;
  const auto port = parse_pasv_port(r.reply);
  if (!port) {
    r.error = "PASV: no data port in the reply: " + r.reply;
    return r;
  }
  const auto host = address.substr(0, address.rfind(':'));
  UniqueFd data = connect_ipv4(fmt::format("{}:{}", host, *port), d.cancel_fd(), d.deadline(), r.error);
  if (!data) {
    r.error = "data connection: " + r.error;
    return r;
  }
  const char* verb = job.upload ? "STOR" : "RETR";
  if (!d.step(std::string(verb) + " " + job.server_file, 150, verb, 125)) return r;
  if (job.upload) {
    if (!send_bytes(data.get(), job.content, d.cancel_fd(), d.deadline(), r.error)) {
      r.error = "upload: " + r.error;
      return r;
    }
    data.reset();  // the end of the file is the end of the data connection
  } else {
    for (;;) {
      if (!wait_socket(data.get(), POLLIN, d.cancel_fd(), d.deadline(), r.error)) {
        r.error = "download: " + r.error;
        return r;
      }
      char chunk[16384];
      const auto n = ::recv(data.get(), chunk, sizeof chunk, 0);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
      if (n < 0) {
        r.error = std::string("download: ") + std::strerror(errno);
        return r;
      }
      if (n == 0) break;
      r.content.append(chunk, static_cast<std::size_t>(n));
    }
    data.reset();
  }
  if (!d.expect_reply(226, "transfer", 250)) return r;
  return d.succeed_and_quit();
}

}  // namespace flexhil::flexy
