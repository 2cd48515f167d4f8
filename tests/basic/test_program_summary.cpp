// The line `flexhil basic check` prints for a program that parses.
#include <boost/test/unit_test.hpp>

#include "sim/flexy/basic/interpreter.hpp"
#include "sim/flexy/basic/program_summary.hpp"

using namespace flexhil::basic;

BOOST_AUTO_TEST_SUITE(program_summary)

BOOST_AUTO_TEST_CASE(counts_lines_statements_sections_labels_and_functions) {
  const auto p = parse_program(
      "Rem --- eWON start section: Init Section\n"
      "A% = 1\n"
      "GOTO Done\n"
      "Rem --- eWON start section: Cyclic Section\n"
      "Done:\n"
      "PRINT A%\n",
      "p.bas");
  const auto line = summarize_program(p, "p.bas", 0);
  BOOST_TEST(line.rfind("p.bas: ok, 6 lines, ", 0) == 0);
  BOOST_TEST(line.find(" 2 section(s) (Init Section, Cyclic Section), 1 label(s), 0 function(s)") != std::string::npos);
  BOOST_TEST(line.find("warning") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_program_without_sections_is_all_init_and_warnings_are_counted) {
  const auto p = parse_program("PRINT 1\n", "q.bas");
  const auto line = summarize_program(p, "q.bas", 2);
  BOOST_TEST(line.find("0 section(s) (whole file is the Init section)") != std::string::npos);
  // The whole-file Init section's implicit label is not one the program wrote.
  BOOST_TEST(line.find(", 0 label(s),") != std::string::npos, line);
  BOOST_TEST(line.substr(line.size() - 14) == ", 2 warning(s)");
}

BOOST_AUTO_TEST_SUITE_END()
