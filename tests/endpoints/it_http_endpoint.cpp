// The run's HTTP endpoint on a real socket: curl (a real client) posts to it and gets the
// configured answer, the request is an endpoint_request event with its body written to the
// body folder; a malformed request is answered 400 and reported; the emulated Flexy's own client
// (http_exchange) gets the configured 500, and a refused connection is an error, not a status.
#define BOOST_TEST_MODULE test_endpoints_integration
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fstream>
#include <iterator>

#include "common/error.hpp"
#include "common/event.hpp"
#include "common/net.hpp"
#include "common/sha256.hpp"
#include "common/toml_reader.hpp"
#include "common/unique_fd.hpp"
#include "sim/endpoints/http_endpoint.hpp"
#include "sim/flexy/runtime/http_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_env.hpp"
#include "tests/support/file_text.hpp"

using flexhil::testing::read_text;

using namespace flexhil;
using namespace std::chrono_literals;

namespace {

endpoints::HttpEndpointConfig config() {
  const auto doc = parse_toml_string(
      "routes = [{ path = \"/api/data\", status = 201, body = \"{\\\"accepted\\\":true}\", content_type = \"application/json\" },\n"
      "          { path = \"/api/fail\", status = 500, body = \"boom\" }]\n",
      "e.toml");
  TomlTable t(doc, "e.toml");
  return endpoints::load_http_endpoint_config(t);
}

std::vector<Json> requests(const MemorySink& sink) {
  std::vector<Json> out;
  for (const auto& e : sink.events())
    if (e.value("kind", "") == "endpoint_request") out.push_back(e);
  return out;
}

struct Endpoint {
  testing::TempDir dir;
  MemorySink sink;
  endpoints::HttpEndpoint http{{config(), dir.file("http"), "http", &sink, 2}};
  Endpoint() { http.start("127.0.0.1", 0); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(http_endpoint)

BOOST_AUTO_TEST_CASE(curl_gets_the_route_answer_and_the_request_is_recorded_with_its_body) {
  Endpoint ep;
  const std::string body = R"({"Temperature":21.5})";
  const auto [code, out] = testing::run_shell(fmt::format(
      "curl -s -o - -w ' %{{http_code}}' -H 'Authorization: SharedAccessSignature sig=secret' -H 'Content-Type: "
      "application/json' --data-binary '{}' http://127.0.0.1:{}/api/data?site=7",
      body, ep.http.port()));
  BOOST_REQUIRE_MESSAGE(code == 0, out);
  BOOST_TEST(out == "{\"accepted\":true} 201");
  BOOST_REQUIRE(wait_until([&] { return requests(ep.sink).size() == 1; }, 5s));
  const auto e = requests(ep.sink).front();
  BOOST_TEST(e.value("method", "") == "POST");
  BOOST_TEST(e.value("path", "") == "/api/data");
  BOOST_TEST(e.value("query", "") == "site=7");
  BOOST_TEST(e.value("status", 0) == 201);
  BOOST_TEST(e.value("size", 0u) == body.size());
  BOOST_TEST(e.value("sha256", "") == sha256_hex(body));
  BOOST_TEST(e["headers"].value("Authorization", "") == "<redacted>");  // never a secret in a capture
  BOOST_TEST(e["headers"].value("Content-Type", "") == "application/json");
  BOOST_REQUIRE(e.contains("body_file"));
  BOOST_TEST(e.value("body_file", "") == "http/1.bin");
  BOOST_TEST(read_text(ep.dir.file(e.value("body_file", ""))) == body);
}

BOOST_AUTO_TEST_CASE(an_unrouted_path_gets_the_default_answer) {
  Endpoint ep;
  const auto [code, out] = testing::run_shell(
      fmt::format("curl -s -o - -w ' %{{http_code}}' http://127.0.0.1:{}/elsewhere", ep.http.port()));
  BOOST_REQUIRE_MESSAGE(code == 0, out);
  BOOST_TEST(out == "ok 200");
  BOOST_REQUIRE(wait_until([&] { return requests(ep.sink).size() == 1; }, 5s));
  BOOST_TEST(!requests(ep.sink).front().contains("body_file"));  // no body, no file
}

BOOST_AUTO_TEST_CASE(a_malformed_request_is_answered_400_and_reported_and_the_server_keeps_serving) {
  Endpoint ep;
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(ep.http.port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  BOOST_REQUIRE(::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const std::string junk = "HELLO WORLD\r\n\r\n";
  BOOST_REQUIRE(::send(fd.get(), junk.data(), junk.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(junk.size()));
  std::string answer;
  char buf[512];
  for (ssize_t n; (n = ::recv(fd.get(), buf, sizeof buf, 0)) > 0;) answer.append(buf, static_cast<std::size_t>(n));
  BOOST_TEST(answer.rfind("HTTP/1.1 400 ", 0) == 0u, answer);
  BOOST_REQUIRE(wait_until([&] { return requests(ep.sink).size() == 1; }, 5s));
  BOOST_TEST(requests(ep.sink).front().value("status", 0) == 400);
  BOOST_TEST(requests(ep.sink).front().value("error", "").find("malformed request line") != std::string::npos);
  const auto [code, out] =
      testing::run_shell(fmt::format("curl -s -o /dev/null -w '%{{http_code}}' http://127.0.0.1:{}/", ep.http.port()));
  BOOST_TEST(out == "200");
  BOOST_TEST(!ep.http.failure());
}

BOOST_AUTO_TEST_CASE(the_flexy_client_sees_the_configured_500_with_its_body) {
  Endpoint ep;
  http::Request q;
  q.method = "POST";
  q.target = "/api/fail";
  q.headers = {{"Host", "api.example.com"}, {"Connection", "close"}};
  q.body = "x=1";
  const auto r = flexy::http_exchange(fmt::format("127.0.0.1:{}", ep.http.port()), q, 5s);
  BOOST_REQUIRE_MESSAGE(r.answered, r.error);
  BOOST_TEST(r.response.status == 500);
  BOOST_TEST(r.response.body == "boom");
  BOOST_REQUIRE(wait_until([&] { return requests(ep.sink).size() == 1; }, 5s));
  BOOST_TEST(requests(ep.sink).front().value("host", "") == "api.example.com");
}

BOOST_AUTO_TEST_CASE(a_refused_connection_is_an_error_without_a_status) {
  const auto port = pick_free_port();
  http::Request q;
  q.method = "GET";
  q.target = "/";
  q.headers = {{"Host", "h"}};
  const auto r = flexy::http_exchange(fmt::format("127.0.0.1:{}", port), q, 2s);
  BOOST_TEST(!r.answered);
  BOOST_TEST(r.error.find("refused") != std::string::npos, r.error);
}

BOOST_AUTO_TEST_CASE(stop_ends_the_server_and_a_busy_port_is_an_infrastructure_error) {
  Endpoint ep;
  const auto port = ep.http.port();
  endpoints::HttpEndpoint second({config(), ep.dir.file("b"), "b", nullptr, 2});
  BOOST_CHECK_THROW(second.start("127.0.0.1", port), InfrastructureError);
  ep.http.stop();
  const auto [code, out] = testing::run_shell(fmt::format("curl -s -m 2 http://127.0.0.1:{}/", port));
  BOOST_TEST(code != 0);
}

BOOST_AUTO_TEST_SUITE_END()
