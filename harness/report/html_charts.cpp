#include "harness/report/html_charts.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>

#include "common/event_view.hpp"
#include "harness/report/labels.hpp"
#include "harness/report/markup_escape.hpp"
#include "harness/report/svg_plot.hpp"

namespace flexhil::report {

namespace {

using svg::Point;
using svg::Scale;

constexpr double chart_width = 1160;
constexpr std::size_t max_timeline_devices = 40;
constexpr std::size_t max_value_series = 6;  // more publishing devices are drawn as one series
constexpr double left_margin = 170;  // room for device ids
constexpr double right_margin = 20;
const char* const series_colours[] = {"#d9480f", "#7048e8", "#0c8599", "#e64980", "#5c940d", "#1864ab"};

std::string time_axis(const Scale& x, double y_top, double y_bottom, const char* unit = "s") {
  std::string out;
  for (double t : svg::nice_ticks(x.d0, x.d1, 10)) {
    const double px = x(t);
    out += fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\" class=\"grid\"/>"
        "<text x=\"{0:.1f}\" y=\"{3:.1f}\" class=\"tick\" text-anchor=\"middle\">{4}{5}</text>\n",
        px, y_top, y_bottom, y_bottom + 14, svg::format_number(t), unit);
  }
  return out;
}

std::string ticks_path(const std::vector<Point>& pts, double half_height) {
  std::string d;
  for (const auto& p : pts) d += fmt::format("M{:.1f} {:.1f}v{:.1f}", p.x, p.y - half_height, 2 * half_height);
  return d;
}

}  // namespace

double time_axis_end(const ReportInput& input, const RunStats& stats) {
  const double last = static_cast<double>(stats.last_mono_ns - stats.first_mono_ns) / 1e9 * input.time_scale;
  return std::max({1.0, input.duration_s * input.time_scale, last});
}

