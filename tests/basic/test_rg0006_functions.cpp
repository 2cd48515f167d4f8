// RG-0006 functions and statements added late: DAY, MONTH, DOW, DOY, WOY of an eWON time (text
// or seconds since 1970), BIN$, PI, MEMORY, SETTIME, CLEAR and IOMOD — against the FakeHost.
// Helper names carry an rg_ prefix: the test target is a unity build.
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "sim/flexy/basic/date_functions.hpp"
#include "tests/basic/basic_test_util.hpp"

using namespace flexhil::basic;
using namespace flexhil::basic::testing;

namespace {
std::int32_t rg_int(Session& s, const std::string& name) {
  const auto v = s.basic.variable(name);
  BOOST_REQUIRE(v.has_value());
  BOOST_REQUIRE(std::holds_alternative<std::int32_t>(*v));
  return std::get<std::int32_t>(*v);
}
std::string rg_str(Session& s, const std::string& name) {
  const auto v = s.basic.variable(name);
  BOOST_REQUIRE(v.has_value());
  BOOST_REQUIRE(std::holds_alternative<std::string>(*v));
  return std::get<std::string>(*v);
}
FakeHost rg_host_with_level_tag() {
  FakeHost h;
  h.tags.push_back(FakeTag{"Level", std::int32_t{1}, 2, "", "", ""});
  h.tags.push_back(FakeTag{"Pump", std::int32_t{0}, 0, "", "", ""});
  return h;
}
struct RgDateCase {
  std::string argument;  // a BASIC expression
  int day, month, dow, doy, woy;
};
}  // namespace

BOOST_AUTO_TEST_SUITE(rg0006_functions)

BOOST_AUTO_TEST_CASE(date_functions_of_known_dates_as_text_and_as_seconds) {
  const std::vector<RgDateCase> cases{
      {"\"01/01/2021 00:00:00\"", 1, 1, 5, 1, 53},   // a Friday: ISO week 53 of 2020
      {"1609459200", 1, 1, 5, 1, 53},                // the same instant in seconds (UTC)
      {"\"31/12/2024 23:59:59\"", 31, 12, 2, 366, 1},  // a Tuesday of a leap year: ISO week 1 of 2025
      {"1735689599", 31, 12, 2, 366, 1},
      {"\"29/02/2024 12:00:00\"", 29, 2, 4, 60, 9},    // the leap day, a Thursday
      {"1709164800", 29, 2, 4, 60, 9},
      {"\"29/02/2024\"", 29, 2, 4, 60, 9},             // a date without its time
      {"\"04/01/2021 08:00:00\"", 4, 1, 1, 4, 1},      // the first Monday of 2021 starts ISO week 1
      {"\"15/06/2025 09:10:05\"", 15, 6, 0, 166, 24},  // a Sunday is 0
      {"0", 1, 1, 4, 1, 1},                            // 01/01/1970, a Thursday
  };
  for (const auto& c : cases) {
    Session s("d% = DAY " + c.argument + " : m% = MONTH(" + c.argument + ") : w% = DOW " + c.argument +
              " : y% = DOY(" + c.argument + ") : k% = WOY " + c.argument + "\n");
    const auto& o = s.step();
    BOOST_TEST_REQUIRE(o.ok, c.argument << ": " << o.error_message);
    BOOST_TEST(rg_int(s, "d%") == c.day, c.argument);
    BOOST_TEST(rg_int(s, "m%") == c.month, c.argument);
    BOOST_TEST(rg_int(s, "w%") == c.dow, c.argument);
    BOOST_TEST(rg_int(s, "y%") == c.doy, c.argument);
    BOOST_TEST(rg_int(s, "k%") == c.woy, c.argument);
  }
}

BOOST_AUTO_TEST_CASE(date_functions_read_time_text_and_timesec) {
  FakeHost h;  // TIME$ "26/11/2026 09:10:05", TIMESEC 1795689005 (26/11/2026 10:30:05 UTC)
  Session s("a% = DOW TIME$ : b% = WOY(GETSYS PRG,\"TIMESEC\") : c% = DAY(GETSYS PRG,\"TIMESEC\")\n", {}, h);
  const auto& o = s.step();
  BOOST_TEST_REQUIRE(o.ok, o.error_message);
  BOOST_TEST(rg_int(s, "a%") == 4);  // a Thursday
  BOOST_TEST(rg_int(s, "b%") == 48);
  BOOST_TEST(rg_int(s, "c%") == 26);
}

