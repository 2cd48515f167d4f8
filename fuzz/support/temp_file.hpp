#pragma once
// A file in $TMPDIR (or /tmp) holding the fuzzer's bytes, for code that only reads files
// (read_capture). Removed when it goes out of scope.
#include <string>
#include <string_view>

namespace flexhil::fuzz {

class TempFile {
 public:
  explicit TempFile(std::string_view contents);  // throws InfrastructureError
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
};

}  // namespace flexhil::fuzz
