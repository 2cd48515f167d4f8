#include "harness/report/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>
#include <utility>

namespace flexhil::report::svg {

std::vector<double> nice_ticks(double lo, double hi, int count) {
  std::vector<double> ticks;
  if (!std::isfinite(lo) || !std::isfinite(hi) || count < 1) return ticks;
  if (hi < lo) std::swap(lo, hi);
  if (hi == lo) return {lo};
  const double raw = (hi - lo) / count;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw) break;
  }
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  return ticks;
}

std::string format_number(double v) {
  const double a = std::abs(v);
  if (a >= 1e6) return fmt::format("{:.3g}M", v / 1e6);
  if (a >= 1e4) return fmt::format("{:.3g}k", v / 1e3);
  if (a == std::floor(a)) return fmt::format("{:.0f}", v);
  return fmt::format("{:.4g}", v);
}

std::vector<Point> decimate_line(const std::vector<Point>& pixels) {
  if (pixels.size() < 512) return pixels;
  std::vector<Point> out;
  std::size_t i = 0;
  while (i < pixels.size()) {
    const long column = std::lround(pixels[i].x);
    std::size_t j = i;
    std::size_t lo = i, hi = i;
    while (j < pixels.size() && std::lround(pixels[j].x) == column) {
      if (pixels[j].y < pixels[lo].y) lo = j;
      if (pixels[j].y > pixels[hi].y) hi = j;
      ++j;
    }
    std::vector<std::size_t> keep = {i, lo, hi, j - 1};
    std::sort(keep.begin(), keep.end());
    keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
    for (auto k : keep) out.push_back(pixels[k]);
    i = j;
  }
  return out;
}

std::vector<Point> decimate_scatter(const std::vector<Point>& pixels, double cell) {
  std::vector<Point> out;
  std::set<std::pair<long, long>> seen;
  for (const auto& p : pixels)
    if (seen.insert({std::lround(p.x / cell), std::lround(p.y / cell)}).second) out.push_back(p);
  return out;
}

std::map<double, std::pair<double, double>> column_spans(const std::vector<Point>& pixels, double width) {
  std::map<double, std::pair<double, double>> spans;
  for (const auto& p : pixels) {
    const double column = (std::floor(p.x / width) + 0.5) * width;
    auto [it, inserted] = spans.try_emplace(column, p.y, p.y);
    if (!inserted) it->second = {std::min(it->second.first, p.y), std::max(it->second.second, p.y)};
  }
  return spans;
}

}  // namespace flexhil::report::svg
