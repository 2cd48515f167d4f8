#include "common/fd_range.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <unistd.h>

namespace flexhil {

long raise_open_file_limit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return -1;
  if (r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &r) != 0) (void)::getrlimit(RLIMIT_NOFILE, &r);
  }
  return static_cast<long>(r.rlim_cur);
}

int above_select_range(int fd) {
  if (fd < 0 || fd >= FD_SETSIZE) return fd;
  const int high = ::fcntl(fd, F_DUPFD_CLOEXEC, FD_SETSIZE);
  if (high < 0) return fd;
  ::close(fd);
  return high;
}

int into_select_range(int fd) {
  if (fd < FD_SETSIZE) return fd;
  const int low = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);  // the lowest free number
  ::close(fd);
  if (low >= 0 && low < FD_SETSIZE) return low;
  if (low >= 0) ::close(low);
  return -1;
}

SelectRangeReserve::SelectRangeReserve() {
  // Holding the low numbers only makes sense when there is room above them for everything else.
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur < 4 * FD_SETSIZE) return;
  source_ = above_select_range(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (source_ < 0) return;
  for (;;) {
    const int fd = ::fcntl(source_, F_DUPFD_CLOEXEC, 0);  // the lowest free number
    if (fd < 0) break;
    if (fd >= FD_SETSIZE) {
      ::close(fd);
      break;
    }
    free_.push_back(fd);
  }
}

SelectRangeReserve::~SelectRangeReserve() {
  for (const int fd : free_) ::close(fd);
  if (source_ >= 0) ::close(source_);
}

int SelectRangeReserve::adopt(int fd) {
  if (fd < 0) return -1;
  if (source_ < 0) return into_select_range(fd);  // no reserve (a low open-file limit)
  int low = -1;
  {
    const std::lock_guard lock(mutex_);
    if (!free_.empty()) {
      low = free_.back();
      free_.pop_back();
    }
  }
  if (low < 0 || ::dup3(fd, low, O_CLOEXEC) < 0) {
    ::close(fd);
    if (low >= 0) give_back(low);
    return -1;
  }
  ::close(fd);
  return low;
}

void SelectRangeReserve::give_back(int low) {
  if (low < 0 || low >= FD_SETSIZE || source_ < 0) return;
  if (::dup3(source_, low, O_CLOEXEC) < 0) return;  // the socket at `low` closed, the placeholder back
  const std::lock_guard lock(mutex_);
  free_.push_back(low);
}

std::size_t SelectRangeReserve::available() const {
  const std::lock_guard lock(mutex_);
  return free_.size();
}

}  // namespace flexhil
