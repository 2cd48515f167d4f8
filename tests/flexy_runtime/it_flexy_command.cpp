// `flexhil flexy`: exit 2 with file:line:col for configuration errors and with the BASIC line for
// syntax errors; a running Flexy prints its console and stops with exit 0 on Ctrl-C (SIGINT).
#include <signal.h>

#include <boost/test/unit_test.hpp>

#include "common/net.hpp"
#include "common/process.hpp"
#include "tests/flexy_runtime/it_support.hpp"
#include "tests/support/test_env.hpp"

using namespace flexhil;
using namespace flexhil::testing;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(flexy_command)

BOOST_AUTO_TEST_CASE(configuration_error_exits_2_with_file_line_and_column) {
  TempDir dir;
  const auto config = dir.write("flexy.toml", "name = \"X\"\n[[tag]]\nname = \"T\"\naddress = \"49999Q\"\n");
  const auto program = dir.write("p.bas", "PRINT 1\n");
  const auto r = run_program({flexhil_binary(), "flexy", "--config", config, "--program", program}, dir);
  BOOST_TEST(r.exit_status == 2);
  BOOST_TEST(r.output.find(config + ":4:11: error:") != std::string::npos, r.output);
}

BOOST_AUTO_TEST_CASE(basic_syntax_error_exits_2_with_the_line_number) {
  TempDir dir;
  const auto config = dir.write("flexy.toml", "name = \"X\"\n");
  const auto program = dir.write("p.bas", "PRINT 1\nPRINT 2\nFOR i% = 1 TO\n");
  const auto r = run_program({flexhil_binary(), "flexy", "--config", config, "--program", program}, dir);
  BOOST_TEST(r.exit_status == 2);
  BOOST_TEST(r.output.find(program + ":3:") != std::string::npos, r.output);
}

BOOST_AUTO_TEST_CASE(running_flexy_prints_its_console_and_stops_on_ctrl_c) {
  TempDir dir;
  const auto config = dir.write("flexy.toml", "name = \"X\"\ntime_zone = \"UTC\"\n");
  const auto program = dir.write("p.bas", "PRINT \"hello\"\nONTIMER 1, \"GOTO T\"\nTSET 1, 1\nEND\nT:\nPRINT \"tick\"\nEND\n");
  ChildProcess::Options o;
  o.argv = {flexhil_binary(), "flexy", "--config", config, "--program", program, "--time-scale", "20"};
  o.stdout_path = dir.file("out.txt");
  o.stderr_path = dir.file("out.txt");
  auto child = ChildProcess::spawn(o);
  BOOST_REQUIRE(wait_until([&] { return read_text(dir.file("out.txt")).find("tick\ntick\n") != std::string::npos; }, 10s));
  child.signal(SIGINT);
  const auto status = child.wait_for(5000ms);
  BOOST_REQUIRE(status.has_value());
  BOOST_TEST(*status == 0);
  BOOST_TEST(read_text(dir.file("out.txt")).find("hello\n") != std::string::npos, read_text(dir.file("out.txt")));
}

BOOST_AUTO_TEST_SUITE_END()
