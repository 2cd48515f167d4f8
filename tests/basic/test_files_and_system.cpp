// Files (OPEN/PUT/GET/EOF/CLOSE/ERASE/PRINT #), exports read as files, FCNV and the maths
// built-ins, GETSYS/SETSYS SYS, CFGSAVE, REBOOT, HALT, and the BASIC line of errors raised
// inside event command strings (issue 9, part) — against the FakeHost's in-memory /usr.
#include <boost/test/unit_test.hpp>

#include "sim/flexy/basic/file_table.hpp"
#include "tests/basic/basic_test_util.hpp"

using namespace flexhil::basic;
using namespace flexhil::basic::testing;
using Lines = std::vector<std::string>;

namespace {
std::int32_t int_of(const Value& v) {
  BOOST_REQUIRE(std::holds_alternative<std::int32_t>(v));
  return std::get<std::int32_t>(v);
}
double real_of(const Value& v) {
  BOOST_REQUIRE(std::holds_alternative<double>(v));
  return std::get<double>(v);
}
std::string str_of(const Value& v) {
  BOOST_REQUIRE(std::holds_alternative<std::string>(v));
  return std::get<std::string>(v);
}
}  // namespace

BOOST_AUTO_TEST_SUITE(files)

BOOST_AUTO_TEST_CASE(text_put_quotes_strings_separates_with_semicolons_and_ends_with_crlf) {
  Session s(
      "OPEN \"file:/usr/log.csv\" FOR TEXT OUTPUT AS 1\n"
      "PUT 1, 123; \"ABC\"; \"DEF\"\n"
      "PUT 1, 345.7; \"YYY\";\n"
      "PUT 1, \"ZZZ\"\n"
      "CLOSE 1\n");
  const auto& o = s.step();
  BOOST_TEST_REQUIRE(o.ok, o.error_message);
  BOOST_TEST(s.host.files["/usr/log.csv"] == "123;\"ABC\";\"DEF\"\r\n345.7;\"YYY\";\"ZZZ\"\r\n");
  BOOST_TEST(s.host.closed == std::vector<int>{1});
}

BOOST_AUTO_TEST_CASE(text_get_returns_each_field_with_its_type_and_eof_ends_the_loop) {
  FakeHost h;
  h.files["/usr/in.csv"] = "12;\"a;b\";-3.5\r\n\"say \"\"hi\"\"\";x y\r\n";
  Session s(
      "OPEN \"/usr/in.csv\" FOR TEXT INPUT AS 2\n"
      "a% = GET 2 : b$ = GET 2 : c = GET 2 : d$ = GET 2 : e$ = GET 2\n"
      "f% = EOF 2 : g$ = GET 2\n"
      "CLOSE 2\n",
      {}, h);
  const auto& o = s.step();
  BOOST_TEST_REQUIRE(o.ok, o.error_message);
  BOOST_TEST(int_of(*s.basic.variable("a%")) == 12);
  BOOST_TEST(str_of(*s.basic.variable("b$")) == "a;b");
  BOOST_TEST(real_of(*s.basic.variable("c")) == -3.5);
  BOOST_TEST(str_of(*s.basic.variable("d$")) == "say \"hi\"");
  BOOST_TEST(str_of(*s.basic.variable("e$")) == "x y");
  BOOST_TEST(int_of(*s.basic.variable("f%")) == 1);
  BOOST_TEST(str_of(*s.basic.variable("g$")).empty());
}

BOOST_AUTO_TEST_CASE(a_get_loop_reads_a_long_file_across_host_chunks) {
  FakeHost h;
  std::string text;
  for (int i = 1; i <= 2000; ++i) text += std::to_string(i) + "\r\n";  // > 4096 bytes
  h.files["/usr/n.txt"] = text;
  Session s(
      "OPEN \"n.txt\" FOR TEXT INPUT AS 1\n"
      "sum% = 0 : n% = 0\n"
      "loop: IF EOF 1 THEN GOTO done\n"
      "sum% = sum% + GET 1 : n% = n% + 1 : GOTO loop\n"
      "done: CLOSE 1\n",
      {}, h);
  const auto& o = s.step();
  BOOST_TEST_REQUIRE(o.ok, o.error_message);
  BOOST_TEST(int_of(*s.basic.variable("n%")) == 2000);
  BOOST_TEST(int_of(*s.basic.variable("sum%")) == 2001000);
}

