#include "common/clock.hpp"

#include <ctime>
#include <fmt/format.h>

namespace flexhil {

Clock::Nanos Clock::to_real(Nanos scenario) const {
  const double s = scale();
  if (s <= 0) return scenario;
  return Nanos(static_cast<std::int64_t>(static_cast<double>(scenario.count()) / s));
}

Clock::Nanos SystemClock::steady() const {
  return std::chrono::duration_cast<Nanos>(std::chrono::steady_clock::now().time_since_epoch());
}

Clock::WallTime SystemClock::wall() const { return std::chrono::system_clock::now(); }

ScaledClock::ScaledClock(double scale) : ScaledClock(scale, std::chrono::system_clock::now()) {}

ScaledClock::ScaledClock(double scale, WallTime wall_start)
    : scale_(scale > 0 ? scale : 1.0),
      real_start_(std::chrono::steady_clock::now()),
      wall_start_(wall_start) {}

Clock::Nanos ScaledClock::steady() const {
  const auto real = std::chrono::duration_cast<Nanos>(std::chrono::steady_clock::now() - real_start_);
  return Nanos(static_cast<std::int64_t>(static_cast<double>(real.count()) * scale_));
}

Clock::WallTime ScaledClock::wall() const {
  return wall_start_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(steady());
}

ManualClock::ManualClock(WallTime wall_start) : wall_start_(wall_start) {}

Clock::Nanos ManualClock::steady() const {
  std::lock_guard lock(mutex_);
  return steady_;
}

Clock::WallTime ManualClock::wall() const {
  std::lock_guard lock(mutex_);
  return wall_start_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(steady_);
}

void ManualClock::advance(Nanos by) {
  std::lock_guard lock(mutex_);
  steady_ += by;
}

void ManualClock::set_steady(Nanos at) {
  std::lock_guard lock(mutex_);
  if (at > steady_) steady_ = at;
}

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::string format_wall_iso(Clock::WallTime t) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(us / 1'000'000);
  long frac = static_cast<long>(us % 1'000'000);
  if (frac < 0) {
    frac += 1'000'000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

}  // namespace flexhil
