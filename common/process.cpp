#include "common/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "common/error.hpp"

namespace flexhil {

namespace {

int open_for_child(const std::string& path, int flags) {
  return ::open(path.c_str(), flags | O_CLOEXEC, 0644);
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

std::optional<std::string> find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0) return name;
    return std::nullopt;
  }
  std::string path = ::getenv("PATH") ? ::getenv("PATH") : "/usr/bin:/bin";
  path += ":/usr/sbin:/sbin:/usr/local/sbin";
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (!dir.empty()) {
      std::string candidate = dir + "/" + name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    start = end + 1;
  }
  return std::nullopt;
}

ChildProcess ChildProcess::spawn(const Options& options) {
  if (options.argv.empty()) throw InfrastructureError("cannot start a process without a program");
  auto program = find_program(options.argv[0]);
  if (!program) throw InfrastructureError("program not found: " + options.argv[0]);

  // Everything the child needs is prepared before fork: only async-signal-safe calls after it.
  std::vector<std::string> env_storage;
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos && options.env.count(entry.substr(0, eq))) continue;
    env_storage.push_back(std::move(entry));
  }
  for (const auto& [k, v] : options.env) env_storage.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_storage = options.argv;
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  int in_fd = open_for_child(options.stdin_path.value_or("/dev/null"), O_RDONLY);
  int out_fd = -1, err_fd = -1;
  if (options.stdout_path) out_fd = open_for_child(*options.stdout_path, O_WRONLY | O_CREAT | O_APPEND);
  if (options.stderr_path) {
    if (options.stdout_path && *options.stderr_path == *options.stdout_path)
      err_fd = out_fd;
    else
      err_fd = open_for_child(*options.stderr_path, O_WRONLY | O_CREAT | O_APPEND);
  }
  if (in_fd < 0 || (options.stdout_path && out_fd < 0) || (options.stderr_path && err_fd < 0)) {
    const std::string why = std::strerror(errno);
    if (in_fd >= 0) ::close(in_fd);
    if (out_fd >= 0) ::close(out_fd);
    if (err_fd >= 0 && err_fd != out_fd) ::close(err_fd);
    throw InfrastructureError("cannot open redirection files for " + options.argv[0] + ": " + why);
  }
  const pid_t parent = ::getpid();
  const char* workdir = options.working_dir.empty() ? nullptr : options.working_dir.c_str();

  const pid_t pid = ::fork();
  if (pid < 0) throw InfrastructureError(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);  // parent died before prctl
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);  // the harness blocks SIGINT/SIGTERM; children must not
    ::dup2(in_fd, 0);
    if (out_fd >= 0) ::dup2(out_fd, 1);
    if (err_fd >= 0) ::dup2(err_fd, 2);
    if (workdir && ::chdir(workdir) != 0) ::_exit(127);
    ::execve(program->c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(in_fd);
  if (out_fd >= 0) ::close(out_fd);
  if (err_fd >= 0 && err_fd != out_fd) ::close(err_fd);
  ChildProcess child;
  child.pid_ = pid;
  child.name_ = options.argv[0];
  return child;
}

ChildProcess ChildProcess::spawn(std::vector<std::string> argv) {
  Options o;
  o.argv = std::move(argv);
  return spawn(o);
}

ChildProcess::~ChildProcess() {
  if (started()) stop();
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(other.pid_), name_(std::move(other.name_)), status_(other.status_) {
  other.pid_ = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (started()) stop();
    pid_ = other.pid_;
    name_ = std::move(other.name_);
    status_ = other.status_;
    other.pid_ = -1;
  }
  return *this;
}

void ChildProcess::reap(int status) { status_ = decode_status(status); }

bool ChildProcess::running() {
  if (!started() || status_) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    reap(status);
    return false;
  }
  return r == 0;
}

std::optional<int> ChildProcess::exit_status() {
  running();
  return status_;
}

std::optional<int> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(pause);  // polling waitpid: no SIGCHLD handler to share
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
  return status_;
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
  if (!started()) return -1;
  if (running()) {
    ::kill(pid_, SIGTERM);
    if (!wait_for(grace)) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      if (::waitpid(pid_, &status, 0) == pid_) reap(status);
    }
  }
  const int result = status_.value_or(-1);
  pid_ = -1;
  return result;
}

void ChildProcess::signal(int signo) {
  if (running()) ::kill(pid_, signo);
}

std::string ChildProcess::describe() const {
  return name_ + " (pid " + std::to_string(pid_) + ")";
}

}  // namespace flexhil
