// [endpoints.http]: the loader's errors (file:line:col) and which answer a request gets.
#include <boost/test/unit_test.hpp>

#include <string>

#include "common/error.hpp"
#include "common/toml_reader.hpp"
#include "sim/endpoints/http_endpoint_config.hpp"

using namespace flexhil;
using namespace flexhil::endpoints;

namespace {

HttpEndpointConfig load(const std::string& text) {
  const auto doc = parse_toml_string(text, "s.toml");
  TomlTable t(doc, "s.toml");
  return load_http_endpoint_config(t);
}

std::string error_of(const std::string& text) {
  try {
    load(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http_endpoint_config)

BOOST_AUTO_TEST_CASE(routes_answer_their_path_and_method_and_the_rest_get_the_default) {
  const auto c = load(
      "status = 202\nbody = \"queued\"\n"
      "routes = [{ path = \"/api/data\", status = 201, body = \"ok\", content_type = \"application/json\" },\n"
      "          { path = \"/api/alarm\", method = \"POST\", status = 500, body = \"boom\" },\n"
      "          { path = \"/files/*\", status = 404 }]\n");
  BOOST_TEST(answer_for(c, "POST", "/api/data").status == 201);
  BOOST_TEST(answer_for(c, "POST", "/api/data").content_type == "application/json");
  BOOST_TEST(answer_for(c, "POST", "/api/alarm").status == 500);
  BOOST_TEST(answer_for(c, "GET", "/api/alarm").status == 202);   // the route is for POST only
  BOOST_TEST(answer_for(c, "GET", "/files/a/b.csv").status == 404);
  BOOST_TEST(answer_for(c, "GET", "/files/a/b.csv").body == "queued");  // the default body
  BOOST_TEST(answer_for(c, "GET", "/other").body == "queued");
}

BOOST_AUTO_TEST_CASE(the_defaults_are_200_ok) {
  const auto c = load("");
  BOOST_TEST(answer_for(c, "GET", "/").status == 200);
  BOOST_TEST(answer_for(c, "GET", "/").body == "ok");
}

BOOST_AUTO_TEST_CASE(bad_routes_are_refused_with_their_position) {
  BOOST_TEST(error_of("routes = [{ path = \"api\" }]").find("s.toml:1:") != std::string::npos);
  BOOST_TEST(error_of("routes = [{ path = \"api\" }]").find("is not a request path") != std::string::npos);
  BOOST_TEST(error_of("routes = [{ path = \"/a*b\" }]").find("only ends a path prefix") != std::string::npos);
  BOOST_TEST(error_of("routes = [{ path = \"/a\", status = 99 }]").find("status") != std::string::npos);
  BOOST_TEST(error_of("routes = [{ path = \"/a\", method = \"FETCH\" }]").find("GET") != std::string::npos);
  BOOST_TEST(error_of("routes = [{ path = \"/a\" }, { path = \"/a\" }]").find("listed twice") != std::string::npos);
  BOOST_TEST(error_of("routes = [{ path = \"/a\", colour = 1 }]").find("colour") != std::string::npos);
  BOOST_TEST(error_of("stauts = 200").find("stauts") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
