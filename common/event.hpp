#pragma once
// Events are the spine (docs/architecture.md): every component reports what it observed as one JSON
// object with a `kind`; a sink stamps it with `seq`, `mono_ns` and `wall` and the capture writer
// appends it to capture.jsonl (flushed per line) before any rule sees it.
//
// Kinds and their fields are listed in docs/events.md. Binary payloads travel as `payload_b64`,
// never re-encoded; secrets are redacted by the producer before an event is emitted.
#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace flexhil {

using Json = nlohmann::json;

// A new event of `kind`, stamped with the real monotonic and wall time of now.
Json make_event(std::string_view kind);

std::string base64_encode(std::string_view bytes);
// nullopt-free: invalid characters are an error reported by returning false.
bool base64_decode(std::string_view text, std::string& out);

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Thread-safe. Adds `seq` (and `mono_ns`/`wall` when missing) and delivers the event.
  virtual void emit(Json event) = 0;
};

// Appends events to a JSON-lines file, one write(2) of a whole line per event, and forwards each
// to listeners afterwards (the capture is written first, so a crashing listener loses nothing).
// A failed write (full disk, EIO) is recorded: that event and every later one count as lost
// (they still reach the listeners), and failure() says why, so a run can never end PASSED on a
// truncated capture. Listeners run in seq order, under the writer's lock: they must not emit.
class CaptureWriter final : public EventSink {
 public:
  using Listener = std::function<void(const Json&)>;
  explicit CaptureWriter(const std::string& path);  // throws InfrastructureError
  ~CaptureWriter() override;
  CaptureWriter(const CaptureWriter&) = delete;
  CaptureWriter& operator=(const CaptureWriter&) = delete;
  void emit(Json event) override;
  void add_listener(Listener listener);
  std::uint64_t count() const;
  std::uint64_t lost() const;          // events not written since the first failure
  std::string failure() const;         // "" = every write succeeded; else strerror of the first failure
  const std::string& path() const noexcept { return path_; }

 private:
  mutable std::mutex mutex_;
  std::string path_;
  int fd_ = -1;
  std::uint64_t seq_ = 0;
  std::uint64_t lost_ = 0;
  std::string failure_;
  std::vector<Listener> listeners_;
};

// Keeps events in memory (tests, offline validation).
class MemorySink final : public EventSink {
 public:
  void emit(Json event) override;
  std::vector<Json> events() const;

 private:
  mutable std::mutex mutex_;
  std::uint64_t seq_ = 0;
  std::vector<Json> events_;
};

struct CaptureRead {
  std::vector<Json> events;  // in file (= seq) order
  int truncated_line = 0;    // line number of an unfinished last event (cut off mid-write), or 0
};

// Reads a capture.jsonl back. Throws ConfigError (file:line:col, exit 2) for a missing file, a
// directory, an empty capture, and a line that is not one JSON object within the bounds of
// common/json_read.hpp (nesting, number range). An unparsable last line WITHOUT a newline is an
// event cut off mid-write: it is dropped and reported in truncated_line instead.
CaptureRead read_capture_file(const std::string& path);
// The events of read_capture_file().
std::vector<Json> read_capture(const std::string& path);

}  // namespace flexhil