std::string timeline_svg(const ReportInput& input, const RunStats& stats) {
  // Rows: the scenario's devices first (in scenario order), then any other device seen.
  std::vector<std::string> rows = input.devices;
  for (const auto& [id, d] : stats.devices)
    if (!id.empty() && std::find(rows.begin(), rows.end(), id) == rows.end()) rows.push_back(id);
  bool harness_row = false;
  for (const auto& e : input.events) {
    const auto kind = EventView(e).text("kind");
    if (kind == "action" || kind == "plc_fault" || kind == "tls_failure") harness_row = true;
  }
  // A scale test has hundreds of devices: a lane each would make a page nobody scrolls through.
  std::size_t hidden = 0;
  if (rows.size() > max_timeline_devices) {
    hidden = rows.size() - max_timeline_devices;
    rows.resize(max_timeline_devices);
  }
  if (harness_row) rows.push_back("");
  if (rows.empty()) return "<p class=\"empty\">No device traffic was observed.</p>";

  const double row_h = 30, top = 10;
  const double height = top + row_h * static_cast<double>(rows.size()) + 30;
  const Scale x{0, time_axis_end(input, stats), left_margin, chart_width - right_margin};
  std::map<std::string, std::size_t> row_of;
  for (std::size_t i = 0; i < rows.size(); ++i) row_of[rows[i]] = i;
  auto row_y = [&](std::size_t i) { return top + row_h * (static_cast<double>(i) + 0.5); };

  struct Marks {
    std::vector<Point> publish_ok, publish_bad;
  };
  std::vector<Marks> marks(rows.size());
  std::string markers;  // connects, refusals, disconnects, harness events: few, each with a tooltip
  std::size_t markers_drawn = 0;
  for (const auto& e : input.events) {
    const auto kind = EventView(e).text("kind");
    const bool harness_event = kind == "action" || kind == "plc_fault" || kind == "tls_failure";
    const std::string device = harness_event ? "" : EventView(e).string("device");
    if (device.empty() && !harness_event) continue;  // PLC value changes, run markers: not traffic
    const auto it = row_of.find(device);
    if (it == row_of.end()) continue;
    const double px = x(event_seconds(e, stats.first_mono_ns, input.time_scale));
    const double py = row_y(it->second);
    if (kind == "publish") {
      (EventView(e).text("verdict", "accepted") == "accepted" ? marks[it->second].publish_ok
                                                            : marks[it->second].publish_bad)
          .push_back({px, py});
      continue;
    }
    if (markers_drawn > 4000) continue;  // a reconnect storm must not make the page unusable
    const std::string tip = "<title>" + escape_markup(summarize_event(e)) + "</title>";
    if (kind == "connect" && EventView(e).string("verdict") == "accepted") {
      markers += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" class=\"tl-connect-accepted\">{}</circle>",
                             px, py, tip);
    } else if (kind == "connect") {
      markers += fmt::format(
          "<path d=\"M{0:.1f} {1:.1f}l10 10m0 -10l-10 10\" class=\"tl-connect-refused\">{2}</path>", px - 5,
          py - 5, tip);
    } else if (kind == "disconnect") {
      markers += fmt::format("<path d=\"M{:.1f} {:.1f}l6 10h-12z\" class=\"tl-disconnect\">{}</path>", px,
                             py - 2, tip);
    } else if (kind == "dut_action" || kind == "dut_alarm") {
      // What the program sent out (mail, SMS, FTP, HTTP) and its alarms, on the device's lane.
      if (kind == "dut_action" && EventView(e).string("phase") != "start") continue;
      markers += fmt::format("<path d=\"M{:.1f} {:.1f}l6 6l-6 6l-6 -6z\" class=\"{}\">{}</path>", px, py - 6,
                             kind == "dut_action" ? "tl-dut-action" : "tl-dut-alarm", tip);
    } else if (device.empty()) {
      markers += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"6\" height=\"12\" class=\"tl-action\">{}</rect>",
                             px - 3, py - 6, tip);
    } else {
      continue;
    }
    ++markers_drawn;
  }

  std::string out = fmt::format(
      "<svg class=\"chart timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {1}\" "
      "width=\"{0}\" height=\"{1}\" role=\"img\" aria-label=\"message timeline per device\">\n",
      chart_width, height);
  out += time_axis(x, top, height - 26);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const double py = row_y(i);
    const std::string label = rows[i].empty() ? "harness / PLC" : rows[i];
    out += fmt::format(
        "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"lane\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"lane-label\" text-anchor=\"end\">{}</text>\n",
        left_margin, chart_width - right_margin, py, py, left_margin - 8, py + 4,
        escape_markup(label.size() > 22 ? label.substr(0, 21) + "…" : label));
    const auto ok = svg::decimate_scatter(marks[i].publish_ok, 1.5);
    const auto bad = svg::decimate_scatter(marks[i].publish_bad, 1.5);
    if (!ok.empty()) out += "<path class=\"tl-publish\" d=\"" + ticks_path(ok, 8) + "\"/>\n";
    if (!bad.empty()) out += "<path class=\"tl-publish-refused\" d=\"" + ticks_path(bad, 10) + "\"/>\n";
  }
  out += markers;
  out += "\n</svg>";
  if (hidden > 0)
    out += fmt::format("<p class=\"note\">… and {} more devices (first {} shown; all are in the device table).</p>",
                       hidden, max_timeline_devices);
  return out;
}

