#include "broker/audit_tailer.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "common/error.hpp"

namespace flexhil::broker {

namespace {
// How long the reader waits after reaching the end of the file. The broker appends far faster
// than this in a burst, and each read takes everything written meanwhile, so it bounds latency,
// not throughput.
constexpr auto kIdleWait = std::chrono::milliseconds(5);
}  // namespace

AuditTailer::AuditTailer(const std::string& path, Handler handler) : path_(path), handler_(std::move(handler)) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw InfrastructureError("cannot open the hub's audit file " + path + ": " + std::strerror(errno));
  thread_ = std::thread([this] { loop(); });
}

AuditTailer::~AuditTailer() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  drain();
  ::close(fd_);
}

void AuditTailer::drain() {
  std::lock_guard lock(read_mutex_);
  read_available();
}

std::uint64_t AuditTailer::lines() const {
  std::lock_guard lock(read_mutex_);
  return lines_;
}

std::uint64_t AuditTailer::backlog() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || st.st_size < 0) return 0;
  const auto size = static_cast<std::uint64_t>(st.st_size);
  const auto done = consumed_.load();
  return size > done ? size - done : 0;
}

void AuditTailer::read_available() {
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // end of what the broker has written so far
    partial_.append(buf, static_cast<std::size_t>(n));
    consumed_ += static_cast<std::uint64_t>(n);
    std::size_t start = 0;
    batch_.clear();
    for (std::size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1)
      if (nl > start) batch_.push_back(std::string_view(partial_).substr(start, nl - start));
    lines_ += batch_.size();
    if (!batch_.empty()) handler_(batch_);
    partial_.erase(0, start);
  }
}

void AuditTailer::loop() {
  // Named, so top -H and perf tell the harness's reader from the broker and the devices.
  ::pthread_setname_np(::pthread_self(), "audit-tailer");
  std::unique_lock wake(wake_mutex_);
  while (!stopping_) {
    wake.unlock();
    drain();
    wake.lock();
    wake_.wait_for(wake, kIdleWait, [this] { return stopping_; });
  }
}

}  // namespace flexhil::broker
