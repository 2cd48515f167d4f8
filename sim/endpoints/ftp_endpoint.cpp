#include "sim/endpoints/ftp_endpoint.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "common/sha256.hpp"
#include "sim/endpoints/ftp_session.hpp"
#include "sim/endpoints/tcp_listener.hpp"

namespace flexhil::endpoints {
namespace {

using FtpClock = std::chrono::steady_clock;
constexpr std::size_t kFtpMaxCommand = 512;

// The data connection of one transfer, accepted on the passive listener before `deadline`.
UniqueFd accept_data(int listener, int wake_fd, FtpClock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - FtpClock::now()).count();
    if (left <= 0) return UniqueFd();
    pollfd fds[2] = {{listener, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    const int n = ::poll(fds, 2, static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || (fds[1].revents & POLLIN)) return UniqueFd();
    if (!(fds[0].revents & POLLIN)) continue;
    UniqueFd fd(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (fd) return fd;
  }
}

// Reads the data connection to its end; false on the deadline, a stop or more than `limit`.
bool receive_all(int fd, int wake_fd, FtpClock::time_point deadline, std::size_t limit, std::string& out) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - FtpClock::now()).count();
    if (left <= 0) return false;
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    const int n = ::poll(fds, 2, static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || (fds[1].revents & POLLIN)) return false;
    if (n == 0) continue;
    char chunk[16384];
    const auto got = ::recv(fd, chunk, sizeof chunk, 0);
    if (got < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (got < 0) return false;
    if (got == 0) return true;
    out.append(chunk, static_cast<std::size_t>(got));
    if (out.size() > limit) return false;
  }
}

std::optional<std::string> slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

FtpEndpoint::FtpEndpoint(FtpEndpointOptions options) : options_(std::move(options)) {}

FtpEndpoint::~FtpEndpoint() { stop(); }

void FtpEndpoint::start(const std::string& bind, std::uint16_t port) {
  if (loop_.running()) return;
  std::error_code ec;
  std::filesystem::create_directories(options_.upload_dir, ec);
  if (ec)
    throw InfrastructureError(
        fmt::format("the FTP endpoint cannot create its upload folder '{}': {}", options_.upload_dir, ec.message()));
  loop_.start(
      bind, port, "the FTP endpoint",
      [this](UniqueFd client, const std::string& peer) { session(std::move(client), peer); },
      [this](const std::string& why) { emit(Json{{"kind", "endpoint_error"}, {"endpoint", "ftp"}, {"detail", why}}); });
}

void FtpEndpoint::stop() { loop_.stop(); }

std::optional<std::string> FtpEndpoint::failure() const { return loop_.failure(); }

void FtpEndpoint::emit(Json event) {
  if (options_.events) options_.events->emit(std::move(event));
}

void FtpEndpoint::session(UniqueFd client, const std::string& peer) {
  FtpSession ftp({options_.config.user, options_.config.password});
  send_all(client.get(), FtpSession::greeting());
  UniqueFd passive;
  std::string buffer, line;
  const auto idle = std::chrono::milliseconds(static_cast<long>(options_.idle_timeout_s * 1000));
  const auto event = [&](const FtpStep& step) {
    Json e = Json::object();
    e["kind"] = "endpoint_request";
    e["endpoint"] = "ftp";
    e["peer"] = peer;
    e["command"] = step.command;
    if (!ftp.user().empty()) e["user"] = ftp.user();
    if (!step.path.empty()) e["path"] = step.path;
    return e;
  };
  const auto refuse = [&](const FtpStep& step, int code, const std::string& text, const std::string& why) {
    auto e = event(step);
    e["status"] = code;
    e["error"] = why;
    emit(std::move(e));
    send_all(client.get(), fmt::format("{} {}\r\n", code, text));
  };
  for (;;) {
    const auto got = read_line(client.get(), loop_.wake_fd(), buffer, line, FtpClock::now() + idle, kFtpMaxCommand);
    if (got == LineRead::closed || got == LineRead::woken) return;
    if (got == LineRead::timeout) {
      send_all(client.get(), "421 Idle timeout, closing\r\n");
      emit(Json{{"kind", "endpoint_request"}, {"endpoint", "ftp"}, {"peer", peer}, {"status", 421},
                {"error", fmt::format("no command within {} s", options_.idle_timeout_s)}});
      return;
    }
    const FtpStep step = got == LineRead::too_long ? ftp.line_too_long() : ftp.feed(line);
    switch (step.action) {
      case FtpAction::reply:
      case FtpAction::close:
        if (!step.error.empty()) {
          auto e = event(step);
          e["status"] = step.code;
          e["error"] = step.error;
          emit(std::move(e));
        }
        send_all(client.get(), step.reply);
        if (step.action == FtpAction::close) return;
        break;
      case FtpAction::passive: {
        auto listening = listen_tcp("127.0.0.1", 0, "the FTP endpoint's data listener");
        passive = std::move(listening.fd);
        ftp.passive_opened();
        send_all(client.get(), FtpSession::passive_reply(listening.port, step.extended));
        break;
      }
      case FtpAction::size: {
        const auto local = served_file(options_.config, step.path);
        std::error_code ec;
        const auto size = local ? std::filesystem::file_size(*local, ec) : 0;
        if (!local || ec) send_all(client.get(), "550 No such file\r\n");
        else send_all(client.get(), fmt::format("213 {}\r\n", size));
        break;
      }
      case FtpAction::store:
      case FtpAction::retrieve: {
        const bool store = step.action == FtpAction::store;
        // One passive listener, one transfer: whatever happens the next one needs PASV again.
        UniqueFd listener = std::move(passive);
        ftp.data_used();
        if (options_.config.fail_code) {
          refuse(step, options_.config.fail_code, "Transfer refused (configured)", "refused by [endpoints.ftp] fail_code");
          break;
        }
        std::optional<std::string> content;
        if (!store) {
          const auto local = served_file(options_.config, step.path);
          if (local) content = slurp(*local);
          if (!content) {
            refuse(step, 550, "No such file", "no file is served for " + step.path);
            break;
          }
        }
        send_all(client.get(), store ? "150 Ok to send data\r\n" : "150 Opening data connection\r\n");
        const auto deadline = FtpClock::now() + idle;
        UniqueFd data = accept_data(listener.get(), loop_.wake_fd(), deadline);
        if (!data) {
          refuse(step, 425, "No data connection", "the data connection never came");
          break;
        }
        auto e = event(step);
        if (store) {
          std::string body;
          if (!receive_all(data.get(), loop_.wake_fd(), deadline, options_.max_file, body)) {
            data.reset();
            refuse(step, 426, "Transfer aborted", "the upload did not end within the time or size limit");
            break;
          }
          data.reset();
          const auto target = std::filesystem::path(options_.upload_dir) / step.path.substr(1);
          std::error_code ec;
          std::filesystem::create_directories(target.parent_path(), ec);
          std::ofstream out(target, std::ios::binary | std::ios::trunc);
          out << body;
          out.close();
          if (!out) {
            refuse(step, 451, "Cannot store the file", "cannot write " + target.string());
            break;
          }
          e["size"] = body.size();
          e["sha256"] = sha256_hex(body);
          e["file"] = options_.upload_label.empty() ? step.path.substr(1) : options_.upload_label + step.path;
        } else {
          send_all(data.get(), *content);
          data.reset();  // the end of the file is the end of the data connection
          e["size"] = content->size();
          e["sha256"] = sha256_hex(*content);
        }
        ++transfers_;
        e["status"] = 226;
        // The event first: whoever waits for the 226 finds the transfer already in the capture.
        emit(std::move(e));
        send_all(client.get(), "226 Transfer complete\r\n");
        break;
      }
    }
  }
}

}  // namespace flexhil::endpoints
