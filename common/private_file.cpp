#include "common/private_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "common/error.hpp"

namespace flexhil {

void write_new_file(const std::string& path, const std::string& content, mode_t mode) {
  // filesystem_error carries errno: the barrier tells a bad path (ENAMETOOLONG, ENOTDIR,
  // EACCES: exit 2) from a failing machine (ENOSPC, EIO: exit 3).
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    throw std::filesystem::filesystem_error("cannot replace the file", path, std::error_code(errno, std::generic_category()));
  // O_EXCL: if someone recreates the file between unlink and open, we fail instead of writing
  // a secret into a file whose mode we did not choose.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0)
    throw std::filesystem::filesystem_error("cannot create the file", path, std::error_code(errno, std::generic_category()));
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      throw InfrastructureError("cannot write " + path + ": " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) throw InfrastructureError("cannot write " + path + ": " + std::strerror(errno));
}

}  // namespace flexhil
