#pragma once
// The one clock injected everywhere (docs/architecture.md): steady time for intervals and timers,
// wall time for timestamps. A ScaledClock runs scenario time N times faster than real time so
// a 20 s full-push period can be exercised in 2 s; a ManualClock makes tests deterministic.
#include <chrono>
#include <mutex>
#include <string>

namespace flexhil {

class Clock {
 public:
  using Nanos = std::chrono::nanoseconds;
  using WallTime = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  // Scenario-steady time since an arbitrary origin; never goes backwards.
  virtual Nanos steady() const = 0;
  // Scenario wall-clock time (what TIME$ and timestamps show).
  virtual WallTime wall() const = 0;
  // How many scenario seconds pass per real second (1 for real time).
  virtual double scale() const { return 1.0; }
  // Real duration that corresponds to `scenario` duration on this clock (for sleeping).
  Nanos to_real(Nanos scenario) const;
};

class SystemClock final : public Clock {
 public:
  Nanos steady() const override;
  WallTime wall() const override;
};

// Scenario time = start + (real elapsed since construction) × scale, for steady and wall alike.
class ScaledClock final : public Clock {
 public:
  explicit ScaledClock(double scale);
  ScaledClock(double scale, WallTime wall_start);
  Nanos steady() const override;
  WallTime wall() const override;
  double scale() const override { return scale_; }

 private:
  double scale_;
  std::chrono::steady_clock::time_point real_start_;
  WallTime wall_start_;
};

// Moves only when told; for unit tests of timers, cadences and waveforms.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(WallTime wall_start = WallTime{});
  Nanos steady() const override;
  WallTime wall() const override;
  void advance(Nanos by);
  void set_steady(Nanos at);

 private:
  mutable std::mutex mutex_;
  Nanos steady_{0};
  WallTime wall_start_;
};

// Real CLOCK_MONOTONIC nanoseconds: shared by every process on the machine, so events from the
// broker plugin and from the harness order correctly in one capture.
std::int64_t monotonic_ns();
// "2026-11-26T08:00:12.345678Z"
std::string format_wall_iso(Clock::WallTime t);

}  // namespace flexhil
