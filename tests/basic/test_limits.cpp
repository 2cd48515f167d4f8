// The Flexy's resource limits (limits.hpp): a program that runs away with memory gets a runtime
// error of its own — BASIC line, LSTERR, ONERROR/RESUMENEXT — and the interpreter goes on.
#include <boost/test/unit_test.hpp>

#include <string>

#include "sim/flexy/basic/errors.hpp"
#include "sim/flexy/basic/limits.hpp"
#include "tests/basic/basic_test_util.hpp"

using namespace flexhil::basic;
using namespace flexhil::basic::testing;

BOOST_AUTO_TEST_SUITE(flexy_limits)

BOOST_AUTO_TEST_CASE(doubling_a_string_forty_times_is_a_runtime_error_with_its_line) {
  Session s(
      "a$ = \"x\"\n"
      "FOR i% = 1 TO 40\n"
      "  a$ = a$ + a$\n"
      "NEXT i%\n"
      "PRINT \"not reached\"\n");
  const auto& r = s.step();
  BOOST_TEST(r.error_code == error_code::string_too_long);
  BOOST_TEST(r.line == 3);
  BOOST_TEST(r.error_message.rfind("program.bas:3: runtime error: string too long", 0) == 0u, r.error_message);
  BOOST_TEST(s.basic.last_error() == error_code::string_too_long);
  BOOST_TEST(s.host.prints.empty());
  // The last doubling that fitted was kept: 2^20 characters.
  const auto a = s.basic.variable("a$");
  BOOST_REQUIRE(a.has_value());
  BOOST_TEST(std::get<std::string>(*a).size() == flexhil::basic::limits::max_string_length);
}

BOOST_AUTO_TEST_CASE(doubling_through_another_variable_hits_the_same_limit) {
  Session s(
      "a$ = \"x\"\n"
      "FOR i% = 1 TO 40\n"
      "  b$ = a$ + a$\n"
      "  a$ = b$\n"
      "NEXT i%\n");
  const auto& r = s.step();
  BOOST_TEST(r.error_code == error_code::string_too_long);
  BOOST_TEST(r.line == 3);
}

BOOST_AUTO_TEST_CASE(onerror_catches_the_limit_and_the_program_goes_on) {
  Session s(
      "ONERROR \"PRINT 'caught '; GETSYS PRG, 'LSTERR'\"\n"
      "a$ = \"x\"\n"
      "FOR i% = 1 TO 40\n"
      "  a$ = a$ + a$\n"
      "NEXT i%\n");
  s.step();
  BOOST_TEST(s.basic.last_error() == error_code::string_too_long);
  s.step();  // the ONERROR request
  BOOST_REQUIRE_EQUAL(s.host.prints.size(), 1u);
  BOOST_TEST(s.host.prints[0] == "caught " + std::to_string(error_code::string_too_long));
}

BOOST_AUTO_TEST_CASE(resumenext_skips_the_statement_that_would_exceed_the_limit) {
  Session s(
      "SETSYS PRG, \"RESUMENEXT\", 1\n"
      "a$ = \"x\"\n"
      "FOR i% = 1 TO 40\n"
      "  a$ = a$ + a$\n"
      "NEXT i%\n"
      "PRINT LEN(a$); \" \"; GETSYS PRG, \"LSTERR\"\n");
  const auto& r = s.step();
  BOOST_TEST(r.error_code == 0);
  BOOST_REQUIRE_EQUAL(s.host.prints.size(), 1u);
  BOOST_TEST(s.host.prints[0] == std::to_string(flexhil::basic::limits::max_string_length) + " " +
                                     std::to_string(error_code::string_too_long));
}

BOOST_AUTO_TEST_CASE(many_large_strings_exhaust_the_memory_budget) {
  // 40 variables of 1 MiB each would hold 40 MiB, above the 32 MiB budget.
  std::string program = "a$ = \"x\"\nFOR i% = 1 TO 20\n  a$ = a$ + a$\nNEXT i%\n";
  for (int i = 0; i < 40; ++i) program += "v" + std::to_string(i) + "$ = a$ + \"\"\n";
  Session s(program);
  const auto& r = s.step();
  BOOST_TEST(r.error_code == error_code::out_of_memory, r.error_message);
  BOOST_TEST(r.error_message.find("out of memory") != std::string::npos, r.error_message);
  BOOST_TEST(r.line > 5);
  BOOST_TEST(r.line < 5 + 40);
}

BOOST_AUTO_TEST_CASE(dim_above_the_limits_is_a_runtime_error) {
  struct Case {
    const char* program;
    int code;
  };
  for (const auto& c : {Case{"DIM a(2000000)\n", error_code::index_out_of_range},
                        Case{"DIM a(1000, 1000, 1000)\n", error_code::index_out_of_range},
                        Case{"DIM s$(2000000000)\n", error_code::string_too_long},
                        Case{"DIM s$(1000, 100000)\n", error_code::out_of_memory}}) {
    BOOST_TEST_CONTEXT(c.program) {
      Session s(c.program);
      const auto& r = s.step();
      BOOST_TEST(r.error_code == c.code, r.error_message);
      BOOST_TEST(r.line == 1);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_payload_far_above_the_hub_limit_still_fits) {
  // 256 KB (IoT Hub's message limit) built by appending: no limit reached.
  Session s(
      "p$ = \"\"\n"
      "FOR i% = 1 TO 26215\n"
      "  p$ = p$ + \"0123456789\"\n"
      "NEXT i%\n"
      "PRINT LEN(p$)\n");
  const auto& r = s.step();
  BOOST_TEST(r.error_code == 0, r.error_message);
  BOOST_REQUIRE_EQUAL(s.host.prints.size(), 1u);
  BOOST_TEST(s.host.prints[0] == "262150");
}

BOOST_AUTO_TEST_SUITE_END()
