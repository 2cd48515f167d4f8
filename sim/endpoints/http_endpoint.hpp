#pragma once
// The run's local HTTP endpoint: what a host mapped to "http" in [dut.flexy.hosts] really is.
// Serves HTTP/1.1 on 127.0.0.1:<ephemeral> (one thread; one request per connection, answered with
// `Connection: close`), answers each request as [endpoints.http] says, writes every request body
// to <body_dir>/<n>.bin and reports each request as an `endpoint_request` event (docs/events.md:
// method, path, headers with Authorization redacted, body size and SHA-256, the answer). A
// malformed request is answered 4xx/5xx and reported with its `error`; it never stops the server.
//
//   endpoints::HttpEndpoint http({.config = cfg, .body_dir = out + "/http", .body_label = "http", .events = &capture});
//   http.start();            // throws InfrastructureError when it cannot listen
//   http.port();             // … http.stop() (also on destruction)
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/event.hpp"
#include "common/unique_fd.hpp"
#include "sim/endpoints/http_endpoint_config.hpp"
#include "sim/endpoints/tcp_listener.hpp"

namespace flexhil::endpoints {

struct HttpEndpointOptions {
  HttpEndpointConfig config;
  std::string body_dir;    // where request bodies are written (created on start)
  std::string body_label;  // how events name that folder ("http" → "body_file": "http/1.bin")
  EventSink* events = nullptr;
  double read_timeout_s = 5;  // a client that stops sending mid-request is dropped after this
};

class HttpEndpoint {
 public:
  explicit HttpEndpoint(HttpEndpointOptions options);
  ~HttpEndpoint();  // stop()
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  void start(const std::string& bind = "127.0.0.1", std::uint16_t port = 0);
  std::uint16_t port() const noexcept { return loop_.port(); }
  void stop();  // idempotent
  // Why the server thread ended on its own (an `endpoint_error` event was emitted then).
  std::optional<std::string> failure() const;
  std::uint64_t requests() const noexcept { return requests_.load(); }

 private:
  void handle(UniqueFd client, const std::string& peer);
  void emit(Json event);

  HttpEndpointOptions options_;
  AcceptLoop loop_;  // the listener and the server thread (tcp_listener.hpp)
  std::atomic<std::uint64_t> requests_{0};
};

}  // namespace flexhil::endpoints
