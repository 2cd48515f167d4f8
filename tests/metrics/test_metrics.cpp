#define BOOST_TEST_MODULE test_metrics
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "common/error.hpp"
#include "common/net.hpp"
#include "harness/metrics/run_metrics.hpp"
#include "tests/support/test_env.hpp"
#include "tests/support/file_text.hpp"

using flexhil::testing::read_text;

using namespace flexhil;
using namespace flexhil::metrics;

namespace {

// GET /metrics over a real TCP connection (HTTP/1.0: the server closes when done).
std::string http_get(int port, const std::string& path = "/metrics") {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  BOOST_REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    BOOST_FAIL("cannot connect to 127.0.0.1:" << port);
  }
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  BOOST_REQUIRE(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  std::string response;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) response.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return response;
}

// The value of one sample line ("name{labels} value"), or NaN when absent.
double sample(const std::string& exposition, const std::string& series) {
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  return std::nan("");
}

Json event(std::string kind, std::int64_t mono_ns, Json fields) {
  static std::uint64_t seq = 0;
  fields["kind"] = std::move(kind);
  fields["mono_ns"] = mono_ns;
  fields["seq"] = ++seq;
  return fields;
}

Json publish(const std::string& device, std::int64_t mono_ns, const std::string& payload,
             const std::string& verdict = "accepted") {
  return event("publish", mono_ns,
               {{"device", device},
                {"topic", "devices/" + device + "/messages/events/"},
                {"size", payload.size()},
                {"payload_b64", base64_encode(payload)},
                {"verdict", verdict}});
}

// Options with the fields a test cares about (designated initializers would warn under -Wextra).
MetricsOptions options(std::vector<std::string> devices = {}, std::string bind_address = {}) {
  MetricsOptions o;
  o.devices = std::move(devices);
  o.bind_address = std::move(bind_address);
  return o;
}

}  // namespace