BOOST_AUTO_TEST_CASE(binary_files_move_raw_bytes_and_append_keeps_what_was_there) {
  FakeHost h;
  h.files["/usr/b.bin"] = "AB";
  Session s(
      "OPEN \"file:/usr/b.bin\" FOR BINARY APPEND AS 3\n"
      "PUT 3, \"CD\"; 5\n"
      "CLOSE 3\n"
      "OPEN \"file:/usr/b.bin\" FOR BINARY INPUT AS 3\n"
      "x$ = GET 3, 2 : y$ = GET 3 : z% = EOF 3\n"
      "CLOSE 3\n",
      {}, h);
  const auto& o = s.step();
  BOOST_TEST_REQUIRE(o.ok, o.error_message);
  BOOST_TEST(s.host.files["/usr/b.bin"] == "ABCD5");
  BOOST_TEST(str_of(*s.basic.variable("x$")) == "AB");
  BOOST_TEST(str_of(*s.basic.variable("y$")) == "CD5");
  BOOST_TEST(int_of(*s.basic.variable("z%")) == 1);
}

BOOST_AUTO_TEST_CASE(print_hash_writes_a_line_like_print) {
  Session s(
      "OPEN \"file:/usr/p.txt\" FOR TEXT OUTPUT AS 1\n"
      "PRINT #1, \"t=\"; 21.5\n"
      "PRINT #1, \"a\", \"b\";\n"
      "PRINT #1, \"c\"\n"
      "CLOSE #1\n");
  const auto& o = s.step();
  BOOST_TEST_REQUIRE(o.ok, o.error_message);
  BOOST_TEST(s.host.files["/usr/p.txt"] == "t=21.5\r\na\tbc\r\n");
}

BOOST_AUTO_TEST_CASE(erase_removes_the_file_and_a_missing_one_is_an_error_with_its_line) {
  FakeHost h;
  h.files["/usr/old.txt"] = "x";
  Session s("ERASE \"file:/usr/old.txt\"\nERASE \"file:/usr/old.txt\"\n", {}, h);
  const auto& o = s.step();
  BOOST_TEST(s.host.files.count("/usr/old.txt") == 0u);
  BOOST_TEST(!o.ok);
  BOOST_TEST(o.error_code == 41);
  BOOST_TEST(o.line == 2);
  BOOST_TEST(o.error_message.rfind("program.bas:2: runtime error: ERASE \"file:/usr/old.txt\"", 0) == 0u, o.error_message);
}

BOOST_AUTO_TEST_CASE(file_number_errors_carry_lsterr_40_and_mode_errors_42) {
  struct Case {
    const char* program;
    int code;
    int line;
  };
  const Case cases[] = {
      {"OPEN \"a.txt\" FOR TEXT OUTPUT AS 9\n", 40, 1},
      {"OPEN \"a.txt\" FOR TEXT OUTPUT AS 0\n", 40, 1},
      {"OPEN \"a.txt\" FOR TEXT OUTPUT AS 1\nOPEN \"b.txt\" FOR TEXT OUTPUT AS 1\n", 40, 2},
      {"PUT 4, 1\n", 40, 1},
      {"x$ = GET 4\n", 40, 1},
      {"CLOSE 4\n", 40, 1},
      {"OPEN \"a.txt\" FOR TEXT OUTPUT AS 1\nx$ = GET 1\n", 42, 2},
      {"OPEN \"a.txt\" FOR TEXT OUTPUT AS 1\nCLOSE 1\nOPEN \"a.txt\" FOR TEXT INPUT AS 1\nPUT 1, 5\n", 42, 4},
      {"OPEN \"nothere.txt\" FOR TEXT INPUT AS 1\n", 41, 1},
  };
  for (const auto& c : cases) {
    Session s(c.program);
    const auto& o = s.step();
    BOOST_TEST(!o.ok, c.program);
    BOOST_TEST(o.error_code == c.code, c.program << " → " << o.error_message);
    BOOST_TEST(o.line == c.line, c.program);
  }
}

