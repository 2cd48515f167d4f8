#pragma once
// Runs the emulated Flexy's real HTTP actions off the BASIC thread: each call gets a worker
// thread (the device has few actions in flight), its result waits here until the BASIC thread
// takes it, and `on_done` tells the device a result is ready (it posts to its loop). cancel()
// (also the destructor) ends every exchange at once and joins the workers.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/http_message.hpp"
#include "common/unique_fd.hpp"
#include "sim/flexy/runtime/http_client.hpp"

namespace flexhil::flexy {

class HttpActionRunner {
 public:
  explicit HttpActionRunner(std::function<void()> on_done, std::chrono::milliseconds timeout);
  ~HttpActionRunner();  // cancel()
  HttpActionRunner(const HttpActionRunner&) = delete;
  HttpActionRunner& operator=(const HttpActionRunner&) = delete;

  void start(int id, std::string address, http::Request request);
  std::optional<HttpExchange> take(int id);  // the result, once (thread-safe)
  void cancel();

 private:
  std::function<void()> on_done_;
  std::chrono::milliseconds timeout_;
  UniqueFd cancel_fd_;
  std::mutex mutex_;
  std::map<int, HttpExchange> results_;
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> finished;
  };
  std::vector<Worker> workers_;  // finished ones are joined by the next start()
};

}  // namespace flexhil::flexy
