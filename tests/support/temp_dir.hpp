#pragma once
// A per-test temporary directory, removed with everything in it when the test ends (also when
// it fails), unless FLEXHIL_KEEP_TEST_DIRS=1 is set for post-mortems.
#include <filesystem>
#include <string>

namespace flexhil::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "flexhil-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // Writes `content` to `name` inside the directory and returns its full path.
  std::string write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

}  // namespace flexhil::testing