BOOST_AUTO_TEST_CASE(iso_week_edges_of_the_calendar_module) {
  BOOST_TEST(iso_week_of_year(CalendarTime{2020, 12, 31}) == 53);  // 2020 starts on a Wednesday and is leap
  BOOST_TEST(iso_week_of_year(CalendarTime{2015, 12, 31}) == 53);  // 2015 starts on a Thursday
  BOOST_TEST(iso_week_of_year(CalendarTime{2019, 12, 30}) == 1);   // Monday of 2020-W01
  BOOST_TEST(iso_week_of_year(CalendarTime{2022, 1, 2}) == 52);    // Sunday of 2021-W52
  BOOST_TEST(day_of_year(CalendarTime{2023, 12, 31}) == 365);
  BOOST_TEST(day_of_week(calendar_of_seconds(-86400)) == 3);       // 31/12/1969, a Wednesday
  BOOST_TEST(seconds_of_calendar(CalendarTime{2024, 2, 29, 0, 0, 0}) == 1709164800);
  BOOST_TEST(!parse_ewon_time("31/02/2024 00:00:00").has_value());
  BOOST_TEST(!parse_ewon_time("29/02/2023").has_value());
  BOOST_TEST(!parse_ewon_time("01/01/2024 24:00:00").has_value());
  BOOST_TEST(!parse_ewon_time("01/01/2024", false).has_value());
}

BOOST_AUTO_TEST_CASE(date_functions_refuse_text_that_is_no_time_with_the_line) {
  for (const std::string call : {"DAY \"31/02/2024 00:00:00\"", "MONTH \"hello\"", "DOW \"\"", "DOY \"2024-02-29\"",
                                 "WOY \"29/02/2024 25:00:00\""}) {
    Session s("a% = 1\nb% = " + call + "\n");
    const auto& o = s.step();
    BOOST_TEST(!o.ok, call);
    BOOST_TEST(o.error_code == 10, call << " → " << o.error_message);
    BOOST_TEST(o.line == 2, call);
    BOOST_TEST(o.error_message.find("program.bas:2: runtime error:") != std::string::npos, o.error_message);
  }
  BOOST_TEST(!syntax_errors("a% = DOW\n").empty());           // no argument
  BOOST_TEST(!syntax_errors("a% = DAY(1, 2)\n").empty());     // two
}

BOOST_AUTO_TEST_CASE(bin_gives_the_binary_text_of_an_integer) {
  Session s("a$ = BIN$ 0 : b$ = BIN$(5) : c$ = BIN$ -1 : d$ = BIN$(-6) : e$ = BIN$ 255 : f$ = BIN$ 5.9\n");
  const auto& o = s.step();
  BOOST_TEST_REQUIRE(o.ok, o.error_message);
  BOOST_TEST(rg_str(s, "a$") == "0");
  BOOST_TEST(rg_str(s, "b$") == "101");
  BOOST_TEST(rg_str(s, "c$") == std::string(32, '1'));
  BOOST_TEST(rg_str(s, "d$") == std::string(29, '1') + "010");
  BOOST_TEST(rg_str(s, "e$") == "11111111");
  BOOST_TEST(rg_str(s, "f$") == "101");  // a real truncated like any real → integer

  Session bad("a% = 1\nb$ = BIN$ \"5\"\n");
  const auto& e = bad.step();
  BOOST_TEST(e.error_code == 3);
  BOOST_TEST(e.line == 2);
}

BOOST_AUTO_TEST_CASE(pi_is_a_single_precision_real) {
  Session s("p = PI : q = PI() * 2 : t$ = STR$ PI\n");
  const auto& o = s.step();
  BOOST_TEST_REQUIRE(o.ok, o.error_message);
  const auto p = s.basic.variable("p");
  BOOST_REQUIRE(p && std::holds_alternative<double>(*p));
  BOOST_TEST(std::get<double>(*p) == static_cast<double>(static_cast<float>(3.14159265358979)));
  BOOST_TEST(std::fabs(std::get<double>(*s.basic.variable("q")) - 6.2831853) < 1e-6);
  BOOST_TEST(rg_str(s, "t$") == "3.141593");
  BOOST_TEST(!syntax_errors("p = PI 3\n").empty());
}

BOOST_AUTO_TEST_CASE(memory_reports_the_hosts_figures) {
  Session s("a% = MEMORY \"PROG\" : b% = MEMORY(\"var\") : c% = MEMORY \"All\"\n");
  const auto& o = s.step();
  BOOST_TEST_REQUIRE(o.ok, o.error_message);
  BOOST_TEST(rg_int(s, "a%") == 130547);
  BOOST_TEST(rg_int(s, "b%") == 4194304);
  BOOST_TEST(rg_int(s, "c%") == 4324851);

  Session unknown("a% = 1\nb% = MEMORY \"HEAP\"\n");
  const auto& u = unknown.step();
  BOOST_TEST(u.error_code == 10);
  BOOST_TEST(u.line == 2);
  Session number("a% = 1\n\nb% = MEMORY 1\n");
  const auto& n = number.step();
  BOOST_TEST(n.error_code == 3);
  BOOST_TEST(n.line == 3);
}

