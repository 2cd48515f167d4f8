#pragma once
// Capture integrity: the run's last word, `run_end`, says how many events came before it (in
// total and per kind), so `flexhil validate` can tell a complete capture from one that was cut
// short (a killed run, a full disk, a copy that stopped early) instead of judging part of a run
// as if it were all of it.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/event.hpp"

namespace flexhil {

// Emits into a CaptureWriter and counts what passes; a `run_end` event gets
// `counts: {"total": N, "by_kind": {kind: n, …}}` of the events emitted before it. The count and
// the writer's seq stamping happen under one lock, so the counts are exactly the events with a
// smaller seq even while other threads (the hub, the PLC) keep emitting.
class CountedCapture final : public EventSink {
 public:
  explicit CountedCapture(CaptureWriter& writer) : writer_(writer) {}
  void emit(Json event) override;
  void emit_batch(std::vector<ReadEvent> events) override;
  void add_listener(CaptureWriter::Listener listener) { writer_.add_listener(std::move(listener)); }
  const std::string& path() const noexcept { return writer_.path(); }

 private:
  // Recursive: a listener of the writer may itself emit an event on the same thread.
  // With mutex_ held: counts the event, and gives a run_end the counts of the events before it
  // (then true: the event changed).
  bool count(Json& event);
  void count(std::string_view kind);

  std::recursive_mutex mutex_;
  CaptureWriter& writer_;
  std::uint64_t total_ = 0;
  std::map<std::string, std::uint64_t, std::less<>> by_kind_;
};

struct CaptureCheck {
  bool complete = false;
  std::string problem;  // one line when not complete: why the capture is incomplete
};

// Complete: a run_end whose counts equal the events read before it (in file order).
CaptureCheck check_capture_counts(const std::vector<Json>& events);

}  // namespace flexhil