BOOST_AUTO_TEST_CASE(open_syntax_errors_name_what_is_missing) {
  auto d = syntax_errors("OPEN \"a\" FOR TEXT AS 1\nOPEN \"a\" TEXT INPUT AS 1\nOPEN \"a\" FOR CSV INPUT AS 1\nPUT 1\n");
  BOOST_TEST_REQUIRE(d.size() == 4u);
  BOOST_TEST(d[0].line == 1);
  BOOST_TEST(d[0].message.find("INPUT, OUTPUT or APPEND expected") != std::string::npos, d[0].message);
  BOOST_TEST(d[1].message.find("FOR expected in OPEN") != std::string::npos, d[1].message);
  BOOST_TEST(d[2].message.find("BINARY or TEXT expected") != std::string::npos, d[2].message);
  BOOST_TEST(d[3].message.find("',' after the file number of PUT") != std::string::npos, d[3].message);
}

BOOST_AUTO_TEST_CASE(an_export_opened_as_a_text_file_reads_field_by_field) {
  FakeHost h;
  h.exports["exp:$dtIV $ftT"] = "\"TagId\";\"TagName\";\"Value\"\r\n1;\"Temp\";21.5\r\n";
  Session s(
      "OPEN \"exp:$dtIV $ftT\" FOR TEXT INPUT AS 1\n"
      "h1$ = GET 1 : h2$ = GET 1 : h3$ = GET 1 : id% = GET 1 : n$ = GET 1 : v = GET 1\n"
      "CLOSE 1\n",
      {}, h);
  const auto& o = s.step();
  BOOST_TEST_REQUIRE(o.ok, o.error_message);
  BOOST_TEST(str_of(*s.basic.variable("h3$")) == "Value");
  BOOST_TEST(int_of(*s.basic.variable("id%")) == 1);
  BOOST_TEST(str_of(*s.basic.variable("n$")) == "Temp");
  BOOST_TEST(real_of(*s.basic.variable("v")) == 21.5);
}

