// Statements: IF forms, FOR, GOTO/GOSUB, DIM, FUNCTION, PRINT, CLS, LOGEVENT, GETSYS/SETSYS,
// tags, MQTT.
#include <boost/test/unit_test.hpp>

#include "tests/basic/basic_test_util.hpp"

using namespace flexhil::basic;
using namespace flexhil::basic::testing;
using Lines = std::vector<std::string>;

namespace {
FakeHost with_tags() {
  FakeHost h;
  h.tags.push_back(FakeTag{"Temperature", 21.5, 1, "Boiler temperature", "A"});
  h.tags.push_back(FakeTag{"Pressure", 3.25, 1, "Line pressure", "AB"});
  h.tags.push_back(FakeTag{"Counter", std::int32_t{7}, 2, "Parts", "C"});
  return h;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(statements)

BOOST_AUTO_TEST_CASE(single_line_if_makes_every_statement_after_then_conditional) {
  auto out = prints_of(
      "e% = 0\n"
      "IF e% = -4 THEN PRINT \"a\" : PRINT \"b\" : GOTO Done\n"
      "PRINT \"c\"\n"
      "IF e% = 0 THEN PRINT \"d\" : PRINT \"e\"\n"
      "Done:\n");
  BOOST_TEST(out == (Lines{"c", "d", "e"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(single_line_if_else_runs_one_branch) {
  auto out = prints_of(
      "IF 1 THEN PRINT \"t1\" : PRINT \"t2\" ELSE PRINT \"e1\" : PRINT \"e2\"\n"
      "IF 0 THEN PRINT \"t3\" ELSE PRINT \"e3\" : PRINT \"e4\"\n"
      "IF 1 THEN IF 0 THEN PRINT \"x\" ELSE PRINT \"inner else\"\n");
  BOOST_TEST(out == (Lines{"t1", "t2", "e3", "e4", "inner else"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(if_then_label_is_a_goto) {
  auto out = prints_of("IF 1 THEN There\nPRINT \"skipped\"\nThere:\nPRINT \"there\"\n");
  BOOST_TEST(out == (Lines{"there"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(block_if_else_endif_nests) {
  auto out = prints_of(
      "a% = 2\n"
      "IF a% = 1 THEN\n"
      "  PRINT \"one\"\n"
      "ELSE\n"
      "  IF a% = 2 THEN\n"
      "    PRINT \"two\"\n"
      "  ENDIF\n"
      "  PRINT \"not one\"\n"
      "ENDIF\n"
      "IF a% > 0 THEN // comment after THEN keeps the block form\n"
      "  PRINT \"positive\"\n"
      "END IF\n");
  BOOST_TEST(out == (Lines{"two", "not one", "positive"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(for_next_with_and_without_step) {
  auto out = prints_of(
      "FOR i% = 1 TO 3\n"
      "  PRINT i%;\n"
      "NEXT i%\n"
      "PRINT\n"
      "FOR i% = 10 TO 1 STEP -4 : PRINT i%; \" \"; : NEXT i%\n"
      "PRINT\n"
      "FOR x = 0 TO 1 STEP 0.5 : PRINT x; \",\"; : NEXT x\n"
      "PRINT\n"
      "FOR i% = 5 TO 1 : PRINT \"never\" : NEXT i%\n"
      "PRINT \"after \"; i%\n");
  BOOST_TEST(out == (Lines{"123", "10 6 2 ", "0,0.5,1,", "after 5"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(nested_for_loops) {
  auto out = prints_of(
      "n% = 0\n"
      "FOR i% = 1 TO 3\n"
      "  FOR j% = 1 TO 4\n"
      "    n% = n% + 1\n"
      "  NEXT j%\n"
      "NEXT i%\n"
      "PRINT n%\n");
  BOOST_TEST(out == (Lines{"12"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(goto_gosub_return_and_end) {
  auto out = prints_of(
      "GOSUB Sub1\n"
      "GOSUB Sub1\n"
      "GOTO Finish\n"
      "Sub1:\n"
      "  k% = k% + 1\n"
      "  PRINT \"sub \"; k%\n"
      "RETURN\n"
      "Finish:\n"
      "PRINT \"end\"\n"
      "END\n"
      "PRINT \"after end\"\n");
  BOOST_TEST(out == (Lines{"sub 1", "sub 2", "end"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(dim_arrays_are_one_based_and_multi_dimensional) {
  Session s(
      "DIM a(3, 2)\n"
      "a(1, 1) = 1.5\n"
      "a(3, 2) = 7\n"
      "DIM c%(4)\n"
      "FOR i% = 1 TO 4 : c%(i%) = i% * 10 : NEXT i%\n"
      "PRINT a(1,1) + a(3,2); \" \"; c%(4); \" \"; a(2,2)\n");
  s.step();
  BOOST_TEST(s.host.prints == (Lines{"8.5 40 0"}), boost::test_tools::per_element());
  BOOST_TEST(std::get<double>(*s.basic.element("a", {3, 2})) == 7.0);
}

BOOST_AUTO_TEST_CASE(string_arrays_have_a_fixed_blank_padded_width) {
  auto out = prints_of(
      "DIM s$(3, 5)\n"
      "s$(1) = \"ab\"\n"
      "s$(2) = \"abcdefgh\"\n"
      "PRINT \"[\" + s$(1) + \"]\"\n"
      "PRINT \"[\" + s$(2) + \"]\"\n"
      "PRINT \"[\" + RTRIM s$(1) + \"]\"\n"
      "PRINT LEN s$(3)\n");
  BOOST_TEST(out == (Lines{"[ab   ]", "[abcde]", "[ab]", "5"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(functions_have_local_dollar_variables_and_return_values) {
  auto out = prints_of(
      "a$ = \"global\"\n"
      "$x% = 99\n"
      "PRINT @Twice$(\"ab\") + \" \" + STR$ @Add%(2, 3)\n"
      "@Show(\"stmt\")\n"
      "PRINT a$; \" \"; $x%\n"
      "FUNCTION Twice$($s$)\n"
      "  $x% = 1\n"
      "  $Twice$ = $s$ + $s$\n"
      "ENDFN\n"
      "FUNCTION Add%($a%, $b%)\n"
      "  $Add% = $a% + $b%\n"
      "ENDFN\n"
      "FUNCTION Show($m$)\n"
      "  PRINT \"show \" + $m$\n"
      "  a$ = \"changed\"\n"
      "ENDFN\n");
  BOOST_TEST(out == (Lines{"abab 5", "show stmt", "changed 99"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(functions_are_skipped_by_sequential_flow_and_recursive) {
  auto out = prints_of(
      "PRINT \"before\"\n"
      "FUNCTION Fact($n%)\n"
      "  PRINT \"inside\"\n"
      "  IF $n% <= 1 THEN $Fact = 1 ELSE $Fact = $n% * @Fact($n% - 1)\n"
      "ENDFN\n"
      "PRINT \"after\"\n");
  BOOST_TEST(out == (Lines{"before", "after"}), boost::test_tools::per_element());
  auto fact = prints_of(
      "PRINT @Fact(5)\n"
      "FUNCTION Fact($n%)\n"
      "  IF $n% <= 1 THEN $Fact = 1 ELSE $Fact = $n% * @Fact($n% - 1)\n"
      "ENDFN\n");
  BOOST_TEST(fact == (Lines{"120"}), boost::test_tools::per_element());
}

// Call frames are pooled and a frame keeps the locals of its last function ready (interpreter.cpp):
// each call must still start from fresh locals, whichever function used the frame before.
BOOST_AUTO_TEST_CASE(every_call_starts_with_fresh_locals_whatever_ran_before) {
  auto out = prints_of(
      "FOR i% = 1 TO 3\n"
      "  PRINT @Acc(i%); \" \"; @Txt$(i%)\n"
      "NEXT i%\n"
      "PRINT @Other%(7)\n"
      "PRINT @Acc(5)\n"
      "FUNCTION Acc($n%)\n"
      "  $sum = $sum + $n%\n"           // $sum starts at 0 on every call
      "  $Acc = $sum\n"
      "ENDFN\n"
      "FUNCTION Txt$($n%)\n"
      "  $t$ = $t$ + STR$ $n%\n"        // $t$ starts empty
      "  $Txt$ = $t$\n"
      "ENDFN\n"
      "FUNCTION Other%($x%)\n"          // the same frame, another function: its own locals
      "  $y% = $y% + $x%\n"
      "  $Other% = $y%\n"
      "ENDFN\n");
  BOOST_TEST(out == (Lines{"1 1", "2 2", "3 3", "7", "5"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(arguments_are_converted_to_their_parameter_types_in_order) {
  auto out = prints_of(
      "n% = 0\n"
      "PRINT @Three(@Next%(), @Next%(), @Next%())\n"   // evaluated left to right
      "PRINT @Conv$(7.9, 3, \"s\")\n"                 // real → integer truncates, integer → real
      "PRINT @Five(1, 2, 3, 4, 5)\n"                   // more than three arguments
      "PRINT @Nest(@Nest(@Nest(1)))\n"                 // a call in an argument nests
      "FUNCTION Next%()\n"
      "  n% = n% + 1\n"
      "  $Next% = n%\n"
      "ENDFN\n"
      "FUNCTION Three($a%, $b%, $c%)\n"
      "  $Three = $a% * 100 + $b% * 10 + $c%\n"
      "ENDFN\n"
      "FUNCTION Conv$($i%, $r, $s$)\n"
      "  $Conv$ = STR$ $i% + \" \" + STR$($r / 2) + \" \" + $s$\n"
      "ENDFN\n"
      "FUNCTION Five($a, $b, $c, $d, $e)\n"
      "  $Five = $a + $b + $c + $d + $e\n"
      "ENDFN\n"
      "FUNCTION Nest%($v%)\n"
      "  $Nest% = $v% * 2\n"
      "ENDFN\n");
  BOOST_TEST(out == (Lines{"123", "7 1.5 s", "15", "8"}), boost::test_tools::per_element());
  // A string where a number parameter is expected is still a type mismatch.
  Session s("x = @F(\"abc\")\nFUNCTION F($n%)\n  $F = $n%\nENDFN\n");
  s.step();
  BOOST_TEST(!s.basic.last_outcome().ok);
  BOOST_TEST(s.basic.last_outcome().error_code == error_code::type_mismatch);
}

BOOST_AUTO_TEST_CASE(dollar_labels_are_local_to_their_function) {
  auto out = prints_of(
      "PRINT @Count(3)\n"
      "FUNCTION Count($n%)\n"
      "  $i% = 0\n"
      "$loop:\n"
      "  $i% = $i% + 1\n"
      "  IF $i% < $n% THEN GOTO $loop\n"
      "  GOSUB $double\n"
      "  $Count = $i%\n"
      "  GOTO $out\n"
      "$double:\n"
      "  $i% = $i% * 2\n"
      "  RETURN\n"
      "$out:\n"
      "ENDFN\n");
  BOOST_TEST(out == (Lines{"6"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(print_joins_with_semicolon_and_continues_after_trailing_separator) {
  Session s("PRINT \"a\"; 1; 2.5\nPRINT \"b\";\nPRINT \"c\"\nPRINT \"x\", \"y\"\nCLS\n");
  s.step();
  BOOST_TEST(s.host.prints == (Lines{"a12.5", "bc", "x\ty"}), boost::test_tools::per_element());
  BOOST_TEST(s.host.clears == 1);
}

BOOST_AUTO_TEST_CASE(logevent_goes_to_the_host_event_log) {
  Session s("LOGEVENT \"hello \" + STR$ 3, 100\nLOGEVENT \"plain\"\n");
  s.step();
  BOOST_REQUIRE_EQUAL(s.host.logs.size(), 2u);
  BOOST_TEST(s.host.logs[0].message == "hello 3");
  BOOST_TEST(s.host.logs[0].level == 100);
  BOOST_TEST(s.host.logs[1].message == "plain");
}

BOOST_AUTO_TEST_CASE(getsys_prg_fields) {
  Session s(
      "PRINT GETSYS PRG, \"NBTAGS\"\n"
      "PRINT GETSYS PRG,\"TIMESEC\"\n"
      "PRINT GETSYS PRG,\"MSEC\"\n"
      "PRINT GETSYS PRG,\"LSTERR\"\n"
      "SETSYS PRG,\"RESUMENEXT\",1\n"
      "PRINT GETSYS PRG,\"resumenext\"\n",
      {}, with_tags());
  s.step();
  BOOST_TEST(s.host.prints == (Lines{"3", "1795689005", "123456", "0", "1"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(setsys_tag_load_by_name_id_and_negative_index_then_getsys_fields) {
  Session s(
      "SETSYS TAG, \"load\", \"pressure\"\n"
      "PRINT GETSYS TAG, \"Name\"; \" \"; GETSYS TAG,\"Type\"; \" \"; GETSYS TAG,\"Description\"\n"
      "PRINT GETSYS TAG,\"TagValue\"; GETSYS TAG,\"IVGROUPA\"; GETSYS TAG,\"IVGROUPB\"; GETSYS TAG,\"IVGROUPC\"\n"
      "i% = 2\n"
      "SETSYS TAG, \"load\", -i%\n"
      "PRINT GETSYS TAG, \"Name\"\n"
      "SETSYS TAG, \"load\", 1\n"
      "PRINT GETSYS TAG, \"Name\"\n"
      "SETSYS TAG, \"load\", -0\n"
      "SETSYS TAG, \"Description\", \"new\"\n"
      "SETSYS TAG, \"save\"\n",
      {}, with_tags());
  s.step();
  BOOST_TEST(s.host.prints == (Lines{"Pressure 1 Line pressure", "3.25110", "Counter", "Temperature"}),
             boost::test_tools::per_element());
  BOOST_REQUIRE_EQUAL(s.host.field_writes.size(), 1u);
  BOOST_TEST(std::get<0>(s.host.field_writes[0]) == 0);
  BOOST_TEST(std::get<1>(s.host.field_writes[0]) == "Description");
  BOOST_TEST(s.host.saves == (std::vector<int>{0}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(tag_values_through_getio_setio_and_tag_at) {
  Session s(
      "PRINT GETIO \"Temperature\"; \" \"; GETIO(\"counter\"); \" \"; Pressure@\n"
      "SETIO \"Counter\", 8\n"
      "Temperature@ = Temperature@ + 1\n"
      "PRINT counter@; \" \"; temperature@\n",
      {}, with_tags());
  s.step();
  BOOST_TEST(s.host.prints == (Lines{"21.5 7 3.25", "8 22.5"}), boost::test_tools::per_element());
  BOOST_REQUIRE_EQUAL(s.host.tag_writes.size(), 2u);
  BOOST_TEST(s.host.tag_writes[0].first == 2);
  BOOST_TEST(s.host.tag_writes[1].first == 0);
}

BOOST_AUTO_TEST_CASE(mqtt_commands_as_statements_and_expressions_reach_the_host) {
  FakeHost h;
  h.inbox.push_back({"devices/d/messages/devicebound/x", "hello"});
  h.status_after_connect = 5;
  Session s(
      "MQTT \"OPEN\", \"dev\", \"hub.azure-devices.net\"\n"
      "Mqtt \"SetParam\", \"Port\", \"8883\"\n"
      "mqtt(\"CONNECT\")\n"
      "MQTT \"SUBSCRIBE\", \"devices/dev/messages/devicebound/#\", 1\n"
      "MQTT \"PUBLISH\", \"t\", \"{}\", 0, 0\n"
      "IF MQTT(\"STATUS\") = 5 THEN PRINT \"connected\"\n"
      "n% = MQTT \"READ\"\n"
      "PRINT n%; \" \"; MQTT \"MSGTOPIC\"; \" \"; mqtt(\"msgdata\")\n",
      {}, h);
  const auto& r = s.step();
  BOOST_TEST(r.ok, r.error_message);
  BOOST_TEST(s.host.prints == (Lines{"connected", "1 devices/d/messages/devicebound/x hello"}), boost::test_tools::per_element());
  auto open = s.host.calls("OPEN");
  BOOST_REQUIRE_EQUAL(open.size(), 1u);
  BOOST_TEST(std::get<std::string>(open[0].args.at(1)) == "hub.azure-devices.net");
  auto setparam = s.host.calls("SETPARAM");
  BOOST_REQUIRE_EQUAL(setparam.size(), 1u);
  BOOST_TEST(setparam[0].command == "SetParam");  // as written
  auto publish = s.host.calls("PUBLISH");
  BOOST_REQUIRE_EQUAL(publish.size(), 1u);
  BOOST_TEST(publish[0].args.size() == 4u);
  BOOST_TEST(std::get<std::int32_t>(publish[0].args[2]) == 0);
  BOOST_TEST(s.host.calls("CONNECT").size() == 1u);
}

BOOST_AUTO_TEST_CASE(timers_are_set_through_the_host) {
  Session s("ONTIMER 1, \"goto Full\"\nTSET 1, 20\nTSET 2, 0\n");
  s.step();
  BOOST_TEST(s.host.timers.at(1) == 20.0);
  BOOST_TEST(s.host.timers.at(2) == 0.0);
  BOOST_TEST(s.basic.has_timer(1));
  BOOST_TEST(!s.basic.has_timer(2));
}

BOOST_AUTO_TEST_SUITE_END()
