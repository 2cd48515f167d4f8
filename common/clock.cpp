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
  // Written digit by digit: every event carries one, and fmt's parsing of a seven-field format
  // was a visible part of the hub's cost per message (bench/README.md, hub_overhead).
  char text[] = "0000-00-00T00:00:00.000000Z";
  auto put = [&text](int at, long value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10) text[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, tm.tm_year + 1900, 4);
  put(5, tm.tm_mon + 1, 2);
  put(8, tm.tm_mday, 2);
  put(11, tm.tm_hour, 2);
  put(14, tm.tm_min, 2);
  put(17, tm.tm_sec, 2);
  put(20, frac, 6);
  return std::string(text, sizeof text - 1);
}

}  // namespace flexhil
