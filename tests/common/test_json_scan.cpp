#include <boost/test/unit_test.hpp>

#include "common/json_scan.hpp"

using flexhil::first_invalid_utf8;
using flexhil::scan_json;

BOOST_AUTO_TEST_SUITE(json_scan)

BOOST_AUTO_TEST_CASE(valid_object_keeps_members_in_order) {
  const auto s = scan_json(R"({"b":1,"a":"x","c":[true,null,-1.5e3]})");
  BOOST_REQUIRE(s.valid());
  BOOST_TEST(s.root->members.size() == 3u);
  BOOST_TEST(s.root->members[0].first == "b");
  BOOST_TEST(s.root->members[2].second.items[2].text == "-1.5e3");
}

BOOST_AUTO_TEST_CASE(duplicate_top_level_key_is_reported_with_offset) {
  const std::string text = R"({"Temp":"1","Temp":"2"})";
  const auto s = scan_json(text);
  BOOST_REQUIRE(s.root.has_value());
  BOOST_REQUIRE_EQUAL(s.duplicate_keys.size(), 1u);
  BOOST_TEST(s.duplicate_keys[0].what == "Temp");
  BOOST_TEST(s.duplicate_keys[0].path == "/");
  BOOST_TEST(s.duplicate_keys[0].offset == text.find("\"Temp\"", 2));
  BOOST_TEST(s.root->members.size() == 2u);  // both kept
}

BOOST_AUTO_TEST_CASE(duplicate_key_in_nested_object_is_reported_with_its_path) {
  const auto s = scan_json(R"({"data":{"x":1,"inner":{"k":1,"k":2}},"k":3})");
  BOOST_REQUIRE_EQUAL(s.duplicate_keys.size(), 1u);
  BOOST_TEST(s.duplicate_keys[0].path == "/data/inner");
  BOOST_TEST(s.duplicate_keys[0].what == "k");
}

BOOST_AUTO_TEST_CASE(same_key_in_sibling_objects_is_no_duplicate) {
  const auto s = scan_json(R"([{"k":1},{"k":2}])");
  BOOST_TEST(s.valid());
  BOOST_TEST(s.duplicate_keys.empty());
}

BOOST_AUTO_TEST_CASE(escaped_duplicate_is_still_a_duplicate) {
  const auto s = scan_json(R"({"a":1,"\u0061":2})");
  BOOST_REQUIRE_EQUAL(s.duplicate_keys.size(), 1u);
}

BOOST_AUTO_TEST_CASE(error_offset_points_at_the_offending_byte) {
  const auto s = scan_json(R"({"a":1,})");
  BOOST_TEST(!s.root.has_value());
  BOOST_REQUIRE(s.error_offset.has_value());
  BOOST_TEST(*s.error_offset == 7u);
  BOOST_TEST(s.error.find("trailing comma") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unescaped_quote_in_key_is_diagnosed) {
  const auto s = scan_json(R"({"Ta"g":"1"})");
  BOOST_TEST(!s.root.has_value());
  BOOST_TEST(s.suspected_unescaped_quote);
  BOOST_TEST(*s.error_offset == 5u);
}

BOOST_AUTO_TEST_CASE(missing_comma_between_members_is_not_an_unescaped_quote) {
  const auto s = scan_json(R"({"a":1 "b":2})");
  BOOST_TEST(!s.root.has_value());
  BOOST_TEST(!s.suspected_unescaped_quote);
}

BOOST_AUTO_TEST_CASE(raw_control_character_in_string_is_reported) {
  const auto s = scan_json("{\"a\":\"x\ny\"}");
  BOOST_TEST(s.root.has_value());
  BOOST_TEST(!s.valid());
  BOOST_REQUIRE_EQUAL(s.control_characters.size(), 1u);
  BOOST_TEST(s.control_characters[0].what == "U+000A");
  BOOST_TEST(s.control_characters[0].offset == 7u);
}

BOOST_AUTO_TEST_CASE(leading_zero_trailing_garbage_and_deep_nesting_are_errors) {
  BOOST_TEST(!scan_json("{\"a\":01}").root.has_value());
  BOOST_TEST(!scan_json("{} x").root.has_value());
  BOOST_TEST(!scan_json(std::string(300, '[') + std::string(300, ']')).root.has_value());
  BOOST_TEST(!scan_json("").root.has_value());
}

BOOST_AUTO_TEST_CASE(utf8_validation_finds_the_first_bad_byte) {
  BOOST_TEST(!first_invalid_utf8("h\xC3\xA9llo \xE2\x82\xAC").has_value());
  BOOST_TEST(*first_invalid_utf8("ab\xC3(") == 2u);
  BOOST_TEST(*first_invalid_utf8("a\xC0\xAF") == 1u);      // overlong
  BOOST_TEST(*first_invalid_utf8("\xED\xA0\x80") == 0u);   // surrogate
}

BOOST_AUTO_TEST_SUITE_END()
