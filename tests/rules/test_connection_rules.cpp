#include <boost/test/unit_test.hpp>

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
  ev.add({{"kind", "dut_log"}, {"device", "F1"}, {"level", "error"}, {"message", "line 40: label OnMqttMsg not found"}}, 5);
  ev.add({{"kind", "dut_log"}, {"device", "F1"}, {"level", "warning"}, {"message", "MQTT PUBLISH while not connected: message dropped"}}, 6);
  ev.add({{"kind", "dut_log"}, {"device", "F1"}, {"level", "info"}, {"message", "started"}}, 7);
  const auto f = evaluate(ev.events(), quiet());
  BOOST_TEST(ids(f) == (std::set<std::string>{"DUT-RUNTIME-ERROR", "CADENCE-PUBLISH-WHILE-DISCONNECTED"}));
  BOOST_TEST(require_finding(f, "DUT-RUNTIME-ERROR").evidence == std::vector<std::uint64_t>{2});
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
