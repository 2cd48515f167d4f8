#define BOOST_TEST_MODULE test_basic_cli
// `flexhil basic check` as a child process: exit codes and Flexy-IDE-like messages.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fstream>
#include <sstream>

#include "common/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_env.hpp"
#include "tests/support/file_text.hpp"

using flexhil::testing::read_text;

using flexhil::ChildProcess;
using flexhil::testing::TempDir;

namespace {
struct Result {
  int status;
  std::string out;
  std::string err;
};

Result run_check(const TempDir& dir, std::vector<std::string> files) {
  ChildProcess::Options o;
  o.argv = {flexhil::testing::flexhil_binary(), "basic", "check"};
  for (auto& f : files) o.argv.push_back(f);
  o.stdout_path = dir.file("out.txt");
  o.stderr_path = dir.file("err.txt");
  auto child = ChildProcess::spawn(o);
  auto status = child.wait_for(std::chrono::seconds(20));
  BOOST_REQUIRE(status.has_value());
  return Result{*status, read_text(dir.file("out.txt")), read_text(dir.file("err.txt"))};
}
}  // namespace

BOOST_AUTO_TEST_CASE(a_program_with_syntax_errors_exits_2_with_file_and_line_messages) {
  TempDir dir;
  std::string bad = dir.write("bad.bas", "a% = 1\nIF a% = 1 PRINT \"x\"\nPRINT (1\n");
  auto r = run_check(dir, {bad});
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.err.find(bad + ":2: syntax error: THEN expected after IF condition") != std::string::npos, r.err);
  BOOST_TEST(r.err.find(bad + ":3: syntax error: ") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(a_valid_program_exits_0_with_a_summary) {
  TempDir dir;
  std::string good = dir.write("good.bas",
                               "Rem --- eWON start section: Init Section\n"
                               "eWON_init_section:\n"
                               "PRINT \"hi\"\n"
                               "Rem --- eWON end section: Init Section\n");
  auto r = run_check(dir, {good});
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(r.out.find(good + ": ok, 4 lines") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("Init Section") != std::string::npos, r.out);
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_a_usage_error) {
  TempDir dir;
  auto r = run_check(dir, {dir.file("nope.bas")});
  BOOST_TEST(r.status == 2);
}

BOOST_AUTO_TEST_CASE(warnings_are_printed_but_do_not_change_the_exit_code) {
  TempDir dir;
  std::string prog = dir.write("warn.bas", "ONMQTT \"goto MqttRx\"\nPRINT 1\n");
  auto r = run_check(dir, {prog});
  BOOST_TEST(r.status == 0);
  BOOST_TEST(r.err.find(prog + ":1: warning: ONMQTT command \"goto MqttRx\": label MQTTRX not found") != std::string::npos, r.err);
  BOOST_TEST(r.out.find("1 warning(s)") != std::string::npos, r.out);
}
