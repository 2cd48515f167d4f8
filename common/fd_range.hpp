#pragma once
// File descriptors and libmodbus' select(). libmodbus waits for replies with select(), whose
// fd_set holds descriptors below FD_SETSIZE (1024) only — a Modbus client socket numbered 1024 or
// more aborts the process (glibc's fortified FD_SET). A fleet of emulated Flexys opens ~8
// descriptors per device, so the numbers below 1024 are kept for libmodbus: our own sockets and
// eventfds move above that range, and the process may open as many as its hard limit allows.
//
//   raise_open_file_limit();                 // once, at start
//   int fd = above_select_range(::socket(…)); // our own descriptors (poll/epoll only)
//   if (!into_select_range(modbus_socket)) …  // a libmodbus socket: below 1024, or an error
namespace flexhil {

// Soft RLIMIT_NOFILE up to the hard limit. Returns the soft limit now in force.
long raise_open_file_limit();

// `fd` moved to a number ≥ FD_SETSIZE (close-on-exec), the original closed; `fd` unchanged when
// that is not possible (the limit) or fd < 0. For descriptors only ever polled, never select()ed.
int above_select_range(int fd);

// For a descriptor handed to select() (libmodbus): `fd` itself when below FD_SETSIZE, else a
// duplicate in that range with the original closed; -1 (and `fd` closed) when none is free.
int into_select_range(int fd);

}  // namespace flexhil
