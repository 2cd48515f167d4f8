#include "harness/report/fleet_view.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "common/event_view.hpp"
#include "harness/report/html_charts.hpp"
#include "harness/report/labels.hpp"
#include "harness/report/markup_escape.hpp"

namespace flexhil::report {

namespace {

struct DeviceFindings {
  std::size_t errors = 0, warnings = 0, infos = 0, undeclared_errors = 0;
};

std::map<std::string, DeviceFindings> findings_by_device(const ReportInput& in) {
  std::map<std::string, DeviceFindings> out;
  for (const auto& f : in.findings) {
    auto& d = out[f.device];
    switch (f.severity) {
      case rules::Severity::error:
        ++d.errors;
        if (!is_declared(in, f)) ++d.undeclared_errors;
        break;
      case rules::Severity::warning: ++d.warnings; break;
      case rules::Severity::info: ++d.infos; break;
    }
  }
  return out;
}

// "ok", "declared" (only the findings the scenario expects) or "failed".
std::string device_verdict(const DeviceFindings& f) {
  if (f.undeclared_errors > 0) return "failed";
  return f.errors > 0 ? "declared" : "ok";
}

// Devices × time: a cell is coloured by the worst finding whose evidence falls in it.
std::string heat_map_svg(const ReportInput& in, const RunStats& stats, const std::vector<std::string>& rows) {
  constexpr int columns = 60;
  const double end = time_axis_end(in, stats);
  const double row_h = rows.size() > 200 ? 3 : rows.size() > 60 ? 6 : 12;
  const double label_w = rows.size() > 200 ? 10 : 110, cell_w = 14, top = 18;
  const double width = label_w + columns * cell_w + 10, height = top + rows.size() * row_h + 22;
  std::map<std::string, std::size_t> row_of;
  for (std::size_t i = 0; i < rows.size(); ++i) row_of[rows[i]] = i;
  const auto by_seq = index_by_seq(in.events);
  // cell → worst severity (0 info, 1 warning, 2 error) and how many evidence events.
  std::map<std::pair<std::size_t, int>, std::pair<int, std::size_t>> cells;
  for (const auto& f : in.findings) {
    const auto row = row_of.find(f.device);
    if (row == row_of.end()) continue;
    const int sev = f.severity == rules::Severity::error ? 2 : f.severity == rules::Severity::warning ? 1 : 0;
    auto mark = [&](double t) {
      const int col = std::clamp(static_cast<int>(t / end * columns), 0, columns - 1);
      auto& c = cells[{row->second, col}];
      c.first = std::max(c.first, sev);
      ++c.second;
    };
    bool any = false;
    for (const auto seq : f.evidence)
      if (const auto it = by_seq.find(seq); it != by_seq.end()) {
        mark(event_seconds(*it->second, stats.first_mono_ns, in.time_scale));
        any = true;
      }
    if (!any) mark(end);  // a finding about the whole run (never connected): at its end
  }
  std::string out = fmt::format(
      "<svg class=\"chart heat\" viewBox=\"0 0 {:.0f} {:.0f}\" width=\"{:.0f}\" role=\"img\" "
      "aria-label=\"findings per device over time\">\n<rect x=\"{:.0f}\" y=\"{:.0f}\" width=\"{:.0f}\" height=\"{:.0f}\" "
      "fill=\"#f1f3f5\"/>\n",
      width, height, width, label_w, top, columns * cell_w, rows.size() * row_h);
  static const char* const fills[] = {"#74c0fc", "#ffa94d", "#e03131"};
  for (const auto& [cell, v] : cells) {
    const double opacity = std::min(1.0, 0.45 + 0.15 * static_cast<double>(v.second));
    out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\" "
                       "fill-opacity=\"{:.2f}\"><title>{} · {:.0f}–{:.0f} s · {} event(s)</title></rect>\n",
                       label_w + cell.second * cell_w, top + cell.first * row_h, cell_w - 1, std::max(1.0, row_h - 1),
                       fills[v.first], opacity, escape_markup(rows[cell.first]), cell.second * end / columns,
                       (cell.second + 1) * end / columns, v.second);
  }
  if (row_h >= 12)
    for (std::size_t i = 0; i < rows.size(); ++i)
      out += fmt::format("<text class=\"tick\" x=\"{:.0f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", label_w - 6,
                         top + (i + 0.75) * row_h, escape_markup(rows[i]));
  for (int k = 0; k <= 4; ++k)
    out += fmt::format("<text class=\"tick\" x=\"{:.1f}\" y=\"{:.0f}\" text-anchor=\"middle\">{:.0f} s</text>\n",
                       label_w + k * columns * cell_w / 4, height - 6, k * end / 4);
  return out + "</svg>\n";
}

}  // namespace

bool is_fleet(const ReportInput& input) { return input.devices.size() > 1; }

std::string device_page(const std::string& device) {
  std::string safe;
  for (const char c : device)
    safe += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
  return "devices/" + safe + ".html";
}

bool has_device_page(const ReportInput& input, const std::string& device) {
  if (input.devices.size() <= device_pages_limit) return true;
  return std::any_of(input.findings.begin(), input.findings.end(),
                     [&](const rules::Finding& f) { return f.device == device; });
}

