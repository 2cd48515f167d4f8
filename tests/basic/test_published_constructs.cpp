// Constructs published eWON programs use (issue 9, first batch): SFMT, PRINT with juxtaposed
// items, GETSYS PRG,"SERNUM", GETSYS/SETSYS INF and the remaining GETSYS TAG fields.
#include <boost/test/unit_test.hpp>

#include "tests/basic/basic_test_util.hpp"

using namespace flexhil::basic;
using namespace flexhil::basic::testing;
using Lines = std::vector<std::string>;

namespace {
// Runs Init and returns the LSTERR the program ended with (RESUMENEXT on, so it goes on).
std::int32_t lsterr_after(const std::string& body) {
  Value v = value_after("SETSYS PRG,\"RESUMENEXT\",1\n" + body + "e% = GETSYS PRG,\"LSTERR\"\n", "E%");
  BOOST_REQUIRE(std::holds_alternative<std::int32_t>(v));
  return std::get<std::int32_t>(v);
}
}  // namespace

BOOST_AUTO_TEST_SUITE(published_constructs)

BOOST_AUTO_TEST_CASE(sfmt_formats_integers_and_reals_printf_like) {
  auto out = prints_of(
      "PRINT SFMT 42, 20, \"%05d\"\n"
      "PRINT SFMT(255, 20, \"0x%X\")\n"
      "PRINT SFMT 3.14159, 30, \"%.2f\"\n"
      "PRINT SFMT 7.9, 20, \"%d\"\n"
      "PRINT SFMT 21.5, 30, \"T=%6.1f C\"\n"
      "PRINT SFMT 10, 20, \"%d%%\"\n");
  BOOST_TEST(out == (Lines{"00042", "0xFF", "3.14", "7", "T=  21.5 C", "10%"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(sfmt_formats_a_time_in_seconds_since_1970) {
  auto out = prints_of(
      "t% = GETSYS PRG,\"TIMESEC\"\n"
      "PRINT SFMT t%, 10, \"%Y-%m-%dT%H:%M:%SZ\"\n"
      "PRINT SFMT 0, 1, \"%d/%m/%Y %H:%M:%S\"\n");
  // FakeHost's clock: 1795689005 s = 2026-11-26 10:30:05 UTC.
  BOOST_TEST(out == (Lines{"2026-11-26T10:30:05Z", "01/01/1970 00:00:00"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(sfmt_refuses_unknown_types_and_formats_that_do_not_match_the_value) {
  BOOST_TEST(lsterr_after("a$ = SFMT 1, 99, \"%d\"\n") == error_code::invalid_parameter);
  BOOST_TEST(lsterr_after("a$ = SFMT 1, 20, \"%s\"\n") == error_code::invalid_parameter);
  BOOST_TEST(lsterr_after("a$ = SFMT 1, 20, \"%d %d\"\n") == error_code::invalid_parameter);
  BOOST_TEST(lsterr_after("a$ = SFMT 1.5, 30, \"%d\"\n") == error_code::invalid_parameter);
  BOOST_TEST(lsterr_after("a$ = SFMT 1, 20, \"%999999d\"\n") == error_code::invalid_parameter);
  BOOST_TEST(lsterr_after("a$ = SFMT \"1\", 20, \"%d\"\n") == error_code::type_mismatch);
  BOOST_TEST(lsterr_after("a$ = SFMT 1, 20, \"%d\"\n") == 0);
}

BOOST_AUTO_TEST_CASE(sfmt_error_names_the_line_and_the_format) {
  Session s("PRINT \"before\"\nPRINT SFMT 1, 20, \"%n\"\n");
  s.step();
  BOOST_TEST(s.host.logged("program.bas:2: runtime error: SFMT format \"%n\""));
}

BOOST_AUTO_TEST_CASE(print_joins_semicolon_and_juxtaposed_items_without_a_space) {
  auto out = prints_of(
      "a$ = \"mid\" : n% = 5\n"
      "PRINT \"a\" a$ \"b\"\n"
      "PRINT \"n=\" n%; \"!\"\n"
      "PRINT n%;n%\n"
      "PRINT \"no newline\";\n"
      "PRINT \" joined\"\n"
      "IF 1 THEN PRINT \"x\" a$ ELSE PRINT \"y\"\n");
  BOOST_TEST(out == (Lines{"amidb", "n=5!", "55", "no newline joined", "xmid"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(print_juxtaposition_keeps_operators_in_one_item) {
  auto out = prints_of("n% = 5\nPRINT n% -1 \"|\" n% + 1\n");
  BOOST_TEST(out == (Lines{"4|6"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(juxtaposed_items_without_a_string_literal_are_a_syntax_error) {
  auto errors = syntax_errors("n% = 1\nPRINT n% n%\n");
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(errors[0].line == 2);
  BOOST_TEST(errors[0].message.find("';' or ',' expected between PRINT items") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(getsys_prg_and_inf_sernum_come_from_the_host) {
  FakeHost h;
  h.system_fields["INF.SERNUM"] = std::string("2212-0042-21");
  Session s(
      "SETSYS INF,\"LOAD\"\n"
      "PRINT GETSYS PRG,\"SERNUM\"\n"
      "PRINT GETSYS INF,\"SerNum\"\n",
      {}, h);
  s.step();
  BOOST_TEST(s.host.prints == (Lines{"1234-5678-90", "2212-0042-21"}), boost::test_tools::per_element());
  BOOST_REQUIRE_EQUAL(s.host.system_writes.size(), 1u);
  BOOST_TEST(s.host.system_writes[0].first == "INF.LOAD");
}

BOOST_AUTO_TEST_CASE(unknown_inf_fields_are_invalid_parameters) {
  BOOST_TEST(lsterr_after("a$ = GETSYS INF,\"NoSuchField\"\n") == error_code::invalid_parameter);
  BOOST_TEST(lsterr_after("SETSYS INF,\"SERNUM\",\"x\"\n") == error_code::invalid_parameter);
  BOOST_TEST(lsterr_after("a$ = GETSYS PRG,\"NoSuchField\"\n") == error_code::invalid_parameter);
  BOOST_TEST(lsterr_after("a$ = GETSYS FOO,\"SERNUM\"\n") == error_code::invalid_parameter);
}

BOOST_AUTO_TEST_CASE(getsys_tag_server_name_address_and_alarm_fields) {
  FakeHost h;
  h.tags.push_back(FakeTag{"Temperature", 21.5, 1, "Boiler temperature", "A", "40001"});
  h.tags.push_back(FakeTag{"Setpoint", 20.0, 1, "", "", ""});
  Session s(
      "SETSYS TAG,\"load\",\"Temperature\"\n"
      "PRINT GETSYS TAG,\"ServerName\"; \" \"; GETSYS TAG,\"Address\"; \" \"; GETSYS TAG,\"Description\"\n"
      "PRINT GETSYS TAG,\"AlEnabled\"\n"
      "SETSYS TAG,\"load\",\"Setpoint\"\n"
      "PRINT GETSYS TAG,\"ServerName\"\n",
      {}, h);
  s.step();
  BOOST_TEST(s.host.prints == (Lines{"MODBUS 40001 Boiler temperature", "0", "MEM"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
