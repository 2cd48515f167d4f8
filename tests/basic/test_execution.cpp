// The execution model: one queue, events never preempt, bounded queue, statement budget,
// runtime errors with their line, LSTERR, RESUMENEXT and ONERROR.
#include <boost/test/unit_test.hpp>

#include "tests/basic/basic_test_util.hpp"

using namespace flexhil::basic;
using namespace flexhil::basic::testing;
using Lines = std::vector<std::string>;

namespace {
const char* kEvents =
    "Rem --- eWON start section: Init Section\n"
    "eWON_init_section:\n"
    "ONTIMER 1, \"goto Tick\"\n"
    "ONTIMER 2, 'n% = n% + 10'\n"
    "ONCHANGE \"Level\", \"@Changed(GETSYS PRG,'EVTINFO')\"\n"
    "ONMQTT '@ReadMsg(mqtt(\"read\"))'\n"
    "ONMQTTSTATUS \"PRINT 'status '; GETSYS PRG,'EVTINFO'\"\n"
    "PRINT \"init\"\n"
    "END\n"
    "Tick:\n"
    "PRINT \"tick\"\n"
    "END\n"
    "FUNCTION Changed($id%)\n"
    "  PRINT \"changed \"; $id%\n"
    "ENDFN\n"
    "FUNCTION ReadMsg($n%)\n"
    "  PRINT \"msg \"; $n%; \" \"; MQTT \"MSGDATA\"\n"
    "ENDFN\n"
    "Rem --- eWON end section: Init Section\n"
    "Rem --- eWON start section: Cyclic Section\n"
    "eWON_cyclic_section:\n"
    "PRINT \"cyclic\"\n"
    "Rem --- eWON end section: Cyclic Section\n";

FakeHost level_host() {
  FakeHost h;
  h.tags.push_back(FakeTag{"Other", 0.0, 1, "", ""});
  h.tags.push_back(FakeTag{"Level", 1.0, 1, "", ""});
  h.inbox.push_back({"t", "payload"});
  return h;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(execution)

BOOST_AUTO_TEST_CASE(events_queue_behind_running_requests_in_arrival_order) {
  Session s(kEvents, {}, level_host());
  s.step();  // init registers the handlers
  BOOST_TEST(s.basic.watches_tag(1));
  BOOST_TEST(!s.basic.watches_tag(0));
  s.basic.post_timer(1);
  s.basic.post_tag_change(1);
  s.basic.post_tag_change(0);  // no ONCHANGE: ignored
  s.basic.post_timer(9);       // no ONTIMER: ignored
  s.basic.post_mqtt_message();
  s.basic.post_mqtt_status(5);
  BOOST_TEST(s.basic.pending() == 5u);  // cyclic (queued by start) + 4 events
  std::vector<RequestKind> kinds;
  while (s.basic.pending() > 1 || kinds.size() < 5) {
    kinds.push_back(s.step().kind);
    BOOST_TEST(s.basic.last_outcome().ok);
  }
  BOOST_TEST(kinds == (std::vector<RequestKind>{RequestKind::cyclic, RequestKind::timer, RequestKind::tag_change,
                                                RequestKind::mqtt_message, RequestKind::mqtt_status}),
             boost::test_tools::per_element());
  BOOST_TEST(s.host.prints == (Lines{"init", "cyclic", "tick", "changed 2", "msg 1 payload", "status 5"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(event_commands_can_assign_variables_and_are_cached) {
  Session s(kEvents, {}, level_host());
  s.step();
  s.step();  // cyclic
  s.basic.post_timer(2);
  s.basic.post_timer(2);
  BOOST_TEST(s.step().kind == RequestKind::cyclic);
  s.step();
  s.step();
  BOOST_TEST(std::get<std::int32_t>(*s.basic.variable("N%")) == 20);
}

BOOST_AUTO_TEST_CASE(on_commands_without_their_last_argument_cancel) {
  Session s(
      "ONTIMER 1, \"PRINT 1\"\nONCHANGE \"Level\", \"PRINT 2\"\nONMQTT \"PRINT 3\"\n"
      "ONTIMER 1\nONCHANGE \"Level\"\nONMQTT\nONMQTTSTATUS\nONERROR\n",
      {}, level_host());
  s.step();
  s.basic.post_timer(1);
  s.basic.post_tag_change(1);
  s.basic.post_mqtt_message();
  BOOST_TEST(s.basic.pending() == 0u);
}

BOOST_AUTO_TEST_CASE(onchange_accepts_a_negative_tag_index) {
  Session s("i% = 1\nONCHANGE -i%, \"PRINT GETSYS PRG,'EVTINFO'\"\n", {}, level_host());
  s.step();
  BOOST_TEST(s.basic.watches_tag(1));
  s.basic.post_tag_change(1);
  s.step();
  BOOST_TEST(s.host.prints == (Lines{"2"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_full_queue_drops_requests_and_logs_it) {
  InterpreterOptions o;
  o.queue_capacity = 3;
  Session s("ONTIMER 1, \"PRINT 1\"\n", o);
  s.step();
  for (int i = 0; i < 5; ++i) s.basic.post_timer(1);
  BOOST_TEST(s.basic.pending() == 3u);
  BOOST_TEST(s.basic.dropped_requests() == 2u);
  BOOST_TEST(s.host.logged("BASIC queue full (3 requests): dropped timer request \"PRINT 1\""));
}

BOOST_AUTO_TEST_CASE(post_cyclic_is_never_dropped_and_does_not_requeue_when_disabled) {
  InterpreterOptions o;
  o.queue_capacity = 1;
  o.requeue_cyclic = false;
  Session s(
      "Rem --- eWON start section: Cyclic Section\n"
      "eWON_cyclic_section:\n"
      "PRINT \"c\"\n"
      "Rem --- eWON end section: Cyclic Section\n",
      o);
  BOOST_TEST(s.step().kind == RequestKind::cyclic);
  BOOST_TEST(s.basic.pending() == 0u);  // not re-queued
  s.basic.post_command("PRINT 1");      // fills the queue
  s.basic.post_cyclic();
  BOOST_TEST(s.basic.pending() == 2u);
  s.step();
  BOOST_TEST(s.step().kind == RequestKind::cyclic);
  BOOST_TEST(s.host.prints == (Lines{"c", "1", "c"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_endless_loop_is_aborted_by_the_statement_budget) {
  InterpreterOptions o;
  o.statement_budget = 1000;
  Session s(
      "Rem --- eWON start section: Init Section\n"
      "eWON_init_section:\n"
      "Loop:\n"
      "a% = a% + 1\n"
      "GOTO Loop\n"
      "Rem --- eWON end section: Init Section\n"
      "Rem --- eWON start section: Cyclic Section\n"
      "eWON_cyclic_section:\n"
      "PRINT \"cyclic still runs\"\n"
      "Rem --- eWON end section: Cyclic Section\n",
      o);
  const auto& r = s.step();
  BOOST_TEST(!r.ok);
  BOOST_TEST(r.error_code == error_code::budget_exceeded);
  BOOST_TEST(r.statements == 1001u);
  BOOST_TEST(s.host.logged("statement budget of 1000"));
  s.step();
  BOOST_TEST(s.host.prints == (Lines{"cyclic still runs"}), boost::test_tools::per_element());
}

struct ErrorCase {
  const char* program;
  int line;
  int code;
  const char* fragment;
};

BOOST_AUTO_TEST_CASE(runtime_errors_abort_the_request_and_are_logged_with_their_line) {
  const ErrorCase cases[] = {
      {"a% = 1\nGOTO Nowhere\n", 2, error_code::unknown_label, "label NOWHERE not found"},
      {"a% = 1\nGOSUB Nowhere\n", 2, error_code::unknown_label, "label NOWHERE not found"},
      {"a% = 1\n\na% = \"text\"\n", 3, error_code::type_mismatch, "type mismatch"},
      {"a = \"x\" * 2\n", 1, error_code::type_mismatch, "type mismatch"},
      {"a% = \"5\" - 1\n", 1, error_code::type_mismatch, "type mismatch"},
      {"DIM a(3)\na(4) = 1\n", 2, error_code::index_out_of_range, "index 4 out of range 1..3 of A"},
      {"DIM a(3)\nb = a(0)\n", 2, error_code::index_out_of_range, "out of range"},
      {"b = x(1)\n", 1, error_code::index_out_of_range, "not dimensioned"},
      {"DIM a(2,2)\nb = a(1)\n", 2, error_code::index_out_of_range, "dimension"},
      {"z% = 0\nb% = 5 / z%\n", 2, error_code::division_by_zero, "division by zero"},
      {"b% = 5 MOD 0\n", 1, error_code::division_by_zero, "division by zero"},
      {"RETURN\n", 1, error_code::return_without_gosub, "RETURN without GOSUB"},
      {"NEXT i%\n", 1, error_code::next_without_for, "NEXT I% without FOR"},
      {"PRINT Missing@\n", 1, error_code::unknown_tag, "unknown tag Missing"},
      {"PRINT GETIO \"Missing\"\n", 1, error_code::unknown_tag, "unknown tag"},
      {"PRINT GETSYS PRG, \"NOSUCH\"\n", 1, error_code::invalid_parameter, "unknown field"},
      {"PRINT GETSYS TAG, \"Name\"\n", 1, error_code::invalid_parameter, "no tag loaded"},
      {"SETSYS TAG, \"load\", 50\n", 1, error_code::unknown_tag, "no tag with id 50"},
      {"x% = @F(1, 2)\nFUNCTION F($a)\nENDFN\n", 1, error_code::wrong_arguments, "expects 1 argument"},
      {"x$ = MID$(\"abc\", 0, 1)\n", 1, error_code::invalid_parameter, "MID$"},
      {"s$ = \"abc\"\nt$ = s$(0 TO 1)\n", 2, error_code::index_out_of_range, "invalid slice"},
      {"MQTT \"BOGUS\"\n", 1, 10, "MQTT \"BOGUS\""},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.program) {
      Session s(c.program);
      const auto& r = s.step();
      BOOST_TEST(!r.ok);
      BOOST_TEST(r.line == c.line);
      BOOST_TEST(r.error_code == c.code);
      BOOST_TEST(r.error_message.find(c.fragment) != std::string::npos, r.error_message);
      BOOST_TEST(r.error_message.rfind("program.bas:" + std::to_string(c.line) + ": runtime error: ", 0) == 0);
      BOOST_TEST(s.basic.last_error() == c.code);
      BOOST_REQUIRE_EQUAL(s.host.logs.size(), 1u);
      BOOST_TEST(s.host.logs[0].message == r.error_message);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_goto_to_a_missing_label_fails_only_when_it_executes) {
  Session s("IF 0 THEN GOTO Nowhere\nPRINT \"fine\"\n");
  BOOST_TEST(s.step().ok);
  BOOST_TEST(s.host.prints == (Lines{"fine"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(resumenext_continues_after_errors_and_lsterr_keeps_the_code) {
  FakeHost h;
  h.wan_up = false;
  Session s(
      "SETSYS PRG, \"RESUMENEXT\", 1\n"
      "MQTT \"CONNECT\"\n"
      "e% = GETSYS PRG, \"LSTERR\"\n"
      "z% = 0 : q% = 1 / z% : PRINT \"after\"\n"
      "d% = GETSYS PRG, \"LSTERR\"\n"
      "SETSYS PRG, \"RESUMENEXT\", 0\n"
      "PRINT e%; \" \"; d%\n"
      "IF e% = 28 THEN PRINT \"WAN down\"\n",
      {}, h);
  BOOST_TEST(s.step().ok);
  BOOST_TEST(s.host.prints == (Lines{"after", "28 5", "WAN down"}), boost::test_tools::per_element());
  BOOST_TEST(s.host.logs.empty());
}

BOOST_AUTO_TEST_CASE(resumenext_inside_a_function_continues_in_the_function) {
  Session s(
      "SETSYS PRG, \"RESUMENEXT\", 1\n"
      "PRINT @F(0)\n"
      "FUNCTION F($z%)\n"
      "  $F = 1 / $z%\n"
      "  $F = 7\n"
      "ENDFN\n");
  BOOST_TEST(s.step().ok);
  BOOST_TEST(s.host.prints == (Lines{"7"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_error_inside_a_function_reports_the_function_line) {
  Session s("x = @F(0)\nFUNCTION F($z%)\n  $F = 1 / $z%\nENDFN\n");
  const auto& r = s.step();
  BOOST_TEST(!r.ok);
  BOOST_TEST(r.line == 3);
}

BOOST_AUTO_TEST_CASE(onerror_queues_its_command_after_an_aborted_request) {
  Session s("ONERROR \"PRINT 'error '; GETSYS PRG,'EVTINFO'\"\nGOTO Nowhere\n");
  BOOST_TEST(!s.step().ok);
  BOOST_TEST(s.step().kind == RequestKind::error);
  BOOST_TEST(s.host.prints == (Lines{"error 2"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_event_command_with_a_missing_label_fails_when_the_event_runs) {
  // The published ONMQTT defect: the label does not exist; nothing happens until a message arrives.
  Session s("ONMQTT \"goto MqttRx\"\nPRINT \"ready\"\n");
  BOOST_TEST(s.step().ok);
  s.basic.post_mqtt_message();
  const auto& r = s.step();
  BOOST_TEST(!r.ok);
  BOOST_TEST(r.line == 1);  // the ONMQTT that registered the command
  BOOST_TEST(r.error_code == error_code::unknown_label);
  BOOST_TEST(r.error_message ==
             "program.bas:1: runtime error in \"goto MqttRx\" (event registered on this line): label MQTTRX not found (LSTERR 2)");
}

BOOST_AUTO_TEST_CASE(an_event_command_with_a_syntax_error_is_logged_not_run) {
  Session s("ONTIMER 1, \"PRINT (\"\n");
  s.step();
  s.basic.post_timer(1);
  const auto& r = s.step();
  BOOST_TEST(!r.ok);
  BOOST_TEST(r.error_code == error_code::syntax);
  BOOST_TEST(s.host.logged("syntax error"));
}

BOOST_AUTO_TEST_CASE(post_command_runs_any_basic_line) {
  Session s("a% = 1\n");
  s.step();
  s.basic.post_command("a% = a% + 41 : PRINT a%");
  s.step();
  BOOST_TEST(s.host.prints == (Lines{"42"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(goto_from_an_event_command_runs_until_end) {
  Session s("END\nHandler:\nPRINT \"h1\"\nGOSUB Sub\nEND\nSub:\nPRINT \"h2\"\nRETURN\n");
  s.step();
  s.basic.post_command("GOTO handler");
  BOOST_TEST(s.step().ok);
  BOOST_TEST(s.host.prints == (Lines{"h1", "h2"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(more_execution)

BOOST_AUTO_TEST_CASE(onwan_queues_its_command_with_the_status_in_evtinfo) {
  Session s("ONWAN \"PRINT 'wan '; GETSYS PRG,'EVTINFO'\"\n");
  s.step();
  s.basic.post_wan(1);
  BOOST_TEST(s.step().kind == RequestKind::wan);
  BOOST_TEST(s.host.prints == (Lines{"wan 1"}), boost::test_tools::per_element());
}


BOOST_AUTO_TEST_CASE(goto_from_a_function_to_a_global_label_is_an_error) {
  Session s("x = @F()\nOutside:\nEND\nFUNCTION F()\n  GOTO Outside\nENDFN\n");
  const auto& r = s.step();
  BOOST_TEST(!r.ok);
  BOOST_TEST(r.error_code == error_code::goto_out_of_function);
  BOOST_TEST(r.line == 5);
}

BOOST_AUTO_TEST_CASE(endless_recursion_is_a_nesting_error) {
  Session s("x = @F(1)\nFUNCTION F($n%)\n  $F = @F($n% + 1)\nENDFN\n");
  const auto& r = s.step();
  BOOST_TEST(!r.ok);
  BOOST_TEST(r.error_code == error_code::stack_overflow);
}

BOOST_AUTO_TEST_CASE(endless_gosub_is_a_nesting_error) {
  Session s("Again:\nGOSUB Again\n");
  const auto& r = s.step();
  BOOST_TEST(!r.ok);
  BOOST_TEST(r.error_code == error_code::stack_overflow);
  BOOST_TEST(r.line == 2);
}

BOOST_AUTO_TEST_CASE(end_inside_a_function_ends_the_request) {
  Session s("x = @F()\nPRINT \"not reached\"\nFUNCTION F()\n  PRINT \"in\"\n  END\nENDFN\n");
  BOOST_TEST(s.step().ok);
  BOOST_TEST(s.host.prints == (Lines{"in"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(goto_with_a_computed_label) {
  Session s("n$ = \"Two\"\nGOTO n$\nPRINT \"no\"\nTwo:\nPRINT \"two\"\n");
  BOOST_TEST(s.step().ok);
  BOOST_TEST(s.host.prints == (Lines{"two"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(variables_keep_their_values_between_requests) {
  Session s("ONTIMER 1, \"k% = k% + 1 : PRINT k%\"\n");
  s.step();
  s.basic.post_timer(1);
  s.basic.post_timer(1);
  s.step();
  s.step();
  BOOST_TEST(s.host.prints == (Lines{"1", "2"}), boost::test_tools::per_element());
}

// What published programs rely on where RG-0006 is silent (sim/flexy/basic/README.md "Type
// conversions"): a number meeting a string in `+`, a comparison or a string assignment is its
// STR$ text.
BOOST_AUTO_TEST_CASE(numbers_meeting_strings_are_converted_as_published_programs_expect) {
  BOOST_TEST(std::get<std::string>(value_after("t$ = 6\n", "T$")) == "6");
  BOOST_TEST(std::get<std::string>(value_after("n% = 42\ns$ = \"id=\" + n%\n", "S$")) == "id=42");
  BOOST_TEST(std::get<std::string>(value_after("n% = 7\ns$ = n% + \"x\"\n", "S$")) == "7x");
  BOOST_TEST(std::get<std::string>(value_after("s$ = \"a\"\ns$ = s$ + 1 + \"b\"\n", "S$")) == "a1b");
  BOOST_TEST(std::get<std::int32_t>(value_after("t$ = 0\nIF t$ = \"0\" THEN r% = 1\n", "R%")) == 1);
  BOOST_TEST(std::get<std::int32_t>(value_after("IF 1 = \"1\" THEN r% = 1 ELSE r% = 2\n", "R%")) == 1);
  BOOST_TEST(std::get<std::int32_t>(value_after("IF 2 = \"1\" THEN r% = 1 ELSE r% = 2\n", "R%")) == 2);
}

BOOST_AUTO_TEST_SUITE_END()
