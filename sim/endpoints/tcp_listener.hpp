#pragma once
// The socket edge the run's endpoints share: a listening TCP socket on bind:port (0 = the kernel
// picks), the peer's "ip:port" text, writing all of a reply, and reading one CRLF line with a
// deadline that a wake eventfd ends early. The line-based servers (SMTP, FTP) and the HTTP
// endpoint all use these so that each has one way to listen and one way to give up.
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/unique_fd.hpp"

namespace flexhil::endpoints {

struct Listening {
  UniqueFd fd;
  std::uint16_t port = 0;
};
// Throws InfrastructureError naming `what` ("the SMTP endpoint") when it cannot listen.
Listening listen_tcp(const std::string& bind, std::uint16_t port, std::string_view what);

std::string peer_text(const sockaddr_storage& ss);

// Writes all of `data` (the peer going away ends it quietly: nothing is left to tell it).
void send_all(int fd, std::string_view data);

enum class LineRead { line, closed, timeout, woken, too_long };
// Reads up to the next "\n" from `fd` (non-blocking) into `line` (without CR LF), keeping what
// follows in `buffer` for the next call. `wake_fd` readable = the server is stopping.
LineRead read_line(int fd, int wake_fd, std::string& buffer, std::string& line,
                   std::chrono::steady_clock::time_point deadline, std::size_t max_line);

}  // namespace flexhil::endpoints
