// plan_http_action(): which HTTP actions are performed for real (a host [actions] resolve maps,
// by "host" or "host:port"), and the request each becomes — method, target, Host header, the
// program's headers, the body or the upload file.
#include <boost/test/unit_test.hpp>

#include "sim/flexy/runtime/outbound_actions.hpp"

using namespace flexhil;
using namespace flexhil::flexy;

namespace {

ActionPolicy mapped() {
  ActionPolicy p;
  p.resolve["api.example.com"] = "127.0.0.1:18080";
  p.resolve["files.example.com:8081"] = "127.0.0.1:18081";
  return p;
}

std::optional<std::string> no_file(const std::string&) { return std::nullopt; }

std::vector<basic::Value> args(std::initializer_list<const char*> values) {
  std::vector<basic::Value> out;
  for (const char* v : values) out.emplace_back(std::string(v));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http_plan)

BOOST_AUTO_TEST_CASE(requesthttpx_to_a_mapped_host_becomes_the_request_the_program_described) {
  const auto plan = plan_http_action(
      "requesthttpx",
      args({"http://API.example.com/v1/data?x=1", "post", "Content-Type=application/json&X-Site=7", "{}", "", "/usr/r.json"}),
      mapped(), no_file);
  BOOST_REQUIRE(plan.call);
  BOOST_TEST(plan.call->address == "127.0.0.1:18080");
  BOOST_TEST(plan.call->request.method == "POST");
  BOOST_TEST(plan.call->request.target == "/v1/data?x=1");
  BOOST_TEST(plan.call->request.body == "{}");
  BOOST_TEST(plan.call->response_file == "/usr/r.json");
  BOOST_TEST(http::find_header(plan.call->request.headers, "Host").value_or("") == "api.example.com");
  BOOST_TEST(http::find_header(plan.call->request.headers, "X-Site").value_or("") == "7");
  BOOST_TEST(http::find_header(plan.call->request.headers, "Content-Type").value_or("") == "application/json");
}

BOOST_AUTO_TEST_CASE(a_host_port_key_maps_only_that_port) {
  BOOST_TEST(plan_http_action("gethttp", args({"files.example.com:8081", "/usr/a", "/a"}), mapped(), no_file).call.has_value());
  BOOST_TEST(!plan_http_action("gethttp", args({"files.example.com", "/usr/a", "/a"}), mapped(), no_file).call.has_value());
}

BOOST_AUTO_TEST_CASE(unmapped_hosts_https_and_other_kinds_stay_scripted) {
  BOOST_TEST(!plan_http_action("requesthttpx", args({"http://other.example.com/", "GET"}), mapped(), no_file).call.has_value());
  const auto tls = plan_http_action("requesthttpx", args({"https://api.example.com/", "GET"}), mapped(), no_file);
  BOOST_TEST(!tls.call.has_value());
  BOOST_TEST(tls.not_performed.find("https") != std::string::npos);
  BOOST_TEST(!plan_http_action("sendmail", args({"a@b", "", "s", "m"}), mapped(), no_file).call.has_value());
  BOOST_TEST(!plan_http_action("requesthttpx", args({"not a url", "GET"}), mapped(), no_file).call.has_value());
}

BOOST_AUTO_TEST_CASE(puthttp_posts_by_default_and_an_upload_file_becomes_the_body) {
  const auto put = plan_http_action("puthttp", args({"api.example.com", "/in", "a=1&b=2", ""}), mapped(), no_file);
  BOOST_REQUIRE(put.call);
  BOOST_TEST(put.call->request.method == "POST");
  BOOST_TEST(put.call->request.target == "/in");
  BOOST_TEST(put.call->request.body == "a=1&b=2");
  const auto up = plan_http_action("requesthttpx", args({"http://api.example.com/u", "PUT", "", "", "/usr/data.csv"}),
                                   mapped(), [](const std::string& f) { return std::optional<std::string>("file " + f); });
  BOOST_REQUIRE(up.call);
  BOOST_TEST(up.call->request.body == "file /usr/data.csv");
  const auto missing =
      plan_http_action("requesthttpx", args({"http://api.example.com/u", "PUT", "", "", "/usr/none"}), mapped(), no_file);
  BOOST_TEST(!missing.call.has_value());
  BOOST_TEST(missing.error.find("/usr/none") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
