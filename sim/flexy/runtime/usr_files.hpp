#pragma once
// The files a BASIC program opens (OPEN … AS n, 1..8): real files in the folder that stands for
// the Flexy's /usr (FlexyConfig::usr_dir), or an export block rendered once at OPEN and read
// like a file. A program path never leaves /usr: "file:/sys/…", a ".." component or a symbolic
// link out of the folder is refused (LSTERR 41). Runs on the BASIC thread only.
#include <array>
#include <cstddef>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sim/flexy/basic/host.hpp"

namespace flexhil::flexy {

// The host path of a program's file spec ("file:/usr/x.txt", "/usr/x.txt", "/x.txt", "x.txt" —
// all in /usr), or an error message for a path outside /usr.
struct UsrPath {
  std::string path;   // on the host, under usr_dir
  std::string error;  // non-empty: refused
};
UsrPath resolve_usr_path(const std::string& usr_dir, std::string_view spec);

class UsrFiles {
 public:
  explicit UsrFiles(std::string usr_dir) : usr_dir_(std::move(usr_dir)) {}

  basic::HostResult open(int number, std::string_view spec, basic::Host::FileMode mode);
  // An export's contents served as a read-only file.
  basic::HostResult open_text(int number, std::string text);
  basic::HostResult write(int number, std::string_view bytes);
  basic::HostResult read(int number, std::size_t max_bytes);
  void close(int number);
  void close_all();
  basic::HostResult erase(std::string_view spec);

 private:
  struct Open {
    std::unique_ptr<std::fstream> stream;  // a /usr file
    std::string text;                      // an export
    std::size_t pos = 0;
  };
  Open* find(int number);
  std::string usr_dir_;
  std::array<std::optional<Open>, 8> files_{};
};

}  // namespace flexhil::flexy
