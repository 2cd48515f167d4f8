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
  if (loop_.running()) return;
  std::error_code ec;
  std::filesystem::create_directories(options_.mail_dir, ec);
  if (ec)
    throw InfrastructureError(
        fmt::format("the SMTP endpoint cannot create its mail folder '{}': {}", options_.mail_dir, ec.message()));
  loop_.start(
      bind, port, "the SMTP endpoint",
      [this](UniqueFd client, const std::string& peer) { session(std::move(client), peer); },
      [this](const std::string& why) { emit(Json{{"kind", "endpoint_error"}, {"endpoint", "smtp"}, {"detail", why}}); });
}

void SmtpEndpoint::stop() { loop_.stop(); }

std::optional<std::string> SmtpEndpoint::failure() const { return loop_.failure(); }

void SmtpEndpoint::emit(Json event) {
  if (options_.events) options_.events->emit(std::move(event));
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
    const auto got = read_line(client.get(), loop_.wake_fd(), buffer, line, std::chrono::steady_clock::now() + idle,
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
