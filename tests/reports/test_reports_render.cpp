#define BOOST_TEST_MODULE test_reports_render
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/process.hpp"
#include "harness/report/report.hpp"
#include "tests/reports/sample_run.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/file_text.hpp"

using flexhil::testing::read_text;

// report.html opened by a real browser: Debian's chromium, headless, no network, a throw-away
// profile. Keep the screenshot for a look with FLEXHIL_KEEP_TEST_DIRS=1.

using namespace flexhil;
using namespace std::chrono_literals;

namespace {

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + what.size())) ++n;
  return n;
}

std::uint32_t big_endian32(const std::string& s, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at])) << 24) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 2])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 3]));
}

// Runs chromium headless on `url` with `extra` flags; returns its exit status (stdout → `out`).
int run_chromium(const std::string& chromium, const testing::TempDir& dir, const std::string& url,
                 std::vector<std::string> extra, const std::string& out) {
  ChildProcess::Options o;
  o.argv = {chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--user-data-dir=" + dir.file("profile")};
  o.argv.insert(o.argv.end(), extra.begin(), extra.end());
  o.argv.push_back(url);
  o.stdout_path = out;
  o.stderr_path = out + ".stderr";
  // A throw-away home: chromium writes caches and crash-pad state there.
  o.env = {{"HOME", dir.path().string()}, {"XDG_CONFIG_HOME", dir.file("xdg-config")},
           {"XDG_CACHE_HOME", dir.file("xdg-cache")}};
  auto child = ChildProcess::spawn(o);
  const auto status = child.wait_for(90s);
  if (!status) {
    child.stop();
    BOOST_FAIL("chromium did not finish within 90 s: " + read_text(out + ".stderr"));
  }
  return *status;
}

}  // namespace

BOOST_AUTO_TEST_CASE(report_html_renders_in_headless_chromium_with_all_charts) {
  const auto chromium = find_program("chromium");
  // make test installs chromium (scripts/debian-packages.txt): its absence is a broken set-up.
  BOOST_TEST_REQUIRE(chromium.has_value(), "chromium is not installed: run `make test` (or apt-get install chromium)");
  testing::TempDir dir("flexhil-render");
  const auto report_dir = dir.path() / "report";
  report::write_reports(testing::sample_run(120), report_dir.string());
  const std::string url = "file://" + (report_dir / "report.html").string();

  const std::string dom_file = dir.file("dom.html");
  BOOST_TEST(run_chromium(*chromium, dir, url, {"--dump-dom"}, dom_file) == 0);
  const std::string dom = read_text(dom_file);
  BOOST_TEST_MESSAGE("DOM: " << dom.size() << " bytes");
  // The browser's own serialisation: the page parsed into the structure we wrote.
  BOOST_TEST(dom.find("<header class=\"verdict failed\"") != std::string::npos);
  // The fleet heat map (two devices under test), timeline, histogram, 2 value charts.
  BOOST_TEST(count_of(dom, "<svg class=\"chart ") == 5u);
  BOOST_TEST(count_of(dom, "<tr class=\"finding\">") == 4u);
  BOOST_TEST(dom.find("tl-connect-refused") != std::string::npos);
  BOOST_TEST(dom.find("expected expected-full") != std::string::npos);
  BOOST_TEST(dom.find("plc-line") != std::string::npos);
  // The hostile payload stayed text: no script element made it into the DOM.
  BOOST_TEST(dom.find("<script") == std::string::npos);
  BOOST_TEST(dom.find("&lt;script&gt;alert(1)") != std::string::npos);

  const std::string png_file = dir.file("report.png");
  BOOST_TEST(run_chromium(*chromium, dir, url, {"--hide-scrollbars", "--window-size=1280,2000", "--screenshot=" + png_file},
                          dir.file("shot.out")) == 0);
  const std::string png = read_text(png_file);
  BOOST_TEST_MESSAGE("screenshot: " << png_file << " (" << png.size() << " bytes)");
  BOOST_REQUIRE(png.size() > 24u);
  BOOST_TEST(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  BOOST_TEST(png.compare(12, 4, "IHDR") == 0);
  BOOST_TEST(big_endian32(png, 16) == 1280u);
  BOOST_TEST(big_endian32(png, 20) == 2000u);
  // A blank page compresses to a few kilobytes; charts and text do not.
  BOOST_TEST(png.size() > 40'000u);
}

BOOST_AUTO_TEST_CASE(a_passing_known_bad_run_renders_green_with_its_declared_findings) {
  const auto chromium = find_program("chromium");
  // make test installs chromium (scripts/debian-packages.txt): its absence is a broken set-up.
  BOOST_TEST_REQUIRE(chromium.has_value(), "chromium is not installed: run `make test` (or apt-get install chromium)");
  testing::TempDir dir("flexhil-render");
  auto in = testing::sample_run(40);
  report::DeclaredFindings declared;
  declared.expected = {"AUTH-X509-THUMBPRINT", "CADENCE-FULL-PUSH"};
  declared.must_not = {"PAYLOAD-DUPLICATE-KEY"};
  in.declared_findings = declared;
  in.passed = true;
  in.exit_code = 0;
  in.exit_reason = "findings as declared";
  const auto report_dir = dir.path() / "report";
  report::write_reports(in, report_dir.string());
  const std::string url = "file://" + (report_dir / "report.html").string();

  const std::string dom_file = dir.file("dom.html");
  BOOST_TEST(run_chromium(*chromium, dir, url, {"--dump-dom"}, dom_file) == 0);
  const std::string dom = read_text(dom_file);
  BOOST_TEST(dom.find("<header class=\"verdict passed\"") != std::string::npos);
  BOOST_TEST(dom.find("<section id=\"declared\">") != std::string::npos);
  BOOST_TEST(count_of(dom, "<span class=\"tag\">declared</span>") == 2u);

  const std::string png_file = dir.file("report.png");
  BOOST_TEST(run_chromium(*chromium, dir, url, {"--hide-scrollbars", "--window-size=1280,1000", "--screenshot=" + png_file},
                          dir.file("shot.out")) == 0);
  const std::string png = read_text(png_file);
  BOOST_TEST_MESSAGE("screenshot: " << png_file << " (" << png.size() << " bytes)");
  BOOST_REQUIRE(png.size() > 24u);
  BOOST_TEST(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  BOOST_TEST(big_endian32(png, 20) == 1000u);
  BOOST_TEST(png.size() > 30'000u);
}
