#pragma once
// The run's local FTP sink: what a host mapped to "ftp" in [dut.flexy.hosts] really is. Serves
// FTP (ftp_session.hpp: passive mode only) on 127.0.0.1:<ephemeral>, one control connection at a
// time on one thread, its data connections on per-transfer passive listeners on 127.0.0.1. A
// STOR is written to <upload_dir>/<path> (normalised, never outside the folder); a RETR sends
// the file [endpoints.ftp] serves for the path. Each transfer is an `endpoint_request` event
// (endpoint "ftp": command, path, user, size and SHA-256, the stored file, the final reply
// `status`); a refused or malformed command is answered 4xx/5xx and reported with its `error`.
//
//   endpoints::FtpEndpoint ftp({.config = cfg, .upload_dir = out + "/ftp", .upload_label = "ftp", .events = &capture});
//   ftp.start();             // throws InfrastructureError when it cannot listen
//   ftp.port();              // … ftp.stop() (also on destruction)
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/event.hpp"
#include "common/unique_fd.hpp"
#include "sim/endpoints/ftp_endpoint_config.hpp"
#include "sim/endpoints/tcp_listener.hpp"

namespace flexhil::endpoints {

struct FtpEndpointOptions {
  FtpEndpointConfig config;
  std::string upload_dir;    // where STOR files go (created on start)
  std::string upload_label;  // how events name that folder ("ftp" → "file": "ftp/reports/a.csv")
  EventSink* events = nullptr;
  double idle_timeout_s = 10;  // a silent control connection, or a data connection that never comes
  std::size_t max_file = 64 * 1024 * 1024;
};

class FtpEndpoint {
 public:
  explicit FtpEndpoint(FtpEndpointOptions options);
  ~FtpEndpoint();  // stop()
  FtpEndpoint(const FtpEndpoint&) = delete;
  FtpEndpoint& operator=(const FtpEndpoint&) = delete;

  void start(const std::string& bind = "127.0.0.1", std::uint16_t port = 0);
  std::uint16_t port() const noexcept { return loop_.port(); }
  void stop();  // idempotent
  std::optional<std::string> failure() const;
  std::uint64_t transfers() const noexcept { return transfers_.load(); }

 private:
  void session(UniqueFd client, const std::string& peer);
  void emit(Json event);

  FtpEndpointOptions options_;
  AcceptLoop loop_;  // the listener and the server thread (tcp_listener.hpp)
  std::atomic<std::uint64_t> transfers_{0};
};

}  // namespace flexhil::endpoints
