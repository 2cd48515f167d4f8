#include <boost/test/unit_test.hpp>

#include <random>
#include <string>
#include <vector>

#include "common/json_fast_read.hpp"
#include "common/json_read.hpp"

using flexhil::Json;
using flexhil::read_json_fast;
using flexhil::read_json_head;

namespace {

// The value's dump with every number's type spelled out: nlohmann's == calls 1u and 1 equal,
// but code that asks is_number_unsigned() would not.
std::string typed(const Json& j) {
  switch (j.type()) {
    case Json::value_t::object: {
      std::string s = "{";
      for (const auto& [k, v] : j.items()) s += Json(k).dump() + ":" + typed(v) + ",";
      return s + "}";
    }
    case Json::value_t::array: {
      std::string s = "[";
      for (const auto& v : j) s += typed(v) + ",";
      return s + "]";
    }
    case Json::value_t::number_unsigned: return "u" + j.dump();
    case Json::value_t::number_integer: return "i" + j.dump();
    case Json::value_t::number_float: return "f" + j.dump();
    default: return j.dump();
  }
}

// The fast path either agrees with nlohmann exactly or steps aside; it never accepts what
// nlohmann refuses.
void agrees_with_nlohmann(const std::string& text) {
  const Json reference = Json::parse(text, nullptr, false);
  const auto fast = read_json_fast(text, flexhil::max_json_depth);
  if (fast) {
    BOOST_TEST_INFO("text: " << text);
    BOOST_REQUIRE(!reference.is_discarded());
    BOOST_TEST(typed(*fast) == typed(reference));
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(json_fast_read)

BOOST_AUTO_TEST_CASE(an_audit_line_is_read_with_nlohmanns_types) {
  const std::string line =
      R"({"kind":"publish","mono_ns":123456789012345,"device":"Flexy205","props":{"$.ct":"application/json"},)"
      R"("qos":1,"retain":false,"size":88,"payload_b64":"eyJ0IjoyMS41fQ==","wall":"2026-12-03T08:05:06.123Z",)"
      R"("src":"hub#1","src_seq":12345,"gap":-3,"ratio":0.25,"none":null,"list":[1,"a",true,[]]})";
  const auto fast = read_json_fast(line, flexhil::max_json_depth);
  BOOST_REQUIRE(fast);
  BOOST_TEST((*fast)["device"] == "Flexy205");
  BOOST_TEST((*fast)["mono_ns"].is_number_unsigned());
  BOOST_TEST((*fast)["gap"].is_number_integer());
  BOOST_TEST((*fast)["gap"].get<int>() == -3);
  BOOST_TEST((*fast)["ratio"].get<double>() == 0.25);
  BOOST_TEST((*fast)["props"]["$.ct"] == "application/json");
  agrees_with_nlohmann(line);
}

BOOST_AUTO_TEST_CASE(valid_documents_match_nlohmann_value_for_value) {
  for (const std::string text : {
           R"({})", R"([])", R"("")", "0", "-0", "-0.0", "1.5e3", "1E-2", "2e+8", "123456789012345678901234",
           "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
           "-9223372036854775808", "-9223372036854775809", "0.1", "1e-300", "true", "false", "null",
           " \t\r\n{ \"a\" : [ 1 , 2 ] } \n", R"({"a":1,"a":2})", R"({"k":{"k":{"k":"v"}}})",
           R"("esc \" \\ \/ \b \f \n \r \t")", R"("\u0041\u00e9\u20ac\ud83d\ude00")", R"("\u0000")",
           R"([1,[2,[3,[4,[5]]]]])", R"({"":""})"})
    agrees_with_nlohmann(text);
  BOOST_TEST(read_json_fast(R"("\ud83d\ude00")", 8)->get<std::string>() == "\xF0\x9F\x98\x80");
}

BOOST_AUTO_TEST_CASE(malformed_or_doubtful_text_is_left_to_nlohmann) {
  for (const std::string text : {
           "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "1.", ".5", "-", "+1", "1e", "1e+",
           "tru", "nul", "True", "\"abc", "\"a\x01\"", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"",
           "\"\\ud800\\u0041\"", "1 2", "{} x", "[1e400]", "\"caf\xC3\xA9\"", "\"\xFF\"", "{'a':1}", "NaN"}) {
    BOOST_TEST_INFO("text: " << text);
    BOOST_TEST(!read_json_fast(text, flexhil::max_json_depth).has_value());
  }
}

BOOST_AUTO_TEST_CASE(nesting_beyond_the_bound_is_left_to_nlohmann_for_its_error) {
  BOOST_TEST(read_json_fast("[[[]]]", 3).has_value());
  BOOST_TEST(!read_json_fast("[[[[]]]]", 3).has_value());
  BOOST_TEST(!read_json_fast(R"({"a":{"b":{"c":{}}}})", 3).has_value());
  const auto r = flexhil::read_json("[[[[]]]]", 3);
  BOOST_TEST(!r.ok());
  BOOST_TEST(r.error == "nesting deeper than 3 levels");
}

BOOST_AUTO_TEST_CASE(read_json_keeps_nlohmanns_errors_and_offsets) {
  const auto r = flexhil::read_json(R"({"a":1,})");
  BOOST_TEST(!r.ok());
  BOOST_TEST(r.error_offset == 7u);
  BOOST_TEST(flexhil::read_json(R"({"a":"caf\u00e9"})").value->at("a") == "caf\xC3\xA9");
  BOOST_TEST(flexhil::read_json("{\"a\":\"caf\xC3\xA9\"}").value->at("a") == "caf\xC3\xA9");  // via nlohmann
}

// Random texts from JSON's own alphabet, most of them broken in some way: whatever the fast path
// accepts, nlohmann accepts with the same value.
BOOST_AUTO_TEST_CASE(random_texts_never_disagree) {
  const std::vector<std::string> pieces = {"{", "}", "[", "]", ",", ":", "\"", "\"k\"", "\"v\"", "1", "-",
                                           "0", "2.5", "e", "E", "+", ".", "true", "null", " ", "\\",
                                           "\\u", "d83d", "\\n", "x", "9999999999999999999999"};
  std::mt19937 rng(20261203);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    const int n = static_cast<int>(rng() % 12) + 1;
    for (int k = 0; k < n; ++k) text += pieces[rng() % pieces.size()];
    agrees_with_nlohmann(text);
    if (read_json_fast(text, flexhil::max_json_depth)) ++accepted;
  }
  BOOST_TEST(accepted > 100);  // the generator does reach valid documents
}

// Strings of every length around the 16-byte block and the 8-byte word the scanner checks at
// once, with each character that ends a plain run at every position: the fast path still agrees
// with nlohmann, and the head (which checks strings without keeping them) accepts the same texts
// and sees the same escapes.
BOOST_AUTO_TEST_CASE(strings_checked_a_block_at_a_time_agree_at_every_position) {
  const std::vector<std::string> enders = {"\\\"", "\\\\", "\\n", "\\u00e9", "\"", "\x01", "\x1f", "\x7f",
                                           "\x80", "\xff", "\xc3\xa9", " ", "~"};
  int accepted = 0;
  for (std::size_t len = 0; len <= 40; ++len)
    for (std::size_t at = 0; at <= len; ++at)
      for (const auto& e : enders) {
        std::string body(len, 'a');
        body.insert(at, e);
        const std::string text = "{\"k\":\"" + body + "\",\"n\":1}";
        agrees_with_nlohmann(text);
        const auto fast = read_json_fast(text, flexhil::max_json_depth);
        const auto head = read_json_head(text, flexhil::max_json_depth);
        BOOST_REQUIRE(fast.has_value() == head.has_value());
        if (!fast) continue;
        ++accepted;
        const bool escaped = e[0] == '\\';
        BOOST_REQUIRE(head->find("k")->escaped == escaped);
        if (!escaped) BOOST_REQUIRE(head->plain_string("k") == std::optional<std::string_view>(body));
      }
  BOOST_TEST(accepted > 3000);
}

BOOST_AUTO_TEST_CASE(the_head_of_an_audit_line_is_read_without_building_it) {
  const std::string line =
      R"({"kind":"publish","mono_ns":779069119666,"wall":"2026-12-04T18:07:45.733218Z","device":"D1",)"
      R"("props":{"a":"b","n":[1,2.5,{"x":null}]},"qos":1,"retain":false,"payload_b64":"eyJ9",)"
      R"("reason":"say \"hi\"","src":"hub#1","src_seq":26084})";
  const auto head = read_json_head(line, flexhil::max_json_depth);
  BOOST_REQUIRE(head.has_value());
  BOOST_TEST(head->members.size() == 11u);
  BOOST_TEST(head->plain_string("kind").value_or("") == "publish");
  BOOST_TEST(head->plain_string("src").value_or("") == "hub#1");
  BOOST_TEST(head->unsigned_number("src_seq").value_or(0) == 26084u);
  BOOST_TEST(head->unsigned_number("mono_ns").value_or(0) == 779069119666u);
  BOOST_TEST(!head->plain_string("reason"));  // escaped: the raw text is not its value
  BOOST_TEST(head->find("reason")->escaped);
  BOOST_TEST(!head->plain_string("qos"));     // a number, not a string
  BOOST_TEST(!head->unsigned_number("wall"));
  BOOST_TEST((head->find("props")->type == flexhil::JsonHead::Member::Type::other));
  BOOST_TEST(!head->find("seq"));
}

