#include "broker/tls_log_watcher.hpp"

#include "broker/qos_log_line.hpp"

#include <cctype>
#include <charconv>
#include <fstream>

namespace flexhil::broker {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string_view trim_period(std::string_view s) {
  while (!s.empty() && (s.back() == '.' || s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// "error:0A000086:SSL routines::certificate verify failed" -> "certificate verify failed"
std::string openssl_reason(std::string_view error) {
  error = trim_period(error);
  const auto colon = error.rfind(':');
  return std::string(colon == std::string_view::npos ? error : error.substr(colon + 1));
}

std::string hint_for(std::string_view reason) {
  if (reason == "certificate verify failed")
    return "the client certificate failed verification in the handshake; the hub lets every certificate "
           "through to CONNECT (TLS shim), so this means the shim was not loaded into mosquitto";
  if (reason == "peer did not return a certificate")
    return "no client certificate presented where the handshake required one (the hub's MQTTS port does "
           "not: this means the TLS shim was not loaded into mosquitto)";
  if (reason == "unsupported protocol" || reason == "tlsv1 alert protocol version")
    return "TLS version below 1.2: the hub speaks TLS 1.2 (and 1.3 only with tls13)";
  if (reason == "wrong version number")
    return "not a TLS 1.2+ ClientHello (plain MQTT on a TLS port, or an old SSL/TLS version)";
  if (reason == "no shared cipher")
    return "no cipher suite in common: the hub offers only ECDHE-RSA-AES128/256-GCM-SHA256/384 and "
           "ECDHE-RSA-AES128-SHA256/AES256-SHA384";
  if (reason.find("alert unknown ca") != std::string_view::npos ||
      reason.find("alert bad certificate") != std::string_view::npos ||
      reason.find("alert certificate unknown") != std::string_view::npos)
    return "the device rejected the hub's certificate: install the hub CA file on the device and map "
           "the hub host name to this machine";
  return "";
}

// "127.0.0.1:49872 on port 8883." -> address, port
bool parse_new_connection(std::string_view rest, std::string& address, std::uint16_t& port) {
  const auto on = rest.rfind(" on port ");
  if (on == std::string_view::npos) return false;
  address = std::string(rest.substr(0, on));
  const auto digits = trim_period(rest.substr(on + 9));
  unsigned value = 0;
  const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || p != digits.data() + digits.size() || value > 65535) return false;
  port = static_cast<std::uint16_t>(value);
  return true;
}

}  // namespace

std::string_view strip_log_timestamp(std::string_view line) {
  // "%Y-%m-%dT%H:%M:%S: " (our format) or mosquitto's default "<epoch seconds>: ".
  if (line.size() > 21 && line[4] == '-' && line[10] == 'T' && line[19] == ':' && line[20] == ' ')
    return line.substr(21);
  std::size_t i = 0;
  while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) ++i;
  if (i > 0 && i + 1 < line.size() && line[i] == ':' && line[i + 1] == ' ') return line.substr(i + 2);
  return line;
}

TlsLogParser::TlsLogParser(std::map<std::uint16_t, std::string> listener_names)
    : names_(std::move(listener_names)) {}

std::string TlsLogParser::listener_name(std::uint16_t port) const {
  const auto it = names_.find(port);
  return it == names_.end() ? "unknown" : it->second;
}

std::optional<TlsFailure> TlsLogParser::finish(Pending pending) {
  if (pending.errors.empty()) return std::nullopt;
  TlsFailure f;
  f.address = std::move(pending.address);
  f.port = pending.port;
  f.listener = pending.port ? listener_name(pending.port) : "unknown";
  f.reason = openssl_reason(pending.errors.front());
  for (const auto& e : pending.errors) {
    if (!f.openssl_error.empty()) f.openssl_error += "; ";
    f.openssl_error += e;
  }
  f.detail = hint_for(f.reason);
  return f;
}

// The newest socket of `from` accepted from `host` on a TLS listener, moved into `into`.
bool TlsLogParser::take_tls_socket(std::vector<Pending>& from, const std::string& host, Pending& into) const {
  for (auto it = from.rbegin(); it != from.rend(); ++it) {
    const auto colon = it->address.rfind(':');
    if (colon != host.size() || it->address.compare(0, colon, host) != 0) continue;
    if (it->port == 0 || listener_name(it->port) == "internal") continue;
    into = std::move(*it);
    from.erase(std::next(it).base());
    return true;
  }
  return false;
}

std::optional<TlsFailure> TlsLogParser::feed(std::string_view raw) {
  const std::string_view line = strip_log_timestamp(trim_period(raw));
  if (starts_with(line, "New connection from ")) {
    Pending p;
    if (parse_new_connection(line.substr(20), p.address, p.port)) open_.push_back(std::move(p));
    if (open_.size() > 256) open_.erase(open_.begin());  // sockets that never said anything
    return std::nullopt;
  }
  if (starts_with(line, "New client connected from ")) {
    // "New client connected from 127.0.0.1:45270 as <id> (p2, c1, k60)": the handshake succeeded.
    const auto rest = line.substr(26);
    const auto address = rest.substr(0, rest.find(' '));
    std::erase_if(open_, [&](const Pending& p) { return p.address == address; });
    return std::nullopt;
  }
  if (starts_with(line, "OpenSSL Error[")) {
    // mosquitto does not say which socket: it is the newest one still in its handshake.
    const auto colon = line.find("]: ");
    if (colon == std::string_view::npos) return std::nullopt;
    if (open_.empty()) open_.push_back(Pending{});
    open_.back().errors.emplace_back(trim_period(line.substr(colon + 3)));
    return std::nullopt;
  }
  if (starts_with(line, "Client <unknown> ")) {
    // "Client <unknown> disconnected: Protocol error." / "… closed its connection."
    for (auto it = open_.rbegin(); it != open_.rend(); ++it) {
      if (it->errors.empty()) continue;
      Pending done = std::move(*it);
      open_.erase(std::next(it).base());
      return finish(std::move(done));
    }
    if (!open_.empty()) {  // a probe or scanner that closed without a word — or see closed_
      closed_.push_back(std::move(open_.back()));
      open_.pop_back();
      if (closed_.size() > 8) closed_.erase(closed_.begin());
    }
    return std::nullopt;
  }
  if (starts_with(line, "Client connection from ")) {
    // "Client connection from 127.0.0.1 failed: error:0A000102:SSL routines::unsupported protocol."
    // (the handshake failed inside accept, before any "New connection" line).
    const auto rest = line.substr(23);
    const auto failed = rest.find(" failed: ");
    if (failed == std::string_view::npos) return std::nullopt;
    const std::string host(rest.substr(0, failed));
    Pending p;
    p.address = host;
    // Usually a "New connection from host:port on port N" came first: the newest one from that
    // host on a TLS listener (the internal listener is plain TCP) is the socket that failed.
    if (!take_tls_socket(open_, host, p)) take_tls_socket(closed_, host, p);
    p.errors.emplace_back(trim_period(rest.substr(failed + 9)));
    return finish(std::move(p));
  }
  return std::nullopt;
}

Json to_event(const TlsFailure& f) {
  Json e = make_event("tls_failure");
  e["address"] = f.address;
  e["listener"] = f.listener;
  e["port"] = f.port;
  e["reason"] = f.reason;
  e["openssl_error"] = f.openssl_error;
  if (!f.detail.empty()) e["detail"] = f.detail;
  return e;
}

TlsLogWatcher::TlsLogWatcher(std::string log_path, std::map<std::uint16_t, std::string> listener_names,
                             EventSink& sink)
    : path_(std::move(log_path)), parser_(std::move(listener_names)), sink_(sink) {
  thread_ = std::thread([this] { run(); });
}

TlsLogWatcher::~TlsLogWatcher() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  drain();
}

