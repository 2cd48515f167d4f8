#pragma once
// Supervised child processes (mosquitto, emulated Flexys, third-party clients in tests).
// A ChildProcess is started with fork/exec, dies with its parent (PR_SET_PDEATHSIG), and is
// stopped by its own PID — SIGTERM, a grace period, then SIGKILL — when stop() is called or
// the object is destroyed. Nothing else is ever signalled.
#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace flexhil {

class ChildProcess {
 public:
  struct Options {
    std::vector<std::string> argv;          // argv[0] is the program (PATH is searched)
    std::optional<std::string> stdout_path;  // default: inherit
    std::optional<std::string> stderr_path;  // default: inherit; same path as stdout = merged
    std::optional<std::string> stdin_path;   // default: /dev/null
    std::map<std::string, std::string> env;  // added to (or replacing in) the environment
    std::string working_dir;                 // default: unchanged
  };

  ChildProcess() = default;
  static ChildProcess spawn(const Options& options);  // throws InfrastructureError
  static ChildProcess spawn(std::vector<std::string> argv);  // inherit stdout/stderr
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const noexcept { return pid_; }
  bool started() const noexcept { return pid_ > 0; }
  // True while the process has not exited (reaps it if it has).
  bool running();
  // The exit status once exited: exit code, or 128 + signal number.
  std::optional<int> exit_status();
  // Waits up to `timeout`; the exit status, or nullopt if still running.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);
  // SIGTERM, up to `grace` to exit, then SIGKILL. Returns the exit status.
  int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(3000));
  // Sends a signal to this child only (e.g. SIGHUP to reload mosquitto).
  void signal(int signo);
  std::string describe() const;  // "mosquitto (pid 1234)"

 private:
  void reap(int status);
  pid_t pid_ = -1;
  std::string name_;
  std::optional<int> status_;
};

// Path of a program found on PATH (or in /usr/sbin, /sbin), or nullopt.
std::optional<std::string> find_program(const std::string& name);

}  // namespace flexhil
