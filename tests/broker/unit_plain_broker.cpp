// The plain broker's pure logic: credentials, the users file, the plugin options of mode plain,
// its mosquitto.conf, and the MQTT topic filters that select its telemetry.
#include <boost/test/unit_test.hpp>

#include "broker/hub_config.hpp"
#include "broker/plain_broker.hpp"
#include "broker/plugin_options.hpp"
#include "common/mqtt_topic_filter.hpp"

using namespace flexhil;
using namespace flexhil::broker;

BOOST_AUTO_TEST_SUITE(plain_broker_logic)

BOOST_AUTO_TEST_CASE(credentials_are_checked_exactly_and_no_users_means_anonymous) {
  const std::vector<PlainUser> users{{"flexy", "secret"}, {"other", ""}};
  BOOST_TEST(judge_plain_connect(users, std::string("flexy"), std::string("secret")).accepted);
  BOOST_TEST(judge_plain_connect(users, std::string("other"), std::string("")).accepted);
  for (const auto& [user, password, why] :
       std::vector<std::tuple<std::optional<std::string>, std::optional<std::string>, std::string>>{
           {"flexy", "Secret", "wrong password for user 'flexy'"},
           {"flexy", std::nullopt, "no password for user 'flexy'"},
           {"Flexy", "secret", "unknown user 'Flexy'"},
           {std::nullopt, std::nullopt, "no username"},
           {"", "secret", "no username"}}) {
    const auto v = judge_plain_connect(users, user, password);
    BOOST_TEST(!v.accepted);
    BOOST_TEST(v.reason_id == kPlainCredentialsRefused);
    BOOST_TEST(v.reason.find(why) == 0u, v.reason);
    BOOST_TEST(v.reason.find("secret") == std::string::npos, "never the password");
  }
  const auto anon = judge_plain_connect({}, std::nullopt, std::nullopt);
  BOOST_TEST(anon.accepted);
  BOOST_TEST(anon.auth == "anonymous");
}

BOOST_AUTO_TEST_CASE(the_users_file_round_trips_and_a_bad_line_is_named) {
  const std::vector<PlainUser> users{{"a", "p\"w\nx"}, {"b:c", ""}};
  const auto back = parse_plain_users(render_plain_users(users));
  BOOST_REQUIRE_EQUAL(back.size(), 2u);
  BOOST_TEST(back[0].password == "p\"w\nx");
  BOOST_TEST(back[1].name == "b:c");
  try {
    parse_plain_users("{\"name\":\"a\",\"password\":\"b\"}\n{\"name\":1}\n");
    BOOST_FAIL("accepted a bad line");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()).find("line 2") != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(mode_plain_needs_no_registry_and_refuses_one) {
  const auto o = parse_iothub_options({{"mode", "plain"}, {"users_file", "/run/u.jsonl"}, {"telemetry_filter", "a/+"}});
  BOOST_TEST(o.plain);
  BOOST_TEST(o.users_file == "/run/u.jsonl");
  BOOST_TEST(o.telemetry_filter == "a/+");
  BOOST_CHECK_THROW(parse_iothub_options({{"mode", "plain"}, {"registry", "r.toml"}}), std::invalid_argument);
  BOOST_CHECK_THROW(parse_iothub_options({{"registry", "r.toml"}, {"users_file", "u"}}), std::invalid_argument);
  BOOST_CHECK_THROW(parse_iothub_options({{"mode", "cloud"}}), std::invalid_argument);
  BOOST_CHECK_THROW(parse_iothub_options({{"mode", "plain"}, {"telemetry_filter", "a/#/b"}}), std::invalid_argument);
  BOOST_TEST(!parse_iothub_options({{"registry", "r.toml"}}).plain);
}

BOOST_AUTO_TEST_CASE(the_plain_conf_has_one_device_listener_and_the_internal_one) {
  HubConfig c;
  c.log_file = "/run/broker.log";
  c.internal_port = 40000;
  c.plugin_path = "/build/flexhil_iothub.so";
  c.internal_username = "flexhil-harness";
  c.internal_password = "pw";
  c.audit_file = "/run/audit.jsonl";
  PlainListenerConfig p;
  p.port = 41883;
  p.users_file = "/run/broker-users.jsonl";
  c.plain = p;
  auto conf = render_mosquitto_conf(c);
  BOOST_TEST(conf.find("plugin_opt_mode plain\n") != std::string::npos, conf);
  BOOST_TEST(conf.find("plugin_opt_users_file /run/broker-users.jsonl\n") != std::string::npos);
  BOOST_TEST(conf.find("listener 41883 127.0.0.1\n") != std::string::npos);
  BOOST_TEST(conf.find("listener 40000 127.0.0.1\n") != std::string::npos);
  BOOST_TEST(conf.find("plugin_opt_registry") == std::string::npos);
  BOOST_TEST(conf.find("certfile") == std::string::npos);
  BOOST_TEST(conf.find("allow_anonymous false") != std::string::npos);  // the plugin decides
  c.plain->tls = true;
  BOOST_CHECK_THROW(render_mosquitto_conf(c), std::invalid_argument);  // TLS needs a certificate
  c.server_cert_file = "/run/broker.crt";
  c.server_key_file = "/run/broker.key";
  conf = render_mosquitto_conf(c);
  BOOST_TEST(conf.find("certfile /run/broker.crt\nkeyfile /run/broker.key\n") != std::string::npos, conf);
  BOOST_TEST(conf.find("require_certificate") == std::string::npos);
  c.plain->users_file = "/run/u\nlistener 1";
  BOOST_CHECK_THROW(render_mosquitto_conf(c), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(topic_filters_match_as_mqtt_3_1_1_says) {
  BOOST_TEST(topic_matches_filter("#", "plant/line3/telemetry"));
  BOOST_TEST(topic_matches_filter("plant/+/telemetry", "plant/line3/telemetry"));
  BOOST_TEST(!topic_matches_filter("plant/+/telemetry", "plant/line3/status"));
  BOOST_TEST(topic_matches_filter("plant/#", "plant"));
  BOOST_TEST(!topic_matches_filter("plant/+", "plant/a/b"));
  BOOST_TEST(topic_matches_filter("plant/line3", "plant/line3"));
  BOOST_TEST(!topic_matches_filter("#", "$SYS/broker"));
  BOOST_TEST(!topic_matches_filter("+/x", "$SYS/x"));
  BOOST_TEST(topic_matches_filter("+/+", "/x"));
  for (const char* bad : {"", "a/#/b", "a#", "a/b+", "#/"}) {
    BOOST_TEST(!is_valid_topic_filter(bad), bad);
    BOOST_TEST(!topic_matches_filter(bad, "a/b"), bad);
  }
}

BOOST_AUTO_TEST_SUITE_END()
