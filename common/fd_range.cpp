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

}  // namespace flexhil
