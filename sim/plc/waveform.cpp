#include "sim/plc/waveform.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace flexhil::plc {
namespace {

template <class... Ts>
struct overloaded : Ts... { using Ts::operator()...; };
// Spelled out for clang 14 (make fuzz), which lacks C++20's deduction for aggregates.
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

// Positive modulo for t >= 0 and period > 0.
double wrap_time(double t, double period) {
  if (period <= 0) return t;
  const double r = std::fmod(t, period);
  return r < 0 ? r + period : r;
}

double held_value(const std::vector<std::pair<double, double>>& samples, double t, bool interpolate) {
  if (samples.empty()) return 0;
  auto it = std::upper_bound(samples.begin(), samples.end(), t,
                             [](double v, const auto& s) { return v < s.first; });
  if (it == samples.begin()) return samples.front().second;
  const auto& prev = *(it - 1);
  if (!interpolate || it == samples.end()) return prev.second;
  const double span = it->first - prev.first;
  if (span <= 0) return it->second;
  return prev.second + (it->second - prev.second) * (t - prev.first) / span;
}

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace

double random_unit(std::uint64_t seed, std::uint64_t index) {
  const std::uint64_t bits = splitmix64(splitmix64(seed) ^ (index * 0xD1B54A32D192ED03ull));
  // 53 random bits -> [0, 1) -> [-1, 1)
  return static_cast<double>(bits >> 11) * 0x1.0p-53 * 2.0 - 1.0;
}

std::string_view waveform_kind(const WaveformSpec& spec) {
  return waveform_kinds()[spec.index()];
}

const std::vector<std::string_view>& waveform_kinds() {
  static const std::vector<std::string_view> kinds{"constant", "steps",       "ramp",    "sine",
                                                    "square",   "random_walk", "counter", "csv"};
  return kinds;
}

Waveform::Waveform(WaveformSpec spec) : spec_(std::move(spec)) {}

double Waveform::random_walk_at(const RandomWalkWave& w, double t) {
  const auto target = static_cast<std::int64_t>(std::floor(std::max(t, 0.0) / w.interval_s));
  if (walk_index_ < 0 || target < walk_index_) {  // first use, or time went backwards
    walk_index_ = 0;
    walk_value_ = std::clamp(w.start, w.min, w.max);
  }
  while (walk_index_ < target) {
    walk_value_ = std::clamp(
        walk_value_ + w.max_step * random_unit(w.seed, static_cast<std::uint64_t>(walk_index_)),
        w.min, w.max);
    ++walk_index_;
  }
  return walk_value_;
}

double Waveform::at(double t) {
  if (t < 0) t = 0;
  return std::visit(
      overloaded{
          [](const ConstantWave& w) { return w.value; },
          [&](const StepsWave& w) {
            return held_value(w.steps, w.loop_s > 0 ? wrap_time(t, w.loop_s) : t, false);
          },
          [&](const RampWave& w) {
            double local = t - w.start_s;
            if (local <= 0) return w.from;
            if (w.repeat) local = wrap_time(local, w.duration_s);
            const double f = w.duration_s > 0 ? std::min(local / w.duration_s, 1.0) : 1.0;
            return w.from + (w.to - w.from) * f;
          },
          [&](const SineWave& w) {
            const double phase = w.phase_deg * std::numbers::pi / 180.0;
            return w.offset + w.amplitude * std::sin(2 * std::numbers::pi * t / w.period_s + phase);
          },
          [&](const SquareWave& w) {
            return wrap_time(t, w.period_s) < w.duty * w.period_s ? w.high : w.low;
          },
          [&](const RandomWalkWave& w) { return random_walk_at(w, t); },
          [&](const CounterWave& w) {
            const double n = std::floor(t / w.interval_s);
            if (w.wrap && w.increment != 0) {
              // values start, start+inc, … up to wrap_at inclusive, then back to start
              const double span = std::floor((w.wrap_at - w.start) / w.increment) + 1;
              if (span >= 1) return w.start + w.increment * std::fmod(n, span);
            }
            return w.start + w.increment * n;
          },
          [&](const CsvWave& w) {
            double local = t;
            if (w.loop && !w.samples.empty() && w.samples.back().first > 0)
              local = wrap_time(t, w.samples.back().first);
            return held_value(w.samples, local, w.interpolate);
          },
      },
      spec_);
}

}  // namespace flexhil::plc
