#include "fuzz/support/temp_file.hpp"

#include <cstdlib>
#include <unistd.h>

#include "common/error.hpp"

namespace flexhil::fuzz {

TempFile::TempFile(std::string_view contents) {
  const char* dir = std::getenv("TMPDIR");
  std::string name = std::string(dir && *dir ? dir : "/tmp") + "/flexhil-fuzz-XXXXXX";
  const int fd = ::mkstemp(name.data());
  if (fd < 0) throw InfrastructureError("cannot create a temporary file in " + name);
  path_ = name;
  std::size_t written = 0;
  while (written < contents.size()) {
    const auto n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n <= 0) {
      ::close(fd);
      ::unlink(path_.c_str());
      throw InfrastructureError("cannot write the temporary file " + path_);
    }
    written += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

TempFile::~TempFile() { ::unlink(path_.c_str()); }

}  // namespace flexhil::fuzz
