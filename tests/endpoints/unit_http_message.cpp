// The HTTP/1.1 request and response parsers (common/http_message.hpp): what the run's HTTP
// endpoint accepts, how it frames bodies, and the status it answers a malformed request with.
#include <boost/test/unit_test.hpp>

#include <string>

#include "common/http_message.hpp"

using namespace flexhil;
using http::ParseState;

BOOST_AUTO_TEST_SUITE(http_request_parser)

BOOST_AUTO_TEST_CASE(a_post_with_content_length_gives_method_path_query_headers_and_body) {
  const std::string wire =
      "POST /api/data?site=7 HTTP/1.1\r\nHost: api.example.com\r\nContent-Type: application/json\r\n"
      "Content-Length: 11\r\n\r\n{\"t\":21.5}\n";
  const auto r = http::parse_request(wire);
  BOOST_REQUIRE(r.state == ParseState::complete);
  BOOST_TEST(r.request.method == "POST");
  BOOST_TEST(r.request.target == "/api/data?site=7");
  BOOST_TEST(r.request.path == "/api/data");
  BOOST_TEST(r.request.query == "site=7");
  BOOST_TEST(r.request.version == "HTTP/1.1");
  BOOST_TEST(r.request.body == "{\"t\":21.5}\n");
  BOOST_TEST(r.consumed == wire.size());
  BOOST_TEST(http::find_header(r.request.headers, "content-type").value_or("") == "application/json");
}

BOOST_AUTO_TEST_CASE(every_prefix_of_a_request_is_incomplete_never_an_error) {
  const std::string wire = "PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello";
  for (std::size_t n = 0; n < wire.size(); ++n)
    BOOST_TEST((http::parse_request(wire.substr(0, n)).state == ParseState::incomplete), "prefix of " << n);
  BOOST_TEST((http::parse_request(wire).state == ParseState::complete));
}

BOOST_AUTO_TEST_CASE(a_chunked_body_is_decoded_and_trailers_are_skipped) {
  const std::string wire =
      "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\n"
      "X-Trailer: 1\r\n\r\n";
  const auto r = http::parse_request(wire);
  BOOST_REQUIRE(r.state == ParseState::complete);
  BOOST_TEST(r.request.body == "Wikipedia");
  BOOST_TEST(r.consumed == wire.size());
  BOOST_TEST((http::parse_request(wire.substr(0, wire.size() - 2)).state == ParseState::incomplete));
}

BOOST_AUTO_TEST_CASE(a_get_without_framing_has_no_body_and_bare_lf_lines_are_accepted) {
  const auto r = http::parse_request("GET / HTTP/1.1\nHost: h\n\n");
  BOOST_REQUIRE(r.state == ParseState::complete);
  BOOST_TEST(r.request.body.empty());
  BOOST_TEST(r.request.path == "/");
}

BOOST_AUTO_TEST_CASE(malformed_requests_get_the_status_that_says_why) {
  struct Case {
    const char* wire;
    int status;
  };
  const Case cases[] = {
      {"GET /\r\nHost: h\r\n\r\n", 400},                                        // no version
      {"GET / HTTP/1.1 extra\r\nHost: h\r\n\r\n", 400},                         // four parts
      {"G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400},                               // not a token
      {"GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n", 400},                       // not a path
      {"GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505},
      {"GET / HTTP/1.1\r\n\r\n", 400},                                          // no Host
      {"GET / HTTP/1.1\r\nHost h\r\n\r\n", 400},                                // no colon
      {"GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
      {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
  };
  for (const auto& c : cases) {
    const auto r = http::parse_request(c.wire);
    BOOST_TEST((r.state == ParseState::error), c.wire);
    BOOST_TEST(r.error_status == c.status, c.wire);
    BOOST_TEST(!r.error.empty());
  }
}

BOOST_AUTO_TEST_CASE(limits_bound_the_head_and_the_body) {
  http::Limits small;
  small.max_head = 64;
  small.max_body = 8;
  const auto head = http::parse_request("GET / HTTP/1.1\r\nHost: h\r\nX-Long: " + std::string(100, 'a'), small);
  BOOST_TEST((head.state == ParseState::error));
  BOOST_TEST(head.error_status == 431);
  const auto body = http::parse_request("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9\r\n\r\n", small);
  BOOST_TEST((body.state == ParseState::error));
  BOOST_TEST(body.error_status == 413);
}

BOOST_AUTO_TEST_CASE(a_serialized_request_parses_back_with_its_content_length) {
  http::Request q;
  q.method = "POST";
  q.target = "/a?b=c";
  q.headers = {{"Host", "x"}, {"Content-Length", "999"}};
  q.body = "payload";
  const auto r = http::parse_request(http::serialize(q));
  BOOST_REQUIRE(r.state == ParseState::complete);
  BOOST_TEST(r.request.body == "payload");
  BOOST_TEST(http::find_header(r.request.headers, "Content-Length").value_or("") == "7");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(http_response_parser)

BOOST_AUTO_TEST_CASE(a_response_with_content_length_is_complete_before_the_close) {
  const auto r = http::parse_response("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", false);
  BOOST_REQUIRE(r.state == ParseState::complete);
  BOOST_TEST(r.response.status == 201);
  BOOST_TEST(r.response.reason == "Created");
  BOOST_TEST(r.response.body == "ok");
}

BOOST_AUTO_TEST_CASE(a_response_without_framing_ends_at_the_close) {
  const std::string wire = "HTTP/1.0 200 OK\r\n\r\nall of it";
  BOOST_TEST((http::parse_response(wire, false).state == ParseState::incomplete));
  const auto r = http::parse_response(wire, true);
  BOOST_REQUIRE(r.state == ParseState::complete);
  BOOST_TEST(r.response.body == "all of it");
}

BOOST_AUTO_TEST_CASE(a_truncated_or_malformed_response_is_an_error_not_a_status) {
  BOOST_TEST((http::parse_response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", true).state == ParseState::error));
  BOOST_TEST((http::parse_response("", true).state == ParseState::error));
  BOOST_TEST((http::parse_response("SSH-2.0-OpenSSH\r\n\r\n", false).state == ParseState::error));
  BOOST_TEST((http::parse_response("HTTP/1.1 99 Low\r\n\r\n", false).state == ParseState::error));
  BOOST_TEST((http::parse_response("HTTP/1.1 2000 x\r\n\r\n", false).state == ParseState::error));
}

BOOST_AUTO_TEST_CASE(no_content_and_not_modified_have_no_body) {
  const auto r = http::parse_response("HTTP/1.1 204 No Content\r\n\r\n", false);
  BOOST_REQUIRE(r.state == ParseState::complete);
  BOOST_TEST(r.response.body.empty());
}

BOOST_AUTO_TEST_CASE(a_serialized_response_parses_back) {
  http::Response s;
  s.status = 500;
  s.headers = {{"Content-Type", "text/plain"}};
  s.body = "boom";
  const auto wire = http::serialize(s);
  BOOST_TEST(wire.rfind("HTTP/1.1 500 Internal Server Error\r\n", 0) == 0u);
  const auto r = http::parse_response(wire, false);
  BOOST_REQUIRE(r.state == ParseState::complete);
  BOOST_TEST(r.response.status == 500);
  BOOST_TEST(r.response.body == "boom");
}

BOOST_AUTO_TEST_SUITE_END()
