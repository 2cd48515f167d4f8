#include "sim/endpoints/http_endpoint_config.hpp"

#include <fmt/format.h>

namespace flexhil::endpoints {
namespace {

HttpAnswer load_answer(TomlTable& t, const HttpAnswer& defaults) {
  HttpAnswer a;
  a.status = static_cast<int>(t.integer("status", defaults.status, 100, 599));
  a.body = t.string("body", defaults.body);
  a.content_type = t.string("content_type", defaults.content_type);
  if (a.content_type.find_first_of("\r\n") != std::string::npos)
    t.fail("content_type", "a content type is one line");
  return a;
}

bool matches(const HttpRoute& r, std::string_view method, std::string_view path) {
  if (!r.method.empty() && r.method != method) return false;
  if (!r.path.empty() && r.path.back() == '*')
    return path.substr(0, r.path.size() - 1) == std::string_view(r.path).substr(0, r.path.size() - 1);
  return path == r.path;
}

}  // namespace

HttpEndpointConfig load_http_endpoint_config(TomlTable& t) {
  HttpEndpointConfig c;
  c.where = t.where();
  c.fallback = load_answer(t, HttpAnswer{});
  for (auto& rt : t.tables("routes")) {
    HttpRoute r;
    r.where = rt.where();
    r.path = rt.required_string("path");
    if (r.path.empty() || r.path.front() != '/' || r.path.find_first_of("?# \t\r\n") != std::string::npos)
      rt.fail("path", fmt::format("'{}' is not a request path (it starts with '/', without query; a prefix ends in '*')",
                                  r.path));
    if (r.path.find('*') != std::string::npos && r.path.find('*') != r.path.size() - 1)
      rt.fail("path", fmt::format("'{}': '*' only ends a path prefix (\"/api/*\")", r.path));
    if (rt.has("method"))
      r.method = rt.choice("method", {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}, "");
    r.answer = load_answer(rt, c.fallback);
    for (const auto& other : c.routes)
      if (other.path == r.path && other.method == r.method)
        rt.fail("path", fmt::format("route '{}'{} is listed twice (line {})", r.path,
                                    r.method.empty() ? "" : " " + r.method, other.where.line));
    rt.finish();
    c.routes.push_back(std::move(r));
  }
  t.finish();
  return c;
}

const HttpAnswer& answer_for(const HttpEndpointConfig& config, std::string_view method, std::string_view path) {
  for (const auto& r : config.routes)
    if (matches(r, method, path)) return r.answer;
  return config.fallback;
}

}  // namespace flexhil::endpoints
