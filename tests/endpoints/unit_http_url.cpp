// URLs as programs write them for REQUESTHTTPX, and PUTHTTP/GETHTTP's server + path.
#include <boost/test/unit_test.hpp>

#include "common/http_url.hpp"

using namespace flexhil;

BOOST_AUTO_TEST_SUITE(http_url)

BOOST_AUTO_TEST_CASE(scheme_host_port_and_target_are_split_and_the_host_lower_cased) {
  const auto u = http::parse_url("http://API.Example.com:8080/v1/data?x=1#frag");
  BOOST_REQUIRE(u);
  BOOST_TEST(u->scheme == "http");
  BOOST_TEST(u->host == "api.example.com");
  BOOST_TEST(u->port == 8080);
  BOOST_TEST(u->target == "/v1/data?x=1");
  BOOST_TEST(u->authority() == "api.example.com:8080");
}

BOOST_AUTO_TEST_CASE(default_ports_and_an_empty_path) {
  const auto h = http::parse_url("http://example.com");
  BOOST_REQUIRE(h);
  BOOST_TEST(h->port == 80);
  BOOST_TEST(h->target == "/");
  BOOST_TEST(h->authority() == "example.com");
  const auto s = http::parse_url("HTTPS://example.com?q");
  BOOST_REQUIRE(s);
  BOOST_TEST(s->port == 443);
  BOOST_TEST(s->target == "/?q");
}

BOOST_AUTO_TEST_CASE(other_schemes_user_info_bad_ports_and_blanks_are_refused) {
  for (const char* bad : {"ftp://h/x", "h/x", "http://", "http://u:p@h/", "http://h:0/", "http://h:99999/",
                          "http://h:8x/", "http://h/a b", "http://h\x01/"})
    BOOST_TEST(!http::parse_url(bad), bad);
}

BOOST_AUTO_TEST_CASE(a_puthttp_server_takes_a_name_a_port_or_a_url_prefix) {
  const auto a = http::parse_server("www.server.com", "upload.php");
  BOOST_REQUIRE(a);
  BOOST_TEST(a->host == "www.server.com");
  BOOST_TEST(a->target == "/upload.php");
  const auto b = http::parse_server("www.server.com:8081", "/in");
  BOOST_REQUIRE(b);
  BOOST_TEST(b->port == 8081);
  const auto c = http::parse_server("http://www.server.com/base/", "/in");
  BOOST_REQUIRE(c);
  BOOST_TEST(c->target == "/base/in");
}

BOOST_AUTO_TEST_SUITE_END()
