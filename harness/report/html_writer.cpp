// report.html: what a person reads after `make demo`. One self-contained file — inline CSS and
// SVG, no script, no fonts or images from the network — so it can be attached to a CI run or
// mailed. Everything that came from a device or a scenario is escaped (payloads may contain
// markup), and charts are decimated to the pixel grid so big runs stay fast.
#include <algorithm>
#include <fmt/format.h>
#include <set>

#include <cmath>

#include "harness/report/fleet_view.hpp"
#include "harness/report/html_charts.hpp"
#include "harness/report/svg_plot.hpp"
#include "harness/report/labels.hpp"
#include "harness/report/markup_escape.hpp"
#include "harness/report/report.hpp"
#include "harness/report/run_stats.hpp"

namespace flexhil::report {

namespace {

constexpr std::size_t max_finding_rows = 500;
constexpr std::size_t max_evidence_lines = 50;

const char* const style = R"(
:root{--ok:#2b8a3e;--bad:#c92a2a;--warn:#e67700;--info:#1971c2;--ink:#212529;--muted:#868e96;--line:#dee2e6}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:#f8f9fa}
main{max-width:1220px;margin:0 auto;padding:0 20px 40px}
header.verdict{color:#fff;padding:22px 30px;margin-bottom:18px}
header.passed{background:var(--ok)} header.failed{background:var(--bad)} header.interrupted{background:var(--warn)}
header .big{font-size:40px;font-weight:800;letter-spacing:.04em;margin-right:18px}
header h1{display:inline;font-size:26px;font-weight:600;vertical-align:6px}
header .meta{margin-top:6px;opacity:.92}
.counts{margin-top:12px;display:flex;gap:10px;flex-wrap:wrap}
.pill{display:inline-block;padding:4px 12px;border-radius:14px;background:rgba(255,255,255,.18);font-weight:600}
.pill b{font-size:18px;margin-right:4px}
section{background:#fff;border:1px solid var(--line);border-radius:6px;padding:14px 18px;margin:14px 0}
h2{font-size:18px;margin:0 0 10px}
h3{font-size:15px;margin:14px 0 4px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;text-transform:uppercase;color:var(--muted)}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.sev{display:inline-block;min-width:62px;text-align:center;padding:1px 6px;border-radius:4px;color:#fff;font-size:12px;font-weight:700}
.sev-error{background:var(--bad)} .sev-warning{background:var(--warn)} .sev-info{background:var(--info)}
.rule{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-weight:600;white-space:nowrap}
.title{color:var(--muted);font-size:12px}
.tag{display:inline-block;font-size:11px;padding:0 5px;border-radius:3px;background:#e7f5ff;color:var(--info)}
details summary{cursor:pointer;color:var(--info);font-size:12px;margin-top:2px}

pre{white-space:pre-wrap;word-break:break-all;font:12px/1.4 ui-monospace,"DejaVu Sans Mono",monospace;background:#f1f3f5;padding:8px;margin:6px 0 0;max-height:320px;overflow:auto}
.empty,.note{color:var(--muted)}
.ok-text{color:var(--ok);font-weight:600} .bad-text{color:var(--bad);font-weight:600}
svg.chart{display:block;max-width:100%;height:auto;font-size:11px}
svg .grid{stroke:#eceff1} svg .lane{stroke:#ced4da}
svg .tick,svg .stats,svg .legend{fill:#495057} svg .lane-label{fill:#212529;font-size:12px;font-weight:600}
svg .tl-publish{stroke:#1c7ed6;stroke-width:1.2} svg .tl-publish-refused{stroke:var(--bad);stroke-width:2}
svg .tl-connect-accepted{fill:var(--ok);stroke:#fff} svg .tl-connect-refused{stroke:var(--bad);stroke-width:3;fill:none}
svg .tl-disconnect{fill:var(--warn)} svg .tl-action{fill:#7048e8} svg .tl-dut-action{fill:#0b7285} svg .tl-dut-alarm{fill:#d6336c}
svg .bar{fill:#74c0fc} svg .overflow{fill:#ffa8a8}
svg .expected{stroke-width:2;stroke-dasharray:6 4} svg .expected-full{stroke:var(--bad)} svg .expected-change{stroke:#7048e8}
svg .expected-label{fill:#495057;font-weight:600}
svg .plc-line{stroke:#343a40;stroke-width:1.6;fill:none}
svg .published{stroke-width:6;stroke-linecap:round;fill:none;opacity:.8}
.legend-row{font-size:12px;color:#495057;margin:4px 0 8px}
.legend-row span{margin-right:16px}
.sw{display:inline-block;width:12px;height:12px;vertical-align:-2px;margin-right:4px;border-radius:2px}
footer{color:var(--muted);font-size:12px;margin-top:20px}
)";

std::string e(std::string_view s) { return escape_markup(s); }

std::string human_duration(double s) {
  if (s < 120) return fmt::format("{:.1f} s", s);
  if (s < 7200) return fmt::format("{:.0f} min {:.0f} s", std::floor(s / 60), std::fmod(s, 60));
  return fmt::format("{:.1f} h", s / 3600);
}

// "2026-11-26T08:00:12.345678Z" → "2026-11-26 08:00:12 UTC"
std::string readable_wall(const std::string& iso) {
  if (iso.size() < 19 || iso[10] != 'T') return iso;
  return iso.substr(0, 10) + " " + iso.substr(11, 8) + (iso.back() == 'Z' ? " UTC" : "");
}

// An interrupted run is neither passed nor failed: its findings cover only part of the scenario.
const char* verdict_class(const ReportInput& in) {
  return in.interrupted ? "interrupted" : in.passed ? "passed" : "failed";
}
const char* verdict_label(const ReportInput& in) {
  return in.interrupted ? "INTERRUPTED" : in.passed ? "PASSED" : "FAILED";
}

std::string header(const ReportInput& in, const RunStats& stats) {
  std::size_t counts[3] = {0, 0, 0};
  for (const auto& f : in.findings) ++counts[static_cast<int>(f.severity)];
  std::uint64_t messages = 0;
  for (const auto& [id, d] : stats.devices) messages += d.messages;
  // Offline validation knows no run duration: the capture's own span stands in for it.
  const double real_s =
      in.duration_s > 0 ? in.duration_s : static_cast<double>(stats.last_mono_ns - stats.first_mono_ns) / 1e9;
  std::string out = fmt::format(
      "<header class=\"verdict {0}\" id=\"verdict\"><span class=\"big\">{1}</span><h1>{2}</h1>\n"
      "<div class=\"meta\">run {3} · started {4} · {5} real",
      verdict_class(in), verdict_label(in), e(in.scenario), e(in.run_id),
      e(readable_wall(in.started_wall)), human_duration(real_s));
  if (in.time_scale != 1)
    out += fmt::format(" = {} scenario time (×{})", human_duration(real_s * in.time_scale),
                       svg::format_number(in.time_scale));
  out += fmt::format(" · exit code {}{}{}</div>\n", in.exit_code,
                     in.exit_reason.empty() ? "" : " · " + e(in.exit_reason),
                     in.fleet_report.empty() ? ""
                                             : " · <a style=\"color:#fff\" href=\"" + e(in.fleet_report) +
                                                   "\">the whole fleet</a>");
  out += "<div class=\"counts\">";
  auto plural = [](std::size_t n, const char* word) { return fmt::format("{}{}", word, n == 1 ? "" : "s"); };
  out += fmt::format("<span class=\"pill\" id=\"count-error\"><b>{}</b>{}</span>", counts[0], plural(counts[0], "error"));
  out += fmt::format("<span class=\"pill\" id=\"count-warning\"><b>{}</b>{}</span>", counts[1],
                     plural(counts[1], "warning"));
  out += fmt::format("<span class=\"pill\" id=\"count-info\"><b>{}</b>info</span>", counts[2]);
  out += fmt::format("<span class=\"pill\"><b>{}</b>{}</span>", messages, plural(messages, "message"));
  out += fmt::format("<span class=\"pill\"><b>{}</b>device{}</span>", std::max(in.devices.size(), stats.devices.size()),
                     std::max(in.devices.size(), stats.devices.size()) == 1 ? "" : "s");
  out += "</div></header>\n";
  return out;
}

std::string declared_section(const ReportInput& in) {
  if (!in.declared_findings) return {};
  const auto& d = *in.declared_findings;
  std::set<std::string> found;
  // Found under its rule id, and as RULE@device (an entry may name the device, in a fleet).
  for (const auto& f : in.findings) {
    found.insert(f.rule_id);
    found.insert(f.rule_id + "@" + f.device);
  }
  std::string out = "<section id=\"declared\"><h2>Declared findings</h2>";
  out += d.ok() ? "<p class=\"ok-text\">The findings match what the scenario declares.</p>"
                : "<p class=\"bad-text\">The findings differ from what the scenario declares.</p>";
  out += fmt::format("<table><tr><th>rule</th><th>declared</th><th>outcome</th></tr>");
  auto row = [&](const std::string& id, const char* declared, bool good, const std::string& outcome) {
    out += fmt::format("<tr><td class=\"rule\">{}</td><td>{}</td><td class=\"{}\">{}</td></tr>", e(id), declared,
                       good ? "ok-text" : "bad-text", outcome);
  };
  const char* kind = d.exact ? "exactly these" : "must find";
  for (const auto& id : d.expected) row(id, kind, found.count(id) > 0, found.count(id) ? "found" : "missing");
  for (const auto& id : d.must_not) row(id, "must not find", found.count(id) == 0, found.count(id) ? "found" : "not found");
  for (const auto& id : d.unexpected)
    if (std::find(d.must_not.begin(), d.must_not.end(), id) == d.must_not.end()) row(id, "—", false, "unexpected");
  out += "</table></section>\n";
  return out;
}

// The rules that did not run because they do not apply to what the device publishes to.
std::string not_applicable_section(const ReportInput& in) {
  if (in.not_applicable.empty()) return {};
  std::map<std::string, const rules::RuleInfo*> info;
  for (const auto& r : in.catalogue) info[r.id] = &r;
  std::string out = fmt::format("<section id=\"not-applicable\"><h2>Not applicable</h2><p class=\"note\">{} "
                                "rule(s) did not run ({}); they are neither passed nor failed.</p><table><tr><th>rule"
                                "</th><th>title</th></tr>",
                                in.not_applicable.size(), e(in.not_applicable_reason));
  for (const auto& id : in.not_applicable) {
    const auto it = info.find(id);
    out += fmt::format("<tr><td class=\"rule\">{}</td><td>{}</td></tr>", e(id),
                       it != info.end() ? e(it->second->title) : std::string());
  }
  return out + "</table></section>\n";
}

std::string findings_section(const ReportInput& in) {
  std::string out = "<section id=\"findings\"><h2>Findings</h2>\n";
  if (in.findings.empty()) return out + "<p class=\"ok-text\">No findings.</p></section>\n";
  const auto by_seq = index_by_seq(in.events);
  std::map<std::string, const rules::RuleInfo*> rule_info;
  for (const auto& r : in.catalogue) rule_info[r.id] = &r;
  std::vector<std::size_t> order(in.findings.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto& fa = in.findings[a];
    const auto& fb = in.findings[b];
    if (fa.severity != fb.severity) return fa.severity < fb.severity;
    return fa.rule_id < fb.rule_id;
  });
  out += "<table class=\"findings\"><tr><th>severity</th><th>rule</th><th>device</th><th>real hub</th>"
         "<th>what was measured · evidence</th></tr>\n";
  std::size_t rows = 0;
  for (auto i : order) {
    if (rows++ == max_finding_rows) {
      out += fmt::format("<tr><td colspan=\"5\" class=\"note\">… {} more findings in summary.json</td></tr>\n",
                         in.findings.size() - max_finding_rows);
      break;
    }
    const auto& f = in.findings[i];
    const std::string sev(severity_label(f.severity));
    const auto info = rule_info.find(f.rule_id);
    std::string evidence = "<div class=\"note\">no evidence events</div>";
    if (!f.evidence.empty()) {
      std::string lines;
      std::size_t shown = 0;
      for (auto seq : f.evidence) {
        if (shown++ == max_evidence_lines) {
          lines += fmt::format("… {} more\n", f.evidence.size() - max_evidence_lines);
          break;
        }
        const auto it = by_seq.find(seq);
        lines += (it != by_seq.end() ? summarize_event(*it->second) : fmt::format("#{} (not in capture)", seq)) + "\n";
      }
      evidence = fmt::format("<details><summary>evidence: {} event{}</summary><pre>{}</pre></details>", f.evidence.size(),
                             f.evidence.size() == 1 ? "" : "s", e(lines));
    }
    out += fmt::format(
        "<tr class=\"finding\"><td><span class=\"sev sev-{0}\">{0}</span>{1}</td><td><span class=\"rule\">{2}</span>{3}</td>"
        "<td>{4}</td><td>{5}</td><td class=\"measured\">{6}{7}</td></tr>\n",
        sev, is_declared(in, f) ? "<br><span class=\"tag\">declared</span>" : "", e(f.rule_id),
        info != rule_info.end() ? "<div class=\"title\">" + e(info->second->title) + "</div>" : "",
        e(device_label(f.device)), e(hub_label(f.hub)), e(f.message), evidence);
  }
  out += "</table></section>\n";
  return out;
}

std::string devices_section(const ReportInput& in, const RunStats& stats) {
  std::string out = "<section id=\"devices\"><h2>Devices</h2><table><tr><th>device</th><th>messages</th><th>bytes</th>"
                    "<th>refused publishes</th><th>connects accepted</th><th>connects refused</th><th>disconnects</th></tr>\n";
  std::vector<std::string> ids = in.devices;
  for (const auto& [id, d] : stats.devices)
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  for (const auto& id : ids) {
    const auto it = stats.devices.find(id);
    const DeviceStats d = it != stats.devices.end() ? it->second : DeviceStats{};
    out += fmt::format(
        "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
        e(device_label(id)), d.messages, d.bytes, d.refused_publishes, d.connects_accepted, d.connects_refused,
        d.disconnects);
  }
  return out + "</table></section>\n";
}

// The files section and the end of the page.
std::string finish_html(std::string out, const ReportInput& in) {
  out += fmt::format(
      "<section id=\"files\"><h2>Files of this run</h2><ul>"
      "<li><a href=\"{0}\">{0}</a> — every event, one JSON object per line ({1} events)</li>"
      "<li><a href=\"{2}\">{2}</a> — the broker's log</li>"
      "<li><a href=\"{3}\">{3}</a> — the device under test's console</li>"
      "<li><a href=\"junit.xml\">junit.xml</a> · <a href=\"summary.json\">summary.json</a></li></ul>"
      "<p class=\"note\">Re-check offline: <code>flexhil validate {0} --scenario &lt;scenario.toml&gt;</code></p></section>\n",
      e(in.capture_file), in.events.size(), e(in.broker_log_file), e(in.dut_console_file));
  out += "<footer>flexhil — hardware-in-the-loop checks for eWON Flexy → Azure IoT Hub</footer>\n</main></body></html>\n";
  return out;
}


}  // namespace

std::string render_html(const ReportInput& in) {
  const RunStats stats = compute_stats(in.events);
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  // No script and no network: a CSP makes that a property of the page, not just of its author.
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n";
  out += fmt::format("<title>{} {} — {}</title>\n<style>{}</style></head><body>\n", verdict_label(in),
                     e(in.scenario), e(in.run_id), style);
  out += header(in, stats);
  out += "<main>\n";
  out += declared_section(in);
  out += findings_section(in);
  out += not_applicable_section(in);
  if (is_fleet(in)) out += fleet_section(in, stats);
  if (in.devices.size() > fleet_charts_limit) {
    out += fmt::format("<section id=\"charts\"><h2>Charts</h2><p class=\"note\">{} devices: each device's message "
                       "timeline, publish intervals and values are on its own page (the device column above).</p>"
                       "</section>\n", in.devices.size());
    return finish_html(out, in);
  }

  out += "<section id=\"timeline\"><h2>Message timeline per device</h2>\n<div class=\"legend-row\">"
         "<span><i class=\"sw\" style=\"background:#1c7ed6\"></i>publish accepted</span>"
         "<span><i class=\"sw\" style=\"background:#c92a2a\"></i>publish refused / refusal</span>"
         "<span><i class=\"sw\" style=\"background:#2b8a3e;border-radius:6px\"></i>connect accepted</span>"
         "<span><i class=\"sw\" style=\"background:#e67700\"></i>disconnect</span>"
         "<span><i class=\"sw\" style=\"background:#7048e8\"></i>action / PLC fault</span>"
         "<span><i class=\"sw\" style=\"background:#0b7285\"></i>device mail / SMS / FTP / HTTP</span>"
         "<span><i class=\"sw\" style=\"background:#d6336c\"></i>device alarm</span>"
         "<span class=\"note\">time in scenario seconds</span></div>\n";
  out += timeline_svg(in, stats) + "</section>\n";

  out += "<section id=\"intervals\"><h2>Publish intervals</h2><p class=\"note\">Time between consecutive telemetry "
         "messages of each device (scenario seconds), against the expected periods.</p>\n";
  out += interval_histogram_svg(in) + "</section>\n";

  out += "<section id=\"values\"><h2>PLC value vs published value</h2>\n";
  std::vector<PlottedTag> tags = in.plotted_tags;
  if (tags.empty()) {
    for (auto& [tag, point] : infer_plotted_tags(in.events)) tags.push_back({tag, point});
    out += tags.empty() ? "<p class=\"empty\">The scenario names no tags and the capture has no numeric values to plot.</p>"
                        : "<p class=\"note\">The scenario names no tags; these were found in the capture.</p>";
  }
  for (const auto& tag : tags) {
    std::string scaling;
    if (tag.coef != 1.0 || tag.offset != 0.0)
      scaling = fmt::format(" × {} + {}", svg::format_number(tag.coef), svg::format_number(tag.offset));
    out += fmt::format("<h3>{}{}</h3>\n", e(tag.tag),
                       tag.point != tag.tag || !scaling.empty() ? " (PLC point " + e(tag.point) + scaling + ")" : "");
    out += value_chart_svg(in, stats, tag) + "\n";
  }
  out += "</section>\n";

  out += devices_section(in, stats);
  return finish_html(out, in);
}

}  // namespace flexhil::report