BOOST_AUTO_TEST_CASE(metrics_are_served_over_http_on_an_ephemeral_loopback_port) {
  auto o = options({"Flexy1", "Flexy2"}, "127.0.0.1:0");
  o.scenario = "demo";
  o.run_id = "r1";
  o.time_scale = 10;
  RunMetrics m(o);
  BOOST_REQUIRE(m.port());
  BOOST_TEST(*m.port() > 0);
  BOOST_TEST(m.url() == "http://127.0.0.1:" + std::to_string(*m.port()) + "/metrics");

  m.on_event(event("connect", 1'000'000'000, {{"device", "Flexy2"}, {"verdict", "refused"}}));
  m.on_event(event("connect", 1'100'000'000, {{"device", "Flexy1"}, {"verdict", "accepted"}}));
  // Three telemetry messages 0.2 s apart in real time = 2 s apart at time scale 10.
  m.on_event(publish("Flexy1", 2'000'000'000, "{\"a\":1}"));
  m.on_event(publish("Flexy1", 2'200'000'000, "{\"a\":22}"));
  m.on_event(publish("Flexy1", 2'400'000'000, "{\"a\":333}"));
  m.on_event(publish("Flexy1", 2'500'000'000, "{}", "disconnected"));
  m.on_event(event("plc_change", 2'600'000'000, {{"point", "T"}, {"old", 1}, {"new", 2}}));
  m.on_finding({"CADENCE-FULL-PUSH", rules::Severity::error, "Flexy1", rules::HubBehaviour::downstream_breaks, "x", {}});
  m.on_finding({"CADENCE-FULL-PUSH", rules::Severity::error, "Flexy1", rules::HubBehaviour::downstream_breaks, "y", {}});
  m.on_finding({"PAYLOAD-NUMBER-AS-STRING", rules::Severity::warning, "Flexy1", rules::HubBehaviour::accepts, "z", {}});
  m.observe_change_latency(0.7, "Flexy1");
  m.add_plc_requests(41);
  m.add_plc_requests();
  m.set_progress(30, 120);

  const std::string response = http_get(*m.port());
  BOOST_TEST(response.rfind("HTTP/1.", 0) == 0u);
  BOOST_TEST(response.find(" 200 ") != std::string::npos);
  const std::string body = response.substr(response.find("\r\n\r\n") + 4);
  BOOST_TEST(sample(body, "flexhil_messages_received_total{device=\"Flexy1\"}") == 4);
  BOOST_TEST(sample(body, "flexhil_messages_received_total{device=\"Flexy2\"}") == 0);
  BOOST_TEST(sample(body, "flexhil_message_bytes_received_total{device=\"Flexy1\"}") == 7 + 8 + 9 + 2);
  BOOST_TEST(sample(body, "flexhil_messages_rejected_total{device=\"Flexy1\"}") == 1);
  BOOST_TEST(sample(body, "flexhil_connect_attempts_total{verdict=\"accepted\"}") == 1);
  BOOST_TEST(sample(body, "flexhil_connect_attempts_total{verdict=\"refused\"}") == 1);
  BOOST_TEST(sample(body, "flexhil_device_connected{device=\"Flexy1\"}") == 1);
  BOOST_TEST(sample(body, "flexhil_device_connected{device=\"Flexy2\"}") == 0);
  BOOST_TEST(sample(body, "flexhil_devices_connected") == 1);
  BOOST_TEST(sample(body, "flexhil_findings_total{rule=\"CADENCE-FULL-PUSH\",severity=\"error\"}") == 2);
  BOOST_TEST(sample(body, "flexhil_findings_total{rule=\"PAYLOAD-NUMBER-AS-STRING\",severity=\"warning\"}") == 1);
  BOOST_TEST(sample(body, "flexhil_publish_interval_seconds_count{device=\"Flexy1\"}") == 2);
  BOOST_TEST(sample(body, "flexhil_publish_interval_seconds_sum{device=\"Flexy1\"}") == 4.0,
             boost::test_tools::tolerance(1e-9));
  BOOST_TEST(sample(body, "flexhil_publish_interval_seconds_bucket{device=\"Flexy1\",le=\"1\"}") == 0);
  BOOST_TEST(sample(body, "flexhil_publish_interval_seconds_bucket{device=\"Flexy1\",le=\"2\"}") == 2);
  BOOST_TEST(sample(body, "flexhil_change_latency_seconds_count{device=\"Flexy1\"}") == 1);
  BOOST_TEST(sample(body, "flexhil_change_latency_seconds_bucket{device=\"Flexy1\",le=\"0.5\"}") == 0);
  BOOST_TEST(sample(body, "flexhil_change_latency_seconds_bucket{device=\"Flexy1\",le=\"1\"}") == 1);
  BOOST_TEST(sample(body, "flexhil_plc_requests_total") == 42);
  BOOST_TEST(sample(body, "flexhil_plc_changes_total") == 1);
  BOOST_TEST(sample(body, "flexhil_run_progress_ratio") == 0.25);
  BOOST_TEST(sample(body, "flexhil_run_elapsed_seconds") == 30);
  BOOST_TEST(sample(body, "flexhil_run_info{run=\"r1\",scenario=\"demo\"}") == 1);
  BOOST_TEST(sample(body, "flexhil_events_total{kind=\"publish\"}") == 4);

  // A disconnect clears the gauge and the interval chain.
  m.on_event(event("disconnect", 3'000'000'000, {{"device", "Flexy1"}, {"reason", "kicked"}}));
  m.on_event(publish("Flexy1", 9'000'000'000, "{}"));
  const std::string after = http_get(*m.port());
  BOOST_TEST(sample(after, "flexhil_device_connected{device=\"Flexy1\"}") == 0);
  BOOST_TEST(sample(after, "flexhil_devices_connected") == 0);
  BOOST_TEST(sample(after, "flexhil_disconnects_total{reason=\"kicked\"}") == 1);
  BOOST_TEST(sample(after, "flexhil_publish_interval_seconds_count{device=\"Flexy1\"}") == 2);
}

// A dashboard against a live run: every series is there from the first scrape, a finding of a
// single event counts when the event arrives, the judged findings add only the rest, PLC requests
// follow the simulator's own total, and the end of the run is a series of its own.
BOOST_AUTO_TEST_CASE(series_start_at_zero_findings_count_live_and_the_end_is_visible) {
  auto o = options({"Flexy1"});
  o.rules = {{"PAYLOAD-DUPLICATE-KEY", rules::Severity::error}, {"CADENCE-FULL-PUSH", rules::Severity::error}};
  o.live_findings = [](const Json& e) {
    std::vector<rules::Finding> out;
    if (e.value("kind", "") == "publish" && e.value("payload_b64", "") == base64_encode("{\"a\":1,\"a\":2}")) {
      rules::Finding f;
      f.rule_id = "PAYLOAD-DUPLICATE-KEY";
      f.severity = rules::Severity::error;
      out.push_back(f);
    }
    return out;
  };
  RunMetrics m(o);
  auto body = m.serialize();
  BOOST_TEST(sample(body, "flexhil_findings_total{rule=\"PAYLOAD-DUPLICATE-KEY\",severity=\"error\"}") == 0);
  BOOST_TEST(sample(body, "flexhil_findings_total{rule=\"CADENCE-FULL-PUSH\",severity=\"error\"}") == 0);
  BOOST_TEST(sample(body, "flexhil_messages_rejected_total{device=\"Flexy1\"}") == 0);
  BOOST_TEST(sample(body, "flexhil_disconnects_total{reason=\"keepalive\"}") == 0);
  BOOST_TEST(sample(body, "flexhil_change_latency_seconds_count{device=\"Flexy1\"}") == 0);
  BOOST_TEST(sample(body, "flexhil_publish_interval_seconds_count{device=\"Flexy1\"}") == 0);
  BOOST_TEST(sample(body, "flexhil_plc_requests_total") == 0);
  BOOST_TEST(sample(body, "flexhil_run_finished") == 0);
  BOOST_TEST(sample(body, "flexhil_run_exit_code") == -1);

  m.on_event(publish("Flexy1", 1'000'000'000, "{\"a\":1,\"a\":2}"));
  m.on_event(publish("Flexy1", 2'000'000'000, "{\"a\":1,\"a\":2}"));
  m.on_event(publish("Flexy1", 3'000'000'000, "{\"a\":1}"));
  m.set_plc_requests(40);
  m.set_plc_requests(25);  // never backwards
  m.set_plc_requests(55);
  body = m.serialize();
  BOOST_TEST(sample(body, "flexhil_findings_total{rule=\"PAYLOAD-DUPLICATE-KEY\",severity=\"error\"}") == 2);
  BOOST_TEST(sample(body, "flexhil_plc_requests_total") == 55);

  // Judged: the same two duplicate keys (already counted) and one cadence finding (new).
  std::vector<rules::Finding> judged(3);
  judged[0].rule_id = judged[1].rule_id = "PAYLOAD-DUPLICATE-KEY";
  judged[2].rule_id = "CADENCE-FULL-PUSH";
  m.set_final_findings(judged);
  m.finish(1);
  body = m.serialize();
  BOOST_TEST(sample(body, "flexhil_findings_total{rule=\"PAYLOAD-DUPLICATE-KEY\",severity=\"error\"}") == 2);
  BOOST_TEST(sample(body, "flexhil_findings_total{rule=\"CADENCE-FULL-PUSH\",severity=\"error\"}") == 1);
  BOOST_TEST(sample(body, "flexhil_run_finished") == 1);
  BOOST_TEST(sample(body, "flexhil_run_exit_code") == 1);
}

BOOST_AUTO_TEST_CASE(device_ids_are_labels_only_for_fleets_up_to_the_limit) {
  std::vector<std::string> fleet;
  for (int i = 0; i < 25; ++i) fleet.push_back("Flexy" + std::to_string(i));
  RunMetrics big(options(fleet));
  BOOST_TEST(!big.device_labels());
  big.on_event(publish("Flexy3", 1, "{}"));
  big.on_event(publish("Flexy4", 2, "{}"));
  big.on_event(event("connect", 3, {{"device", "Flexy4"}, {"verdict", "accepted"}}));
  const std::string text = big.serialize();
  BOOST_TEST(text.find("device=\"") == std::string::npos);
  BOOST_TEST(sample(text, "flexhil_messages_received_total") == 2);
  BOOST_TEST(sample(text, "flexhil_devices_connected") == 1);
  BOOST_TEST(!big.port());

  auto o = options(fleet);
  o.device_label_limit = 25;
  RunMetrics small(o);
  BOOST_TEST(small.device_labels());
  BOOST_TEST(small.serialize().find("flexhil_messages_received_total{device=\"Flexy24\"} 0") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(expected_periods_add_tolerance_buckets_in_scenario_seconds) {
  auto o = options({"F"});
  o.expected_periods = {20};
  RunMetrics m(o);
  m.on_event(publish("F", 0, "{}"));
  m.on_event(publish("F", 19'500'000'000, "{}"));
  const std::string after = m.serialize();
  for (const char* le : {"16", "19", "20", "21", "24"})
    BOOST_TEST(after.find(std::string("le=\"") + le + "\"") != std::string::npos, le);
  BOOST_TEST(sample(after, "flexhil_publish_interval_seconds_bucket{device=\"F\",le=\"19\"}") == 0);
  BOOST_TEST(sample(after, "flexhil_publish_interval_seconds_bucket{device=\"F\",le=\"20\"}") == 1);
}

BOOST_AUTO_TEST_CASE(malformed_events_are_counted_not_fatal) {
  RunMetrics m(options());
  m.on_event(Json::array());
  m.on_event(Json{{"kind", 5}});
  m.on_event(Json{{"kind", "publish"}, {"device", 7}, {"size", "big"}, {"payload_b64", "!!"}});
  m.on_event(Json{{"kind", "connect"}});
  m.observe_change_latency(-1);
  m.observe_change_latency(std::nan(""));
  const std::string text = m.serialize();
  BOOST_TEST(sample(text, "flexhil_events_total{kind=\"unknown\"}") == 1);
  BOOST_TEST(sample(text, "flexhil_connect_attempts_total{verdict=\"unknown\"}") == 1);
  BOOST_TEST(text.find("flexhil_change_latency_seconds_count") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_port_in_use_is_an_infrastructure_error_and_a_bad_address_a_config_error) {
  RunMetrics first(options({}, "127.0.0.1:0"));
  BOOST_REQUIRE(first.port());
  BOOST_CHECK_THROW(RunMetrics(options({}, "127.0.0.1:" + std::to_string(*first.port()))), InfrastructureError);
  for (const char* bad : {"9464", "localhost", "127.0.0.1:http", "127.0.0.1:70000", "::1:9464", ":9464"})
    BOOST_CHECK_THROW(validate_bind_address(bad), ConfigError);
  BOOST_CHECK_NO_THROW(validate_bind_address("[::1]:9464"));
  BOOST_CHECK_NO_THROW(validate_bind_address("0.0.0.0:0"));
  try {
    validate_bind_address("nope", {"scenarios/demo.toml", 12, 3});
    BOOST_FAIL("no error");
  } catch (const ConfigError& e) {
    BOOST_TEST(std::string(e.what()).rfind("scenarios/demo.toml:12:3:", 0) == 0u);
  }
}

BOOST_AUTO_TEST_CASE(metric_names_list_exactly_the_registered_families) {
  RunMetrics m(options({"F"}));
  m.on_event(publish("F", 0, "{}"));
  m.on_event(publish("F", 1'000'000'000, "{}"));
  m.on_event(publish("F", 2'000'000'000, "{}", "disconnected"));
  m.on_event(event("disconnect", 3, {{"device", "F"}, {"reason", "client"}}));
  m.on_finding({"X", rules::Severity::info, "", rules::HubBehaviour::accepts, "", {}});
  m.observe_change_latency(1, "F");
  std::set<std::string> served;
  const std::regex type_line("^# TYPE (\\S+) \\S+$");
  std::istringstream in(m.serialize());
  for (std::string line; std::getline(in, line);) {
    std::smatch match;
    if (std::regex_match(line, match, type_line)) served.insert(match[1]);
  }
  const std::set<std::string> listed(metric_names().begin(), metric_names().end());
  BOOST_TEST(served == listed);
  // Prometheus conventions: counters end in _total, units in base units (seconds, bytes, ratio).
  for (const auto& name : listed) BOOST_TEST(std::regex_match(name, std::regex("flexhil_[a-z_]+")), name);
}

BOOST_AUTO_TEST_CASE(docs_metrics_md_documents_every_metric) {
  const std::string doc = read_text(testing::source_dir() + "/docs/metrics.md");
  BOOST_REQUIRE(!doc.empty());
  for (const auto& name : metric_names()) BOOST_TEST(doc.find("`" + name + "`") != std::string::npos, name);
}

BOOST_AUTO_TEST_CASE(grafana_dashboard_parses_and_references_only_existing_metrics) {
  const Json dashboard = Json::parse(read_text(testing::fixture("grafana/flexhil-dashboard.json")));
  BOOST_REQUIRE(dashboard.contains("panels"));
  const std::set<std::string> known(metric_names().begin(), metric_names().end());
  std::set<std::string> used, panel_types;
  std::size_t expressions = 0;
  const std::regex metric("flexhil_[a-z_]+");
  for (const auto& panel : dashboard["panels"]) {
    panel_types.insert(panel.value("type", ""));
    for (const auto& target : panel.value("targets", Json::array())) {
      const std::string expr = target.value("expr", "");
      ++expressions;
      for (std::sregex_iterator it(expr.begin(), expr.end(), metric), end; it != end; ++it) {
        std::string name = it->str();
        for (const char* suffix : {"_bucket", "_sum", "_count"})
          if (name.size() > std::strlen(suffix) && name.ends_with(suffix) && !known.count(name))
            name.resize(name.size() - std::strlen(suffix));
        BOOST_TEST(known.count(name) == 1u, "dashboard uses unknown metric " << it->str());
        used.insert(name);
      }
    }
  }
  BOOST_TEST(expressions >= 6u);
  BOOST_TEST(panel_types.count("heatmap") == 1u);  // the publish-interval heatmap
  for (const char* needed : {"flexhil_messages_received_total", "flexhil_findings_total", "flexhil_connect_attempts_total",
                             "flexhil_devices_connected", "flexhil_publish_interval_seconds", "flexhil_run_progress_ratio"})
    BOOST_TEST(used.count(needed) == 1u, needed);
}
