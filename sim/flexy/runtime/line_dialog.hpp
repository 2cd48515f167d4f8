#pragma once
// The emulated Flexy's side of a line-based protocol dialog (SMTP, FTP control connection): a
// TCP connection to "ip:port" with one deadline for the whole dialog and a cancel eventfd that
// ends it early, commands sent as lines, replies read as RFC 5321/959 replies ("250-…" lines up
// to "250 …"). parse_server_reply() is pure (unit-tested); the rest blocks and runs on a worker
// thread (action_runner.hpp), never on the BASIC thread. http_client.cpp connects, sends and
// waits with the same functions.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/unique_fd.hpp"

namespace flexhil::flexy {

using DialogClock = std::chrono::steady_clock;

// One deadline for a whole exchange, and how long it was (for the error text).
struct DialogDeadline {
  DialogClock::time_point at;
  std::chrono::milliseconds total;
  static DialogDeadline in(std::chrono::milliseconds timeout) { return {DialogClock::now() + timeout, timeout}; }
};

// How a mail or FTP action ended: `ok`, or the `error` and the server's last `reply` ("" when
// the server never answered); `content` is what a RETR received.
struct DialogResult {
  bool ok = false;
  int code = 0;          // the last reply's code (0 = none)
  std::string reply;     // the last reply's text, lines joined by "\n"
  std::string error;
  std::string content;
};

struct ServerReply {
  int code = 0;
  std::string text;  // the lines' text after the code, joined by "\n"
};
enum class ReplyParse { incomplete, complete, malformed };
// One reply at the start of `buffer`: `consumed` bytes make it up when complete.
ReplyParse parse_server_reply(std::string_view buffer, ServerReply& out, std::size_t& consumed);

// Waits for `events` on fd; false on the deadline ("no answer within 10.0 s") or a cancel
// (`error` says which). `cancel_fd` may be -1.
bool wait_socket(int fd, short events, int cancel_fd, const DialogDeadline& deadline, std::string& error);
// A non-blocking TCP connection to "a.b.c.d:port" (IPv4 only: every route is a loopback
// address), or an empty fd and `error`.
UniqueFd connect_ipv4(const std::string& address, int cancel_fd, const DialogDeadline& deadline, std::string& error);
bool send_bytes(int fd, std::string_view data, int cancel_fd, const DialogDeadline& deadline, std::string& error);

class LineDialog {
 public:
  LineDialog(std::chrono::milliseconds timeout, int cancel_fd);
  bool connect(const std::string& address);
  bool send_line(std::string_view line);  // adds CR LF
  bool send_raw(std::string_view data);
  std::optional<ServerReply> read_reply();
  // send_line() then read_reply(), which must have the code `expect` (or `also`): else the
  // result's error says which step was refused and by what reply.
  bool step(std::string_view line, int expect, const char* what, int also = 0);
  bool expect_reply(int expect, const char* what, int also = 0);
  // The action succeeded with the last reply: the result keeps that reply, then QUIT is sent —
  // how the goodbye goes does not change the outcome.
  DialogResult succeed_and_quit();

  const DialogDeadline& deadline() const noexcept { return deadline_; }
  int cancel_fd() const noexcept { return cancel_fd_; }
  const std::string& address() const noexcept { return address_; }
  DialogResult& result() noexcept { return result_; }

 private:
  DialogDeadline deadline_;
  int cancel_fd_;
  std::string address_;
  UniqueFd fd_;
  std::string buffer_;
  DialogResult result_;
};

}  // namespace flexhil::flexy
