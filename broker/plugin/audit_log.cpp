#include "broker/plugin/audit_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "common/clock.hpp"
#include "common/json_text.hpp"

namespace flexhil::broker::plugin {

AuditLog::AuditLog(const std::string& path, std::string stream, std::int64_t max_delay_ms)
    : stream_(std::move(stream)), max_delay_ns_(max_delay_ms * 1'000'000) {
  // O_APPEND: a restarted broker appends after the previous one's stream, and each write(2) of a
  // whole line lands atomically at the end, so a reader never sees two events interleaved.
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw std::runtime_error("cannot open the audit file " + path + ": " + std::strerror(errno));
  if (stream_.empty()) stream_ = "hub-" + std::to_string(::getpid()) + "-" + std::to_string(monotonic_ns());
}

AuditLog::~AuditLog() {
  if (fd_ < 0) return;
  Json end = make_event("audit_end");
  end["last_seq"] = seq_ + 1;  // this event itself
  end["write_failures"] = failures_;
  write(std::move(end));
  flush();
  ::close(fd_);
}

void AuditLog::write(Json event) {
  if (pending_.empty()) first_pending_ns_ = monotonic_ns();
  event["src"] = stream_;
  event["src_seq"] = ++seq_;
  pending_ += event.dump(-1, ' ', false, Json::error_handler_t::replace);
  pending_ += '\n';
  if (pending_.size() >= 64 * 1024) flush();
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
  if (pending_.size() >= 64 * 1024) flush();
}

void AuditLog::flush_if_due(std::int64_t now_ns) {
  if (!pending_.empty() && now_ns - first_pending_ns_ >= max_delay_ns_) flush();
}

void AuditLog::flush() {
  std::size_t done = 0;
  while (done < pending_.size()) {
    const ssize_t n = ::write(fd_, pending_.data() + done, pending_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // ENOSPC, EIO: the seqs of the lines not written are spent, so the reader reports the gap.
      last_errno_ = n < 0 ? errno : ENOSPC;
      const std::size_t lines_left = static_cast<std::size_t>(
          std::count(pending_.begin() + static_cast<std::ptrdiff_t>(done), pending_.end(), '\n'));
      failures_ += lines_left;
      // A partial line would swallow the next event too: end it, so only the lost ones are lost.
      if (done > 0 && pending_[done - 1] != '\n') [[maybe_unused]] auto ignored = ::write(fd_, "\n", 1);
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  pending_.clear();
  // Keep the buffer of a busy broker; give back what a flood grew.
  if (pending_.capacity() > 256 * 1024) pending_.shrink_to_fit();
}

}  // namespace flexhil::broker::plugin
