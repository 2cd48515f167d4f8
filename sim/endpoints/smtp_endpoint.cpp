#include "sim/endpoints/smtp_endpoint.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>

#include "common/error.hpp"
#include "common/sha256.hpp"
#include "sim/endpoints/smtp_session.hpp"
#include "sim/endpoints/tcp_listener.hpp"

namespace flexhil::endpoints {
namespace {

constexpr std::size_t kSmtpMaxCommand = 512;  // RFC 5321 4.5.3.1.4
constexpr std::size_t kSmtpMaxText = 1000;    // RFC 5321 4.5.3.1.6 (lenient: longer lines are refused at the dot)

}  // namespace

SmtpEndpoint::SmtpEndpoint(SmtpEndpointOptions options) : options_(std::move(options)) {}

SmtpEndpoint::~SmtpEndpoint() { stop(); }

void SmtpEndpoint::start(const std::string& bind, std::uint16_t port) {
  if (thread_.joinable()) return;
  std::error_code ec;
  std::filesystem::create_directories(options_.mail_dir, ec);
  if (ec)
    throw InfrastructureError(
        fmt::format("the SMTP endpoint cannot create its mail folder '{}': {}", options_.mail_dir, ec.message()));
  auto listening = listen_tcp(bind, port, "the SMTP endpoint");
  listener_ = std::move(listening.fd);
  port_ = listening.port;
  wake_ = UniqueFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake_) throw InfrastructureError(std::string("the SMTP endpoint cannot create an eventfd: ") + std::strerror(errno));
  thread_ = std::thread([this] { serve(); });
}

void SmtpEndpoint::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(wake_.get(), &one, sizeof one);
  thread_.join();
  listener_.reset();
}

std::optional<std::string> SmtpEndpoint::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

void SmtpEndpoint::emit(Json event) {
  if (options_.events) options_.events->emit(std::move(event));
}

void SmtpEndpoint::serve() {
  while (!stopping_) {
    pollfd fds[2] = {{listener_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::string("poll failed: ") + std::strerror(errno);
      {
        std::lock_guard lock(mutex_);
        failure_ = why;
      }
      emit(Json{{"kind", "endpoint_error"}, {"endpoint", "smtp"}, {"detail", why}});
      return;
    }
    if (stopping_ || (fds[1].revents & POLLIN)) return;
    if (!(fds[0].revents & POLLIN)) continue;
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    UniqueFd client(::accept4(listener_.get(), reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!client) continue;
    session(std::move(client), peer_text(ss));
  }
}

void SmtpEndpoint::session(UniqueFd client, const std::string& peer) {
  SmtpSessionOptions so;
  so.fail_code = options_.config.fail_code;
  so.fail_at = options_.config.fail_at;
  so.max_size = options_.config.max_size;
  SmtpSession smtp(so);
  send_all(client.get(), smtp.greeting());
  std::string buffer, line;
  const auto idle = std::chrono::milliseconds(static_cast<long>(options_.idle_timeout_s * 1000));
  for (;;) {
    const auto got = read_line(client.get(), wake_.get(), buffer, line, std::chrono::steady_clock::now() + idle,
                               smtp.in_data() ? kSmtpMaxText : kSmtpMaxCommand);
    if (got == LineRead::closed || got == LineRead::woken) return;  // a readiness probe, or stopping
    if (got == LineRead::timeout) {
      send_all(client.get(), "421 4.4.2 Idle timeout, closing\r\n");
      emit(Json{{"kind", "endpoint_request"}, {"endpoint", "smtp"}, {"peer", peer}, {"status", 421},
                {"error", fmt::format("no command within {} s", options_.idle_timeout_s)}});
      return;
    }
    SmtpStep step = got == LineRead::too_long ? smtp.line_too_long() : smtp.feed(line);
    if (step.mail) {
      const auto& m = *step.mail;
      const auto n = ++messages_;
      Json e = Json::object();
      e["kind"] = "endpoint_request";
      e["endpoint"] = "smtp";
      e["peer"] = peer;
      e["helo"] = m.helo;
      e["from"] = m.from;
      e["to"] = m.to;
      e["subject"] = mail_subject(m.data);
      e["size"] = m.data.size();
      e["sha256"] = sha256_hex(m.data);
      if (m.auth) e["auth"] = Json{{"mechanism", m.auth->mechanism}, {"user", m.auth->user}, {"password", "<redacted>"}};
      e["status"] = m.status;
      if (!step.error.empty()) e["error"] = step.error;
      if (!m.data.empty()) {
        const auto name = fmt::format("{}.eml", n);
        const auto path = std::filesystem::path(options_.mail_dir) / name;
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << m.data;
        if (out) e["message_file"] = options_.mail_label.empty() ? name : options_.mail_label + "/" + name;
        else e["message_error"] = "cannot write " + path.string();
      }
      // The event first: whoever waits for the reply finds the message already in the capture.
      emit(std::move(e));
    } else if (!step.error.empty()) {
      emit(Json{{"kind", "endpoint_request"}, {"endpoint", "smtp"}, {"peer", peer}, {"command", step.command},
                {"status", step.code}, {"error", step.error}});
    }
    if (!step.reply.empty()) send_all(client.get(), step.reply);
    if (step.close) return;
  }
}

}  // namespace flexhil::endpoints
