// Cloud-to-device messages like the real hub: a fresh $.mid per message, the 64 KB limit, at
// most 50 pending per device, TTL expiry, and the queue of a device that is offline (or connected
// with CleanSession=0 and not subscribed yet) delivered when it connects and subscribes. The
// devices are mosquitto_sub/mosquitto_pub over TLS with SAS; every test asserts what the client
// received and the events the plugin recorded.
#include <boost/test/unit_test.hpp>

#include <regex>

#include "common/event_view.hpp"
#include "tests/broker/hub_fixture.hpp"

using namespace flexhil;
using namespace flexhil::testing;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> kDevices = {"C2dOffline", "C2dFresh", "C2dBig", "C2dFull", "C2dTtl", "C2dClean"};

HubFixture& c2d_hub() {
  static HubFixture hub("c2dhub");
  static const bool started = [] {
    for (const auto& id : kDevices) hub.add_sas_device(id);
    hub.start();
    return true;
  }();
  (void)started;
  return hub;
}

struct C2dHub {
  HubFixture& f = c2d_hub();
};

bool is(const Json& e, const char* kind, const std::string& device) {
  return EventView(e).kind() == kind && EventView(e).string("device") == device;
}

std::vector<std::string> device_args(HubFixture& f, const std::string& id) {
  return {"-h", "127.0.0.1", "-p", std::to_string(f.hub().ports().mqtts), "--cafile", f.ca_file(), "-i", id, "-u",
          f.username(id), "-P", f.sas_token(id), "-V", "mqttv311"};
}

std::string c2d_filter(const std::string& id) { return "devices/" + id + "/messages/devicebound/#"; }

// mosquitto_sub as the device, QoS 1 on its C2D filter, printing "topic payload" per message.
// `extra`: -c (CleanSession=0), -C n (exit after n messages), -E (exit once subscribed), -W s.
ProgramResult c2d_sub(HubFixture& f, const std::string& id, const std::vector<std::string>& extra) {
  std::vector<std::string> argv{"mosquitto_sub"};
  const auto dev = device_args(f, id);
  argv.insert(argv.end(), dev.begin(), dev.end());
  argv.insert(argv.end(), {"-q", "1", "-t", c2d_filter(id), "-v"});
  argv.insert(argv.end(), extra.begin(), extra.end());
  return run_program(argv, f.dir(), 15s);
}

