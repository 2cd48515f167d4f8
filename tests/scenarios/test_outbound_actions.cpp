// A whole run of the corpus program alarm_notifier (real mosquitto, PLC and emulated Flexy): the
// PLC waveform drives the tag over its alarm limit, the program's SENDMAIL/SENDSMS become
// dut_action events with their own sequence numbers, the scenario's SMS action reaches ONSMS
// and acknowledges the alarm, and report.html's timeline shows the actions. And a whole run of
// http_forwarder: its REQUESTHTTPX and PUTHTTP really reach the run's HTTP endpoint (the capture
// holds the requests it received, their bodies are in the run folder) and the program reports
// the endpoint's 201 and 500 to the hub; mail_ftp_reporter: its GETFTP, PUTFTP and SENDMAIL
// really reach the run's FTP and SMTP sinks (the capture holds what they received, the message
// and the uploads are in the run folder).
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>

#include "common/event.hpp"
#include "common/sha256.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_env.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/output_on_failure.hpp"

using flexhil::testing::read_text;

using namespace flexhil;

namespace {

std::pair<int, std::string> run_command(const std::string& args) { return testing::flexhil_command(args); }

const Json* first(const std::vector<Json>& events, const std::function<bool(const Json&)>& match) {
  for (const auto& e : events)
    if (match(e)) return &e;
  return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(outbound_actions)

BOOST_AUTO_TEST_CASE(alarm_mail_sms_and_the_sms_acknowledgement_are_in_the_capture_and_the_timeline) {
  testing::TempDir dir;
  const std::string file = testing::source_dir() + "/fixtures/programs/corpus/alarm_notifier.toml";
  testing::OutputOnFailure console("flexhil run " + file);
  const auto [code, out] = run_command("run " + file + " --out " + dir.path().string());
  console.set(out);
  BOOST_TEST(code == 0);

  const auto events = read_capture(dir.file("capture.jsonl"));
  // Every event is accounted for: sequence numbers 1..N without a gap or a repeat.
  for (std::size_t i = 0; i < events.size(); ++i) BOOST_REQUIRE(events[i].value("seq", 0u) == i + 1);

  const auto* mail = first(events, [](const Json& e) {
    return e.value("kind", "") == "dut_action" && e.value("action", "") == "sendmail" && e.value("phase", "") == "start";
  });
  BOOST_REQUIRE(mail);
  BOOST_TEST(mail->value("destination", "") == "operators@example.com");
  BOOST_TEST(mail->value("subject", "") == "Tank alarm");
  BOOST_TEST(mail->value("sha256", "").size() == 64u);
  BOOST_TEST(mail->value("line", 0) > 0);
  const auto* alarm = first(events, [](const Json& e) {
    return e.value("kind", "") == "dut_alarm" && e.value("transition", "") == "ALM";
  });
  BOOST_REQUIRE(alarm);
  BOOST_TEST(alarm->value("seq", 0u) < mail->value("seq", 0u));  // the mail answers the alarm
  BOOST_TEST(alarm->value("value", 0.0) > 80.0);
  BOOST_TEST(first(events, [](const Json& e) {
    return e.value("kind", "") == "dut_action" && e.value("action", "") == "sendsms" && e.value("phase", "") == "done" &&
           e.value("status", -1) == 0;
  }));

  const auto* sms = first(events, [](const Json& e) { return e.value("kind", "") == "action" && e.value("action", "") == "sms"; });
  BOOST_REQUIRE(sms);
  const auto* ack = first(events, [](const Json& e) {
    return e.value("kind", "") == "dut_alarm" && e.value("transition", "") == "ACK";
  });
  BOOST_REQUIRE(ack);
  BOOST_TEST(ack->value("user", "") == "+32470000001");
  BOOST_TEST(ack->value("seq", 0u) > sms->value("seq", 0u));

  std::ifstream html(dir.file("report.html"));
  const std::string page((std::istreambuf_iterator<char>(html)), std::istreambuf_iterator<char>());
  BOOST_TEST(page.find("class=\"tl-dut-action\"><title>") != std::string::npos);
  // The mail's action id, not "#1": the every-minute FTP report may come first when a minute
  // boundary falls before the alarm.
  const auto mail_id = mail->value("action_id", 0);
  BOOST_TEST(mail_id > 0);
  BOOST_TEST(page.find("sendmail #" + std::to_string(mail_id) + " start to operators@example.com") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(http_actions_reach_the_run_endpoint_and_the_program_reports_its_status) {
  testing::TempDir dir;
  const std::string file = testing::source_dir() + "/fixtures/programs/corpus/http_forwarder.toml";
  testing::OutputOnFailure console("flexhil run " + file);
  const auto [code, out] = run_command("run " + file + " --out " + dir.path().string());
  console.set(out);
  BOOST_TEST(code == 0);
  BOOST_TEST(out.find("HTTP endpoint ready on 127.0.0.1:") != std::string::npos, out);
  const auto events = read_capture(dir.file("capture.jsonl"));

  // The PUTHTTP form, as the endpoint received it.
  const auto* form = first(events, [](const Json& e) {
    return e.value("kind", "") == "endpoint_request" && e.value("path", "") == "/forms/status";
  });
  BOOST_REQUIRE(form);
  BOOST_TEST(form->value("method", "") == "POST");
  BOOST_TEST(read_text(dir.file(form->value("body_file", ""))) == "device=Flexy205&state=started");

  // The first REQUESTHTTPX: the body the device sent is the body the endpoint stored.
  const auto* post = first(events, [](const Json& e) {
    return e.value("kind", "") == "endpoint_request" && e.value("path", "") == "/api/data";
  });
  BOOST_REQUIRE(post);
  BOOST_TEST(post->value("method", "") == "POST");
  BOOST_TEST(post->value("host", "") == "api.example.com");
  BOOST_TEST(post->value("status", 0) == 201);
  BOOST_TEST(post->at("headers").value("X-Device", "") == "Flexy205");
  const std::string body = read_text(dir.file(post->value("body_file", "")));
  BOOST_TEST(body.find("\"device\":\"Flexy205\"") != std::string::npos, body);
  BOOST_TEST(sha256_hex(body) == post->value("sha256", ""));
  const auto* started = first(events, [&](const Json& e) {
    return e.value("kind", "") == "dut_action" && e.value("action", "") == "requesthttpx" &&
           e.value("phase", "") == "start" && e.value("sha256", "") == post->value("sha256", "");
  });
  BOOST_REQUIRE(started);
  BOOST_TEST(started->value("performed", false));
  BOOST_TEST(started->value("seq", 0u) < post->value("seq", 0u));

  // The program saw the endpoint's statuses and published them.
  bool saw_201 = false, saw_500 = false;
  for (const auto& e : events) {
    if (e.value("kind", "") != "publish") continue;
    std::string payload;
    base64_decode(e.value("payload_b64", std::string()), payload);
    saw_201 = saw_201 || payload.find("\"status\":0,\"http\":201") != std::string::npos;
    saw_500 = saw_500 || payload.find("\"status\":0,\"http\":500") != std::string::npos;
  }
  BOOST_TEST(saw_201);
  BOOST_TEST(saw_500);
  BOOST_TEST(first(events, [](const Json& e) {
    return e.value("kind", "") == "endpoint_request" && e.value("path", "") == "/api/alarm" && e.value("status", 0) == 500;
  }));
}

BOOST_AUTO_TEST_CASE(an_endpoint_that_answers_500_to_everything_is_what_the_program_sees) {
  testing::TempDir dir;
  // The corpus scenario with every route answering 500: the program's PUTHTTP fails (ACTIONSTAT
  // is the fail_code) and its REQUESTHTTPX see STATUSCODE 500.
  std::string text = read_text(testing::source_dir() + "/fixtures/programs/corpus/http_forwarder.toml");
  const auto from = text.find("[endpoints.http]");
  const auto to = text.find("[dut]");
  BOOST_REQUIRE(from != std::string::npos && to != std::string::npos);
  text = text.substr(0, from) + "[endpoints.http]\nstatus = 500\nbody = \"down\"\n\n" + text.substr(to);
  const auto prog = testing::source_dir() + "/fixtures/programs/corpus/http_forwarder.bas";
  const auto at = text.find("program = \"http_forwarder.bas\"");
  BOOST_REQUIRE(at != std::string::npos);
  text.replace(at, std::string("program = \"http_forwarder.bas\"").size(), "program = \"" + prog + "\"");
  text.replace(text.find("duration = \"30s\""), std::string("duration = \"30s\"").size(), "duration = \"12s\"");
  const auto file = dir.write("all500.toml", text);
  testing::OutputOnFailure console("flexhil run " + file);
  const auto [code, out] = run_command("run " + file + " --out " + (dir.path() / "run").string());
  console.set(out);
  BOOST_TEST(code == 0);
  const auto events = read_capture((dir.path() / "run" / "capture.jsonl").string());
  BOOST_TEST(first(events, [](const Json& e) {
    return e.value("kind", "") == "dut_action" && e.value("action", "") == "puthttp" && e.value("phase", "") == "done" &&
           e.value("status", 0) == 7 && e.value("http_status", 0) == 500;
  }));
  BOOST_TEST(first(events, [](const Json& e) {
    return e.value("kind", "") == "dut_console" && e.value("line", "").find(" status 0 http 500") != std::string::npos;
  }));
}

BOOST_AUTO_TEST_CASE(mail_and_ftp_actions_reach_the_run_sinks_and_their_files_are_in_the_run_folder) {
  testing::TempDir dir;
  const std::string file = testing::source_dir() + "/fixtures/programs/corpus/mail_ftp_reporter.toml";
  testing::OutputOnFailure console("flexhil run " + file);
  const auto [code, out] = run_command("run " + file + " --out " + dir.path().string());
  console.set(out);
  BOOST_TEST(code == 0);
  BOOST_TEST(out.find("SMTP sink ready on 127.0.0.1:") != std::string::npos, out);
  BOOST_TEST(out.find("FTP sink ready on 127.0.0.1:") != std::string::npos, out);
  const auto events = read_capture(dir.file("capture.jsonl"));

  // GETFTP at start: the sink served the limit file and the device wrote it under /usr.
  const auto limits = read_text(testing::source_dir() + "/fixtures/programs/corpus/mail_ftp_reporter_limits.txt");
  BOOST_TEST(first(events, [&](const Json& e) {
    return e.value("kind", "") == "dut_action" && e.value("action", "") == "getftp" && e.value("phase", "") == "done" &&
           e.value("status", -1) == 0 && e.value("sha256", "") == sha256_hex(limits);
  }));
  BOOST_TEST(read_text(dir.file("usr/limits.txt")) == limits);

  // The alarm mail, as the sink received it: two recipients and the copy, the configured sender,
  // the user that logged in and never its password.
  const auto* mail = first(events, [](const Json& e) {
    return e.value("kind", "") == "endpoint_request" && e.value("endpoint", "") == "smtp" && e.contains("from");
  });
  BOOST_REQUIRE(mail);
  BOOST_TEST(mail->value("from", "") == "flexy205@site.example");
  BOOST_TEST((*mail)["to"].size() == 3u);
  BOOST_TEST(mail->value("subject", "") == "Tank level high");
  BOOST_TEST((*mail)["auth"].value("user", "") == "flexy205");
  const auto message = read_text(dir.file(mail->value("message_file", "")));
  BOOST_TEST(message.find("Tank level 82.5 % is above 80 %") != std::string::npos, message);
  BOOST_TEST(sha256_hex(message) == mail->value("sha256", ""));
  BOOST_TEST(read_text(dir.file("capture.jsonl")).find("secret") == std::string::npos);  // no password anywhere
  const auto* mail_done = first(events, [](const Json& e) {
    return e.value("kind", "") == "dut_action" && e.value("action", "") == "sendmail" && e.value("phase", "") == "done";
  });
  BOOST_REQUIRE(mail_done);
  BOOST_TEST(mail_done->value("status", -1) == 0);
  BOOST_TEST(mail_done->value("reply_code", 0) == 250);
  BOOST_TEST(mail_done->value("seq", 0u) > mail->value("seq", 0u));  // the sink's event comes first

  // The uploaded CSV: what the device sent is the file in the run folder.
  const auto* upload = first(events, [](const Json& e) {
    return e.value("kind", "") == "endpoint_request" && e.value("endpoint", "") == "ftp" &&
           e.value("command", "") == "STOR";
  });
  BOOST_REQUIRE(upload);
  BOOST_TEST(upload->value("path", "") == "/levels_3.csv");
  const auto csv = read_text(dir.file(upload->value("file", "")));
  BOOST_TEST(csv.rfind("sample;level\r\n1;67.5\r\n", 0) == 0u, csv);
  BOOST_TEST(sha256_hex(csv) == upload->value("sha256", ""));
  const auto* put_start = first(events, [](const Json& e) {
    return e.value("kind", "") == "dut_action" && e.value("action", "") == "putftp" && e.value("phase", "") == "start";
  });
  BOOST_REQUIRE(put_start);
  BOOST_TEST(put_start->value("sha256", "") == upload->value("sha256", ""));
  BOOST_TEST(put_start->value("server", "") == "ftp.site.example:21");
}

BOOST_AUTO_TEST_SUITE_END()
