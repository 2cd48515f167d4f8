#pragma once
// Proves an audit stream complete. Every producer stream (one per broker process start) numbers
// its events src_seq = 1, 2, 3, …; the accountant checks that each stream starts at 1 and is
// contiguous, and that a stream that declares its last seq (audit_end) reached it. What it finds
// becomes a `capture_gap` event and the HARNESS-CAPTURE-GAP finding: a verdict must never be
// computed silently on partial data. Pure: no I/O, no threads (callers serialise).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/event.hpp"

namespace flexhil {

struct CaptureGap {
  std::string src;
  std::uint64_t expected = 0;  // the seq that should have come next
  std::uint64_t got = 0;       // the seq that came instead (for `short-end`: the declared last seq)
  std::uint64_t missing = 0;   // events lost (0 for `repeated`)
  std::string reason;          // "gap", "repeated" (seq went backwards), "short-end" (audit_end not reached)
};

class CaptureAccountant {
 public:
  // One event of stream `src` numbered `seq`.
  std::optional<CaptureGap> observe(const std::string& src, std::uint64_t seq);
  // The stream declared `last_seq` as its final event.
  std::optional<CaptureGap> end(const std::string& src, std::uint64_t last_seq);
  // observe() for an event carrying `src`/`src_seq` (others are ignored); an `audit_end` event
  // (field `last_seq`) is also end().
  std::vector<CaptureGap> observe_event(const Json& event);

  std::uint64_t received(const std::string& src) const;  // events seen of that stream
  std::uint64_t missing() const;                          // over all streams
  std::size_t streams() const noexcept { return streams_.size(); }

 private:
  struct Stream {
    std::uint64_t next = 1;  // the seq expected next
    std::uint64_t received = 0;
  };
  std::map<std::string, Stream> streams_;
  std::uint64_t missing_ = 0;
};

// The `capture_gap` event (docs/events.md) for a gap.
Json capture_gap_event(const CaptureGap& gap);

}  // namespace flexhil
