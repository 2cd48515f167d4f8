#pragma once
// Ctrl-C and SIGTERM for long-running commands (hub, plc, flexy, run) without global state:
// the signals are blocked in every thread and read from a signalfd owned by this object.
// Child processes get an empty signal mask back (common/process.cpp).
#include <chrono>

namespace flexhil {

class StopSignals {
 public:
  StopSignals();  // blocks SIGINT, SIGTERM and SIGHUP for this thread and threads created after
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Waits up to `timeout` for a stop signal; returns the signal number, or 0 on timeout.
  int wait(std::chrono::milliseconds timeout);
  // Non-blocking check; remembers a received signal.
  bool requested();
  int fd() const noexcept { return fd_; }  // pollable

 private:
  int fd_ = -1;
  int received_ = 0;
};

}  // namespace flexhil
