#pragma once
// The plugin's audit stream: every event it judges, appended by the plugin itself to a file the
// hub launcher tails (no MQTT queue between the broker and the capture, so nothing is dropped
// when the harness reads slowly or reconnects). Each event gets `src` (this broker process's
// stream id) and `src_seq` (1, 2, 3, …) so the reader can prove the stream is complete; a write
// that fails still consumes its seq, so the loss shows as a gap. At destruction (plugin cleanup
// on a clean broker stop) an `audit_end` event declares the last seq.
//
// Lines are gathered and written together: the plugin flushes on every tick of mosquitto's loop
// (after the packets of that pass), and at 64 KiB. One write(2) per message cost the hub about
// half of plain mosquitto's message rate (bench/README.md, hub_overhead). What a broker killed
// with SIGKILL had not flushed yet is lost, which the reader sees as a stream without its
// audit_end — a hub failure (exit 3), never a verdict.
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

  // Adds src/src_seq and queues the event as one line (written at the next flush()).
  void write(Json event);
  // Same, for an event already written as JSON members without braces (`"kind":"publish",…`;
  // broker/publish_audit_line.hpp): the hot path of one event per message.
  void write_members(std::string_view members);
  // Writes the queued lines (one write(2) in the common case).
  void flush();
  const std::string& stream() const noexcept { return stream_; }
  std::uint64_t last_seq() const noexcept { return seq_; }
  std::uint64_t write_failures() const noexcept { return failures_; }
  int last_errno() const noexcept { return last_errno_; }

 private:
  int fd_ = -1;
  std::string stream_;
  std::string pending_;         // whole lines not written yet
  std::uint64_t seq_ = 0;
  std::uint64_t failures_ = 0;
  int last_errno_ = 0;
};

}  // namespace flexhil::broker::plugin
