#include "broker/audit_tailer.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "common/error.hpp"

namespace flexhil::broker {

namespace {
// How long the reader waits after reaching the end of a file (a FIFO wakes it at once; then this
// is how often it looks whether it should stop). The broker appends far faster than this in a
// burst, and each read takes everything written meanwhile, so it bounds latency, not throughput.
constexpr auto kIdleWait = std::chrono::milliseconds(5);
// The pipe's capacity (Linux's default is 64 KiB; 1 MiB is fs.pipe-max-size's default, allowed
// without privilege): a flood's lines of several of the plugin's flushes fit while the reader
// writes the capture.
constexpr int kPipeBytes = 1 << 20;
}  // namespace

AuditTailer::AuditTailer(const std::string& path, Handler handler) : path_(path), handler_(std::move(handler)) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISFIFO(st.st_mode)) {
    // Non-blocking: opening does not wait for a writer, and a read of an empty pipe returns.
    fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd_ >= 0) fifo_writer_ = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd_ < 0 || fifo_writer_ < 0) {
      const int err = errno;
      if (fd_ >= 0) ::close(fd_);
      throw InfrastructureError("cannot open the hub's audit FIFO " + path + ": " + std::strerror(err));
    }
    ::fcntl(fd_, F_SETPIPE_SZ, kPipeBytes);  // best effort: a smaller pipe only means more wake-ups
  } else {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw InfrastructureError("cannot open the hub's audit file " + path + ": " + std::strerror(errno));
  }
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
  if (fifo_writer_ >= 0) ::close(fifo_writer_);
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
  if (fifo_writer_ >= 0) {
    int unread = 0;
    return ::ioctl(fd_, FIONREAD, &unread) == 0 && unread > 0 ? static_cast<std::uint64_t>(unread) : 0;
  }
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
    if (n <= 0) return;  // end of what the broker has written so far (EAGAIN: an empty FIFO)
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
  // SCHED_BATCH (same share of the CPU as any thread, nice 0): its wake-ups on every write of the
  // broker do not preempt the broker or the devices, which under a flood on two cores cost more
  // in switches than the few milliseconds its lines may wait (every event carries its own time).
  // Best effort: a failure leaves the normal policy.
  sched_param normal{};
  ::pthread_setschedparam(::pthread_self(), SCHED_BATCH, &normal);
  std::unique_lock wake(wake_mutex_);
  while (!stopping_) {
    wake.unlock();
    drain();
    if (fifo_writer_ >= 0) {
      pollfd p{fd_, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(kIdleWait.count()));  // EINTR or a timeout: look again
      wake.lock();
    } else {
      wake.lock();
      wake_.wait_for(wake, kIdleWait, [this] { return stopping_; });
    }
  }
}

}  // namespace flexhil::broker