BOOST_AUTO_TEST_CASE(lint_warns_of_literal_file_specs_and_numbers_that_fail_at_run_time) {
  auto w = lint_program(parse_program(
      "OPEN \"file:/sys/x.txt\" FOR TEXT INPUT AS 1\n"
      "OPEN \"../x.txt\" FOR TEXT OUTPUT AS 2\n"
      "OPEN \"exp:$dtIV $ftT\" FOR TEXT OUTPUT AS 3\n"
      "OPEN \"ok.txt\" FOR TEXT OUTPUT AS 9\n"
      "ERASE \"file:/usr/\"\n"
      "OPEN \"file:/usr/fine.txt\" FOR BINARY APPEND AS 4\n"
      "OPEN \"exp:$dtEV\" FOR TEXT INPUT AS 5\n",
      "p.bas"));
  BOOST_TEST_REQUIRE(w.size() == 5u);
  BOOST_TEST(w[0].to_string() == "p.bas:1: warning: OPEN \"file:/sys/x.txt\" is outside /usr (LSTERR 41 when this line runs)");
  BOOST_TEST(w[1].line == 2);
  BOOST_TEST(w[1].message.find("leaves /usr") != std::string::npos);
  BOOST_TEST(w[2].message.find("an export can only be read") != std::string::npos);
  BOOST_TEST(w[3].message.find("file numbers are 1 to 8") != std::string::npos);
  BOOST_TEST(w[4].message.find("no file name") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(usr_relative_paths_of_every_spelling) {
  for (const char* spec : {"file:/usr/a/b.txt", "/usr/a/b.txt", "usr/a/b.txt", "/a/b.txt", "a/b.txt"}) {
    auto p = usr_relative_path(spec);
    BOOST_TEST(p.error.empty(), spec);
    BOOST_TEST(p.path == "a/b.txt", spec);
  }
  BOOST_TEST(usr_relative_path("a/../../b").error.find("leaves /usr") != std::string::npos);
  BOOST_TEST(usr_relative_path("a..b/c..").error.empty());  // ".." only as a whole component
  BOOST_TEST(usr_relative_path("tcp:10.0.0.1:502").error.find("not emulated") != std::string::npos);
  BOOST_TEST(usr_relative_path("com:1").error.find("not emulated") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(conversions_and_maths)

BOOST_AUTO_TEST_CASE(sfmt_and_fcnv_round_trip_binary_types) {
  Session s(
      "f$ = SFMT 21.5, 60 : g = FCNV f$, 60\n"
      "l$ = SFMT 21.5, 61 : w$ = SFMT 21.5, 62\n"
      "i$ = SFMT -2, 40 : j% = FCNV i$, 40 : k% = FCNV i$, 42\n"
      "m$ = SFMT 305419896, 51 : n% = FCNV m$, 51 : o% = FCNV m$, 50\n"
      "b% = FCNV CHR$(200), 70\n");
  const auto& o = s.step();
  BOOST_TEST_REQUIRE(o.ok, o.error_message);
  BOOST_TEST(str_of(*s.basic.variable("f$")) == std::string("\x41\xAC\x00\x00", 4));
  BOOST_TEST(real_of(*s.basic.variable("g")) == 21.5);
  BOOST_TEST(str_of(*s.basic.variable("l$")) == std::string("\x00\x00\xAC\x41", 4));
  BOOST_TEST(str_of(*s.basic.variable("w$")) == std::string("\x00\x00\x41\xAC", 4));
  BOOST_TEST(str_of(*s.basic.variable("i$")) == std::string("\xFF\xFE", 2));
  BOOST_TEST(int_of(*s.basic.variable("j%")) == -2);
  BOOST_TEST(int_of(*s.basic.variable("k%")) == 65534);
  BOOST_TEST(int_of(*s.basic.variable("n%")) == 305419896);
  BOOST_TEST(int_of(*s.basic.variable("o%")) == 0x78563412);
  BOOST_TEST(int_of(*s.basic.variable("b%")) == 200);
}

BOOST_AUTO_TEST_CASE(fcnv_reads_times_integers_and_reals_as_sfmt_writes_them) {
  Session s(
      "t% = FCNV \"26/11/2026 10:30:05\", 1\n"
      "h% = FCNV \"1F\", 20, 0, \"%x\" : d% = FCNV \" 42\", 20 : r = FCNV \"2.5e1\", 30\n");
  const auto& o = s.step();
  BOOST_TEST_REQUIRE(o.ok, o.error_message);
  BOOST_TEST(int_of(*s.basic.variable("t%")) == 1795689005);
  BOOST_TEST(int_of(*s.basic.variable("h%")) == 31);
  BOOST_TEST(int_of(*s.basic.variable("d%")) == 42);
  BOOST_TEST(real_of(*s.basic.variable("r")) == 25.0);
}

BOOST_AUTO_TEST_CASE(fcnv_errors_are_lsterr_10_with_the_line) {
  for (const char* p : {"x% = FCNV \"ab\", 50\n", "x% = FCNV \"abc\", 20\n", "x% = FCNV \"1\", 99\n",
                        "x% = FCNV \"32/01/2026 00:00:00\", 1\n"}) {
    Session s(p);
    const auto& o = s.step();
    BOOST_TEST(!o.ok, p);
    BOOST_TEST(o.error_code == 10, p << " → " << o.error_message);
    BOOST_TEST(o.line == 1);
  }
}

BOOST_AUTO_TEST_CASE(trigonometry_logarithms_and_exp) {
  auto out = prints_of(
      "PRINT SIN 0; \" \"; COS(0); \" \"; INT(TAN(0.7853982) * 1000 + 0.5); \" \"; INT(ATN(1) * 4000)\n"
      "PRINT LN(EXP(2)); \" \"; LOG 1000; \" \"; EXP 0\n");
  BOOST_TEST(out == (Lines{"0 1 1000 3141", "2 3 1"}), boost::test_tools::per_element());
  Session s("x = LN 0\n");
  BOOST_TEST(s.step().error_code == 10);
}

BOOST_AUTO_TEST_CASE(tget_reads_and_clears_a_timer_expiry_and_logio_names_a_tag) {
  FakeHost h;
  h.timer_expiries[2] = 3;
  FakeTag t;
  t.name = "Temp";
  t.value = 21.5;
  h.tags.push_back(t);
  Session s("a% = TGET 2 : b% = TGET 2 : c% = TGET(5)\nLOGIO \"temp\"\nLOGIO \"Nope\"\n", {}, h);
  const auto& o = s.step();
  BOOST_TEST(int_of(*s.basic.variable("a%")) == 1);
  BOOST_TEST(int_of(*s.basic.variable("b%")) == 0);
  BOOST_TEST(int_of(*s.basic.variable("c%")) == 0);
  BOOST_TEST(s.host.logged_io == std::vector<int>{0});
  BOOST_TEST(o.error_code == 12);  // unknown tag
  BOOST_TEST(o.line == 3);
}

BOOST_AUTO_TEST_CASE(a_function_may_be_named_like_a_builtin) {
  auto out = prints_of("@Log(\"x\")\nFUNCTION Log($m$)\nPRINT \"log: \"; $m$\nENDFN\n");
  BOOST_TEST(out == (Lines{"log: x"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(system_and_lifecycle)

BOOST_AUTO_TEST_CASE(getsys_and_setsys_sys_go_through_the_host_and_cfgsave_persists) {
  FakeHost h;
  h.system_fields["SYS.IDENTIFICATION"] = std::string("Flexy205");
  Session s(
      "a$ = GETSYS SYS,\"Identification\"\n"
      "SETSYS SYS,\"Identification\",\"Line3\"\n"
      "CFGSAVE\n"
      "b$ = GETSYS SYS,\"Identification\"\n"
      "SETSYS PRG,\"RESUMENEXT\",1\n"
      "c$ = GETSYS SYS,\"NoSuchField\" : e% = GETSYS PRG,\"LSTERR\"\n",
      {}, h);
  const auto& o = s.step();
  BOOST_TEST_REQUIRE(o.ok, o.error_message);
  BOOST_TEST(str_of(*s.basic.variable("a$")) == "Flexy205");
  BOOST_TEST(str_of(*s.basic.variable("b$")) == "Line3");
  BOOST_TEST(s.host.config_saves == 1);
  BOOST_TEST(int_of(*s.basic.variable("e%")) == 10);
}

BOOST_AUTO_TEST_CASE(halt_stops_the_program_and_nothing_runs_after_it) {
  Session s(
      "Rem --- eWON start section: Init Section\neWON_init_section:\n"
      "ONTIMER 1, \"n% = n% + 1\"\nn% = 1\nHALT\nn% = 99\nEND\n"
      "Rem --- eWON end section: Init Section\n"
      "Rem --- eWON start section: Cyclic Section\neWON_cyclic_section:\nc% = c% + 1\nEND\n"
      "Rem --- eWON end section: Cyclic Section\n");
  BOOST_TEST(s.step().ok);
  BOOST_TEST(s.basic.halted());
  s.basic.post_timer(1);
  s.basic.post_cyclic();
  BOOST_TEST(!s.basic.run_one());
  BOOST_TEST(int_of(*s.basic.variable("n%")) == 1);
  BOOST_TEST(int_of(*s.basic.variable("c%")) == 0);
  BOOST_TEST(s.host.logged("program.bas:5: HALT"));
}

BOOST_AUTO_TEST_CASE(reboot_restarts_from_init_with_fresh_variables_and_is_logged) {
  Session s(
      "Rem --- eWON start section: Init Section\neWON_init_section:\n"
      "boots% = boots% + 1\nTSET 1, 5\nONTIMER 1, \"GOTO again\"\nEND\n"
      "again: IF boots% = 1 THEN REBOOT\nEND\n"
      "Rem --- eWON end section: Init Section\n");
  BOOST_TEST(s.step().ok);
  s.basic.post_timer(1);
  BOOST_TEST(s.step().ok);  // the timer request reboots
  BOOST_TEST(s.host.reboots == 1);
  BOOST_TEST(s.host.logged("REBOOT: the BASIC program restarts from Init"));
  BOOST_TEST(!s.basic.has_timer(1));
  BOOST_TEST(s.step().kind == RequestKind::init);
  BOOST_TEST(int_of(*s.basic.variable("boots%")) == 1);  // variables started over
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(error_lines)

BOOST_AUTO_TEST_CASE(an_event_command_jumping_nowhere_names_the_line_that_registered_it) {
  Session s("x% = 1\nONTIMER 3, \"goto Missing\"\n");
  BOOST_TEST(s.step().ok);
  s.basic.post_timer(3);
  const auto& o = s.step();
  BOOST_TEST(!o.ok);
  BOOST_TEST(o.line == 2);
  BOOST_TEST(o.error_message ==
             "program.bas:2: runtime error in \"goto Missing\" (event registered on this line): label MISSING not found (LSTERR 2)");
}

BOOST_AUTO_TEST_CASE(an_event_command_that_does_not_parse_names_the_line_that_registered_it) {
  Session s("\n\nONMQTT \"a% = = 1\"\n");
  BOOST_TEST(s.step().ok);
  s.basic.post_mqtt_message();
  const auto& o = s.step();
  BOOST_TEST(!o.ok);
  BOOST_TEST(o.error_code == 1);
  BOOST_TEST(o.line == 3);
  BOOST_TEST(o.error_message.rfind("program.bas:3: runtime error in \"a% = = 1\"", 0) == 0u, o.error_message);
}

BOOST_AUTO_TEST_CASE(an_error_inside_a_command_string_statement_names_the_registering_line) {
  Session s("DIM a(2)\nONCHANGE \"T\", \"a(5) = 1\"\n", {}, [] {
    FakeHost h;
    FakeTag t;
    t.name = "T";
    t.value = std::int32_t{0};
    h.tags.push_back(t);
    return h;
  }());
  BOOST_TEST(s.step().ok);
  s.basic.post_tag_change(0);
  const auto& o = s.step();
  BOOST_TEST(o.error_code == 4);
  BOOST_TEST(o.line == 2);
  BOOST_TEST(o.error_message.rfind("program.bas:2: runtime error in \"a(5) = 1\"", 0) == 0u, o.error_message);
}

BOOST_AUTO_TEST_CASE(an_error_in_the_program_reached_from_an_event_names_the_line_reached) {
  Session s("ONTIMER 1, \"GOTO t\"\nEND\nt: x = 1 / 0\n");
  BOOST_TEST(s.step().ok);
  s.basic.post_timer(1);
  const auto& o = s.step();
  BOOST_TEST(o.line == 3);
  BOOST_TEST(o.error_message == "program.bas:3: runtime error: division by zero (LSTERR 5)");
}

BOOST_AUTO_TEST_CASE(an_ad_hoc_command_without_a_registering_line_keeps_the_command_form) {
  Session s("x% = 1\n");
  s.step();
  s.basic.post_command("goto Nowhere");
  const auto& o = s.step();
  BOOST_TEST(o.line == 0);
  BOOST_TEST(o.error_message == "program.bas: runtime error in \"goto Nowhere\": label NOWHERE not found (LSTERR 2)");
}

BOOST_AUTO_TEST_SUITE_END()
