#include "harness/run/suite_plan.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "common/error.hpp"
#include "harness/report/markup_escape.hpp"

namespace fs = std::filesystem;

namespace flexhil::run {

namespace {

using report::escape_markup;
using report::escape_markup_line;

// The value of attribute `name` in the first `<element …>` tag of `xml` ("" when absent).
std::string attribute_of(const std::string& xml, const std::string& element, const std::string& name) {
  const auto open = xml.find("<" + element + " ");
  if (open == std::string::npos) return {};
  const auto close = xml.find('>', open);
  const auto tag = xml.substr(open, close == std::string::npos ? std::string::npos : close - open);
  const auto at = tag.find(" " + name + "=\"");
  if (at == std::string::npos) return {};
  const auto from = at + name.size() + 3;
  const auto to = tag.find('"', from);
  return to == std::string::npos ? std::string() : tag.substr(from, to - from);
}

double number_of(const std::string& text) {
  double v = 0;
  const auto* end = text.data() + text.size();
  const auto r = std::from_chars(text.data(), end, v);
  return r.ec == std::errc() ? v : 0;
}

// The <testsuite> elements of a run's junit.xml (what lies inside its <testsuites>), or "" when
// the text is not the report flexhil writes.
std::string inner_suites(const std::string& xml) {
  const auto root = xml.find("<testsuites");
  if (root == std::string::npos) return {};
  const auto body = xml.find('>', root);
  const auto end = xml.rfind("</testsuites>");
  if (body == std::string::npos || end == std::string::npos || end < body) return {};
  std::string inner = xml.substr(body + 1, end - body - 1);
  if (inner.find("<testsuite ") == std::string::npos) return {};
  while (!inner.empty() && (inner.front() == '\n' || inner.front() == '\r')) inner.erase(inner.begin());
  return inner;
}

std::string stem_of(const std::string& path) { return fs::path(path).stem().string(); }

std::string verdict_of(int code) {
  switch (code) {
    case 0: return "PASS";
    case 1: return "FAIL";
    case 2: return "CONFIG ERROR";
    default: return "ERROR";
  }
}

}  // namespace

Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  Shard s;
  auto read = [&](std::string_view part, int& into) {
    const auto r = std::from_chars(part.data(), part.data() + part.size(), into);
    return r.ec == std::errc() && r.ptr == part.data() + part.size();
  };
  const std::string_view all(text);
  if (slash == std::string::npos || !read(all.substr(0, slash), s.index) || !read(all.substr(slash + 1), s.count) ||
      s.count < 1 || s.count > 1000 || s.index < 1 || s.index > s.count)
    throw ConfigError({"--shard"}, fmt::format("'{}' is not a shard: K/N with 1 <= K <= N <= 1000, e.g. 2/4 "
                                               "(GitLab: $CI_NODE_INDEX/$CI_NODE_TOTAL)",
                                               text));
  return s;
}

std::vector<std::string> collect_scenarios(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](const fs::path& p) {
    const auto key = fs::weakly_canonical(p).string();
    if (seen.insert(key).second) out.push_back(p.lexically_normal().string());
  };
  for (const auto& arg : args) {
    std::error_code ec;
    const auto status = fs::status(arg, ec);
    if (ec || !fs::exists(status)) throw ConfigError({arg}, "no such scenario file or folder");
    if (fs::is_directory(status)) {
      std::vector<fs::path> found;
      for (const auto& e : fs::directory_iterator(arg))
        if (e.is_regular_file() && e.path().extension() == ".toml") found.push_back(e.path());
      if (found.empty()) throw ConfigError({arg}, "folder holds no scenario (*.toml)");
      std::sort(found.begin(), found.end());
      for (const auto& f : found) add(f);
    } else {
      if (fs::path(arg).extension() != ".toml") throw ConfigError({arg}, "a scenario is a .toml file");
      add(arg);
    }
  }
  std::stable_sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> shard_of(const std::vector<std::string>& scenarios, const Shard& shard) {
  std::vector<std::string> out;
  for (std::size_t i = static_cast<std::size_t>(shard.index - 1); i < scenarios.size();
       i += static_cast<std::size_t>(shard.count))
    out.push_back(scenarios[i]);
  return out;
}

