// ONDATE, ONALARM/ALSTAT/ALMACK, ONSTATUS, ONSMS, ONPPP and the outbound actions (SENDMAIL, …)
// on the FakeHost: what they hand the host, the events they queue, their errors with the line.
#include <boost/test/unit_test.hpp>

#include "tests/basic/basic_test_util.hpp"

using namespace flexhil::basic;
using namespace flexhil::basic::testing;
using Lines = std::vector<std::string>;

namespace {
FakeHost alarm_host() {
  FakeHost h;
  h.tags.push_back(FakeTag{"Other", 0.0, 1, "", ""});
  h.tags.push_back(FakeTag{"Temp", 85.0, 1, "", "40001"});
  return h;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(event_statements)

BOOST_AUTO_TEST_CASE(ondate_hands_the_plan_to_the_host_and_queues_its_command_with_the_number) {
  Session s("ONDATE 3, \"15 8 * * 1\", \"GOTO Report\"\nEND\nReport:\nPRINT \"report \"; GETSYS PRG,\"EVTINFO\"\n");
  BOOST_TEST(s.step().ok);
  BOOST_TEST(s.host.date_plans.at(3) == "15 8 * * 1");
  BOOST_TEST(s.basic.has_date_plan(3));
  s.basic.post_date(3);
  s.basic.post_date(4);  // no plan 4: ignored
  BOOST_TEST(s.basic.pending() == 1u);
  BOOST_TEST(s.step().kind == RequestKind::date);
  BOOST_TEST(s.host.prints == (Lines{"report 3"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(ondate_with_an_empty_plan_removes_it) {
  Session s("ONDATE 1, \"* * * * *\", \"PRINT 1\"\nONDATE 1, \"\"\n");
  BOOST_TEST(s.step().ok);
  BOOST_TEST(s.host.date_plans.at(1) == "");
  BOOST_TEST(!s.basic.has_date_plan(1));
}

BOOST_AUTO_TEST_CASE(a_bad_ondate_plan_is_a_runtime_error_with_its_line) {
  Session s("PRINT 1\nONDATE 1, \"0 25 * * *\", \"PRINT 1\"\n");
  const auto& o = s.step();
  BOOST_TEST(!o.ok);
  BOOST_TEST(o.line == 2);
  BOOST_TEST(o.error_code == 10);
  BOOST_TEST(o.error_message ==
             "program.bas:2: runtime error: ONDATE 1,\"0 25 * * *\": field 2 (hours): 25 is out of range 0-23 (LSTERR 10)");
}

BOOST_AUTO_TEST_CASE(ondate_number_and_types_are_checked) {
  Session a("ONDATE 11, \"* * * * *\", \"PRINT 1\"\n");
  BOOST_TEST(a.step().error_code == 10);
  Session b("ONDATE 1, 5, \"PRINT 1\"\n");
  BOOST_TEST(b.step().error_code == 3);
  Session c("ONDATE 1, \"* * * * *\"\n");
  BOOST_TEST(c.step().error_code == 9);
}

BOOST_AUTO_TEST_CASE(onalarm_queues_its_command_with_the_tag_id_and_alstat_reads_the_host) {
  FakeHost h = alarm_host();
  h.alarm_statuses[1] = 2;
  Session s("ONALARM \"Temp\", \"GOTO Al\"\nEND\nAl:\nPRINT \"alarm \"; GETSYS PRG,\"EVTINFO\"; \" \"; ALSTAT \"Temp\"; \" \"; ALSTAT(1)\n",
            {}, std::move(h));
  BOOST_TEST(s.step().ok);
  BOOST_TEST(s.basic.watches_alarm(1));
  BOOST_TEST(!s.basic.watches_alarm(0));
  s.basic.post_alarm(0);  // no ONALARM on Other
  s.basic.post_alarm(1);
  BOOST_TEST(s.basic.pending() == 1u);
  BOOST_TEST(s.step().kind == RequestKind::alarm);
  // EVTINFO = tag id (index + 1); ALSTAT of Temp by name, and of Other by id 1.
  BOOST_TEST(s.host.prints == (Lines{"alarm 2 2 0"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(almack_acknowledges_through_the_host_and_fails_with_the_line_without_an_alarm) {
  FakeHost h = alarm_host();
  h.alarm_statuses[1] = 2;
  Session s("ALMACK \"Temp\", \"operator\"\nPRINT ALSTAT \"Temp\"\nALMACK \"Temp\", \"again\"\n", {}, std::move(h));
  const auto& o = s.step();
  BOOST_TEST(s.host.acks.size() == 1u);
  BOOST_TEST(s.host.acks.at(0).second == "operator");
  BOOST_TEST(s.host.prints == (Lines{"3"}), boost::test_tools::per_element());
  BOOST_TEST(!o.ok);
  BOOST_TEST(o.line == 3);
  BOOST_TEST(o.error_message == "program.bas:3: runtime error: ALMACK: no alarm to acknowledge (LSTERR 10)");
}

BOOST_AUTO_TEST_CASE(onalarm_of_an_unknown_tag_is_error_12_with_its_line) {
  Session s("PRINT 1\nONALARM \"Nope\", \"PRINT 1\"\n");
  const auto& o = s.step();
  BOOST_TEST(o.error_code == 12);
  BOOST_TEST(o.line == 2);
}

BOOST_AUTO_TEST_CASE(outbound_actions_reach_the_host_with_their_arguments_and_line) {
  Session s(
      "SENDMAIL \"ops@example.com\", \"\", \"High temp\", \"T=\" + STR$ 85\n"
      "SENDSMS \"+32470123456,gsm,0\", \"alarm\"\n"
      "SENDTRAP 1, \"trap\"\n"
      "PUTFTP \"/daily.txt\", \"x\"\n"
      "GETFTP \"/recipe.txt\", \"/usr/recipe.txt\"\n"
      "PUTHTTP \"srv\", \"/up\", \"a=1\", \"\"\n"
      "GETHTTP \"srv\", \"/usr/page.htm\", \"/page.htm\"\n"
      "REQUESTHTTPX \"https://api.example.com/v1\", \"POST\", \"Content-Type=application/json\", '{\"a\":1}'\n"
      "NTPSYNC\n"
      "DYNDNS\n"
      "PRINT GETSYS PRG,\"ACTIONID\"\n");
  BOOST_TEST(s.step().ok);
  BOOST_REQUIRE(s.host.actions.size() == 10u);
  BOOST_TEST(s.host.actions[0].kind == "SENDMAIL");
  BOOST_TEST(std::get<std::string>(s.host.actions[0].args.at(3)) == "T=85");
  BOOST_TEST(s.host.actions[0].line == 1);
  BOOST_TEST(s.host.actions[1].kind == "SENDSMS");
  BOOST_TEST(s.host.actions[7].kind == "REQUESTHTTPX");
  BOOST_TEST(s.host.actions[7].args.size() == 4u);
  BOOST_TEST(s.host.actions[9].kind == "DYNDNS");
  BOOST_TEST(s.host.actions[9].line == 10);
  BOOST_TEST(s.host.prints == (Lines{"10"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(outbound_actions_check_their_argument_count_when_parsed) {
  auto errors = syntax_errors("SENDMAIL \"a\", \"b\", \"c\"\nPUTFTP \"x\"\nNTPSYNC 1\n");
  BOOST_REQUIRE(errors.size() == 3u);
  BOOST_TEST(errors[0].to_string() == "program.bas:1: syntax error: SENDMAIL expects 4 arguments, got 3");
  BOOST_TEST(errors[1].line == 2);
  BOOST_TEST(errors[2].line == 3);
}

BOOST_AUTO_TEST_CASE(a_wrong_argument_type_is_a_type_mismatch_with_its_line) {
  Session s("PRINT 1\nSENDSMS 32470123456, \"alarm\"\n");
  const auto& o = s.step();
  BOOST_TEST(o.error_code == 3);
  BOOST_TEST(o.error_message == "program.bas:2: runtime error: SENDSMS: argument 1 must be a string (LSTERR 3)");
  Session t("SENDTRAP \"1\", \"x\"\n");
  BOOST_TEST(t.step().error_code == 3);
}

BOOST_AUTO_TEST_CASE(a_host_refusal_is_the_programs_error_and_resumenext_goes_on) {
  FakeHost h;
  h.action_error = 10;
  Session s("SETSYS PRG,\"RESUMENEXT\",1\nPUTFTP \"/a\", \"b\"\nPRINT GETSYS PRG,\"LSTERR\"\n", {}, std::move(h));
  BOOST_TEST(s.step().ok);
  BOOST_TEST(s.host.prints == (Lines{"10"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(onstatus_onsms_and_onppp_queue_their_commands_with_evtinfo) {
  Session s(
      "ONSTATUS \"PRINT 'status '; GETSYS PRG,'EVTINFO'\"\n"
      "ONSMS \"PRINT 'sms'\"\n"
      "ONPPP \"PRINT 'ppp '; GETSYS PRG,'EVTINFO'\"\n");
  BOOST_TEST(s.step().ok);
  s.basic.post_action_status(7);
  s.basic.post_sms();
  s.basic.post_ppp(2);
  BOOST_TEST(s.step().kind == RequestKind::action_status);
  BOOST_TEST(s.step().kind == RequestKind::sms);
  BOOST_TEST(s.step().kind == RequestKind::ppp);
  BOOST_TEST(s.host.prints == (Lines{"status 7", "sms", "ppp 2"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(setsys_prg_actionid_goes_to_the_host) {
  Session s("SETSYS PRG,\"ACTIONID\",4\nSETSYS PRG,\"NOPE\",1\n");
  const auto& o = s.step();
  BOOST_REQUIRE(!s.host.system_writes.empty());
  BOOST_TEST(s.host.system_writes.at(0).first == "PRG.ACTIONID");
  BOOST_TEST(o.line == 2);
  BOOST_TEST(o.error_code == 10);
}

BOOST_AUTO_TEST_CASE(responsehttpx_reads_the_hosts_last_response_and_checks_its_field) {
  Session s("PRINT RESPONSEHTTPX \"STATUSCODE\"; \" \"; RESPONSEHTTPX(\"RESPONSE-BODY\")\nx = RESPONSEHTTPX 5\n");
  const auto& o = s.step();
  BOOST_TEST(s.host.prints == (Lines{"200 {\"ok\":1}"}), boost::test_tools::per_element());
  BOOST_TEST(o.error_code == 3);
  BOOST_TEST(o.line == 2);
  Session t("PRINT 1\nx$ = RESPONSEHTTPX \"NOPE\"\n");
  const auto& u = t.step();
  BOOST_TEST(u.error_code == 10);
  BOOST_TEST(u.line == 2);
}

BOOST_AUTO_TEST_CASE(lint_checks_the_literal_commands_of_the_new_events) {
  auto p = parse_program("ONDATE 1, \"* * * * *\", \"GOTO Missing\"\nONALARM \"T\", \"GOTO Gone\"\nONSTATUS \"GOTO Nowhere\"\n",
                         "program.bas");
  auto warnings = lint_program(p);
  BOOST_TEST(warnings.size() == 3u);
  auto plan = lint_program(parse_program("PRINT 1\nONDATE 1, \"0 8 * * 8\", \"PRINT 1\"\n", "program.bas"));
  BOOST_REQUIRE(plan.size() == 1u);
  BOOST_TEST(plan[0].to_string() ==
             "program.bas:2: warning: ONDATE plan \"0 8 * * 8\": field 5 (weekdays): 8 is out of range 0-7 (a runtime "
             "error when this line runs)");
}

// An error inside the command of ONSTATUS, ONSMS, ONPPP, ONALARM or ONDATE names the line of the
// statement that registered it, as for ONTIMER (test_files_and_system.cpp, error_lines).
BOOST_AUTO_TEST_CASE(an_error_in_the_command_of_the_new_events_names_the_registering_line) {
  Session s("x% = 1\nONSTATUS \"goto Nowhere\"\nONSMS \"goto Nowhere2\"\nONDATE 2, \"* * * * *\", \"goto Nowhere3\"\n", {},
            alarm_host());
  BOOST_TEST(s.step().ok);
  s.basic.post_action_status(1);
  s.basic.post_sms();
  s.basic.post_date(2);
  for (const int line : {2, 3, 4}) {
    const auto& o = s.step();
    BOOST_TEST_CONTEXT("line " << line) {
      BOOST_TEST(!o.ok);
      BOOST_TEST(o.line == line);
      BOOST_TEST(o.error_message.find("program.bas:" + std::to_string(line) + ": runtime error in") == 0u);
    }
  }
}

BOOST_AUTO_TEST_CASE(reboot_drops_the_ondate_plans_and_the_event_handlers) {
  Session s("ONDATE 1, \"* * * * *\", \"PRINT 1\"\nONSMS \"PRINT 2\"\nREBOOT\n");
  BOOST_TEST(s.step().ok);
  BOOST_TEST(s.host.date_plans.at(1) == "");  // the host was told to stop the plan
  BOOST_TEST(!s.basic.has_date_plan(1));
  const auto before = s.basic.pending();
  s.basic.post_sms();  // no ONSMS any more: nothing queued
  BOOST_TEST(s.basic.pending() == before);
}

BOOST_AUTO_TEST_SUITE_END()
