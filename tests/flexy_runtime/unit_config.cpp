// FlexyConfig: the fixture configurations load, every mistake names file:line:col.
#include <boost/test/unit_test.hpp>

#include "common/error.hpp"
#include "sim/flexy/runtime/flexy_config.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_env.hpp"

using namespace flexhil;
using namespace flexhil::flexy;

namespace {

FlexyConfig load_text(const std::string& text) {
  const auto doc = parse_toml_string(text, "flexy.toml");
  TomlTable t(doc, "flexy.toml");
  return load_flexy_config(t, "/base");
}

// The ConfigError's "file:line:col" for `text`, or "" when it loads.
std::string error_position(const std::string& text) {
  try {
    load_text(text);
  } catch (const ConfigError& e) {
    return e.where().to_string();
  }
  return "";
}

std::string error_message(const std::string& text) {
  try {
    load_text(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(flexy_config)

BOOST_AUTO_TEST_CASE(x509_fixture_configuration_loads_with_tags_in_order) {
  const auto c = load_flexy_config_file(testing::fixture("flexy/azure_x509.toml"));
  BOOST_TEST(c.device_name == "Flexy205");
  BOOST_TEST(c.time_zone.name() == "Europe/Paris");
  BOOST_REQUIRE_EQUAL(c.tags.size(), 5u);
  BOOST_TEST(c.tags[0].name == "Temperature");
  BOOST_TEST(c.tags[1].coef == 0.01);
  BOOST_TEST(c.tags[4].name == "Setpoint");
  BOOST_TEST(!c.tags[4].address.has_value());
  BOOST_TEST(c.tags[3].groups[0]);
  BOOST_TEST(c.tags[3].groups[1]);
  BOOST_TEST(!c.tags[3].groups[2]);
  BOOST_TEST(c.topic('A').port == 5020);
  BOOST_TEST(c.mqtt.resolve.at("flexhil-hub.azure-devices.net") == "127.0.0.1:8883");
  BOOST_TEST(c.usr_dir.find("fixtures/flexy/usr") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(sas_fixture_configuration_loads) {
  const auto c = load_flexy_config_file(testing::fixture("flexy/azure_sas.toml"));
  BOOST_TEST(c.tags.size() == 5u);
}

BOOST_AUTO_TEST_CASE(unknown_key_is_an_error_at_its_position) {
  BOOST_TEST(error_position("name = \"F\"\ncolour = 3\n") == "flexy.toml:2:10");
  BOOST_TEST(error_message("name = \"F\"\ncolour = 3\n").find("colour") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_modbus_address_names_the_address_line_and_column) {
  const std::string text =
      "[topic.A]\nport = 502\n\n[[tag]]\nname = \"T\"\naddress = \"40001Z\"\n";
  BOOST_TEST(error_position(text) == "flexy.toml:6:11");
  BOOST_TEST(error_message(text).find("40001Z") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_tag_type_lists_the_valid_types) {
  const auto m = error_message("[[tag]]\nname = \"T\"\ntype = \"double\"\n");
  BOOST_TEST(m.find("flexy.toml:3:8") != std::string::npos);
  BOOST_TEST(m.find("boolean, float, integer, dword, string") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(duplicate_tag_names_differing_only_in_case_are_rejected) {
  const auto m = error_message("[[tag]]\nname = \"Temp\"\n[[tag]]\nname = \"TEMP\"\n");
  BOOST_TEST(m.find("flexy.toml:4:8") != std::string::npos);
  BOOST_TEST(m.find("duplicate") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(tag_on_an_unconfigured_topic_is_rejected) {
  const auto m = error_message("[[tag]]\nname = \"T\"\naddress = \"40001\"\ntopic = \"B\"\n");
  BOOST_TEST(m.find("topic.B") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_time_zone_is_rejected_with_examples) {
  const auto m = error_message("time_zone = \"Mars/Olympus\"\n");
  BOOST_TEST(m.find("flexy.toml:1:13") != std::string::npos);
  BOOST_TEST(m.find("Europe/Paris") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_group_letter_is_rejected) {
  BOOST_TEST(error_message("[[tag]]\nname = \"T\"\ngroups = [\"E\"]\n").find("A, B, C, D") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(resolve_target_without_port_is_rejected) {
  BOOST_TEST(error_message("[mqtt]\nresolve = { \"h.azure-devices.net\" = \"127.0.0.1\" }\n").find("host:port") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(topic_settings_and_memory_tag_initial_values_are_read) {
  const auto c = load_text(
      "time_zone = \"+02:00\"\ntime_scale = 10\nusr_dir = \"u\"\n[topic.B]\npoll = \"250ms\"\nunit_id = 7\n"
      "ip = \"10.0.0.5\"\nport = 1502\n[[tag]]\nname = \"S\"\ntype = \"string\"\ninitial = \"hi\"\n"
      "[[tag]]\nname = \"N\"\ntype = \"integer\"\ninitial = 42\n");
  BOOST_TEST(c.time_scale == 10.0);
  BOOST_TEST(c.usr_dir == "/base/u");
  BOOST_TEST(c.topic('B').poll_seconds == 0.25);
  BOOST_TEST(*c.topic('B').unit_id == 7);
  BOOST_TEST(c.topic('B').ip == "10.0.0.5");
  BOOST_TEST(!c.topic('A').configured);
  BOOST_TEST(std::get<std::string>(c.tags[0].initial) == "hi");
  BOOST_TEST(std::get<std::int32_t>(c.tags[1].initial) == 42);
}

BOOST_AUTO_TEST_CASE(flexy_usr_paths_map_into_the_usr_folder) {
  BOOST_TEST(map_usr_path("/tmp/u", "/usr/ca.pem") == "/tmp/u/ca.pem");
  BOOST_TEST(map_usr_path("/tmp/u", "usr/certs/dev.crt") == "/tmp/u/certs/dev.crt");
  BOOST_TEST(map_usr_path("/tmp/u", "ca.pem") == "/tmp/u/ca.pem");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(flexy_config_servers)

BOOST_AUTO_TEST_CASE(system_servers_and_their_resolve_tables_load) {
  const auto c = load_text(
      "[system]\nsmtp_server = \"mail.example.com\"\nsmtp_port = 587\nsmtp_user = \"u\"\nsmtp_password = \"p\"\n"
      "smtp_from = \"f@example.com\"\nftp_server = \"ftp.example.com\"\nftp_dir = \"/in\"\n"
      "[actions]\nsmtp_resolve = { \"Mail.example.com\" = \"127.0.0.1:2525\" }\n"
      "ftp_resolve = { \"ftp.example.com:21\" = \"127.0.0.1:2121\" }\n");
  BOOST_TEST(c.servers.smtp_server == "mail.example.com");
  BOOST_TEST(c.servers.smtp_port == 587);
  BOOST_TEST(c.servers.smtp_from == "f@example.com");
  BOOST_TEST(c.servers.ftp_port == 21);
  BOOST_TEST(c.servers.ftp_dir == "/in");
  BOOST_TEST(c.actions.smtp_resolve.at("mail.example.com") == "127.0.0.1:2525");  // lower-cased
  BOOST_TEST(c.actions.ftp_resolve.at("ftp.example.com:21") == "127.0.0.1:2121");
}

BOOST_AUTO_TEST_CASE(system_mistakes_name_their_position) {
  BOOST_TEST(error_position("[system]\nsmtp_port = 0\n") == "flexy.toml:2:13");
  BOOST_TEST(error_message("[system]\nsmtp_host = \"x\"\n").find("smtp_host") != std::string::npos);
  BOOST_TEST(error_message("[system]\nsmtp_from = \"a\\nb\"\n").find("one line") != std::string::npos);
  BOOST_TEST(error_message("[actions]\nftp_resolve = { \"f.example.com\" = \"127.0.0.1\" }\n").find("ip:port") !=
             std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