BOOST_AUTO_TEST_CASE(the_head_takes_only_what_the_fast_path_is_sure_of) {
  for (const std::string text : {
           R"([1,2])",                                   // not an object
           R"({"a":1} x)",                               // trailing content
           R"({"a":{"b":[1,}]}})",                       // broken deep inside
           "{\"a\":\"\xc3\xa9\"}",                    // UTF-8 for nlohmann to validate
           "{\"k\\u0041\":1}",                        // an escaped key
           R"({"a":1e400})",                             // out of a double's range
           R"({"a":01})",                                // not JSON's grammar
           R"({"a":"x)",                                 // unfinished
       })
    BOOST_TEST(!read_json_head(text, flexhil::max_json_depth), text);
  const auto dup = read_json_head(R"({"src_seq":1,"src_seq":2,"n":-1,"f":1.5})", flexhil::max_json_depth);
  BOOST_REQUIRE(dup.has_value());
  BOOST_TEST(dup->unsigned_number("src_seq").value_or(0) == 2u);  // the last of duplicates, as a reader keeps
  BOOST_TEST(!dup->unsigned_number("n"));
  BOOST_TEST(!dup->unsigned_number("f"));
  BOOST_TEST(!read_json_head(R"({"a":[[[1]]]})", 3));  // nesting beyond the bound
  BOOST_TEST(read_json_head(R"({"a":[[1]]})", 3).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
