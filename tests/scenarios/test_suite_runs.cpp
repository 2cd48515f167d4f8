// `flexhil run A B -j 2` as CI runs it: each scenario in its own process and folder, one merged
// junit.xml that Jenkins' xunit schema accepts (checked with the real xmllint), index.html,
// logs/, and the worst run's exit code; a shard runs only its share.
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "tests/support/file_text.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_env.hpp"

using namespace flexhil;
using flexhil::testing::read_text;

namespace {
std::string shell_quote(const std::string& s) { return "'" + s + "'"; }
}  // namespace

BOOST_AUTO_TEST_SUITE(suites)

BOOST_AUTO_TEST_CASE(a_suite_runs_each_scenario_apart_and_merges_their_junit) {
  testing::TempDir dir;
  // A scenario that cannot load: its run exits 2, the suite's worst code.
  const auto broken = dir.write("broken.toml", "name = \"broken\"\n[hub\n");
  const auto pass = testing::source_dir() + "/scenarios/pass/connect_at_x20.toml";
  const auto out = dir.file("suite");
  const auto [code, text] = testing::run_shell(testing::flexhil_binary() + " run " + shell_quote(pass) + " " +
                                               shell_quote(broken) + " -j 2 --time-scale 20 --out " + shell_quote(out) +
                                               " 2>&1");
  BOOST_TEST_INFO(text);
  BOOST_TEST(code == 2);
  BOOST_TEST(text.find("PASS " + pass) != std::string::npos);
  const auto junit = read_text(out + "/junit.xml");
  BOOST_TEST(junit.find("<testsuite name=\"pass-connect-at-x20\"") != std::string::npos);
  BOOST_TEST(junit.find(broken) != std::string::npos);  // the broken run is in it too
  const auto [lint, lint_text] = testing::run_shell(
      "xmllint --noout --schema " + shell_quote(testing::source_dir() + "/fixtures/junit/jenkins-xunit-junit.xsd") +
      " " + shell_quote(out + "/junit.xml") + " 2>&1");
  BOOST_TEST(lint == 0, lint_text);
  const auto index = read_text(out + "/index.html");
  BOOST_TEST(index.find("href=\"connect_at_x20/report.html\"") != std::string::npos);
  BOOST_TEST(index.find("href=\"broken/report.html\"") != std::string::npos);
  BOOST_TEST(std::filesystem::exists(out + "/connect_at_x20/report.html"));
  BOOST_TEST(std::filesystem::exists(out + "/logs/broken.log"));
  BOOST_TEST(read_text(out + "/logs/broken.log").find("broken.toml:2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_shard_runs_only_its_share_and_a_bad_shard_is_exit_2) {
  testing::TempDir dir;
  const auto a = dir.write("lib/a.toml", "name = \"a\"\n[hub\n");
  const auto b = dir.write("lib/b.toml", "name = \"b\"\n[hub\n");
  const auto [code, text] = testing::run_shell(testing::flexhil_binary() + " run " + shell_quote(dir.file("lib")) +
                                               " --shard 2/2 --out " + shell_quote(dir.file("s")) + " 2>&1");
  BOOST_TEST_INFO(text);
  BOOST_TEST(code == 2);
  BOOST_TEST(text.find("1 scenario(s)") != std::string::npos);
  BOOST_TEST(read_text(dir.file("s/junit.xml")).find(b) != std::string::npos);
  BOOST_TEST(read_text(dir.file("s/junit.xml")).find(a) == std::string::npos);
  const auto [bad, bad_text] =
      testing::run_shell(testing::flexhil_binary() + " run " + shell_quote(dir.file("lib")) + " --shard 3/2 2>&1");
  BOOST_TEST(bad == 2);
  BOOST_TEST(bad_text.find("--shard") != std::string::npos, bad_text);
}

BOOST_AUTO_TEST_SUITE_END()
