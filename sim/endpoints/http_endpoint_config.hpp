#pragma once
// What the run's local HTTP endpoint answers (`[endpoints.http]`, docs/scenarios.md): a default
// status and body, and routes that answer one path (or a path prefix ending in "*"), optionally
// for one method, with their own. Pure: the loader reads through common/toml_reader.hpp (every
// error with file:line:col) and answer_for() picks the answer for a request.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/toml_reader.hpp"

namespace flexhil::endpoints {

struct HttpAnswer {
  int status = 200;
  std::string body = "ok";
  std::string content_type = "text/plain";
};

struct HttpRoute {
  std::string path;    // "/api/data", or a prefix "/api/*"
  std::string method;  // "" = any method
  HttpAnswer answer;
  SourcePosition where;
};

struct HttpEndpointConfig {
  HttpAnswer fallback;             // a request no route matches
  std::vector<HttpRoute> routes;   // first match wins
  SourcePosition where;
};

// [endpoints.http]; calls t.finish().
HttpEndpointConfig load_http_endpoint_config(TomlTable& t);

// The first route whose method (if any) and path match, else the fallback.
const HttpAnswer& answer_for(const HttpEndpointConfig& config, std::string_view method, std::string_view path);

}  // namespace flexhil::endpoints
