#pragma once
// A file descriptor that closes itself (RAII for the socket edges that do not go through a
// library: the run's local endpoints, the emulated Flexy's HTTP client).
#include <sys/socket.h>
#include <unistd.h>

#include <utility>

namespace flexhil {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  // shutdown() first, so a peer (or a poll() on another thread) sees the end at once; on a
  // non-socket it fails with ENOTSOCK, harmlessly.
  void reset() noexcept {
    if (fd_ >= 0) {
      ::shutdown(fd_, SHUT_RDWR);
      ::close(fd_);
    }
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

}  // namespace flexhil
