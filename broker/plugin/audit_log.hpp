#pragma once
// The plugin's audit stream: every event it judges, written by the plugin itself to a FIFO the
// hub launcher reads (or appended to a plain file; no MQTT queue between the broker and the
// capture, so nothing is dropped when the harness reads slowly or reconnects). Each event gets `src` (this broker process's
// stream id) and `src_seq` (1, 2, 3, …) so the reader can prove the stream is complete; a write
// that fails still consumes its seq, so the loss shows as a gap. At destruction (plugin cleanup
// on a clean broker stop) an `audit_end` event declares the last seq.
//
// Lines are gathered and written together: on a tick of mosquitto's loop once the oldest line has
// waited `max_delay_ms` (and at once at 64 KiB). One write(2) per message cost the hub about half
// of plain mosquitto's message rate (bench/README.md, hub_overhead); a write per pass of the loop
// was no better under a flood from one device, whose every pass carries one message. The delay
// bounds how late the harness sees an event, never its time: every event carries its own
// mono_ns. What a broker killed with SIGKILL had not flushed yet is lost, which the reader sees
// as a stream without its audit_end — a hub failure (exit 3), never a verdict.
//
// Why a FIFO (HubProcess's default): a growing file keeps asking the kernel for page-cache pages
// it has not used lately, and on a VM whose freed memory goes back to the host each such page
// costs a fault in the hypervisor (bench/README.md, hub_overhead: 10 % of the broker's time in a
// QoS 0 flood), while a pipe's few pages are reused. Writes to the FIFO never block the broker's
// loop: what the reader has not taken yet stays queued here and goes on a later tick; only a
// queue past `kMaxQueued` (a reader stuck for seconds under a flood) makes the loop wait for it.
// At the end (the destructor) the rest is written waiting, as the launcher keeps reading while
// the broker stops.
#include <cstdint>
#include <string>

#include "common/event.hpp"

namespace flexhil::broker::plugin {

class AuditLog {
 public:
  // Opens `path`: a FIFO (its reader must have it open: ENXIO otherwise) or a file appended to
  // (created if absent). Throws std::runtime_error when it cannot.
  // An empty `stream` becomes "hub-<pid>-<CLOCK_MONOTONIC ns>", unique per broker start.
  // `max_delay_ms` 0: every flush_if_due() writes.
  AuditLog(const std::string& path, std::string stream, std::int64_t max_delay_ms = 0);
  ~AuditLog();  // writes audit_end and closes
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Adds src/src_seq and queues the event as one line (written at the next flush()).
  void write(Json event);
  // Same, for an event written as JSON members without braces (`"kind":"publish",…`;
  // broker/publish_audit_line.hpp) by `append(std::string& line)` straight into the queue: the
  // hot path of one event per message.
  template <typename Append>
  void write_members(Append&& append) {
    begin_line();
    append(pending_);
    end_line();
  }
  // Writes the queued lines (one write(2) in the common case); to a full FIFO, what fits.
  void flush();
  // flush() when the oldest queued line was queued `max_delay_ms` or more before `now_ns`
  // (CLOCK_MONOTONIC); the plugin calls it on every tick.
  void flush_if_due(std::int64_t now_ns);
  const std::string& stream() const noexcept { return stream_; }
  std::uint64_t last_seq() const noexcept { return seq_; }
  std::uint64_t write_failures() const noexcept { return failures_; }
  int last_errno() const noexcept { return last_errno_; }

 private:
  void begin_line();
  void end_line();  // src/src_seq and the newline, then queued()
  void queued();    // after a line: a full batch written, a queue past kMaxQueued drained
  // Writes the whole queue, waiting for the FIFO up to `timeout_ms` each time it is full; what is
  // left then is lost (counted).
  void flush_waiting(int timeout_ms);
  // Waits (poll) until the FIFO takes more, at most `timeout_ms`; false when it did not.
  bool wait_writable(int timeout_ms);
  void lose_pending(int err);  // the queued lines are lost: counted, so the reader sees the gap
  int fd_ = -1;
  bool fifo_ = false;
  bool fifo_full_ = false;      // the last write found the FIFO full: wait for the next tick
  std::string stream_;
  std::string pending_;         // lines not written yet, from sent_ on
  std::size_t sent_ = 0;        // the FIFO took a part of pending_ only: its written prefix
  std::int64_t max_delay_ns_ = 0;
  std::int64_t first_pending_ns_ = 0;  // when pending_ last went from empty to not empty
  std::uint64_t seq_ = 0;
  std::uint64_t failures_ = 0;
  int last_errno_ = 0;
};

}  // namespace flexhil::broker::plugin
