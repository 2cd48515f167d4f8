#pragma once
// The socket edge the run's endpoints share: a listening TCP socket on bind:port (0 = the kernel
// picks), the peer's "ip:port" text, writing all of a reply, and reading one CRLF line with a
// deadline that a wake eventfd ends early. The line-based servers (SMTP, FTP) and the HTTP
// endpoint all use these so that each has one way to listen and one way to give up.
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
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

// The server thread every endpoint runs: listen, then accept and hand over one client at a time
// (a device's actions come one by one) until stop(). A poll failure ends the thread: failure()
// says why and `on_error` is told (the endpoint's endpoint_error event).
class AcceptLoop {
 public:
  using Client = std::function<void(UniqueFd client, const std::string& peer)>;
  using Error = std::function<void(const std::string& why)>;
  AcceptLoop() = default;
  ~AcceptLoop() { stop(); }
  AcceptLoop(const AcceptLoop&) = delete;
  AcceptLoop& operator=(const AcceptLoop&) = delete;

  // Throws InfrastructureError naming `what` when it cannot listen. A second start is ignored.
  void start(const std::string& bind, std::uint16_t port, std::string_view what, Client on_client, Error on_error);
  void stop();  // idempotent; wakes a session waiting in read_line() (wake_fd)
  bool running() const noexcept { return thread_.joinable(); }
  std::uint16_t port() const noexcept { return port_; }
  int wake_fd() const noexcept { return wake_.get(); }  // readable once stopping
  bool stopping() const noexcept { return stopping_.load(); }
  std::optional<std::string> failure() const;

 private:
  void serve();

  UniqueFd listener_;
  UniqueFd wake_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  Client on_client_;
  Error on_error_;
  mutable std::mutex mutex_;
  std::optional<std::string> failure_;
};

}  // namespace flexhil::endpoints
