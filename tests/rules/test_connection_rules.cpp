#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "tests/rules/event_builder.hpp"

using namespace flexhil;
using namespace flexhil::testing;
using flexhil::rules::evaluate;

BOOST_AUTO_TEST_SUITE(connection_rules)

BOOST_AUTO_TEST_CASE(refused_connect_becomes_a_finding_named_by_its_reason_id) {
  Events ev;
  ev.connect("F1", 1, false, "AUTH-SAS-EXPIRED");
  const auto f = evaluate(ev.events(), quiet());
  const auto* x = find(f, "AUTH-SAS-EXPIRED");
  BOOST_REQUIRE(x);
  BOOST_TEST(x->device == "F1");
  BOOST_TEST(x->hub == rules::HubBehaviour::refuses);
  BOOST_TEST(x->evidence == std::vector<std::uint64_t>{2});
  BOOST_TEST(x->message.find("CONNACK 5") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(accepted_connect_without_reason_is_no_finding) {
  Events ev;
  ev.connect("F1", 1);
  BOOST_TEST(evaluate(ev.events(), quiet()).empty());
}

BOOST_AUTO_TEST_CASE(refusal_without_reason_id_is_auth_refused) {
  Events ev;
  ev.connect("F1", 1, false);
  BOOST_TEST(ids(evaluate(ev.events(), quiet())).count("AUTH-REFUSED") == 1u);
}

BOOST_AUTO_TEST_CASE(username_without_api_version_is_a_warning_on_an_accepted_connect) {
  Events ev;
  ev.connect("F1", 1)["username_form"] = "none";
  const auto f = evaluate(ev.events(), quiet());
  const auto* x = find(f, "AUTH-USERNAME-NO-API-VERSION");
  BOOST_REQUIRE(x);
  BOOST_TEST(x->severity == rules::Severity::warning);
}

BOOST_AUTO_TEST_CASE(tls_failure_event_is_tls_handshake_failed) {
  Events ev;
  ev.add({{"kind", "tls_failure"}, {"address", "127.0.0.1:5000"}, {"listener", "x509"}, {"reason", "unsupported protocol"}}, 1);
  const auto f = evaluate(ev.events(), quiet());
  BOOST_REQUIRE(find(f, "TLS-HANDSHAKE-FAILED"));
  BOOST_TEST(require_finding(f, "TLS-HANDSHAKE-FAILED").message.find("unsupported protocol") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(device_connecting_late_is_reported_with_the_measured_time) {
  Events ev;
  ev.connect("F1", 42.5);
  auto e = quiet();
  e.devices = {"F1"};
  e.connect_within_s = 30;
  const auto f = evaluate(ev.events(), e);
  BOOST_REQUIRE(find(f, "CONN-NOT-CONNECTED-WITHIN"));
  BOOST_TEST(require_finding(f, "CONN-NOT-CONNECTED-WITHIN").message ==
             "first connected after 42.500 s (expected within 30.000 s)");
  Events ok;
  ok.connect("F1", 12);
  BOOST_TEST(evaluate(ok.events(), e).empty());
}

BOOST_AUTO_TEST_CASE(device_never_connecting_is_reported) {
  Events ev;
  ev.end(60);
  auto e = quiet();
  e.devices = {"F1"};
  e.connect_within_s = 30;
  BOOST_TEST(require_finding(evaluate(ev.events(), e), "CONN-NOT-CONNECTED-WITHIN").message ==
             "never connected during the 60.000 s run (expected within 30.000 s)");
}

BOOST_AUTO_TEST_CASE(hub_drop_is_conn_disconnected_and_missing_reconnect_is_conn_no_reconnect) {
  Events ev;
  ev.connect("F1", 1);
  ev.disconnect("F1", 10, "keepalive");
  ev.end(100);
  auto e = quiet();
  e.reconnect_within_s = 30;
  const auto f = evaluate(ev.events(), e);
  BOOST_REQUIRE(find(f, "CONN-DISCONNECTED"));
  BOOST_TEST(require_finding(f, "CONN-DISCONNECTED").message.find("keepalive") != std::string::npos);
  BOOST_REQUIRE(find(f, "CONN-NO-RECONNECT"));
  BOOST_TEST(require_finding(f, "CONN-NO-RECONNECT").message ==
             "dropped at 10.000 s, not reconnected in the remaining 90.000 s (expected within 30.000 s)");
}

BOOST_AUTO_TEST_CASE(reconnect_in_time_and_client_disconnect_are_no_findings) {
  Events ev;
  ev.connect("F1", 1);
  ev.disconnect("F1", 10, "client");
  ev.connect("F1", 15);
  ev.end(100);
  auto e = quiet();
  e.reconnect_within_s = 30;
  BOOST_TEST(evaluate(ev.events(), e).empty());
}

BOOST_AUTO_TEST_CASE(broker_restart_needs_a_reconnect) {
  Events ev;
  ev.connect("F1", 1);
  ev.add({{"kind", "action"}, {"action", "broker-restart"}, {"device", ""}, {"detail", ""}}, 20);
  ev.end(100);
  auto e = quiet();
  e.reconnect_within_s = 10;
  BOOST_TEST(ids(evaluate(ev.events(), e)).count("CONN-NO-RECONNECT") == 1u);
  Events ok;
  ok.connect("F1", 1);
  ok.add({{"kind", "action"}, {"action", "broker-restart"}, {"device", ""}, {"detail", ""}}, 20);
  ok.connect("F1", 25);
  ok.end(100);
  BOOST_TEST(evaluate(ok.events(), e).empty());
}

BOOST_AUTO_TEST_CASE(a_wan_cut_explains_the_hub_dropping_the_silent_session_and_the_reconnect_is_due_from_link_up) {
  const auto wan = [](const char* link) {
    return Json{{"kind", "action"}, {"action", "wan"}, {"link", link}, {"device", "F1"}, {"detail", ""}};
  };
  Events ev;
  ev.connect("F1", 1);
  ev.add(wan("down"), 20);
  ev.disconnect("F1", 30, "keepalive");  // the hub's keep-alive expiry of the silent session
  ev.add(wan("up"), 60);
  ev.connect("F1", 65);
  ev.disconnect("F1", 65.1, "replaced");
  ev.end(100);
  auto e = quiet();
  e.reconnect_within_s = 10;  // 45 s after the drop, but 5 s after link up
  BOOST_TEST(evaluate(ev.events(), e).empty());

  Events late;  // back 25 s after link up
  late.connect("F1", 1);
  late.add(wan("down"), 20);
  late.add(wan("up"), 40);
  late.connect("F1", 65);
  late.end(100);
  const auto f = evaluate(late.events(), e);
  BOOST_TEST(ids(f) == (std::set<std::string>{"CONN-NO-RECONNECT"}));
  BOOST_TEST(require_finding(f, "CONN-NO-RECONNECT").message ==
             "WAN link back at 40.000 s, reconnected only after 25.000 s (expected within 10.000 s) "
             "(during WAN link down 20.0–40.0 s)");
}

BOOST_AUTO_TEST_CASE(events_after_run_end_are_not_judged) {
  Events ev;
  ev.connect("F1", 1);
  ev.end(50);
  ev.disconnect("F1", 51, "error");
  BOOST_TEST(evaluate(ev.events(), quiet()).empty());
}

BOOST_AUTO_TEST_CASE(sixth_subscription_is_too_many) {
  Events ev;
  ev.connect("F1", 1);
  for (int i = 0; i < 6; ++i)
    ev.add({{"kind", "subscribe"}, {"device", "F1"}, {"topic", "$iothub/twin/res/#"}, {"qos", 1}, {"verdict", "granted"}}, 2 + i);
  BOOST_TEST(ids(evaluate(ev.events(), quiet())) == std::set<std::string>{"CONN-TOO-MANY-SUBSCRIPTIONS"});
}

BOOST_AUTO_TEST_CASE(dut_error_log_is_a_runtime_error_and_publish_while_disconnected_is_detected) {
  Events ev;
  ev.add({{"kind", "dut_log"}, {"device", "F1"}, {"level", "error"}, {"source", "program"}, {"message", "line 40: label OnMqttMsg not found"}}, 5);
  ev.add({{"kind", "dut_log"}, {"device", "F1"}, {"level", 1}, {"source", "mqtt"}, {"message", "MQTT PUBLISH while not connected: message dropped"},
          {"publish_while_disconnected", true}, {"topic", "devices/F1/messages/events/"}}, 6);
  ev.add({{"kind", "dut_log"}, {"device", "F1"}, {"level", "info"}, {"message", "started"}}, 7);
  const auto f = evaluate(ev.events(), quiet());
  BOOST_TEST(ids(f) == (std::set<std::string>{"DUT-RUNTIME-ERROR", "CADENCE-PUBLISH-WHILE-DISCONNECTED"}));
  BOOST_TEST(require_finding(f, "DUT-RUNTIME-ERROR").evidence == std::vector<std::uint64_t>{2});
  BOOST_TEST(require_finding(f, "CADENCE-PUBLISH-WHILE-DISCONNECTED").evidence == std::vector<std::uint64_t>{3});

  // The program had read STATUS = 5 in the same request: a race with the connection, no finding.
  Events raced;
  raced.add({{"kind", "dut_log"}, {"device", "F1"}, {"level", 1}, {"source", "mqtt"}, {"message", "MQTT PUBLISH while not connected: message dropped"},
             {"publish_while_disconnected", true}, {"checked_status", true}, {"topic", "devices/F1/messages/events/"}}, 6);
  BOOST_TEST(evaluate(raced.events(), quiet()).empty());
}

BOOST_AUTO_TEST_CASE(dut_rules_read_structured_fields_not_log_wording) {
  Events ev;
  // Wording that once matched, without the flag: not a publish while disconnected.
  ev.add({{"kind", "dut_log"}, {"device", "F1"}, {"level", "info"}, {"source", "program"},
          {"message", "publish skipped: not connected"}}, 5);
  ev.add({{"kind", "dut_console"}, {"device", "F1"}, {"line", "PUBLISH while disconnected"}}, 6);
  // Error-level lines of the runtime's own MQTT client and IO server are consequences, not DUT errors.
  ev.add({{"kind", "dut_log"}, {"device", "F1"}, {"level", 1}, {"source", "mqtt"}, {"message", "MQTT: connection lost"}}, 7);
  ev.add({{"kind", "dut_log"}, {"device", "F1"}, {"level", 1}, {"source", "io"}, {"message", "Modbus slave 1 NOT OK"}}, 8);
  // A flag of the wrong type is not set.
  ev.add({{"kind", "dut_log"}, {"device", "F1"}, {"level", "info"}, {"publish_while_disconnected", "true"}, {"message", "x"}}, 9);
  BOOST_TEST(evaluate(ev.events(), quiet()).empty());
}

BOOST_AUTO_TEST_CASE(events_are_judged_in_seq_order_whatever_the_delivery_order) {
  Events ev;
  ev.connect("F1", 1);
  for (int i = 0; i < 6; ++i)
    ev.add({{"kind", "subscribe"}, {"device", "F1"}, {"topic", "$iothub/twin/res/#"}, {"qos", 1}, {"verdict", "granted"}}, 2 + i);
  ev.publish("F1", 10, R"({"a":1,"a":2})");
  ev.disconnect("F1", 12, "keepalive");
  ev.add({{"kind", "dut_log"}, {"device", "F1"}, {"level", 1}, {"source", "mqtt"}, {"message", "dropped"},
          {"publish_while_disconnected", true}}, 13);
  ev.connect("F1", 14);
  ev.end(20);
  const auto in_order = evaluate(ev.events(), quiet());
  BOOST_REQUIRE(in_order.size() >= 3u);
  auto shuffled = ev.events();
  std::reverse(shuffled.begin(), shuffled.end());
  std::rotate(shuffled.begin(), shuffled.begin() + 3, shuffled.end());
  const auto judged = evaluate(shuffled, quiet());
  BOOST_REQUIRE(judged.size() == in_order.size());
  for (std::size_t i = 0; i < judged.size(); ++i) {
    BOOST_TEST(judged[i].rule_id == in_order[i].rule_id);
    BOOST_TEST(judged[i].device == in_order[i].device);
    BOOST_TEST(judged[i].severity == in_order[i].severity);
    BOOST_TEST(judged[i].message == in_order[i].message);
    BOOST_TEST(judged[i].evidence == in_order[i].evidence);
  }
}

BOOST_AUTO_TEST_CASE(unanswered_method_is_reported_and_answered_one_is_not) {
  Events ev;
  ev.add({{"kind", "method_request"}, {"device", "F1"}, {"rid", "1"}}, 5);
  ev.add({{"kind", "method_request"}, {"device", "F1"}, {"rid", "2"}}, 6);
  ev.add({{"kind", "method_response"}, {"device", "F1"}, {"rid", "2"}, {"status", 200}}, 7);
  const auto f = evaluate(ev.events(), quiet());
  BOOST_REQUIRE(find(f, "METHOD-NO-RESPONSE"));
  BOOST_TEST(require_finding(f, "METHOD-NO-RESPONSE").evidence == std::vector<std::uint64_t>{2});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tls_file_rule)

BOOST_AUTO_TEST_CASE(unusable_tls_file_is_dut_tls_file_naming_the_file_and_not_a_runtime_error) {
  Events ev;
  for (double t : {1.0, 6.0})
    ev.add({{"kind", "dut_log"},
            {"device", "F1"},
            {"level", 1},
            {"message", "MQTT: TLS connect to ssl://h:8883 not attempted: CertFile /usr/F1.crt: not found"},
            {"tls_file", {{"parameter", "CertFile"}, {"file", "/usr/F1.crt"}, {"reason", "not found"}}}},
           t);
  const auto f = evaluate(ev.events(), quiet());
  BOOST_TEST(ids(f) == std::set<std::string>{"DUT-TLS-FILE"});
  const auto* x = find(f, "DUT-TLS-FILE");
  BOOST_REQUIRE(x);
  BOOST_TEST(x->device == "F1");
  BOOST_TEST(x->severity == rules::Severity::error);
  BOOST_TEST(x->message.find("CertFile /usr/F1.crt: not found") != std::string::npos, x->message);
  BOOST_TEST(x->evidence.size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(a_program_dialing_another_hub_is_told_both_host_names) {
  Events ev;
  ev.add({{"kind", "dut_log"}, {"device", "F1"}, {"level", 1}, {"source", "mqtt"},
          {"message", "MQTT: host 'ewonproject2.azure-devices.net' does not resolve (WAN down?)"},
          {"unresolved_host", "eWONPROJECT2.azure-devices.net"},
          {"routed_hosts", Json::array({"ewonproject.azure-devices.net"})}}, 3);
  const auto f = evaluate(ev.events(), quiet());
  const auto& m = require_finding(f, "DUT-HUB-HOST-MISMATCH").message;
  BOOST_TEST(m.find("'eWONPROJECT2.azure-devices.net'") != std::string::npos, m);
  BOOST_TEST(m.find("'ewonproject.azure-devices.net'") != std::string::npos, m);
  // The same name in another case is not a mismatch (host names are case-insensitive), and a
  // host that is no hub at all (a broker's name) is left to the CONN- rules.
  Events same;
  same.add({{"kind", "dut_log"}, {"device", "F1"}, {"level", 1}, {"source", "mqtt"}, {"message", "x"},
            {"unresolved_host", "EWONPROJECT.azure-devices.net"},
            {"routed_hosts", Json::array({"ewonproject.azure-devices.net"})}}, 3);
  same.add({{"kind", "dut_log"}, {"device", "F1"}, {"level", 1}, {"source", "mqtt"}, {"message", "x"},
            {"unresolved_host", "mqtt.example.com"}, {"routed_hosts", Json::array({"ewonproject.azure-devices.net"})}}, 4);
  same.add({{"kind", "dut_log"}, {"device", "F1"}, {"level", 1}, {"source", "mqtt"}, {"message", "x"},
            {"unresolved_host", "other.azure-devices.net"}, {"routed_hosts", "not-an-array"}}, 5);
  const auto none = evaluate(same.events(), quiet());
  BOOST_TEST(none.empty(), (none.empty() ? "" : none.front().rule_id + ": " + none.front().message));
}