std::string fleet_section(const ReportInput& in, const RunStats& stats) {
  const auto findings = findings_by_device(in);
  std::size_t ok = 0, declared = 0, failed = 0;
  for (const auto& id : in.devices) {
    const auto it = findings.find(id);
    const auto v = device_verdict(it == findings.end() ? DeviceFindings{} : it->second);
    (v == "ok" ? ok : v == "declared" ? declared : failed)++;
  }
  std::string out = fmt::format(
      "<section id=\"fleet\"><h2>Fleet: {} devices</h2><p><span class=\"ok-text\">{} ok</span> · {} with declared "
      "findings only · <span class=\"{}\">{} failed</span>{}</p>\n",
      in.devices.size(), ok, declared, failed > 0 ? "bad-text" : "note", failed,
      findings.count("") ? fmt::format(" · {} hub-wide finding(s)", findings.at("").errors + findings.at("").warnings +
                                                                       findings.at("").infos)
                         : std::string());
  out += "<h3>Findings per device over time</h3><div class=\"legend-row\">"
         "<span><i class=\"sw\" style=\"background:#e03131\"></i>error</span>"
         "<span><i class=\"sw\" style=\"background:#ffa94d\"></i>warning</span>"
         "<span><i class=\"sw\" style=\"background:#74c0fc\"></i>info</span>"
         "<span class=\"note\">one row per device, scenario seconds</span></div>\n";
  out += heat_map_svg(in, stats, in.devices);
  out += "<h3>Devices</h3><table><tr><th>device</th><th>verdict</th><th>errors</th><th>warnings</th><th>infos</th>"
         "<th>messages</th><th>connects accepted</th><th>connects refused</th><th>disconnects</th></tr>\n";
  // Failed devices first, so the one misconfigured Flexy of a hundred is on top.
  std::vector<std::string> ids = in.devices;
  std::stable_sort(ids.begin(), ids.end(), [&](const std::string& a, const std::string& b) {
    auto rank = [&](const std::string& id) {
      const auto it = findings.find(id);
      const auto v = device_verdict(it == findings.end() ? DeviceFindings{} : it->second);
      return v == "failed" ? 0 : v == "declared" ? 1 : 2;
    };
    return rank(a) < rank(b);
  });
  for (const auto& id : ids) {
    const auto fit = findings.find(id);
    const auto f = fit == findings.end() ? DeviceFindings{} : fit->second;
    const auto sit = stats.devices.find(id);
    const auto d = sit == stats.devices.end() ? DeviceStats{} : sit->second;
    const auto v = device_verdict(f);
    const auto name = has_device_page(in, id)
                          ? fmt::format("<a href=\"{}\">{}</a>", escape_markup(device_page(id)), escape_markup(id))
                          : escape_markup(id);
    out += fmt::format(
        "<tr><td>{}</td><td class=\"{}\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
        name, v == "failed" ? "bad-text" : v == "ok" ? "ok-text" : "", v, f.errors, f.warnings, f.infos, d.messages,
        d.connects_accepted, d.connects_refused, d.disconnects);
  }
  return out + "</table></section>\n";
}

ReportInput device_report_input(const ReportInput& in, const std::string& device) {
  ReportInput r;
  r.scenario = in.scenario + " · " + device;
  r.run_id = in.run_id;
  r.started_wall = in.started_wall;
  r.duration_s = in.duration_s;
  r.time_scale = in.time_scale;
  r.hostname = in.hostname;
  r.exit_code = in.exit_code;
  r.exit_reason = in.exit_reason;
  r.interrupted = in.interrupted;
  r.partial = in.partial;
  r.capture_problem = in.capture_problem;
  r.devices = {device};
  for (const auto& e : in.events) {
    const auto d = EventView(e).text("device");
    if (d.empty() || d == device) r.events.push_back(e);
  }
  DeviceFindings mine;
  for (const auto& f : in.findings)
    if (f.device == device) {
      r.findings.push_back(f);
      if (f.severity == rules::Severity::error && !is_declared(in, f)) ++mine.undeclared_errors;
    }
  r.catalogue = in.catalogue;
  r.not_applicable = in.not_applicable;
  r.not_applicable_reason = in.not_applicable_reason;
  r.full_push_period_s = in.full_push_period_s;
  r.change_push_period_s = in.change_push_period_s;
  r.plotted_tags = in.plotted_tags;
  // The device's own verdict: no error finding the scenario does not expect (of this device).
  r.passed = in.exit_code <= 1 && mine.undeclared_errors == 0;
  if (in.declared_findings) {
    DeclaredFindings d;
    d.exact = in.declared_findings->exact;
    auto concerns = [&](const std::string& entry) {
      const auto at = entry.find('@');
      return at == std::string::npos || entry.compare(at + 1, std::string::npos, device) == 0;
    };
    for (const auto& x : in.declared_findings->expected)
      if (concerns(x)) d.expected.push_back(x);
    d.must_not = in.declared_findings->must_not;
    for (const auto& x : in.declared_findings->missing)
      if (x.find('@') != std::string::npos && concerns(x)) d.missing.push_back(x);
    for (const auto& x : in.declared_findings->unexpected)
      if (x.find('@') != std::string::npos && concerns(x)) d.unexpected.push_back(x);
    r.declared_findings = d;
  }
  r.capture_file = "../" + in.capture_file;
  r.broker_log_file = "../" + in.broker_log_file;
  r.dut_console_file = "../" + in.dut_console_file;
  r.fleet_report = "../report.html";
  return r;
}

}  // namespace flexhil::report
