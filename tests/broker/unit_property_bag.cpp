// Property bags of telemetry and C2D topics.
#include <boost/test/unit_test.hpp>

#include "broker/property_bag.hpp"
#include "broker/publish_audit_line.hpp"
#include "common/json_text.hpp"

using namespace flexhil::broker;

BOOST_AUTO_TEST_SUITE(property_bag)

BOOST_AUTO_TEST_CASE(dollar_dot_and_percent_24_dot_decode_to_the_same_system_property) {
  const auto a = decode_property_bag("$.ct=application%2Fjson&$.ce=utf-8");
  const auto b = decode_property_bag("%24.ct=application%2Fjson&%24.ce=utf-8");
  BOOST_TEST(a.to_json() == b.to_json());
  BOOST_TEST(a.to_json()["$.ct"] == "application/json");
  BOOST_TEST(a.to_json()["$.ce"] == "utf-8");
  BOOST_TEST(a.errors.empty());
}

BOOST_AUTO_TEST_CASE(key_without_equals_is_null_and_empty_value_is_empty_string) {
  const auto bag = decode_property_bag("flag&empty=&k=v");
  const auto j = bag.to_json();
  BOOST_TEST(j["flag"].is_null());
  BOOST_TEST(j["empty"] == "");
  BOOST_TEST(j["k"] == "v");
  BOOST_TEST(bag.entries.size() == 3u);
}

BOOST_AUTO_TEST_CASE(plus_is_kept_and_percent_20_is_a_space) {
  const auto j = decode_property_bag("a=x+y&b=x%20y").to_json();
  BOOST_TEST(j["a"] == "x+y");
  BOOST_TEST(j["b"] == "x y");
}

BOOST_AUTO_TEST_CASE(bad_percent_escape_is_kept_literally_and_reported) {
  const auto bag = decode_property_bag("a=100%&b=%zz");
  BOOST_TEST(bag.to_json()["a"] == "100%");
  BOOST_TEST(bag.to_json()["b"] == "%zz");
  BOOST_TEST(bag.errors.size() == 2u);
}

BOOST_AUTO_TEST_CASE(empty_bag_and_stray_ampersands_give_no_entries) {
  BOOST_TEST(decode_property_bag("").entries.empty());
  BOOST_TEST(decode_property_bag("&&").entries.empty());
}

BOOST_AUTO_TEST_CASE(encoded_names_and_values_round_trip) {
  std::vector<std::pair<std::string, std::optional<std::string>>> in = {
      {"$.ct", "application/json"}, {"my key", "a&b=c"}, {"flag", std::nullopt}};
  const auto text = encode_property_bag(in);
  BOOST_TEST(text == "%24.ct=application%2Fjson&my%20key=a%26b%3Dc&flag");
  BOOST_TEST(decode_property_bag(text).entries == in);
}

BOOST_AUTO_TEST_CASE(duplicate_names_keep_the_last_value_in_json) {
  const auto bag = decode_property_bag("a=1&a=2");
  BOOST_TEST(bag.entries.size() == 2u);
  BOOST_TEST(bag.to_json()["a"] == "2");
  BOOST_TEST(**bag.find("a") == "2");
}

BOOST_AUTO_TEST_SUITE_END()

// The publish audit line written as text must be the event the Json path wrote: same members,
// same values, valid JSON whatever bytes the topic's property bag decodes to.
BOOST_AUTO_TEST_SUITE(publish_audit_line)

BOOST_AUTO_TEST_CASE(the_text_line_parses_to_the_event_the_json_path_built) {
  const auto bag = flexhil::broker::decode_property_bag("%24.ct=application%2Fjson&a=1&a=2&flag&bad=%ff%22&mqtt-retain=x&z=%zz");
  flexhil::broker::AcceptedPublish p;
  p.device = "Flexy\"205";
  p.topic = "devices/Flexy\"205/messages/events/$.ct=application%2Fjson";
  p.props = &bag;
  p.qos = 1;
  p.retain = true;
  p.payload = std::string_view("{\"t\":1}\x01\xff", 9);
  p.mono_ns = 123456789;
  p.wall = "2026-12-02T18:50:27.123456Z";
  const auto e = flexhil::Json::parse("{" + flexhil::broker::accepted_publish_members(p) + "}");
  flexhil::Json expected_props = bag.to_json();
  expected_props["mqtt-retain"] = "true";
  BOOST_TEST(e["kind"] == "publish");
  BOOST_TEST(e["mono_ns"] == 123456789);
  BOOST_TEST(e["wall"] == "2026-12-02T18:50:27.123456Z");
  BOOST_TEST(e["device"] == "Flexy\"205");
  BOOST_TEST(e["topic"] == std::string(p.topic));
  // Invalid UTF-8 in a decoded value becomes U+FFFD, as nlohmann's replace handler writes it.
  BOOST_TEST(e["props"].dump() == flexhil::Json::parse(expected_props.dump(-1, ' ', false, flexhil::Json::error_handler_t::replace)).dump());
  BOOST_TEST(e["props"]["a"] == "2");  // the last of a repeated name
  BOOST_TEST(e["props"]["flag"].is_null());
  BOOST_TEST(e["props_errors"].size() == bag.errors.size());
  BOOST_TEST(e["qos"] == 1);
  BOOST_TEST(e["retain"] == true);
  BOOST_TEST(e["size"] == 9);
  BOOST_TEST(e["payload_b64"] == flexhil::base64_encode(p.payload));
  BOOST_TEST(e["verdict"] == "accepted");
  BOOST_TEST(std::string(e["reason"]).find("retain flag set") == 0);
  p.retain = false;
  p.props = nullptr;
  const auto plain = flexhil::Json::parse("{" + flexhil::broker::accepted_publish_members(p) + "}");
  BOOST_TEST(plain["props"].empty());
  BOOST_TEST(plain["reason"] == "");
  BOOST_TEST(!plain.contains("props_errors"));
}

BOOST_AUTO_TEST_CASE(json_strings_escape_controls_and_replace_invalid_utf8) {
  std::string out;
  flexhil::append_json_string(out, std::string_view("a\"b\\c\n\x01\x7f" "\xC3\xA9" "\xE2\x82\xAC" "\xF0\x9F\x98\x80"
                                                    "\xC0\xAF" "\xED\xA0\x80" "\xF4\x90\x80\x80" "\xE2\x82", 28));
  const auto parsed = flexhil::Json::parse(out);
  BOOST_TEST(parsed.get<std::string>().substr(0, 8) == std::string("a\"b\\c\n\x01\x7f", 8));
  BOOST_TEST(parsed.get<std::string>().find("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80") != std::string::npos);
  // Overlong, surrogate, above U+10FFFF and truncated sequences: replaced, never passed through.
  BOOST_TEST(parsed.get<std::string>().find("\xC0") == std::string::npos);
  BOOST_TEST(parsed.get<std::string>().find("\xED\xA0") == std::string::npos);
  BOOST_TEST(parsed.get<std::string>().find("\xF4\x90") == std::string::npos);
  BOOST_TEST(parsed.get<std::string>().find("\xEF\xBF\xBD") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