std::string interval_histogram_svg(const ReportInput& input) {
  std::vector<double> all;
  for (const auto& [device, v] : publish_intervals(input.events, input.time_scale)) all.insert(all.end(), v.begin(), v.end());
  if (all.empty()) return "<p class=\"empty\">Fewer than two telemetry messages per device: no publish intervals to show.</p>";
  std::sort(all.begin(), all.end());
  const double p99 = all[static_cast<std::size_t>(0.99 * static_cast<double>(all.size() - 1))];
  double hi = p99 * 1.1;
  for (auto period : {input.full_push_period_s, input.change_push_period_s})
    if (period) hi = std::max(hi, *period * 1.25);
  hi = std::max(hi, 1e-3);
  constexpr int bins = 48;
  std::vector<std::size_t> counts(bins + 1, 0);  // last bin = overflow (> hi)
  for (double v : all) counts[v > hi ? bins : std::min<int>(bins - 1, static_cast<int>(v / hi * bins))]++;
  const std::size_t max_count = *std::max_element(counts.begin(), counts.end());

  const double width = chart_width, height = 270, top = 44, bottom = height - 30;
  const double plot_right = width - right_margin - 60;  // room for the overflow bar
  const Scale x{0, hi, 60, plot_right};
  const Scale y{0, static_cast<double>(max_count), bottom, top};
  std::string out = fmt::format(
      "<svg class=\"chart histogram\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" "
      "height=\"{1}\" role=\"img\" aria-label=\"publish interval histogram\">\n",
      width, height);
  out += time_axis(x, top, bottom);
  for (double c : svg::nice_ticks(0, static_cast<double>(max_count), 4))
    out += fmt::format("<text x=\"52\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{}</text>", y(c) + 4,
                       svg::format_number(c));
  const double bw = (plot_right - 60) / bins;
  for (int b = 0; b < bins; ++b) {
    if (counts[b] == 0) continue;
    out += fmt::format(
        "<rect class=\"bar\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\"><title>{}–{} s: {}</title></rect>",
        x(0) + b * bw + 0.5, y(static_cast<double>(counts[b])), std::max(bw - 1, 1.0),
        bottom - y(static_cast<double>(counts[b])), svg::format_number(hi * b / bins),
        svg::format_number(hi * (b + 1) / bins), counts[b]);
  }
  if (counts[bins] > 0)
    out += fmt::format(
        "<rect class=\"bar overflow\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\"><title>&gt; {} s: "
        "{}</title></rect><text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"middle\">&gt;{}s</text>",
        plot_right + 20, y(static_cast<double>(counts[bins])), 30.0, bottom - y(static_cast<double>(counts[bins])),
        svg::format_number(hi), counts[bins], plot_right + 35, bottom + 14, svg::format_number(hi));
  auto expected_line = [&](const std::optional<double>& period, const char* cls, const char* label, double dy) {
    if (!period) return;
    const double px = x(*period);
    out += fmt::format(
        "<line class=\"{0}\" x1=\"{1:.1f}\" x2=\"{1:.1f}\" y1=\"{2:.1f}\" y2=\"{3:.1f}\"/>"
        "<text class=\"expected-label\" x=\"{4:.1f}\" y=\"{5:.1f}\">{6} {7} s</text>\n",
        cls, px, top - 14, bottom, px + 4, top + dy - 4, label, svg::format_number(*period));
  };
  expected_line(input.full_push_period_s, "expected expected-full", "expected full push", 4);
  expected_line(input.change_push_period_s, "expected expected-change", "expected change push", 18);
  const double median = all[all.size() / 2];
  out += fmt::format(
      "<text class=\"stats\" x=\"{:.1f}\" y=\"16\" text-anchor=\"end\">{} intervals · median {} s · p99 {} s · max {} "
      "s</text>\n</svg>",
      plot_right, all.size(), svg::format_number(median), svg::format_number(p99), svg::format_number(all.back()));
  return out;
}