BOOST_AUTO_TEST_CASE(settime_hands_the_new_local_time_to_the_host) {
  FakeHost h;  // TIME$ "26/11/2026 09:10:05"
  Session s("SETTIME \"01/01/2021 08:30:00\"\nSETTIME \"15/06/2025\"\nSETTIME \"23:59:00\"\n", {}, h);
  const auto& o = s.step();
  BOOST_TEST_REQUIRE(o.ok, o.error_message);
  // 01/01/2021 08:30:00; 15/06/2025 at TIME$'s 09:10:05; TIME$'s 26/11/2026 at 23:59:00.
  BOOST_TEST(s.host.clock_sets == (std::vector<std::int64_t>{1609489800, 1749978605, 1795737540}));

  for (const std::string bad : {"SETTIME \"32/01/2025 00:00:00\"", "SETTIME \"12:61:00\"", "SETTIME \"soon\""}) {
    Session e("a% = 1\n" + bad + "\n");
    const auto& r = e.step();
    BOOST_TEST(r.error_code == 10, bad << " → " << r.error_message);
    BOOST_TEST(r.line == 2, bad);
    BOOST_TEST(e.host.clock_sets.empty());
  }
  Session number("a% = 1\nSETTIME 1609489800\n");
  const auto& n = number.step();
  BOOST_TEST(n.error_code == 3);
  BOOST_TEST(n.line == 2);
  BOOST_TEST(!syntax_errors("SETTIME\n").empty());
}

BOOST_AUTO_TEST_CASE(clear_resets_every_variable_and_undimensions_arrays) {
  Session s(
      "a% = 5 : b$ = \"kept?\" : c = 2.5 : DIM t(3) : t(1) = 7\n"
      "ONTIMER 1, \"GOTO Tick\"\n"
      "CLEAR\n"
      "x% = a% : y$ = b$ : z = c\n"
      "w = t(1)\n"
      "Tick:\n"
      "PRINT \"tick\"\n");
  const auto& o = s.step();
  BOOST_TEST(!o.ok);
  BOOST_TEST(o.error_code == 4, o.error_message);  // t is no longer DIMed
  BOOST_TEST(o.line == 5);
  BOOST_TEST(rg_int(s, "a%") == 0);
  BOOST_TEST(rg_int(s, "x%") == 0);
  BOOST_TEST(rg_str(s, "y$").empty());
  BOOST_TEST(std::get<double>(*s.basic.variable("z")) == 0.0);
  // The ON… handlers stay: the timer still runs its command.
  s.basic.post_timer(1);
  const auto& t = s.step();
  BOOST_TEST(t.ok, t.error_message);
  BOOST_TEST(s.host.prints == std::vector<std::string>{"tick"});
}

BOOST_AUTO_TEST_CASE(iomod_reports_a_change_once_per_tag) {
  FakeHost h = rg_host_with_level_tag();
  Session s(
      "a% = IOMOD \"Level\" : b% = IOMOD(\"Level\") : c% = IOMOD \"Pump\"\n"
      "SETIO \"Level\", 5 : d% = IOMOD 1 : e% = IOMOD(-0)\n"
      "SETIO \"Level\", 5 : f% = IOMOD \"Level\"\n"
      "Level@ = 6\n"
      "IOMOD \"Level\"\n"
      "g% = IOMOD \"Level\"\n",
      {}, h);
  s.host.modified_tags = {1};  // Pump changed since RUN
  const auto& o = s.step();
  BOOST_TEST_REQUIRE(o.ok, o.error_message);
  BOOST_TEST(rg_int(s, "a%") == 0);  // Level unchanged since RUN
  BOOST_TEST(rg_int(s, "b%") == 0);
  BOOST_TEST(rg_int(s, "c%") == 1);
  BOOST_TEST(rg_int(s, "d%") == 1);  // by id (index + 1)
  BOOST_TEST(rg_int(s, "e%") == 0);  // by index, already read
  BOOST_TEST(rg_int(s, "f%") == 0);  // the same value again is no change
  BOOST_TEST(rg_int(s, "g%") == 0);  // the IOMOD statement read (and cleared) the flag of Level@ = 6
  BOOST_TEST(s.host.modified_tags.empty());

  FakeHost h2 = rg_host_with_level_tag();
  Session unknown("a% = 1\nb% = IOMOD \"Nope\"\n", {}, h2);
  const auto& u = unknown.step();
  BOOST_TEST(u.error_code == 12);
  BOOST_TEST(u.line == 2);
}

BOOST_AUTO_TEST_CASE(a_program_using_every_new_name_parses) {
  const auto r = check_program(
      "d% = DAY TIME$ : m% = MONTH TIME$ : w% = DOW TIME$ : y% = DOY TIME$ : k% = WOY TIME$\n"
      "b$ = BIN$ 5 : p = PI : f% = MEMORY \"ALL\"\n"
      "IF IOMOD \"Level\" THEN PRINT \"changed\"\n"
      "IOMOD \"Level\"\n"
      "SETTIME \"01/01/2021 08:30:00\"\n"
      "CLEAR\n",
      "program.bas");
  BOOST_TEST(r.diagnostics.empty());
}

BOOST_AUTO_TEST_SUITE_END()
