#pragma once
// Waveforms that drive PLC points, evaluated at scenario time t (seconds since the scenario
// started, t >= 0). Pure maths: no clock, no sockets, no I/O (CSV files are read by the config
// loader and handed over as points). Same inputs, same outputs — the random walk included.
#include <cstdint>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace flexhil::plc {

struct ConstantWave { double value = 0; };
// Holds each value from its time on; before the first time the first value holds.
// With loop_s > 0 the sequence repeats every loop_s seconds.
struct StepsWave { std::vector<std::pair<double, double>> steps; double loop_s = 0; };
// from → to over duration_s (after a start delay), then holds `to`; repeat = sawtooth.
struct RampWave { double from = 0, to = 1, duration_s = 1, start_s = 0; bool repeat = false; };
// offset + amplitude·sin(2π·t/period + phase)
struct SineWave { double offset = 0, amplitude = 1, period_s = 60, phase_deg = 0; };
// high for the first duty·period of each period, else low.
struct SquareWave { double low = 0, high = 1, period_s = 10, duty = 0.5; };
// Starts at `start`; every interval_s adds a uniform step in [-max_step, +max_step], clamped to
// [min, max]. The steps come from a counter-based generator (splitmix64 of seed and step index),
// so a seed gives the same walk on every machine and at every evaluation order.
struct RandomWalkWave {
  std::uint64_t seed = 1;
  double start = 0, max_step = 1, interval_s = 1, min = -1e9, max = 1e9;
};
// start + increment per interval; with wrap_at set, returns to `start` once it would pass it.
struct CounterWave { double start = 0, increment = 1, interval_s = 1; double wrap_at = 0; bool wrap = false; };
// Replays (time, value) samples: held (or linearly interpolated) between samples, last value
// after the end unless loop (period = last time, or loop_s when given).
struct CsvWave {
  std::vector<std::pair<double, double>> samples;
  bool interpolate = false;
  bool loop = false;
};

using WaveformSpec = std::variant<ConstantWave, StepsWave, RampWave, SineWave, SquareWave,
                                  RandomWalkWave, CounterWave, CsvWave>;

// The kind names as scenarios write them: constant, steps, ramp, sine, square, random_walk,
// counter, csv.
std::string_view waveform_kind(const WaveformSpec& spec);
const std::vector<std::string_view>& waveform_kinds();

// A waveform with the small cache the random walk needs to stay O(1) when evaluated at
// increasing times. Not thread-safe (each point owns one).
class Waveform {
 public:
  explicit Waveform(WaveformSpec spec);
  double at(double t_seconds);
  const WaveformSpec& spec() const noexcept { return spec_; }

 private:
  double random_walk_at(const RandomWalkWave& w, double t);
  WaveformSpec spec_;
  std::int64_t walk_index_ = -1;  // steps already applied to walk_value_
  double walk_value_ = 0;
};

// One step of the reproducible generator: a uniform value in [-1, 1) for (seed, index).
double random_unit(std::uint64_t seed, std::uint64_t index);

}  // namespace flexhil::plc
