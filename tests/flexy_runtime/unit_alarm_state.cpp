// The alarm state machine of one tag (limits, deadband, delay, acknowledgement) and the
// alarm = {…} / [actions] configuration with their errors at file:line:col.
#include <boost/test/unit_test.hpp>

#include "common/error.hpp"
#include "sim/flexy/runtime/alarm_state.hpp"
#include "sim/flexy/runtime/flexy_config.hpp"
#include "sim/flexy/runtime/outbound_actions.hpp"
#include "tests/support/temp_dir.hpp"

using namespace flexhil;
using namespace flexhil::flexy;
using flexhil::testing::TempDir;

namespace {
AlarmConfig high_80() {
  AlarmConfig c;
  c.enabled = true;
  c.high = 80;
  c.low = 10;
  c.deadband = 2;
  return c;
}

std::string transition(const AlarmTransition& t) { return t ? std::string(*t) : "-"; }

FlexyConfig load_alarm_config(const std::string& text, const std::string& base = "/base") {
  const auto doc = parse_toml_string(text, "flexy.toml");
  TomlTable t(doc, "flexy.toml");
  return load_flexy_config(t, base);
}

std::string error_of(const std::string& text) {
  try {
    load_alarm_config(text);
  } catch (const ConfigError& e) {
    return e.where().to_string() + " " + e.what();
  }
  return "";
}
}  // namespace

BOOST_AUTO_TEST_SUITE(alarm_state)

BOOST_AUTO_TEST_CASE(alm_ack_then_return_by_the_deadband_ends_the_alarm) {
  AlarmState a(high_80());
  BOOST_TEST(transition(a.update(50, 0)) == "-");
  BOOST_TEST(transition(a.update(81, 1)) == "ALM");
  BOOST_TEST(static_cast<int>(a.status()) == 2);
  BOOST_TEST(static_cast<int>(a.type()) == static_cast<int>(AlarmType::high));
  BOOST_TEST(transition(a.acknowledge(2)) == "ACK");
  BOOST_TEST(transition(a.update(79, 3)) == "-");  // inside, but not by the 2-unit deadband
  BOOST_TEST(transition(a.update(77.5, 4)) == "END");
  BOOST_TEST(static_cast<int>(a.status()) == 0);
}

BOOST_AUTO_TEST_CASE(return_before_acknowledgement_is_rtn_and_the_ack_ends_it) {
  AlarmState a(high_80());
  BOOST_TEST(transition(a.update(5, 0)) == "ALM");  // below low
  BOOST_TEST(static_cast<int>(a.type()) == static_cast<int>(AlarmType::low));
  BOOST_TEST(transition(a.update(20, 1)) == "RTN");
  BOOST_TEST(static_cast<int>(a.status()) == 4);
  BOOST_TEST(transition(a.acknowledge(2)) == "END");
  BOOST_TEST(transition(a.acknowledge(3)) == "-");  // nothing left to acknowledge
}

BOOST_AUTO_TEST_CASE(a_delay_holds_the_alarm_in_pretrigger_until_it_has_lasted) {
  auto c = high_80();
  c.delay_seconds = 5;
  AlarmState a(c);
  BOOST_TEST(transition(a.update(90, 10)) == "-");
  BOOST_TEST(static_cast<int>(a.status()) == 1);
  BOOST_TEST(transition(a.update(90, 14)) == "-");
  BOOST_TEST(transition(a.update(90, 15)) == "ALM");
  // A crossing shorter than the delay never alarms.
  AlarmState b(c);
  b.update(90, 0);
  b.update(50, 3);
  BOOST_TEST(transition(b.update(90, 6)) == "-");
  BOOST_TEST(static_cast<int>(b.status()) == 1);
}

BOOST_AUTO_TEST_CASE(boolean_level_and_hihi_limits) {
  AlarmConfig level;
  level.enabled = true;
  level.level = true;
  AlarmState b(level);
  BOOST_TEST(transition(b.update(0, 0)) == "-");
  BOOST_TEST(transition(b.update(1, 1)) == "ALM");
  BOOST_TEST(transition(b.update(0, 2)) == "RTN");
  auto c = high_80();
  c.hihi = 95;
  AlarmState h(c);
  h.update(96, 0);
  BOOST_TEST(static_cast<int>(h.type()) == static_cast<int>(AlarmType::hihi));
}

