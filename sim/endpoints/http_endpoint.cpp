#include "sim/endpoints/http_endpoint.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <memory>

#include "common/error.hpp"
#include "common/http_message.hpp"
#include "common/sha256.hpp"

namespace flexhil::endpoints {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

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

void send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, 2000) <= 0) return;
      continue;
    }
    if (n <= 0) return;  // the client went away: nothing left to tell it
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string peer_of(const sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    return fmt::format("{}:{}", host, ntohs(in->sin_port));
  }
  const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
  ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
  return fmt::format("[{}]:{}", host, ntohs(in6->sin6_port));
}

}  // namespace

HttpEndpoint::HttpEndpoint(HttpEndpointOptions options) : options_(std::move(options)) {}

HttpEndpoint::~HttpEndpoint() { stop(); }

void HttpEndpoint::start(const std::string& bind, std::uint16_t port) {
  if (thread_.joinable()) return;
  std::error_code ec;
  std::filesystem::create_directories(options_.body_dir, ec);
  if (ec)
    throw InfrastructureError(fmt::format("the HTTP endpoint cannot create its body folder '{}': {}", options_.body_dir,
                                          ec.message()));
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
  addrinfo* res = nullptr;
  const auto service = std::to_string(port);
  if (const int rc = ::getaddrinfo(bind.c_str(), service.c_str(), &hints, &res); rc != 0)
    throw InfrastructureError(fmt::format("the HTTP endpoint cannot listen on {}:{}: {}", bind, port, gai_strerror(rc)));
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(res, freeaddrinfo);
  std::string error = "no address";
  for (auto* ai = res; ai && !listener_; ai = ai->ai_next) {
    UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0));
    if (!fd) continue;
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd.get(), ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd.get(), 64) == 0) {
      listener_ = std::move(fd);
    } else {
      error = std::strerror(errno);
    }
  }
  if (!listener_) throw InfrastructureError(fmt::format("the HTTP endpoint cannot listen on {}:{}: {}", bind, port, error));
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&ss), &len);
  port_ = ntohs(ss.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&ss)->sin_port
                                        : reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  wake_ = UniqueFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake_) throw InfrastructureError(std::string("the HTTP endpoint cannot create an eventfd: ") + std::strerror(errno));
  thread_ = std::thread([this] { serve(); });
}

void HttpEndpoint::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(wake_.get(), &one, sizeof one);
  thread_.join();
  listener_.reset();
}

std::optional<std::string> HttpEndpoint::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

void HttpEndpoint::emit(Json event) {
  if (options_.events) options_.events->emit(std::move(event));
}

void HttpEndpoint::serve() {
  while (!stopping_) {
    pollfd fds[2] = {{listener_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::string("poll failed: ") + std::strerror(errno);
      {
        std::lock_guard lock(mutex_);
        failure_ = why;
      }
      emit(Json{{"kind", "endpoint_error"}, {"endpoint", "http"}, {"detail", why}});
      return;
    }
    if (stopping_ || (fds[1].revents & POLLIN)) return;
    if (!(fds[0].revents & POLLIN)) continue;
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    UniqueFd client(::accept4(listener_.get(), reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!client) continue;  // the client gave up before we took it (ECONNABORTED, …)
    handle(std::move(client), peer_of(ss));
  }
}

void HttpEndpoint::handle(UniqueFd client, const std::string& peer) {
  std::string buffer;
  http::RequestParse parsed;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<long>(options_.read_timeout_s * 1000));
  bool closed = false;
  while (parsed.state == http::ParseState::incomplete) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || stopping_) break;
    pollfd fds[2] = {{client.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
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
