#include "sim/flexy/runtime/action_runner.hpp"
#include "common/fd_range.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/error.hpp"

namespace flexhil::flexy {

ActionRunner::ActionRunner(std::function<void()> on_done, std::chrono::milliseconds timeout)
    : on_done_(std::move(on_done)), timeout_(timeout), cancel_fd_(above_select_range(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))) {
  if (!cancel_fd_) throw InfrastructureError(std::string("outbound actions: cannot create an eventfd: ") + std::strerror(errno));
}

ActionRunner::~ActionRunner() { cancel(); }

void ActionRunner::start(int id, Job job) {
  std::lock_guard lock(mutex_);
  // A program that calls every second for hours must not keep a thread per call.
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (it->finished->load()) {
      it->thread.join();
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
  auto finished = std::make_shared<std::atomic<bool>>(false);
  std::thread t([this, id, finished, job = std::move(job)] {
    auto result = job(timeout_, cancel_fd_.get());
    {
      std::lock_guard inner(mutex_);
      results_[id] = std::move(result);
    }
    if (on_done_) on_done_();
    finished->store(true);
  });
  workers_.push_back(Worker{std::move(t), std::move(finished)});
}

std::optional<ActionResult> ActionRunner::take(int id) {
  std::lock_guard lock(mutex_);
  const auto it = results_.find(id);
  if (it == results_.end()) return std::nullopt;
  auto out = std::move(it->second);
  results_.erase(it);
  return out;
}

void ActionRunner::cancel() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(cancel_fd_.get(), &one, sizeof one);
  std::vector<Worker> workers;
  {
    std::lock_guard lock(mutex_);
    workers.swap(workers_);
  }
  for (auto& w : workers)
    if (w.thread.joinable()) w.thread.join();
}

}  // namespace flexhil::flexy
