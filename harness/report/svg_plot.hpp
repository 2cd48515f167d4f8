#pragma once
// Small helpers for the inline SVG charts of report.html: axis scaling, "nice" tick values,
// compact number formatting and decimation, so a run with tens of thousands of events still
// renders a page of a few hundred kilobytes.
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace flexhil::report::svg {

// Maps a data range onto a pixel range (y ranges may be given inverted: top > bottom pixel).
struct Scale {
  double d0 = 0, d1 = 1;  // data
  double p0 = 0, p1 = 1;  // pixels
  double operator()(double v) const {
    if (d1 == d0) return (p0 + p1) / 2;
    return p0 + (v - d0) / (d1 - d0) * (p1 - p0);
  }
};

// About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 × 10^n).
std::vector<double> nice_ticks(double lo, double hi, int count);

// "12", "0.25", "1.5k", "3.2M": short labels for axes.
std::string format_number(double v);

// Pixel-space decimation of a line: keeps the first, minimum, maximum and last point of each
// pixel column, which preserves the visual envelope exactly.
struct Point {
  double x = 0, y = 0;
};
std::vector<Point> decimate_line(const std::vector<Point>& pixels);

// Keeps one point per occupied pixel cell (for scatter plots and ticks).
std::vector<Point> decimate_scatter(const std::vector<Point>& pixels, double cell = 1.0);

// For dense scatter plots: per column of `width` pixels (keyed by its centre x), the smallest and
// largest y in it.
std::map<double, std::pair<double, double>> column_spans(const std::vector<Point>& pixels, double width);

}  // namespace flexhil::report::svg
