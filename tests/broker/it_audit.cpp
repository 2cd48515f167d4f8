// The audit path from the plugin to the capture: lossless at any rate the broker accepts
// (src_seq contiguity proves it), correct across restarts, and a broker that dies or freezes
// without being asked to is reported as the hub's failure (hub_error), not the device's.
#include <boost/test/unit_test.hpp>

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "common/capture_accountant.hpp"
#include "common/net.hpp"
#include "common/process.hpp"
#include "common/run_end_counts.hpp"
#include "tests/broker/hub_fixture.hpp"

using namespace flexhil;
using namespace flexhil::testing;
using namespace std::chrono_literals;

namespace {

// Every audit event of the capture, per stream: src_seq must run 1, 2, 3, … with no gap.
void require_contiguous(const std::vector<Json>& events) {
  CaptureAccountant a;
  for (const auto& e : events) {
    const auto gaps = a.observe_event(e);
    BOOST_REQUIRE_MESSAGE(gaps.empty(), "gap in " << gaps.front().src << ": expected " << gaps.front().expected
                                                  << ", got " << gaps.front().got);
  }
  BOOST_TEST(a.missing() == 0u);
}

std::size_t count_publishes(const std::vector<Json>& events, const std::string& device) {
  return static_cast<std::size_t>(std::count_if(events.begin(), events.end(), [&](const Json& e) {
    return e.value("kind", "") == "publish" && e.value("device", "") == device;
  }));
}

// mosquitto_pub -l as the SAS device `id`: each line of `lines` one message on `topic`.
void publish_each_line(HubFixture& f, const std::string& id, const std::string& topic, const std::string& qos,
                       const std::string& lines) {
  ChildProcess::Options o;
  o.argv = {"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(f.hub().ports().mqtts), "--cafile", f.ca_file(),
            "-i", id, "-u", f.username(id), "-P", f.sas_token(id), "-V", "mqttv311", "-q", qos, "-t", topic, "-l"};
  o.stdin_path = lines;
  o.stdout_path = f.dir().file("pub.out");
  o.stderr_path = f.dir().file("pub.out");
  auto pub = ChildProcess::spawn(o);
  const auto status = pub.wait_for(60s);
  BOOST_REQUIRE(status.has_value());
  BOOST_REQUIRE(*status == 0);
}

// Sends SIGCONT on the way out, so a failing test never leaves a stopped broker behind.
struct ContinueOnExit {
  int pid;
  ~ContinueOnExit() { ::kill(pid, SIGCONT); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_burst_of_20000_qos0_messages_reaches_the_capture_completely) {
  HubFixture f;
  f.add_sas_device("Burst");
  f.start();
  BOOST_TEST(std::filesystem::is_fifo(f.hub().audit_file()));  // the default transport
  constexpr int kMessages = 20000;
  const auto lines = f.dir().file("burst.txt");
  {
    std::ofstream out(lines);
    for (int i = 1; i <= kMessages; ++i) out << "{\"n\":" << i << "}\n";
  }
  publish_each_line(f, "Burst", "devices/Burst/messages/events/", "0", lines);
  // The last line's publish event: the tailer hands lines over in file order, so everything
  // before it is in the capture too.
  const auto last = base64_encode("{\"n\":" + std::to_string(kMessages) + "}");
  BOOST_REQUIRE(f.wait_for_event([&](const Json& e) { return e.value("payload_b64", "") == last; }, 30s));
  const auto events = f.events().events();
  BOOST_TEST(count_publishes(events, "Burst") == static_cast<std::size_t>(kMessages));
  require_contiguous(events);
  BOOST_TEST(f.hub().audit_missing() == 0u);
}

// What `flexhil run` records: the hub's publish lines go to capture.jsonl as their text (checked,
// not parsed) with the capture's seq in front, every field as the plugin wrote it; a line the
// plugin tore becomes a hub_error and the stream goes on. The audit stream goes to a file here, so
// the plugin's own words can be read back and compared.
BOOST_AUTO_TEST_CASE(the_run_capture_keeps_every_publish_line_as_the_plugin_wrote_it) {
  TempDir run_dir;
  CaptureWriter file(run_dir.file("capture.jsonl"));
  CountedCapture capture(file);
  std::size_t publishes_seen = 0;  // by kind alone, as the run's Observer counts them
  capture.add_listener([&](const CapturedEvent& e) { publishes_seen += e.kind() == "publish"; });
  HubFixture f;
  f.capture_to(capture);
  f.add_sas_device("Recorded");
  f.start([](broker::HubOptionsBuilder& b) { b.audit_to_file(); });
  constexpr int kMessages = 500;
  const auto lines = f.dir().file("lines.txt");
  {
    std::ofstream out(lines);
    for (int i = 1; i <= kMessages; ++i) out << "{\"n\":" << i << ",\"note\":\"say \\\"hi\\\"\"}\n";
  }
  publish_each_line(f, "Recorded", "devices/Recorded/messages/events/a=1", "1", lines);
  {
    std::ofstream torn(f.hub().audit_file(), std::ios::app);
    torn << "{\"kind\":\"publish\",\"src\":\"hub#1\"\n" << std::flush;
  }
  f.hub().stop();  // drains the audit file into the capture

  std::vector<std::string> audit;
  {
    std::ifstream in(f.hub().audit_file());
    for (std::string l; std::getline(in, l);)
      if (l.find("\"kind\":\"publish\"") != std::string::npos && l.find("\"src_seq\"") != std::string::npos)
        audit.push_back(l);
  }
  BOOST_REQUIRE(audit.size() >= static_cast<std::size_t>(kMessages));
  const auto events = read_capture(file.path());
  std::vector<Json> published;
  for (std::size_t i = 0; i < events.size(); ++i) {
    BOOST_REQUIRE(events[i]["seq"].get<std::uint64_t>() == i + 1);
    if (events[i].value("kind", "") == "publish") published.push_back(events[i]);
  }
  BOOST_REQUIRE(published.size() == audit.size());
  BOOST_TEST(publishes_seen == published.size());
  for (std::size_t i = 0; i < audit.size(); ++i) {
    Json expected = Json::parse(audit[i]);
    expected["seq"] = published[i]["seq"];
    BOOST_REQUIRE(published[i] == expected);
  }
  BOOST_TEST(published.back()["props"]["a"] == "1");
  BOOST_TEST(published.back()["payload_b64"] ==
             base64_encode("{\"n\":" + std::to_string(kMessages) + ",\"note\":\"say \\\"hi\\\"\"}"));
  const auto torn = std::find_if(events.begin(), events.end(), [](const Json& e) {
    return e.value("kind", "") == "hub_error" && e.value("cause", "") == "malformed-audit";
  });
  BOOST_TEST((torn != events.end()));
  BOOST_TEST(file.lost() == 0u);
  require_contiguous(events);
}

BOOST_AUTO_TEST_CASE(a_restart_starts_a_new_stream_and_the_old_one_ends_where_it_declared) {
  HubFixture f;
  f.add_sas_device("Restarted");
  f.start();
  auto publish = [&](const std::string& body) {
    const auto r = run_program({"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(f.hub().ports().mqtts),
                                "--cafile", f.ca_file(), "-i", "Restarted", "-u", f.username("Restarted"), "-P",
                                f.sas_token("Restarted"), "-V", "mqttv311", "-t", "devices/Restarted/messages/events/",
                                "-m", body},
                               f.dir());
    BOOST_TEST_INFO(r.output);
    BOOST_REQUIRE(r.exit_status == 0);
  };
  publish("{\"before\":1}");
  f.hub().restart();
  publish("{\"after\":1}");
  BOOST_REQUIRE(f.wait_for_event([](const Json& e) { return e.value("payload_b64", "") == base64_encode("{\"after\":1}"); }));
  f.hub().stop();  // drains the second stream to its audit_end
  const auto events = f.events().events();
  require_contiguous(events);
  std::map<std::string, std::uint64_t> ends;
  for (const auto& e : events)
    if (e.value("kind", "") == "audit_end") ends[e.value("src", "")] = e.value("last_seq", std::uint64_t{0});
  BOOST_TEST(ends.size() == 2u);
  BOOST_TEST(ends.count("hub#1") == 1u);
  BOOST_TEST(ends.count("hub#2") == 1u);
  BOOST_TEST(!f.hub().failure().has_value(), "a requested restart is not a failure");
  BOOST_TEST(!f.wait_for_kind("hub_error", 0, 0ms).has_value());
}

BOOST_AUTO_TEST_CASE(a_broker_killed_with_sigkill_is_a_hub_error_cause_exited) {
  HubFixture f;
  f.start([](broker::HubOptionsBuilder& b) { b.liveness_interval(200ms); });
  const int pid = f.hub().pid();
  BOOST_REQUIRE(pid > 0);
  const auto since = f.mark();
  BOOST_REQUIRE(::kill(pid, SIGKILL) == 0);
  const auto ev = f.wait_for_kind("hub_error", since, 10s);
  BOOST_REQUIRE(ev.has_value());
  BOOST_TEST((*ev)["cause"] == "exited");
  BOOST_TEST((*ev)["pid"] == pid);
  const auto detail = (*ev)["detail"].get<std::string>();
  BOOST_TEST(detail.find("killed by signal 9") != std::string::npos, detail);
  BOOST_TEST(detail.find(f.hub().log_file()) != std::string::npos, detail);
  BOOST_REQUIRE(f.hub().failure().has_value());
  BOOST_TEST(f.hub().failure()->cause == "exited");
}

// Held up for a moment (a burst of TLS handshakes, a starved host: here SIGSTOP), the broker says
// so when its loop comes back: hub_stall with how long, so that cadence rules can tell our delay
// from the devices' timing.
BOOST_AUTO_TEST_CASE(a_broker_held_up_for_half_a_second_tells_a_hub_stall) {
  HubFixture f;
  f.start();
  const int pid = f.hub().pid();
  BOOST_REQUIRE(pid > 0);
  const auto since = f.mark();
  {
    ContinueOnExit resume{pid};
    BOOST_REQUIRE(::kill(pid, SIGSTOP) == 0);
    std::this_thread::sleep_for(500ms);  // the stall itself, not a wait for a result
  }
  const auto ev = f.wait_for_kind("hub_stall", since, 5s);
  BOOST_REQUIRE(ev.has_value());
  BOOST_TEST((*ev).value("stalled_s", 0.0) >= 0.45);
  BOOST_TEST((*ev).value("stalled_s", 0.0) < 5.0);
  BOOST_TEST(!f.hub().failure().has_value());
}

BOOST_AUTO_TEST_CASE(a_frozen_broker_is_a_hub_error_cause_unresponsive) {
  HubFixture f;
  f.start([](broker::HubOptionsBuilder& b) { b.liveness_interval(200ms).unresponsive_after(1500ms); });
  const int pid = f.hub().pid();
  BOOST_REQUIRE(pid > 0);
  const auto since = f.mark();
  ContinueOnExit resume{pid};
  BOOST_REQUIRE(::kill(pid, SIGSTOP) == 0);
  const auto ev = f.wait_for_kind("hub_error", since, 10s);
  BOOST_REQUIRE(ev.has_value());
  BOOST_TEST((*ev)["cause"] == "unresponsive");
  BOOST_REQUIRE(f.hub().failure().has_value());
  BOOST_TEST(f.hub().failure()->cause == "unresponsive");
}
