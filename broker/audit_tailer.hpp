#pragma once
// Follows the plugin's audit stream (one JSON event per line) on a reader thread — a FIFO the
// broker writes to (HubProcess's default) or a file it appends to — and hands the complete lines
// of each read, in order, to a handler at once (so the capture can write them in one go). A
// partial line (the broker is between two write(2) calls, or died in one) is kept until its '\n'
// arrives. drain() reads all the broker has written so far before returning, so stop/restart lose
// nothing. Of a FIFO the tailer also holds a write end, so the pipe outlives every broker process
// (a restart reconnects to the same stream, and a reader never sees end-of-file in between).
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
  // Opens `path` — a FIFO, or a file (created empty if absent) followed from its beginning. The handler
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
  int fifo_writer_ = -1;  // a FIFO's write end held open (-1 for a file)
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
