#pragma once
// Follows the plugin's audit file (one JSON event per line, appended by the broker) on a reader
// thread and hands the complete lines of each read, in file order, to a handler at once (so the
// capture can write them in one go). A partial line (the broker
// is between two write(2) calls, or died in one) is kept until its '\n' arrives. drain() reads
// to the current end of the file before returning, so stop/restart lose nothing the broker wrote.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace flexhil::broker {

class AuditTailer {
 public:
  // The lines (no '\n', none empty) are valid during the call only.
  using Handler = std::function<void(const std::vector<std::string_view>& lines)>;
  // Opens (creating it empty if absent) `path` and follows it from its beginning. The handler
  // runs on the reader thread or in drain(), never twice at once. Throws InfrastructureError.
  AuditTailer(const std::string& path, Handler handler);
  ~AuditTailer();  // drains, then stops the thread
  AuditTailer(const AuditTailer&) = delete;
  AuditTailer& operator=(const AuditTailer&) = delete;

  void drain();
  std::uint64_t lines() const;  // complete lines handed over so far
  // Bytes the broker has written that the reader has not consumed yet: a reader behind a flood
  // has not seen the latest pong, which says nothing about the broker's liveness.
  std::uint64_t backlog() const;

 private:
  void read_available();  // with read_mutex_ held
  void loop();

  std::string path_;
  Handler handler_;
  int fd_ = -1;
  std::string partial_;
  std::vector<std::string_view> batch_;
  std::uint64_t lines_ = 0;
  std::atomic<std::uint64_t> consumed_{0};
  mutable std::mutex read_mutex_;
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace flexhil::broker
