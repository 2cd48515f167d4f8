#pragma once
// The run's local SMTP sink: what a host mapped to "smtp" in [dut.flexy.hosts] really is.
// Serves SMTP (smtp_session.hpp) on 127.0.0.1:<ephemeral>, one session at a time on one thread;
// each message that reaches its final dot is written to <mail_dir>/<n>.eml and reported as an
// `endpoint_request` event (endpoint "smtp": helo, from, to, subject, size and SHA-256, auth
// mechanism and user with the password redacted, the reply `status`). A refused or malformed
// command is answered 5xx and reported with its `error`; the session goes on.
//
//   endpoints::SmtpEndpoint smtp({.config = cfg, .mail_dir = out + "/smtp", .mail_label = "smtp", .events = &capture});
//   smtp.start();            // throws InfrastructureError when it cannot listen
//   smtp.port();             // … smtp.stop() (also on destruction)
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/event.hpp"
#include "common/unique_fd.hpp"
#include "sim/endpoints/smtp_endpoint_config.hpp"
#include "sim/endpoints/tcp_listener.hpp"

namespace flexhil::endpoints {

struct SmtpEndpointOptions {
  SmtpEndpointConfig config;
  std::string mail_dir;    // where messages are written (created on start)
  std::string mail_label;  // how events name that folder ("smtp" → "message_file": "smtp/1.eml")
  EventSink* events = nullptr;
  double idle_timeout_s = 10;  // a client silent this long is dropped (421)
};

class SmtpEndpoint {
 public:
  explicit SmtpEndpoint(SmtpEndpointOptions options);
  ~SmtpEndpoint();  // stop()
  SmtpEndpoint(const SmtpEndpoint&) = delete;
  SmtpEndpoint& operator=(const SmtpEndpoint&) = delete;

  void start(const std::string& bind = "127.0.0.1", std::uint16_t port = 0);
  std::uint16_t port() const noexcept { return loop_.port(); }
  void stop();  // idempotent
  std::optional<std::string> failure() const;  // why the server thread ended on its own
  std::uint64_t messages() const noexcept { return messages_.load(); }

 private:
  void session(UniqueFd client, const std::string& peer);
  void emit(Json event);

  SmtpEndpointOptions options_;
  AcceptLoop loop_;  // the listener and the server thread (tcp_listener.hpp)
  std::atomic<std::uint64_t> messages_{0};
};

}  // namespace flexhil::endpoints