void TlsLogWatcher::drain() {
  while (read_new_lines()) {
  }
}

bool TlsLogWatcher::read_new_lines() {
  std::lock_guard lock(read_mutex_);
  std::ifstream in(path_, std::ios::binary);
  if (!in) return false;
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::uint64_t>(in.tellg());
  if (size < offset_) offset_ = 0;  // truncated: start over
  if (size == offset_) return false;
  in.seekg(static_cast<std::streamoff>(offset_));
  std::string chunk(size - offset_, '\0');
  in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  chunk.resize(static_cast<std::size_t>(in.gcount()));
  offset_ += chunk.size();
  partial_ += chunk;
  std::size_t start = 0;
  for (auto nl = partial_.find('\n'); nl != std::string::npos; nl = partial_.find('\n', start)) {
    const auto line = std::string_view(partial_).substr(start, nl - start);
    if (auto failure = parser_.feed(line)) sink_.emit(to_event(*failure));
    if (auto client = too_high_qos_publisher(strip_log_timestamp(line))) sink_.emit(qos2_refused_publish_event(*client));
    start = nl + 1;
  }
  partial_.erase(0, start);
  return !chunk.empty();
}

void TlsLogWatcher::run() {
  std::unique_lock lock(stop_mutex_);
  while (!stopping_) {
    lock.unlock();
    const bool got = read_new_lines();
    lock.lock();
    if (!got) stop_cv_.wait_for(lock, std::chrono::milliseconds(40), [this] { return stopping_; });
  }
}

}  // namespace flexhil::broker
