#include "broker/plugin/audit_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "common/clock.hpp"

namespace flexhil::broker::plugin {

AuditLog::AuditLog(const std::string& path, std::string stream) : stream_(std::move(stream)) {
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
  ::close(fd_);
}

void AuditLog::write(Json event) {
  event["src"] = stream_;
  event["src_seq"] = ++seq_;
  auto line = event.dump(-1, ' ', false, Json::error_handler_t::replace);
  line += '\n';
  ssize_t n;
  do {
    n = ::write(fd_, line.data(), line.size());
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(line.size())) {
    // ENOSPC, EIO, a short write: the seq is spent, so the reader reports the gap.
    ++failures_;
    last_errno_ = n < 0 ? errno : ENOSPC;
    // A partial line would swallow the next event too: end it, so only this one is lost.
    if (n > 0) [[maybe_unused]] auto ignored = ::write(fd_, "\n", 1);
  }
}

}  // namespace flexhil::broker::plugin