// CleanSession=0 session with the C2D subscription, then offline.
void persistent_session_then_offline(HubFixture& f, const std::string& id) {
  const auto r = c2d_sub(f, id, {"-c", "-E"});
  BOOST_REQUIRE_MESSAGE(r.exit_status == 0, r.output);
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    out.push_back(text.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(c2d_like_the_hub)

BOOST_FIXTURE_TEST_CASE(c2d_to_an_offline_clean_session_0_device_is_delivered_when_it_reconnects, C2dHub) {
  persistent_session_then_offline(f, "C2dOffline");
  const auto since = f.mark();
  f.hub().send_c2d("C2dOffline", "while you were away", {{"cmd", "reset"}}, 120s);
  const auto sent = f.wait_for_event([](const Json& e) { return is(e, "c2d_sent", "C2dOffline"); }, 5s, since);
  BOOST_REQUIRE(sent);
  BOOST_TEST((*sent)["delivered"] == false);
  BOOST_TEST((*sent)["pending"] == 1);
  const std::string mid = (*sent)["mid"];
  BOOST_TEST(std::regex_match(mid, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")), mid);

  const auto r = c2d_sub(f, "C2dOffline", {"-c", "-C", "1", "-W", "10"});
  BOOST_TEST(r.exit_status == 0, r.output);
  const auto topic = "devices/C2dOffline/messages/devicebound/%24.mid=" + mid +
                     "&%24.to=%2Fdevices%2FC2dOffline%2Fmessages%2FdeviceBound&%24.exp=";
  BOOST_TEST(r.output.rfind(topic, 0) == 0, r.output);
  BOOST_TEST(r.output.find("&cmd=reset while you were away") != std::string::npos, r.output);
  const auto delivered = f.wait_for_event([](const Json& e) { return is(e, "c2d_delivered", "C2dOffline"); }, 5s, since);
  BOOST_REQUIRE(delivered);
  BOOST_TEST((*delivered)["mid"] == mid);
  BOOST_TEST((*delivered)["queued"] == true);
}

BOOST_FIXTURE_TEST_CASE(every_message_gets_a_fresh_mid_and_no_exp_without_a_ttl, C2dHub) {
  persistent_session_then_offline(f, "C2dFresh");
  f.hub().send_c2d("C2dFresh", "one");
  f.hub().send_c2d("C2dFresh", "two");
  const auto r = c2d_sub(f, "C2dFresh", {"-c", "-C", "2", "-W", "10"});
  BOOST_TEST_REQUIRE(r.exit_status == 0, r.output);
  const auto got = lines(r.output);
  BOOST_REQUIRE(got.size() >= 2u);
  const std::regex shape(R"(devices/C2dFresh/messages/devicebound/%24\.mid=([0-9a-f-]{36})&%24\.to=[^ &]+ (\w+))");
  std::smatch a, b;
  BOOST_REQUIRE_MESSAGE(std::regex_match(got[0], a, shape), got[0]);
  BOOST_REQUIRE_MESSAGE(std::regex_match(got[1], b, shape), got[1]);
  BOOST_TEST(a[2] == "one");  // queued order kept
  BOOST_TEST(b[2] == "two");
  BOOST_TEST(a[1] != b[1]);
}

BOOST_FIXTURE_TEST_CASE(c2d_over_64_kb_is_refused_and_never_delivered, C2dHub) {
  persistent_session_then_offline(f, "C2dBig");
  const auto since = f.mark();
  f.hub().send_c2d("C2dBig", std::string(65537, 'x'));
  const auto refused = f.wait_for_event([](const Json& e) { return is(e, "c2d_refused", "C2dBig"); }, 5s, since);
  BOOST_REQUIRE(refused);
  BOOST_TEST((*refused)["reason_id"] == "C2D-TOO-LARGE");
  BOOST_TEST((*refused)["size"] == 65537);
  f.hub().send_c2d("C2dBig", std::string(65536, 'y'));  // exactly 64 KB is fine
  const auto r = c2d_sub(f, "C2dBig", {"-c", "-C", "1", "-W", "10"});
  BOOST_TEST_REQUIRE(r.exit_status == 0, r.output);
  const auto body = r.output.substr(r.output.find(' ') + 1);
  BOOST_TEST(body.substr(0, 65536) == std::string(65536, 'y'));  // the first (and only) message is the 64 KB one
  BOOST_TEST(body.find('x') == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(the_51st_pending_message_is_refused_and_the_50_arrive_once_the_device_subscribes, C2dHub) {
  const auto since = f.mark();
  for (int i = 1; i <= 51; ++i) f.hub().send_c2d("C2dFull", "m" + std::to_string(i));
  const auto refused = f.wait_for_event([](const Json& e) { return is(e, "c2d_refused", "C2dFull"); }, 5s, since);
  BOOST_REQUIRE(refused);
  BOOST_TEST((*refused)["reason_id"] == "C2D-QUEUE-FULL");
  BOOST_TEST((*refused)["pending"] == 50);
  std::size_t sent = 0;
  const auto all = f.events().events();
  for (std::size_t i = since; i < all.size(); ++i) sent += is(all[i], "c2d_sent", "C2dFull");
  BOOST_TEST(sent == 50u);
  // Connected with CleanSession=0 and not subscribed yet: the queue goes out on SUBSCRIBE.
  const auto r = c2d_sub(f, "C2dFull", {"-c", "-C", "50", "-W", "10"});
  BOOST_TEST(r.exit_status == 0, r.output);
  const auto got = lines(r.output);
  BOOST_REQUIRE(got.size() >= 50u);
  BOOST_TEST(got.front().substr(got.front().rfind(' ') + 1) == "m1");
  BOOST_TEST(got[49].substr(got[49].rfind(' ') + 1) == "m50");
}

BOOST_FIXTURE_TEST_CASE(an_expired_message_is_dropped_and_recorded_never_delivered, C2dHub) {
  persistent_session_then_offline(f, "C2dTtl");
  const auto since = f.mark();
  f.hub().send_c2d("C2dTtl", "stale", {}, 1s);
  const auto expired = f.wait_for_event([](const Json& e) { return is(e, "c2d_expired", "C2dTtl"); }, 5s, since);
  BOOST_REQUIRE(expired);
  BOOST_TEST((*expired)["pending"] == 0);
  BOOST_TEST((*expired)["waited_ms"].get<std::int64_t>() >= 1000);
  f.hub().send_c2d("C2dTtl", "fresh");
  const auto r = c2d_sub(f, "C2dTtl", {"-c", "-C", "1", "-W", "10"});
  BOOST_TEST_REQUIRE(r.exit_status == 0, r.output);
  BOOST_TEST(r.output.substr(r.output.rfind(' ') + 1, 5) == "fresh", r.output);
  BOOST_TEST(r.output.find("stale") == std::string::npos, r.output);
}

BOOST_FIXTURE_TEST_CASE(a_clean_session_1_connect_drops_the_queued_messages_and_records_it, C2dHub) {
  const auto since = f.mark();
  f.hub().send_c2d("C2dClean", "old news");
  BOOST_REQUIRE(f.wait_for_event([](const Json& e) { return is(e, "c2d_sent", "C2dClean"); }, 5s, since));
  // mosquitto_pub connects with CleanSession=1.
  std::vector<std::string> argv{"mosquitto_pub"};
  const auto dev = device_args(f, "C2dClean");
  argv.insert(argv.end(), dev.begin(), dev.end());
  argv.insert(argv.end(), {"-t", "devices/C2dClean/messages/events/", "-m", "{}"});
  const auto r = run_program(argv, f.dir());
  BOOST_TEST_REQUIRE(r.exit_status == 0, r.output);
  const auto dropped = f.wait_for_event([](const Json& e) { return is(e, "c2d_dropped", "C2dClean"); }, 5s, since);
  BOOST_REQUIRE(dropped);
  BOOST_TEST((*dropped)["reason"] == "clean-session");
  BOOST_TEST(!f.wait_for_event([](const Json& e) { return is(e, "c2d_delivered", "C2dClean"); }, 200ms, since));
}

BOOST_AUTO_TEST_SUITE_END()
