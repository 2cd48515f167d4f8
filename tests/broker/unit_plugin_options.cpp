// The plugin's options (the contract with the hub launcher) and the harness's commands.
#include <boost/test/unit_test.hpp>

#include "broker/harness_commands.hpp"
#include "broker/plugin_options.hpp"

using namespace flexhil;
using namespace flexhil::broker;

BOOST_AUTO_TEST_SUITE(plugin_options)

BOOST_AUTO_TEST_CASE(defaults_follow_the_real_hub) {
  const auto o = parse_iothub_options({{"registry", "r.toml"}});
  BOOST_TEST(o.registry == "r.toml");
  BOOST_TEST(!o.qos2_accept);
  BOOST_TEST(o.max_message_bytes == 262144);
  BOOST_TEST(o.max_subscriptions == 5);
  BOOST_TEST(o.sas_skew_seconds == 300);
  BOOST_TEST(!o.mqtt5_accept);
  BOOST_TEST(!o.will_accept);
  BOOST_TEST(o.sas_expiry_check_seconds == 1);
}

BOOST_AUTO_TEST_CASE(every_option_is_read) {
  const auto o = parse_iothub_options({{"registry", "r.toml"},
                                       {"hub", "h1"},
                                       {"internal_username", "u"},
                                       {"internal_password", "p"},
                                       {"qos2_policy", "accept"},
                                       {"max_message_bytes", "1000"},
                                       {"max_subscriptions", "3"},
                                       {"sas_skew_seconds", "0"},
                                       {"mqtt5_policy", "accept"},
                                       {"will_policy", "accept"},
                                       {"sas_expiry_check_seconds", "5"},
                                       {"audit_file", "/run/a.jsonl"},
                                       {"audit_stream", "hub#3"},
                                       {"audit_flush_ms", "0"},
                                       {"ca_file", "/run/ca-trust.pem"}});
  BOOST_TEST(o.hub == "h1");
  BOOST_TEST(o.will_accept);
  BOOST_TEST(o.ca_file == "/run/ca-trust.pem");
  BOOST_TEST(o.internal_username == "u");
  BOOST_TEST(o.internal_password == "p");
  BOOST_TEST(o.qos2_accept);
  BOOST_TEST(o.max_message_bytes == 1000);
  BOOST_TEST(o.max_subscriptions == 3);
  BOOST_TEST(o.sas_skew_seconds == 0);
  BOOST_TEST(o.mqtt5_accept);
  BOOST_TEST(o.sas_expiry_check_seconds == 5);
  BOOST_TEST(o.audit_file == "/run/a.jsonl");
  BOOST_TEST(o.audit_stream == "hub#3");
  BOOST_TEST(o.audit_flush_ms == 0);
  BOOST_TEST(parse_iothub_options({{"registry", "r"}}).audit_flush_ms == 10);
}

BOOST_AUTO_TEST_CASE(bad_options_are_rejected_with_their_name) {
  auto fails = [](std::vector<std::pair<std::string, std::string>> opts, const std::string& needle) {
    try {
      parse_iothub_options(opts);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what()).find(needle) != std::string::npos;
    }
    return false;
  };
  BOOST_TEST(fails({}, "plugin_opt_registry is required"));
  BOOST_TEST(fails({{"registry", "r"}, {"qos2_policy", "drop"}}, "plugin_opt_qos2_policy 'drop'"));
  BOOST_TEST(fails({{"registry", "r"}, {"max_subscriptions", "five"}}, "plugin_opt_max_subscriptions"));
  BOOST_TEST(fails({{"registry", "r"}, {"audit_flush_ms", "5000"}}, "plugin_opt_audit_flush_ms"));
  BOOST_TEST(fails({{"registry", "r"}, {"colour", "red"}}, "unknown option plugin_opt_colour"));
  BOOST_TEST(fails({{"registry", "r"}, {"internal_username", "u"}}, "go together"));
}

BOOST_AUTO_TEST_CASE(c2d_command_decodes_body_and_properties) {
  std::string error;
  const auto c = parse_harness_command(internal_topics::command_c2d,
                                       R"({"device":"D","body_b64":"aGVsbG8=","props":{"k":"v","n":null}})", &error);
  BOOST_REQUIRE_MESSAGE(c, error);
  const auto& c2d = std::get<C2dCommand>(*c);
  BOOST_TEST(c2d.device == "D");
  BOOST_TEST(c2d.body == "hello");
  BOOST_TEST(c2d.props.size() == 2u);
  BOOST_TEST(!c2d.props[1].second.has_value());
}

BOOST_AUTO_TEST_CASE(desired_and_method_commands_are_parsed) {
  const auto d = parse_harness_command(internal_topics::command_desired, R"({"device":"D","patch":{"a":1}})", nullptr);
  BOOST_REQUIRE(d);
  BOOST_TEST(std::get<DesiredCommand>(*d).patch["a"] == 1);
  const auto m =
      parse_harness_command(internal_topics::command_method, R"({"device":"D","method":"reboot","rid":7,"payload":{"x":1}})",
                            nullptr);
  BOOST_REQUIRE(m);
  BOOST_TEST(std::get<MethodCommand>(*m).rid == "7");
  BOOST_TEST(std::get<MethodCommand>(*m).payload == R"({"x":1})");
}

BOOST_AUTO_TEST_CASE(a_ping_needs_only_an_integer_id) {
  const auto p = parse_harness_command(internal_topics::command_ping, R"({"id":42})", nullptr);
  BOOST_REQUIRE(p);
  BOOST_TEST(std::get<PingCommand>(*p).id == 42);
  std::string error;
  BOOST_TEST(!parse_harness_command(internal_topics::command_ping, R"({"id":"x"})", &error));
  BOOST_TEST(error == "\"id\" must be an integer");
}

BOOST_AUTO_TEST_CASE(malformed_commands_say_why) {
  std::string error;
  BOOST_TEST(!parse_harness_command(internal_topics::command_c2d, "not json", &error));
  BOOST_TEST(error == "payload is not a JSON object");
  BOOST_TEST(!parse_harness_command(internal_topics::command_c2d, R"({"body_b64":"x"})", &error));
  BOOST_TEST(error.find("device") != std::string::npos);
  BOOST_TEST(!parse_harness_command(internal_topics::command_c2d, R"({"device":"D","body_b64":"!!"})", &error));
  BOOST_TEST(!parse_harness_command(internal_topics::command_method, R"({"device":"D","method":"a/b","rid":"1"})", &error));
  BOOST_TEST(!parse_harness_command("$flexhil/cmd/nope", R"({"device":"D"})", &error));
  BOOST_TEST(error.find("unknown command topic") != std::string::npos);
  // A desired patch nested a million levels deep is refused while parsing (no recursive copy or
  // dump of it ever runs), and so is a number a double cannot hold.
  const std::string deep = R"({"device":"D","patch":)" + std::string(1'000'000, '[') + std::string(1'000'000, ']') + "}";
  BOOST_TEST(!parse_harness_command(internal_topics::command_desired, deep, &error));
  BOOST_TEST(error == "payload is not a JSON object");
  BOOST_TEST(!parse_harness_command(internal_topics::command_desired, R"({"device":"D","patch":{"a":1e400}})", &error));
}

BOOST_AUTO_TEST_SUITE_END()
