#include "broker/hub_bench_client.hpp"

#include <openssl/rand.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/error.hpp"
#include "common/json_read.hpp"

namespace flexhil::broker {

namespace fs = std::filesystem;

namespace {

bool process_alive(int pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

std::string read_access_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::uint64_t file_size_or_zero(const std::string& path) {
  std::error_code ec;
  const auto n = fs::file_size(path, ec);
  return ec ? 0 : n;
}

}  // namespace

HubBenchClient::HubBenchClient(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw ConfigError({dir}, "no such directory (give --run the folder a running `flexhil hub --out` or `flexhil run` writes)");
  const std::string file = (fs::path(dir) / kHubAccessFile).string();
  if (!fs::exists(file, ec))
    throw InfrastructureError("error: no hub is running for " + dir + " (" + file +
                              " is absent; it exists while `flexhil hub` or `flexhil run` runs there)");
  try {
    access_ = parse_hub_access(read_access_file(file));
  } catch (const std::invalid_argument& e) {
    throw InfrastructureError("error: " + file + " is unreadable (" + e.what() + "); is the hub still starting?");
  }
  if (!process_alive(access_.mosquitto_pid))
    throw InfrastructureError(fmt::format("error: the hub of {} is not running (mosquitto pid {} is gone)", dir,
                                          access_.mosquitto_pid));
  if (access_.events_file.empty())
    throw InfrastructureError("error: the hub of " + dir + " writes its events to no file another process can read");
  registry_ = load_registry(access_.registry);
  // The events file grows while we connect: answers are looked for from here on only.
  offset_ = file_size_or_zero(access_.events_file);
  client_ = std::make_unique<HubInternalClient>(access_.internal_port, new_request_id(), access_.username,
                                                access_.password, std::chrono::seconds(5));
}

HubBenchClient::~HubBenchClient() = default;

std::string HubBenchClient::new_request_id() {
  unsigned char r[4] = {};
  if (RAND_bytes(r, sizeof r) != 1) r[0] = static_cast<unsigned char>(counter_);
  return fmt::format("bench-{}-{}-{:02x}{:02x}{:02x}{:02x}", ::getpid(), ++counter_, r[0], r[1], r[2], r[3]);
}

void HubBenchClient::send(const std::string& topic, const Json& command) { client_->publish_command(topic, command); }

std::optional<Json> HubBenchClient::next_event() {
  while (true) {
    const auto nl = partial_.find('\n');
    if (nl != std::string::npos) {
      const std::string line = partial_.substr(0, nl);
      partial_.erase(0, nl + 1);
      Json j = parse_json_or_discarded(line);
      if (!j.is_discarded() && j.is_object()) return j;
      continue;
    }
    const auto size = file_size_or_zero(access_.events_file);
    if (size <= offset_) return std::nullopt;
    std::ifstream in(access_.events_file, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(offset_));
    std::string chunk(static_cast<std::size_t>(size - offset_), '\0');
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    chunk.resize(static_cast<std::size_t>(in.gcount()));
    if (chunk.empty()) return std::nullopt;
    offset_ += chunk.size();
    partial_ += chunk;
  }
}

std::optional<Json> HubBenchClient::wait_for(const std::function<bool(const Json&)>& match,
                                             std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    while (auto e = next_event())
      if (match(*e)) return e;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    // The plugin appends within milliseconds of the command; a short poll of a local file is the
    // whole cost (no inotify needed for a command that runs once).
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace flexhil::broker