std::string value_chart_svg(const ReportInput& input, const RunStats& stats, const PlottedTag& tag) {
  TagSeries series = tag_series(input.events, tag.tag, tag.point, stats.first_mono_ns, input.time_scale);
  for (auto& p : series.plc) p.value = p.value * tag.coef + tag.offset;
  if (series.published.size() > max_value_series) {
    std::vector<ValuePoint> merged;
    for (const auto& [device, pts] : series.published) merged.insert(merged.end(), pts.begin(), pts.end());
    const std::string label = fmt::format("{} devices", series.published.size());
    series.published = {{label, std::move(merged)}};
  }
  std::size_t published_points = 0;
  for (const auto& [d, pts] : series.published) published_points += pts.size();
  if (series.plc.empty() && published_points == 0)
    return "<p class=\"empty\">No PLC changes of point " + escape_markup(tag.point) + " and no published values of tag " +
           escape_markup(tag.tag) + ".</p>";

  double lo = INFINITY, hi = -INFINITY;
  for (const auto& p : series.plc) lo = std::min(lo, p.value), hi = std::max(hi, p.value);
  for (const auto& [d, pts] : series.published)
    for (const auto& p : pts) lo = std::min(lo, p.value), hi = std::max(hi, p.value);
  const double pad = hi > lo ? (hi - lo) * 0.08 : std::max(1.0, std::abs(hi) * 0.1);
  lo -= pad, hi += pad;

  const double width = chart_width, height = 240, top = 16, bottom = height - 30;
  const double t_end = time_axis_end(input, stats);
  const Scale x{0, t_end, 70, width - right_margin};
  const Scale y{lo, hi, bottom, top};
  std::string out = fmt::format(
      "<svg class=\"chart values\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" "
      "height=\"{1}\" role=\"img\" aria-label=\"PLC vs published values of {2}\">\n",
      width, height, escape_markup(tag.tag));
  out += time_axis(x, top, bottom);
  for (double v : svg::nice_ticks(lo, hi, 5))
    out += fmt::format(
        "<line class=\"grid\" x1=\"70\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/><text x=\"62\" y=\"{:.1f}\" "
        "class=\"tick\" text-anchor=\"end\">{}</text>",
        width - right_margin, y(v), y(v), y(v) + 4, svg::format_number(v));
  if (!series.plc.empty()) {
    // The PLC holds a value until the next change: draw it as steps up to the end of the run.
    std::vector<Point> px;
    for (std::size_t i = 0; i < series.plc.size(); ++i) {
      const double xi = x(series.plc[i].t), yi = y(series.plc[i].value);
      if (i > 0) px.push_back({xi, px.back().y});
      px.push_back({xi, yi});
    }
    px.push_back({x(t_end), px.back().y});
    std::string d;
    for (const auto& p : svg::decimate_line(px)) d += fmt::format("{}{:.1f} {:.1f}", d.empty() ? "M" : "L", p.x, p.y);
    out += "<path class=\"plc-line\" d=\"" + d + "\"/>\n";
  }
  std::size_t colour = 0;
  double legend_x = 80;
  if (!series.plc.empty()) {
    out += fmt::format(
        "<line class=\"plc-line\" x1=\"{0:.1f}\" x2=\"{1:.1f}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\"/><text class=\"legend\" "
        "x=\"{3:.1f}\" y=\"{4:.1f}\">PLC {5}</text>",
        legend_x, legend_x + 18, height - 4 - 4, legend_x + 22, height - 4, escape_markup(tag.point));
    legend_x += 60 + 7.0 * static_cast<double>(std::min<std::size_t>(tag.point.size(), 30));
  } else {
    out += fmt::format("<text class=\"legend\" x=\"{:.1f}\" y=\"{:.1f}\">no PLC changes of {} in the capture</text>",
                       legend_x, height - 4, escape_markup(tag.point));
    legend_x += 200 + 7.0 * static_cast<double>(std::min<std::size_t>(tag.point.size(), 30));
  }
  for (const auto& [device, pts] : series.published) {
    const char* c = series_colours[colour++ % std::size(series_colours)];
    std::vector<Point> px;
    for (const auto& p : pts) px.push_back({x(p.t), y(p.value)});
    std::string d;
    if (px.size() <= 2000) {
      for (const auto& p : svg::decimate_scatter(px, 2.0)) d += fmt::format("M{:.1f} {:.1f}h0", p.x, p.y);
    } else {
      // Dense: the dots of one 2-pixel column overlap anyway; draw each column's min..max span.
      for (const auto& [column, span] : svg::column_spans(px, 2.0))
        d += fmt::format("M{:.1f} {:.1f}V{:.1f}", column, span.first, span.second);
    }
    out += fmt::format("<path class=\"published\" stroke=\"{}\" d=\"{}\"/>\n", c, d);
    out += fmt::format(
        "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\" fill=\"{}\"/><text class=\"legend\" x=\"{:.1f}\" y=\"{:.1f}\">"
        "published by {} ({} values)</text>",
        legend_x, height - 8, c, legend_x + 8, height - 4, escape_markup(device_label(device)), pts.size());
    legend_x += 200 + 7.0 * static_cast<double>(std::min<std::size_t>(device.size(), 30));
  }
  out += "\n</svg>";
  return out;
}

}  // namespace flexhil::report
