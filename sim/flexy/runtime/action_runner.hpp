#pragma once
// Runs the emulated Flexy's real outbound actions off the BASIC thread — an HTTP exchange, a
// mail handed to an SMTP server, an FTP transfer: each is a job on a worker thread of its own
// (the device has few actions in flight), its result waits here until the BASIC thread takes it,
// and `on_done` tells the device a result is ready (it posts to its loop). cancel() (also the
// destructor) ends every job at once through the cancel eventfd and joins the workers.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "common/unique_fd.hpp"
#include "sim/flexy/runtime/http_client.hpp"
#include "sim/flexy/runtime/line_dialog.hpp"

namespace flexhil::flexy {

// What a job ends with: an HTTP exchange, or a line-based dialog (SMTP, FTP).
using ActionResult = std::variant<HttpExchange, DialogResult>;

class ActionRunner {
 public:
  // A job gets the runner's timeout and the cancel eventfd; it must return when that is readable.
  using Job = std::function<ActionResult(std::chrono::milliseconds timeout, int cancel_fd)>;

  explicit ActionRunner(std::function<void()> on_done, std::chrono::milliseconds timeout);
  ~ActionRunner();  // cancel()
  ActionRunner(const ActionRunner&) = delete;
  ActionRunner& operator=(const ActionRunner&) = delete;

  void start(int id, Job job);
  std::optional<ActionResult> take(int id);  // the result, once (thread-safe)
  void cancel();

 private:
  std::function<void()> on_done_;
  std::chrono::milliseconds timeout_;
  UniqueFd cancel_fd_;
  std::mutex mutex_;
  std::map<int, ActionResult> results_;
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> finished;
  };
  std::vector<Worker> workers_;  // finished ones are joined by the next start()
};

}  // namespace flexhil::flexy
