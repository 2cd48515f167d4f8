#pragma once
// The program's file numbers 1..8 (OPEN … AS n) and the framing BASIC puts on their bytes: text
// files are read and written as `;`-separated fields with quoted strings and CRLF line ends,
// binary files as raw bytes. Pure: the bytes come from and go to the Host (host.hpp); a
// problem is a RuntimeError carrying LSTERR 40/41/42 (errors.hpp).
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/flexy/basic/host.hpp"

namespace flexhil::basic {

struct NumberFormat;

// The path inside /usr a program's file spec names ("file:/usr/x.txt", "/usr/x.txt", "/x.txt" and
// "x.txt" all name "x.txt"), or why it is refused (`error`): "file:" with a folder other than
// /usr, a ".." component, no file name. Lexical only: the host also refuses links out of /usr.
struct UsrRelativePath {
  std::string path;
  std::string error;
};
UsrRelativePath usr_relative_path(std::string_view spec);

class FileTable {
 public:
  static constexpr int kMaxFiles = 8;  // RG-0006: 8 file numbers

  void open(Host& host, int number, const std::string& spec, bool binary, Host::FileMode mode);
  // PUT n, items: text files write strings in quotes and numbers as STR$, `;` between, CRLF at the
  // end unless `continued` (a trailing `;`: the next PUT continues the record); binary files the
  // items' bytes.
  void put(Host& host, int number, const std::vector<Value>& items, bool continued, const NumberFormat& format);
  // PRINT #n: the text as PRINT forms it, then CRLF unless continued.
  void print(Host& host, int number, const std::string& text, bool continued);
  // GET n: text files the next field (a quoted field as a string, a number as an integer or a
  // real, anything else as the text); binary files the rest of the file. GET n, count: at most
  // count bytes as they are. "" at the end of the file.
  Value get(Host& host, int number, std::optional<int> count);
  bool eof(Host& host, int number);
  void close(Host& host, int number);
  void close_all(Host& host);

 private:
  struct File {
    bool binary = false;
    Host::FileMode mode = Host::FileMode::input;
    std::string buffer;  // bytes read ahead from the host
    std::size_t pos = 0;
    bool host_at_end = false;
    bool continued = false;  // the last PUT ended with `;`
  };
  File& file(int number, const char* what);
  int peek(Host& host, int number, File& f);  // -1 at the end
  void write(Host& host, int number, const std::string& bytes);
  std::string read_raw(Host& host, int number, File& f, std::size_t count);
  Value read_field(Host& host, int number, File& f);

  std::array<std::optional<File>, kMaxFiles> files_{};
};

}  // namespace flexhil::basic
