#pragma once
// The plugin's audit stream: every event it judges, appended by the plugin itself to a file the
// hub launcher tails (no MQTT queue between the broker and the capture, so nothing is dropped
// when the harness reads slowly or reconnects). Each event gets `src` (this broker process's
// stream id) and `src_seq` (1, 2, 3, …) so the reader can prove the stream is complete; a write
// that fails still consumes its seq, so the loss shows as a gap. At destruction (plugin cleanup
// on a clean broker stop) an `audit_end` event declares the last seq.
#include <cstdint>
#include <string>

#include "common/event.hpp"

namespace flexhil::broker::plugin {

class AuditLog {
 public:
  // Opens `path` for appending (created if absent); throws std::runtime_error when it cannot.
  // An empty `stream` becomes "hub-<pid>-<CLOCK_MONOTONIC ns>", unique per broker start.
  AuditLog(const std::string& path, std::string stream);
  ~AuditLog();  // writes audit_end and closes
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Adds src/src_seq and appends the event as one line with a single write(2).
  void write(Json event);
  const std::string& stream() const noexcept { return stream_; }
  std::uint64_t last_seq() const noexcept { return seq_; }
  std::uint64_t write_failures() const noexcept { return failures_; }
  int last_errno() const noexcept { return last_errno_; }

 private:
  int fd_ = -1;
  std::string stream_;
  std::uint64_t seq_ = 0;
  std::uint64_t failures_ = 0;
  int last_errno_ = 0;
};

}  // namespace flexhil::broker::plugin
