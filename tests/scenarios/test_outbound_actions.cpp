// A whole run of the corpus program alarm_notifier (real mosquitto, PLC and emulated Flexy): the
// PLC waveform drives the tag over its alarm limit, the program's SENDMAIL/SENDSMS become
// dut_action events with their own sequence numbers, the scenario's SMS action reaches ONSMS
// and acknowledges the alarm, and report.html's timeline shows the actions.
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>

#include "common/event.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_env.hpp"

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
  const auto [code, out] = run_command("run " + file + " --out " + dir.path().string());
  BOOST_TEST_MESSAGE(out);
  BOOST_TEST(code == 0, out);

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
  BOOST_TEST(page.find("sendmail #1 start to operators@example.com") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