std::vector<std::string> run_folder_names(const std::vector<std::string>& scenarios) {
  std::vector<std::string> out;
  std::map<std::string, int> uses;
  for (const auto& s : scenarios) {
    const std::string stem = stem_of(s);
    const int n = ++uses[stem];
    out.push_back(n == 1 ? stem : fmt::format("{}-{}", stem, n));
  }
  return out;
}

std::string merge_junit(const std::vector<SuiteEntry>& entries, const std::string& hostname) {
  double tests = 0, failures = 0, errors = 0, seconds = 0;
  std::string body;
  for (const auto& e : entries) {
    const std::string inner = e.junit ? inner_suites(*e.junit) : std::string();
    if (!inner.empty()) {
      tests += number_of(attribute_of(*e.junit, "testsuites", "tests"));
      failures += number_of(attribute_of(*e.junit, "testsuites", "failures"));
      errors += number_of(attribute_of(*e.junit, "testsuites", "errors"));
      seconds += number_of(attribute_of(*e.junit, "testsuites", "time"));
      body += inner;
      if (!body.empty() && body.back() != '\n') body += '\n';
      continue;
    }
    // No report of its own: the run is one testcase in error, so CI shows it and fails.
    const std::string why = e.problem.empty() ? fmt::format("exit {} without a junit.xml", e.exit_code) : e.problem;
    tests += 1;
    errors += 1;
    seconds += e.seconds;
    body += fmt::format(
        "  <testsuite name=\"{0}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"{1:.3f}\" "
        "hostname=\"{2}\">\n"
        "    <testcase classname=\"flexhil.suite\" name=\"{0}\" time=\"{1:.3f}\">\n"
        "      <error type=\"exit {3}\" message=\"{4}\"/>\n"
        "    </testcase>\n"
        "  </testsuite>\n",
        escape_markup_line(e.scenario), e.seconds, escape_markup_line(hostname), e.exit_code, escape_markup_line(why));
  }
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  // No `skipped` here: Jenkins' xunit schema allows it on <testsuite> only.
  xml += fmt::format("<testsuites name=\"flexhil suite\" tests=\"{:.0f}\" failures=\"{:.0f}\" errors=\"{:.0f}\" "
                     "time=\"{:.3f}\">\n",
                     tests, failures, errors, seconds);
  xml += body;
  xml += "</testsuites>\n";
  return xml;
}

std::string render_suite_index(const std::vector<SuiteEntry>& entries, const std::string& title) {
  int counts[4] = {0, 0, 0, 0};
  for (const auto& e : entries) ++counts[std::clamp(e.exit_code, 0, 3)];
  std::string rows;
  for (const auto& e : entries) {
    const std::string verdict = verdict_of(e.exit_code);
    const std::string cls = e.exit_code == 0 ? "pass" : e.exit_code == 1 ? "fail" : "error";
    const std::string link = escape_markup(e.folder + "/report.html");
    rows += fmt::format(
        "<tr class=\"{}\"><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td>{:.1f} s</td><td>{}</td></tr>\n", cls,
        link, escape_markup(e.scenario), verdict, e.exit_code, e.seconds, escape_markup(e.problem));
  }
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n";
  out += fmt::format("<title>{}</title>\n", escape_markup(title));
  out +=
      "<style>body{font:14px sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:4px 10px;"
      "border-bottom:1px solid #ddd;text-align:left}tr.pass td:nth-child(2){color:#2b8a3e}"
      "tr.fail td:nth-child(2){color:#c92a2a;font-weight:bold}tr.error td:nth-child(2){color:#e67700;"
      "font-weight:bold}</style></head><body>\n";
  out += fmt::format("<h1>{}</h1>\n<p>{} scenario(s): {} passed, {} failed, {} configuration error(s), {} "
                     "infrastructure error(s). Exit code {}.</p>\n",
                     escape_markup(title), entries.size(), counts[0], counts[1], counts[2], counts[3],
                     worst_exit_code(entries));
  out += "<table><tr><th>scenario</th><th>verdict</th><th>exit</th><th>time</th><th>problem</th></tr>\n";
  out += rows;
  out += "</table>\n<p>junit.xml holds every run's test cases.</p>\n</body></html>\n";
  return out;
}

int worst_exit_code(const std::vector<SuiteEntry>& entries) {
  int worst = 0;
  for (const auto& e : entries) worst = std::max(worst, std::clamp(e.exit_code, 0, 3));
  return worst;
}

}  // namespace flexhil::run
