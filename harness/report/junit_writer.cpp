// junit.xml: one <testcase> per (device, rule) that ran, so CI shows what was checked and not
// only what failed. Error findings fail their test case; warnings and infos are listed in the
// case's <system-out>. Findings a scenario declares (known-bad library) do not fail the build;
// a missing or an unexpected one fails the "scenario / declared-findings" case instead. A run
// without a verdict on the device (exit 2 or 3) skips the rules that found nothing, so CI never
// counts them as passed. Times are real: the suite's is the run's wall time, a rule case's an
// equal share of the rules' measured evaluation (families of rules judge in one pass each).
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <utility>

#include "harness/report/labels.hpp"
#include "harness/report/markup_escape.hpp"
#include "harness/report/report.hpp"
#include "harness/report/run_stats.hpp"

namespace flexhil::report {

namespace {

constexpr std::size_t max_evidence_lines = 50;

struct Case {
  std::string classname;
  std::string name;
  std::string title;
  std::vector<std::size_t> findings;  // indexes into input.findings
  bool not_applicable = false;        // the rule does not run against this target
};

std::vector<Case> collect_cases(const ReportInput& input) {
  std::vector<Case> cases;
  std::set<std::pair<std::string, std::string>> seen;
  auto add = [&](std::string device, const std::string& rule) {
    std::string cls(device_label(device));
    if (seen.insert({cls, rule}).second) cases.push_back({cls, rule, {}, {}});
  };
  if (!input.rules_run.empty()) {
    for (const auto& run : input.rules_run)
      for (const auto& rule : run.rule_ids) add(run.device, rule);
  } else {
    const std::vector<std::string> devices = input.devices.empty() ? std::vector<std::string>{""} : input.devices;
    for (const auto& d : devices)
      for (const auto& rule : input.catalogue) add(d, rule.id);
  }
  for (const auto& f : input.findings) add(f.device, f.rule_id);  // never lose a finding
  std::map<std::pair<std::string, std::string>, std::size_t> where;
  for (std::size_t i = 0; i < cases.size(); ++i) where[{cases[i].classname, cases[i].name}] = i;
  for (std::size_t i = 0; i < input.findings.size(); ++i) {
    const auto& f = input.findings[i];
    cases[where[{std::string(device_label(f.device)), f.rule_id}]].findings.push_back(i);
  }
  for (auto& c : cases) {
    for (const auto& rule : input.catalogue)
      if (rule.id == c.name) c.title = rule.title;
    c.not_applicable = c.findings.empty() && std::find(input.not_applicable.begin(), input.not_applicable.end(),
                                                       c.name) != input.not_applicable.end();
  }
  return cases;
}

std::string describe_finding(const rules::Finding& f, const std::map<std::uint64_t, const Json*>& by_seq,
                             bool expected) {
  std::string text = fmt::format("[{}{}] {} (real hub: {})\n", severity_label(f.severity),
                                 expected ? ", expected by the scenario" : "", f.message, hub_label(f.hub));
  if (!f.evidence.empty()) {
    text += "evidence (seq):";
    for (auto seq : f.evidence) text += fmt::format(" {}", seq);
    text += "\n";
  }
  std::size_t shown = 0;
  for (auto seq : f.evidence) {
    if (shown == max_evidence_lines) {
      text += fmt::format("  … {} more\n", f.evidence.size() - shown);
      break;
    }
    const auto it = by_seq.find(seq);
    text += "  " + (it != by_seq.end() ? summarize_event(*it->second) : fmt::format("#{} (not in capture)", seq)) + "\n";
    ++shown;
  }
  return text;
}

}  // namespace

std::string render_junit(const ReportInput& input) {
  const auto by_seq = index_by_seq(input.events);

  std::string body;
  std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  // Exit 2 or 3: no verdict on the device, so a rule that found nothing did not pass either.
  const bool no_verdict = input.exit_code == 2 || input.exit_code == 3;
  const auto cases = collect_cases(input);
  const auto judged_cases = static_cast<std::size_t>(std::count_if(cases.begin(), cases.end(), [&](const Case& c) {
    return !c.not_applicable && !(no_verdict && c.findings.empty());
  }));
  const double case_s = judged_cases == 0 ? 0.0 : input.rules_s / static_cast<double>(judged_cases);
  auto skip = [&](const Case& c, const std::string& why) {
    ++skipped;
    body += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"0\">\n      <skipped message=\"{}\"/>\n"
                        "    </testcase>\n",
                        escape_markup(c.classname), escape_markup(c.name), escape_markup_line(why));
  };
  for (const auto& c : cases) {
    ++tests;
    if (c.not_applicable) {
      skip(c, input.not_applicable_reason.empty() ? "not applicable" : input.not_applicable_reason);
      continue;
    }
    if (no_verdict && c.findings.empty()) {
      skip(c, "not judged: " + (input.exit_reason.empty() ? std::string("the run did not complete") : input.exit_reason));
      continue;
    }
    std::vector<std::size_t> failing;
    std::string out;
    if (!c.title.empty()) out += c.title + "\n";
    for (auto i : c.findings) {
      const auto& f = input.findings[i];
      const bool is_expected = is_declared(input, f);
      if (f.severity == rules::Severity::error && !is_expected)
        failing.push_back(i);
      else
        out += describe_finding(f, by_seq, is_expected);
    }
    body += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.6f}\">\n", escape_markup(c.classname),
                        escape_markup(c.name), case_s);
    if (!failing.empty()) {
      ++failures;
      const auto& first = input.findings[failing.front()];
      std::string message = first.message;
      if (failing.size() > 1) message += fmt::format(" (and {} more)", failing.size() - 1);
      std::string text;
      for (auto i : failing) text += describe_finding(input.findings[i], by_seq, false);
      body += fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n", escape_markup_line(message),
                          escape_markup(c.name), escape_markup(text));
    }
    if (!out.empty()) body += fmt::format("      <system-out>{}</system-out>\n", escape_markup(out));
    body += "    </testcase>\n";
  }
  if (const auto& declared = input.declared_findings) {
    ++tests;
    body += "    <testcase classname=\"scenario\" name=\"declared-findings\" time=\"0\">\n";
    if (!declared->ok()) {
      ++failures;
      std::string text;
      for (const auto& id : declared->missing) text += "declared but not found: " + id + "\n";
      for (const auto& id : declared->unexpected) text += "found but not allowed: " + id + "\n";
      body += fmt::format(
          "      <failure message=\"{}\" type=\"declared-findings\">{}</failure>\n",
          escape_markup_line(fmt::format("{} declared finding(s) missing, {} unexpected finding(s)",
                                         declared->missing.size(), declared->unexpected.size())),
          escape_markup(text));
    }
    body += "    </testcase>\n";
  }
  if (input.exit_code == 2 || input.exit_code == 3) {
    // The run itself did not work: a CI system must not read "no failures" as "passed".
    ++tests;
    ++errors;
    body += fmt::format(
        "    <testcase classname=\"run\" name=\"infrastructure\" time=\"0\">\n"
        "      <error message=\"{}\" type=\"exit-{}\"/>\n    </testcase>\n",
        escape_markup_line(input.exit_reason.empty() ? "run did not complete" : input.exit_reason), input.exit_code);
  }

  const std::string name = escape_markup(input.scenario);
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  // No `skipped` on <testsuites>: the JUnit schema of Jenkins' xunit plugin allows it on
  // <testsuite> only (fixtures/junit/README.md).
  xml += fmt::format("<testsuites name=\"flexhil\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3f}\">\n",
                     tests, failures, errors, input.duration_s);
  xml += fmt::format(
      "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3f}\" "
      "timestamp=\"{}\" hostname=\"{}\">\n",
      name, tests, failures, errors, skipped, input.duration_s, escape_markup(input.started_wall),
      escape_markup(input.hostname.empty() ? std::string("localhost") : input.hostname));
  xml += fmt::format(
      "    <properties>\n      <property name=\"run\" value=\"{}\"/>\n      <property name=\"time_scale\" "
      "value=\"{}\"/>\n      <property name=\"exit_code\" value=\"{}\"/>\n",
      escape_markup(input.run_id), input.time_scale, input.exit_code);
  xml += fmt::format("      <property name=\"rules_seconds\" value=\"{:.6f}\"/>\n", input.rules_s);
  for (const auto& [family, seconds] : input.rule_family_s)
    xml += fmt::format("      <property name=\"rules_seconds.{}\" value=\"{:.6f}\"/>\n", escape_markup(family), seconds);
  xml += "    </properties>\n";
  xml += body;
  xml += "  </testsuite>\n</testsuites>\n";
  return xml;
}

}  // namespace flexhil::report
