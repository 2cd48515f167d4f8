// Property bags of telemetry and C2D topics.
#include <boost/test/unit_test.hpp>

#include "broker/property_bag.hpp"

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
