#pragma once
// File descriptors and libmodbus' select(). libmodbus waits for replies with select(), whose
// fd_set holds descriptors below FD_SETSIZE (1024) only — a Modbus client socket numbered 1024 or
// more aborts the process (glibc's fortified FD_SET). A fleet of emulated Flexys opens ~8
// descriptors per device, so the numbers below 1024 are kept for libmodbus: our own sockets and
// eventfds move above that range, and the process may open as many as its hard limit allows.
//
// Code we do not own (paho's sockets, OpenSSL's files) takes the lowest free number, so with
// hundreds of devices the range fills up anyway: a SelectRangeReserve holds every free number
// below FD_SETSIZE while a run lasts — everyone else's descriptors land above — and hands one
// to a libmodbus socket on demand (dup2 onto the placeholder: atomic, no other thread can take
// the number in between), taking it back when the socket closes.
//
//   raise_open_file_limit();                 // once, at start
//   int fd = above_select_range(::socket(…)); // our own descriptors (poll/epoll only)
//   SelectRangeReserve reserve;              // for a fleet run
//   int low = reserve.adopt(modbus_socket);  // below 1024, or -1 (and the socket closed)
//   reserve.give_back(low);                  // closes the socket, the number is reserved again
#include <cstddef>
#include <mutex>
#include <vector>

namespace flexhil {

// Soft RLIMIT_NOFILE up to the hard limit. Returns the soft limit now in force.
long raise_open_file_limit();

// `fd` moved to a number ≥ FD_SETSIZE (close-on-exec), the original closed; `fd` unchanged when
// that is not possible (the limit) or fd < 0. For descriptors only ever polled, never select()ed.
int above_select_range(int fd);

// For a descriptor handed to select() (libmodbus): `fd` itself when below FD_SETSIZE, else a
// duplicate in that range with the original closed; -1 (and `fd` closed) when none is free.
int into_select_range(int fd);

class SelectRangeReserve {
 public:
  // Takes every free number below FD_SETSIZE — unless the open-file limit leaves less than
  // 3 × FD_SETSIZE above them: then it holds none and adopt() is into_select_range().
  SelectRangeReserve();
  ~SelectRangeReserve();  // closes the placeholders still held
  SelectRangeReserve(const SelectRangeReserve&) = delete;
  SelectRangeReserve& operator=(const SelectRangeReserve&) = delete;

  // `fd` (any number) moved onto a reserved number below FD_SETSIZE (close-on-exec); -1, with
  // `fd` closed, when none is left.
  int adopt(int fd);
  // Closes the socket at `low` (a number adopt() returned) and reserves the number again.
  void give_back(int low);
  std::size_t available() const;

 private:
  mutable std::mutex mutex_;
  int source_ = -1;         // what the placeholders duplicate (/dev/null)
  std::vector<int> free_;   // reserved numbers not handed out
};

}  // namespace flexhil
