#include "sim/endpoints/http_endpoint.hpp"

#include <poll.h>
#include <sys/eventfd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>

#include "common/ascii_case.hpp"
#include "common/error.hpp"
#include "common/http_message.hpp"
#include "common/sha256.hpp"
#include "sim/endpoints/tcp_listener.hpp"

namespace flexhil::endpoints {
namespace {

// Headers as an event stores them: credentials never reach a capture.
Json header_object(const std::vector<http::Header>& headers) {
  Json out = Json::object();
  for (const auto& h : headers) {
    const bool secret = iequals(h.name, "Authorization") || iequals(h.name, "Proxy-Authorization") ||
                        iequals(h.name, "Cookie");
    out[h.name] = secret ? std::string("<redacted>") : h.value;
  }
  return out;
}

}  // namespace

HttpEndpoint::HttpEndpoint(HttpEndpointOptions options) : options_(std::move(options)) {}

HttpEndpoint::~HttpEndpoint() { stop(); }

void HttpEndpoint::start(const std::string& bind, std::uint16_t port) {
  if (loop_.running()) return;
  std::error_code ec;
  std::filesystem::create_directories(options_.body_dir, ec);
  if (ec)
    throw InfrastructureError(fmt::format("the HTTP endpoint cannot create its body folder '{}': {}", options_.body_dir,
                                          ec.message()));
  loop_.start(
      bind, port, "the HTTP endpoint",
      [this](UniqueFd client, const std::string& peer) { handle(std::move(client), peer); },
      [this](const std::string& why) { emit(Json{{"kind", "endpoint_error"}, {"endpoint", "http"}, {"detail", why}}); });
}

void HttpEndpoint::stop() { loop_.stop(); }

std::optional<std::string> HttpEndpoint::failure() const { return loop_.failure(); }

void HttpEndpoint::emit(Json event) {
  if (options_.events) options_.events->emit(std::move(event));
}

void HttpEndpoint::handle(UniqueFd client, const std::string& peer) {
  std::string buffer;
  http::RequestParse parsed;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<long>(options_.read_timeout_s * 1000));
  bool closed = false;
  while (parsed.state == http::ParseState::incomplete) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || loop_.stopping()) break;
    pollfd fds[2] = {{client.get(), POLLIN, 0}, {loop_.wake_fd(), POLLIN, 0}};
    if (::poll(fds, 2, static_cast<int>(left.count())) <= 0) continue;
    if (fds[1].revents & POLLIN) return;  // stopping
    char chunk[16384];
    const auto n = ::recv(client.get(), chunk, sizeof chunk, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n <= 0) {
      closed = true;
      break;
    }
    buffer.append(chunk, static_cast<std::size_t>(n));
    parsed = http::parse_request(buffer);
  }
  Json e = Json::object();
  e["kind"] = "endpoint_request";
  e["endpoint"] = "http";
  e["peer"] = peer;
  if (parsed.state != http::ParseState::complete) {
    if (buffer.empty() && closed) return;  // a readiness probe: connected and left
    const int status = parsed.state == http::ParseState::error ? parsed.error_status : 408;
    e["status"] = status;
    e["error"] = parsed.state == http::ParseState::error ? parsed.error
                 : closed ? "the client closed the connection inside the request"
                          : fmt::format("no complete request within {} s", options_.read_timeout_s);
    e["size"] = buffer.size();
    http::Response r;
    r.status = status;
    r.headers = {{"Content-Type", "text/plain"}, {"Connection", "close"}};
    r.body = e["error"].get<std::string>() + "\n";
    if (!closed) send_all(client.get(), http::serialize(r));
    emit(std::move(e));
    return;
  }
  const auto& req = parsed.request;
  const auto n = ++requests_;
  const auto& answer = answer_for(options_.config, req.method, req.path);
  e["method"] = req.method;
  e["target"] = req.target;
  e["path"] = req.path;
  if (!req.query.empty()) e["query"] = req.query;
  if (const auto host = http::find_header(req.headers, "Host")) e["host"] = *host;
  e["headers"] = header_object(req.headers);
  e["size"] = req.body.size();
  e["sha256"] = sha256_hex(req.body);
  if (!req.body.empty()) {
    const auto name = fmt::format("{}.bin", n);
    std::ofstream out(std::filesystem::path(options_.body_dir) / name, std::ios::binary | std::ios::trunc);
    out << req.body;
    if (out) e["body_file"] = options_.body_label.empty() ? name : options_.body_label + "/" + name;
    else e["body_error"] = "cannot write " + (std::filesystem::path(options_.body_dir) / name).string();
  }
  http::Response r;
  r.status = answer.status;
  r.headers = {{"Content-Type", answer.content_type}, {"Connection", "close"}};
  r.body = req.method == "HEAD" ? std::string() : answer.body;
  e["status"] = answer.status;
  e["response_size"] = r.body.size();
  // The event first: whoever waits for the answer finds the request already in the capture.
  emit(std::move(e));
  send_all(client.get(), http::serialize(r));
}

}  // namespace flexhil::endpoints