BOOST_AUTO_TEST_CASE(a_disabled_alarm_never_changes) {
  AlarmState a{};
  BOOST_TEST(transition(a.update(1e9, 0)) == "-");
  BOOST_TEST(transition(a.acknowledge(1)) == "-");
}

BOOST_AUTO_TEST_CASE(alarm_and_actions_configuration_load) {
  TempDir dir;
  dir.write("body.json", "{}");
  const auto c = load_alarm_config(
      "[[tag]]\nname = \"T\"\nalarm = { high = 80, low = 10, deadband = 1, delay = \"5s\", hint = \"hot\" }\n"
      "[actions]\noutcome = \"fail\"\nsendsms = \"success\"\ndelay = \"3s\"\nfail_code = 9\nresponse = \"body.json\"\n",
      dir.path().string());
  BOOST_REQUIRE(c.tags.size() == 1u);
  const auto& a = c.tags[0].alarm;
  BOOST_TEST(a.enabled);
  BOOST_TEST(a.high.value_or(0) == 80);
  BOOST_TEST(a.low.value_or(0) == 10);
  BOOST_TEST(a.deadband == 1);
  BOOST_TEST(a.delay_seconds == 5);
  BOOST_TEST(a.hint == "hot");
  BOOST_TEST(!c.actions.succeed);
  BOOST_TEST(c.actions.per_kind.at("sendsms"));
  BOOST_TEST(c.actions.delay_seconds == 3);
  BOOST_TEST(c.actions.fail_code == 9);
  BOOST_TEST(c.actions.response_file == dir.file("body.json"));
}

BOOST_AUTO_TEST_CASE(alarm_and_actions_mistakes_name_their_position) {
  BOOST_TEST(error_of("[[tag]]\nname = \"T\"\nalarm = { deadband = 1 }\n").rfind("flexy.toml:3:", 0) == 0);
  BOOST_TEST(error_of("[[tag]]\nname = \"T\"\nalarm = { high = 1, hgih = 2 }\n").find("hgih") != std::string::npos);
  BOOST_TEST(error_of("[[tag]]\nname = \"T\"\nalarm = { high = 10, low = 20 }\n").find("'low' must be below 'high'") !=
             std::string::npos);
  BOOST_TEST(error_of("[actions]\noutcome = \"maybe\"\n").rfind("flexy.toml:2:", 0) == 0);
  BOOST_TEST(error_of("[actions]\nresponse = \"missing.json\"\n").find("cannot be read") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(outbound_actions_describe_and_complete_after_the_delay) {
  ActionPolicy policy;
  policy.delay_seconds = 1;
  OutboundActions actions(policy, "/nonexistent");
  const auto sms = actions.launch("SENDSMS", {std::string("+3247,gsm,0"), std::string("hi")}, 12, 10.0);
  BOOST_TEST(sms.id == 1);
  BOOST_TEST(sms.event.value("destination", "") == "+3247");
  BOOST_TEST(sms.event.value("size", 0) == 2);
  BOOST_TEST(sms.event.value("line", 0) == 12);
  BOOST_TEST(actions.status(1) == kActionRunning);
  BOOST_TEST(actions.status(5) == kActionUnknown);
  BOOST_TEST(actions.complete_due(10.5).empty());
  const auto done = actions.complete_due(11.0);
  BOOST_REQUIRE(done.size() == 1u);
  BOOST_TEST(done[0].status == 0);
  BOOST_TEST(actions.status(1) == 0);
  BOOST_TEST(!actions.next_due_s().has_value());
  // A response file that would leave /usr fails the action instead of writing.
  const auto get = actions.launch("GETFTP", {std::string("/a"), std::string("../../etc/x")}, 0, 20.0);
  const auto failed = actions.complete_due(30.0);
  BOOST_REQUIRE(failed.size() == 1u);
  BOOST_TEST(failed[0].status == 1);
  BOOST_TEST(actions.status(get.id) == 1);
}

BOOST_AUTO_TEST_SUITE_END()
