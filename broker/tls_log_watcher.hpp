#pragma once
// TLS handshakes that fail never reach the plugin (mosquitto drops them before CONNECT), so
// their reasons are read from mosquitto's log and turned into `tls_failure` events.
//
// Lines mosquitto 2.0.11 writes (log_type all, connection_messages true), recorded in
// tests/broker/it_connect_tls.cpp:
//   New connection from 127.0.0.1:49872 on port 8883.
//   OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed   (unknown/expired cert, wrong CA)
//   OpenSSL Error[0]: error:0A0000C7:SSL routines::peer did not return a certificate
//   OpenSSL Error[0]: error:0A000418:SSL routines::tlsv1 alert unknown ca     (device distrusts the hub)
//   OpenSSL Error[0]: error:0A00010B:SSL routines::wrong version number       (plain MQTT on a TLS port)
//   Client <unknown> disconnected: Protocol error.
//   Client connection from 127.0.0.1 failed: error:0A000102:SSL routines::unsupported protocol.  (TLS 1.0/1.1)
// With the TLS shim preloaded every client certificate passes the handshake (the plugin judges
// it at CONNECT), so what still fails here is the protocol version, the cipher suites, plain
// MQTT on the TLS port and a device that rejects the hub's certificate; the event's `detail`
// says what usually causes its reason.
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/event.hpp"

namespace flexhil::broker {

struct TlsFailure {
  std::string address;        // "127.0.0.1:49872", or just the IP when mosquitto gives no port
  std::uint16_t port = 0;     // the listener's port; 0 when the log line does not say
  std::string listener;       // name of that port ("mqtts", "websocket", "internal") or "unknown"
  std::string reason;         // OpenSSL's words, e.g. "certificate verify failed"
  std::string openssl_error;  // the full OpenSSL error string(s), "; "-separated
  std::string detail;         // what usually causes this reason, and what to check
};

// Pure, line by line: no files, no threads.
class TlsLogParser {
 public:
  explicit TlsLogParser(std::map<std::uint16_t, std::string> listener_names = {});
  // One log line without its newline; returns the failure it completes, if any.
  std::optional<TlsFailure> feed(std::string_view line);

 private:
  struct Pending {
    std::string address;
    std::uint16_t port = 0;
    std::vector<std::string> errors;
  };
  std::optional<TlsFailure> finish(Pending pending);
  std::string listener_name(std::uint16_t port) const;

  std::map<std::uint16_t, std::string> names_;
  std::vector<Pending> open_;  // accepted sockets that have not sent CONNECT yet, oldest first
  // Sockets mosquitto reported closed without an error, newest last (a few): its "Client
  // connection from HOST failed" line can come after the "closed" line of the same socket.
  std::vector<Pending> closed_;
  bool take_tls_socket(std::vector<Pending>& from, const std::string& host, Pending& into) const;
};

// The `tls_failure` event of docs/events.md for a failure.
Json to_event(const TlsFailure& failure);

// The message of a mosquitto log line without its timestamp prefix ("2026-…T…: " or "1700…: ").
std::string_view strip_log_timestamp(std::string_view line);

// Tails a growing mosquitto log file in a thread and emits a `tls_failure` event per failure,
// and the `publish` event of each QoS 2 PUBLISH mosquitto dropped itself (qos_log_line.hpp).
class TlsLogWatcher {
 public:
  TlsLogWatcher(std::string log_path, std::map<std::uint16_t, std::string> listener_names, EventSink& sink);
  ~TlsLogWatcher();
  TlsLogWatcher(const TlsLogWatcher&) = delete;
  TlsLogWatcher& operator=(const TlsLogWatcher&) = delete;
  // Processes everything written so far before returning (tests, orderly shutdown).
  void drain();

 private:
  void run();
  bool read_new_lines();  // true when something was read

  std::string path_;
  TlsLogParser parser_;
  EventSink& sink_;
  std::uint64_t offset_ = 0;
  std::string partial_;
  std::mutex read_mutex_;  // serialises run() and drain()
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace flexhil::broker
