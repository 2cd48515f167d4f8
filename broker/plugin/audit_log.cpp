#include "broker/plugin/audit_log.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "common/clock.hpp"
#include "common/json_text.hpp"

namespace flexhil::broker::plugin {

namespace {
// A queue this long is written at once (one write(2) of many lines, not a write per line).
constexpr std::size_t kBatchBytes = 64 * 1024;
// A reader this far behind (about 150,000 publish lines, a second of the fastest flood) makes the
// broker wait for it rather than grow without bound.
constexpr std::size_t kMaxQueued = std::size_t{64} << 20;
// How long the broker waits for a FIFO reader that takes nothing, before counting the queued lines
// lost (the launcher reads while the broker runs and while it stops; a reader this slow is gone).
constexpr int kStuckReaderMs = 10'000;
}  // namespace

AuditLog::AuditLog(const std::string& path, std::string stream, std::int64_t max_delay_ms)
    : stream_(std::move(stream)), max_delay_ns_(max_delay_ms * 1'000'000) {
  struct stat st {};
  fifo_ = ::stat(path.c_str(), &st) == 0 && S_ISFIFO(st.st_mode);
  if (fifo_) {
    // Non-blocking: a full pipe must never stall mosquitto's loop (the rest waits in pending_).
    fd_ = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd_ < 0 && errno == ENXIO)
      throw std::runtime_error("the audit FIFO " + path + " has no reader (the hub launcher opens it before mosquitto)");
    if (fd_ < 0) throw std::runtime_error("cannot open the audit FIFO " + path + ": " + std::strerror(errno));
  } else {
    // O_APPEND: a restarted broker appends after the previous one's stream, and each write(2) of
    // whole lines lands at the end, so a reader never sees two events interleaved.
    fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw std::runtime_error("cannot open the audit file " + path + ": " + std::strerror(errno));
  }
  if (stream_.empty()) stream_ = "hub-" + std::to_string(::getpid()) + "-" + std::to_string(monotonic_ns());
}

AuditLog::~AuditLog() {
  if (fd_ < 0) return;
  Json end = make_event("audit_end");
  end["last_seq"] = seq_ + 1;  // this event itself
  end["write_failures"] = failures_;
  write(std::move(end));
  flush_waiting(kStuckReaderMs);
  ::close(fd_);
}

void AuditLog::write(Json event) {
  if (pending_.empty()) first_pending_ns_ = monotonic_ns();
  event["src"] = stream_;
  event["src_seq"] = ++seq_;
  pending_ += event.dump(-1, ' ', false, Json::error_handler_t::replace);
  pending_ += '\n';
  queued();
}

void AuditLog::begin_line() {
  if (pending_.empty()) first_pending_ns_ = monotonic_ns();
  pending_ += '{';
}

void AuditLog::end_line() {
  pending_ += ",\"src\":";
  append_json_string(pending_, stream_);
  pending_ += ",\"src_seq\":";
  pending_ += std::to_string(++seq_);
  pending_ += "}\n";
  queued();
}

void AuditLog::queued() {
  const std::size_t waiting = pending_.size() - sent_;
  if (waiting >= kMaxQueued)
    flush_waiting(kStuckReaderMs);
  else if (waiting >= kBatchBytes && !fifo_full_)  // a full FIFO is tried again on the next tick
    flush();
}

void AuditLog::flush_if_due(std::int64_t now_ns) {
  fifo_full_ = false;
  if (!pending_.empty() && now_ns - first_pending_ns_ >= max_delay_ns_) flush();
}

void AuditLog::flush() {
  std::size_t done = sent_;
  int err = 0;
  while (done < pending_.size()) {
    const ssize_t n = ::write(fd_, pending_.data() + done, pending_.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && fifo_ && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      fifo_full_ = true;
      break;
    }
    err = n < 0 ? errno : ENOSPC;
    break;
  }
  if (err != 0) {
    // ENOSPC, EIO, EPIPE: the seqs of the lines not written are spent, so the reader reports the
    // gap. A partial line would swallow the next event too: end it, so only the lost ones are lost.
    const bool torn = done > 0 && pending_[done - 1] != '\n';
    sent_ = done;
    lose_pending(err);
    if (torn) [[maybe_unused]] auto ignored = ::write(fd_, "\n", 1);
    return;
  }
  sent_ = done;
  if (sent_ == pending_.size()) {
    pending_.clear();
    sent_ = 0;
    // Keep the buffer of a busy broker; give back what a flood grew.
    if (pending_.capacity() > 256 * 1024) pending_.shrink_to_fit();
  } else if (sent_ >= pending_.size() / 2) {
    pending_.erase(0, sent_);  // amortised: the part kept is at most what was just written
    sent_ = 0;
  }
}

void AuditLog::flush_waiting(int timeout_ms) {
  flush();
  while (!pending_.empty() && fifo_ && wait_writable(timeout_ms)) flush();
  if (!pending_.empty()) lose_pending(ETIMEDOUT);
  fifo_full_ = false;
}

bool AuditLog::wait_writable(int timeout_ms) {
  pollfd p{fd_, POLLOUT, 0};
  for (;;) {
    const int r = ::poll(&p, 1, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    return r > 0;  // POLLOUT, or POLLERR (no reader): the next write says which
  }
}

void AuditLog::lose_pending(int err) {
  last_errno_ = err;
  failures_ += static_cast<std::uint64_t>(
      std::count(pending_.begin() + static_cast<std::ptrdiff_t>(sent_), pending_.end(), '\n'));
  pending_.clear();
  sent_ = 0;
}

}  // namespace flexhil::broker::plugin
