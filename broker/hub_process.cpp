#include "broker/hub_process.hpp"

#include <limits.h>
#include <openssl/rand.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "broker/audit_tailer.hpp"
#include "broker/hub_access.hpp"
#include "broker/hub_internal_client.hpp"
#include "broker/tls_log_watcher.hpp"
#include "broker/tls_probe.hpp"
#include "certs/pki.hpp"
#include "common/capture_accountant.hpp"
#include "common/json_fast_read.hpp"
#include "common/json_read.hpp"
#include "common/error.hpp"
#include "common/private_file.hpp"
#include "common/net.hpp"
#include "common/process.hpp"

namespace flexhil::broker {

namespace fs = std::filesystem;

namespace {

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
    throw InfrastructureError("the system random generator failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

// mosquitto started as root switches to `user` (default "mosquitto", which cannot read our
// files); naming the invoking user keeps it as it is — root stays root.
std::string current_user_name() {
  const passwd* pw = ::getpwuid(::geteuid());
  return pw && pw->pw_name ? pw->pw_name : "";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw InfrastructureError("cannot write " + path);
}

std::string last_lines(const std::string& text, std::size_t n) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) lines.push_back(l);
  std::string out;
  for (std::size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i) out += "\n  " + lines[i];
  return out;
}

std::string absolute(const std::string& p) { return fs::absolute(p).lexically_normal().string(); }

std::string executable_dir() {
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

}  // namespace

std::map<std::string, std::string> mosquitto_environment(const std::string& tls_shim, bool tls13,
                                                         std::optional<std::uint16_t> websocket_port) {
  std::map<std::string, std::string> env{{"FLEXHIL_TLS_CLIENT_CERT", "optional"},
                                         {"FLEXHIL_TLS_MAX_VERSION", tls13 ? "1.3" : "1.2"}};
  if (websocket_port) env["FLEXHIL_TLS_WS_PORT"] = std::to_string(*websocket_port);
  // Without TZ, glibc stats /etc/localtime on every localtime() — once per log line of the
  // broker, i.e. per packet. Set, the same zone is read once.
  if (const char* tz = std::getenv("TZ"); !tz || !*tz) env["TZ"] = ":/etc/localtime";
  std::string preload;
#ifdef FLEXHIL_ASAN_RUNTIME
  // Sanitizer build: the plugin was built with ASan, mosquitto was not (see broker/CMakeLists.txt);
  // the ASan runtime must be the first library loaded. mosquitto's own allocations at exit are
  // not ours to judge.
  preload = FLEXHIL_ASAN_RUNTIME;
  env["ASAN_OPTIONS"] = "detect_leaks=0";
#endif
  if (!tls_shim.empty()) preload += (preload.empty() ? "" : ":") + tls_shim;
  if (!preload.empty()) env["LD_PRELOAD"] = preload;
  return env;
}

namespace {

// `file` under <dir>/<sub> for the executable's directory and its parents (the build tree).
std::string find_next_to_executable(const char* env_name, const fs::path& sub, const std::string& what,
                                    const std::string& target) {
  if (const char* env = std::getenv(env_name); env && *env) {
    if (!fs::exists(env)) throw InfrastructureError(std::string(env_name) + " names a missing file: " + env);
    return absolute(env);
  }
  std::string looked;
  fs::path dir = executable_dir();
  for (int up = 0; up < 5 && !dir.empty(); ++up, dir = dir.parent_path()) {
    const auto candidate = dir / sub;
    if (fs::exists(candidate)) return candidate.string();
    looked += (looked.empty() ? "" : ", ") + candidate.string();
    if (dir == dir.root_path()) break;
  }
  throw InfrastructureError(what + " was not found (looked in " + looked + "); build the target " + target +
                            " or set " + env_name);
}

}  // namespace

std::string find_iothub_plugin() {
  return find_next_to_executable("FLEXHIL_IOTHUB_PLUGIN", fs::path("broker") / "plugin" / "flexhil_iothub.so",
                                 "the iothub plugin flexhil_iothub.so", "flexhil_iothub");
}

std::string find_tls_shim() {
  return find_next_to_executable("FLEXHIL_TLS_SHIM", fs::path("broker") / "tls_shim" / "libflexhil_tls_shim.so",
                                 "the TLS shim libflexhil_tls_shim.so", "flexhil_tls_shim");
}

struct HubProcess::Impl {
  HubOptions options;
  EventSink& sink;
  Registry registry;
  HubPorts ports;
  std::string hub_name, hub_host, out_dir, ca_file, log_file, config_file, trust_file, stdout_file;
  std::string probe_cert, probe_key;
  std::string tls_shim;
  HubConfig config;
  ChildProcess child;
  std::unique_ptr<TlsLogWatcher> watcher;
  std::unique_ptr<HubInternalClient> client;
  std::atomic<std::uint64_t> next_rid{1};
  std::string client_id_prefix;
  unsigned connections = 0;
  unsigned starts = 0;  // numbers the audit streams: hub#1, hub#2, … (one per broker start)

  // The audit path: the plugin writes, the tailer reads, the accountant checks src_seq.
  std::string audit_file;
  std::unique_ptr<AuditTailer> tailer;
  mutable std::mutex audit_mutex;  // accountant and pong state (tailer thread vs. callers)
  CaptureAccountant accountant;
  std::int64_t last_pong_id = 0;
  std::chrono::steady_clock::time_point last_pong_at;
  std::condition_variable pong_arrived;

  // Supervision: the child's state is shared between the supervisor thread and callers.
  mutable std::mutex child_mutex;
  std::optional<HubFailure> failed;
  std::int64_t next_ping = 1;
  std::thread supervisor;
  std::mutex supervisor_mutex;
  std::condition_variable supervisor_wake;
  bool supervisor_stop = false;

  Impl(HubOptions o, EventSink& s) : options(std::move(o)), sink(s) {}
  ~Impl() {
    stop();
    tailer.reset();  // drains what the last broker wrote
    std::error_code ignored;
    if (!options.audit_to_file && !audit_file.empty()) fs::remove(audit_file, ignored);  // the FIFO holds nothing now
  }

  void on_audit_lines(const std::vector<std::string_view>& lines);
  bool wait_for_pong(std::int64_t id, std::chrono::milliseconds timeout);
  void start_supervisor();
  void stop_supervisor();
  void supervise();
  void fail(const std::string& cause, const std::string& detail);
  std::string exit_detail(int status) const;

  void make_audit_path();
  void prepare();
  void prepare_plain();
  void prepare_pki();
  certs::KeyPair load_or_make_ca();
  void write_trust_bundle();
  std::string pki_dir() const;
  void choose_ports();
  void start_with_retries();
  // Empty string = ready; otherwise why not (the child is stopped then).
  std::string start_once();
  void write_access_file();
  std::string wait_ready();
  void stop();
  std::map<std::uint16_t, std::string> listener_names() const;
};

void HubProcess::Impl::prepare() {
  if (options.plain) return prepare_plain();
  if (options.registry.empty()) throw ConfigError({"--registry"}, "the hub needs a device registry (--registry FILE)");
  if (options.out_dir.empty()) throw ConfigError({"--out"}, "the hub needs an output directory");
  registry = load_registry(options.registry);
  hub_name = options.hub.empty() ? registry.hub : options.hub;
  if (hub_name.empty())
    throw ConfigError({options.registry}, "no hub name: set hub = \"NAME\" in the registry or pass --hub NAME");
  if (!is_valid_hub_name(hub_name))
    throw ConfigError({options.hub.empty() ? options.registry : std::string("--hub")},
                      "invalid hub name '" + hub_name + "' (3..50 letters, digits or '-')");
  hub_host = hub_name + std::string(kHostSuffix);
  if (options.port != 0 && options.websocket_port && *options.websocket_port == options.port)
    throw ConfigError({"--port/--ws-port"}, "the MQTTS and WebSocket ports must differ (mosquitto cannot serve two "
                                            "listeners on one port); got both " + std::to_string(options.port));

  std::error_code ec;
  fs::create_directories(options.out_dir, ec);
  if (ec) throw InfrastructureError("cannot create the hub's output directory " + options.out_dir + ": " + ec.message());
  out_dir = absolute(options.out_dir);
  ca_file = out_dir + "/ca.crt";
  log_file = out_dir + "/broker.log";
  config_file = out_dir + "/mosquitto.conf";
  trust_file = out_dir + "/client-trust.pem";
  stdout_file = out_dir + "/mosquitto.out";
  audit_file = out_dir + (options.audit_to_file ? "/audit.jsonl" : "/audit.pipe");
  client_id_prefix = "flexhil-harness-" + random_hex(4);

  tls_shim = options.tls_shim_path.empty() ? find_tls_shim() : absolute(options.tls_shim_path);
  prepare_pki();
  write_trust_bundle();

  config.hub_name = hub_name;
  config.bind_address = options.bind_address;
  config.log_file = log_file;
  config.client_trust_file = trust_file;
  config.run_as_user = current_user_name();
  config.registry_path = absolute(options.registry);
  if (options.with_plugin) config.plugin_path = options.plugin_path.empty() ? find_iothub_plugin() : absolute(options.plugin_path);
  config.internal_username = "flexhil-harness";
  config.internal_password = random_hex(24);
  if (options.with_plugin) config.audit_file = audit_file;
  config.plugin = options.plugin;
  choose_ports();
}

// A new, empty audit stream: a FIFO (what an earlier run left at the path is replaced), or an
// emptied file with options.audit_to_file.
void HubProcess::Impl::make_audit_path() {
  if (options.audit_to_file) {
    std::ofstream(audit_file, std::ios::trunc).flush();
    return;
  }
  std::error_code ignored;
  fs::remove(audit_file, ignored);
  if (::mkfifo(audit_file.c_str(), 0600) != 0)
    throw InfrastructureError("cannot create the hub's audit FIFO " + audit_file + ": " + std::strerror(errno));
}

std::string HubProcess::Impl::pki_dir() const {
  return absolute(options.pki_dir.empty() ? out_dir + "/pki" : options.pki_dir);
}

// The run's CA (kept in the PKI directory across restarts), also written as <out>/ca.crt.
certs::KeyPair HubProcess::Impl::load_or_make_ca() {
  const std::string pki = pki_dir();
  std::error_code ec;
  fs::create_directories(pki, ec);
  if (ec) throw InfrastructureError("cannot create the PKI directory " + pki + ": " + ec.message());
  certs::KeyPair ca;
  const std::string ca_crt = pki + "/ca.crt", ca_key = pki + "/ca.key";
  if (fs::exists(ca_crt) && fs::exists(ca_key)) {
    ca = certs::load_key_pair(ca_crt, ca_key);
  } else {
    certs::CertificateSpec spec;
    spec.common_name = "flexhil test root CA";
    spec.is_ca = true;
    spec.lifetime = std::chrono::hours(24 * 365 * 5);
    ca = certs::make_self_signed(spec);
    ca.write(pki, "ca");
  }
  write_file(ca_file, ca.cert_pem);
  return ca;
}

// A plain broker: no registry and no hub name; the users file (0600: it holds passwords) and,
// for TLS, a server certificate whose SANs are the names the devices dial.
void HubProcess::Impl::prepare_plain() {
  if (options.out_dir.empty()) throw ConfigError({"--out"}, "the broker needs an output directory");
  const auto& plain = *options.plain;
  std::error_code ec;
  fs::create_directories(options.out_dir, ec);
  if (ec) throw InfrastructureError("cannot create the broker's output directory " + options.out_dir + ": " + ec.message());
  out_dir = absolute(options.out_dir);
  ca_file = out_dir + "/ca.crt";
  log_file = out_dir + "/broker.log";
  config_file = out_dir + "/mosquitto.conf";
  stdout_file = out_dir + "/mosquitto.out";
  audit_file = out_dir + (options.audit_to_file ? "/audit.jsonl" : "/audit.pipe");
  client_id_prefix = "flexhil-harness-" + random_hex(4);

  PlainListenerConfig listener;
  listener.tls = plain.tls;
  listener.telemetry_filter = plain.telemetry_filter;
  if (!plain.users.empty()) {
    listener.users_file = out_dir + "/broker-users.jsonl";
    write_new_file(listener.users_file, render_plain_users(plain.users), 0600);
  }
  const auto ca = load_or_make_ca();
  if (plain.tls) {
    certs::CertificateSpec spec;
    spec.common_name = "localhost";
    spec.key = certs::KeyType::rsa2048;
    spec.server_auth = true;
    spec.dns_names = {"localhost"};
    spec.ip_addresses = {"127.0.0.1", "::1"};
    for (const auto& name : options.extra_names) {
      auto& list = is_ip_address(name) ? spec.ip_addresses : spec.dns_names;
      if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(name);
    }
    if (spec.dns_names.size() > 1) spec.common_name = spec.dns_names[1];
    const auto [crt, key] = certs::make_signed(spec, ca).write(out_dir, "broker");
    config.server_cert_file = crt;
    config.server_key_file = key;
  }
  config.plain = listener;
  config.bind_address = options.bind_address;
  config.log_file = log_file;
  config.run_as_user = current_user_name();
  if (options.with_plugin) config.plugin_path = options.plugin_path.empty() ? find_iothub_plugin() : absolute(options.plugin_path);
  config.internal_username = "flexhil-harness";
  config.internal_password = random_hex(24);
  if (options.with_plugin) config.audit_file = audit_file;
  choose_ports();
}

void HubProcess::Impl::prepare_pki() {
  const std::string pki = pki_dir();
  const auto ca = load_or_make_ca();

  // A hub certificate given in the PKI directory is used as it is; otherwise a fresh one per
  // start, so the host name and the extra names always match this run's options.
  const std::string hub_crt = pki + "/hub.crt", hub_key = pki + "/hub.key";
  if (fs::exists(hub_crt) && fs::exists(hub_key)) {
    config.server_cert_file = hub_crt;
    config.server_key_file = hub_key;
  } else {
    // The bench's own address too, when the device ports listen on one.
    auto names = options.extra_names;
    if (options.bind_address != "0.0.0.0" && options.bind_address != "::") names.push_back(options.bind_address);
    const auto server = certs::make_hub_server_certificate(hub_host, ca, names);
    const auto [crt, key] = server.write(out_dir, "hub");
    config.server_cert_file = crt;
    config.server_key_file = key;
  }

  // The readiness probe's own client certificate: a completed handshake with it proves the port
  // takes a client certificate (any: the plugin judges it at CONNECT).
  certs::CertificateSpec probe;
  probe.common_name = "flexhil-readiness-probe";
  probe.key = certs::KeyType::ecdsa_p256;  // any key type is fine for a client; this one is quick to make
  probe.client_auth = true;
  std::tie(probe_cert, probe_key) = certs::make_self_signed(probe).write(out_dir, "probe");
}

// The handshake accepts any client certificate (the TLS shim), so this bundle only names the
// CAs in the CertificateRequest, where a client may use them to choose its certificate; the
// plugin verifies chains against the registry's CAs and the extra trusted ones (ca-trust.pem).
void HubProcess::Impl::write_trust_bundle() {
  std::string bundle = "# flexhil: certificates named in the MQTTS port's CertificateRequest (generated)\n";
  std::string extra_cas;
  bundle += read_file(probe_cert);
  auto read = [&](const std::string& path, const SourcePosition& where) {
    try {
      auto pem = certs::read_certificate_file(path);
      if (pem.back() != '\n') pem += '\n';
      return pem;
    } catch (const ConfigError& e) {
      throw ConfigError(where, e.message());
    }
  };
  for (const auto* identities : {&registry.devices, &registry.modules})
    for (const auto& d : *identities) {
      if (d.auth != AuthKind::x509_selfsigned) continue;
      if (!d.certificate.empty()) bundle += read(d.certificate, d.where);
      if (!d.secondary_certificate.empty()) bundle += read(d.secondary_certificate, d.where);
    }
  for (const auto& ca : registry.cas) bundle += read(ca.certificate, ca.where);
  for (const auto& extra : options.trust_files) extra_cas += read(extra, SourcePosition{extra});
  bundle += extra_cas;
  write_file(trust_file, bundle);
  if (!extra_cas.empty()) {
    config.ca_trust_file = out_dir + "/ca-trust.pem";
    write_file(config.ca_trust_file, extra_cas);
  }
}

void HubProcess::Impl::choose_ports() {
  // Fixed ports stay; ephemeral ones (0) are picked again after a bind collision.
  auto pick = [&](std::uint16_t wanted, std::uint16_t& port, const std::string& host) {
    port = wanted != 0 ? wanted : pick_free_port(host);
  };
  const std::string host = options.bind_address == "0.0.0.0" || options.bind_address == "::" ? "127.0.0.1"
                                                                                              : options.bind_address;
  if (options.plain) {
    pick(options.plain->port, ports.broker, host);
    ports.internal = pick_free_port("127.0.0.1");
    config.plain->port = ports.broker;
    config.internal_port = ports.internal;
    return;
  }
  pick(options.port, ports.mqtts, host);
  if (options.websocket_port) {
    std::uint16_t ws = 0;
    pick(*options.websocket_port, ws, host);
    ports.websocket = ws;
  }
  ports.internal = pick_free_port("127.0.0.1");
  config.mqtts_port = ports.mqtts;
  config.internal_port = ports.internal;
  config.websocket_port = ports.websocket;
}

std::map<std::uint16_t, std::string> HubProcess::Impl::listener_names() const {
  if (options.plain) return {{ports.broker, "broker"}, {ports.internal, "internal"}};
  std::map<std::uint16_t, std::string> names{{ports.mqtts, "mqtts"}, {ports.internal, "internal"}};
  if (ports.websocket) names[*ports.websocket] = "websocket";
  return names;
}

std::string HubProcess::Impl::wait_ready() {
  const auto timeout = options.startup_timeout;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto alive = [this] { return child.running(); };
  auto remaining = [&] {
    return std::max(std::chrono::milliseconds(100), std::chrono::duration_cast<std::chrono::milliseconds>(
                                                        deadline - std::chrono::steady_clock::now()));
  };
  auto exited = [this] {
    const auto status = child.exit_status();
    return "mosquitto exited during start-up (exit status " + (status ? std::to_string(*status) : std::string("?")) + ")";
  };
  const auto secs = std::to_string(timeout.count() / 1000) + " s";
  if (!wait_for_tcp_port("127.0.0.1", ports.internal, remaining(), alive))
    return child.running() ? "mosquitto did not accept TCP on its internal listener 127.0.0.1:" +
                                 std::to_string(ports.internal) + " within " + secs
                           : exited();

  // TLS on every device port: the server certificate verifies against our CA, and the MQTTS
  // port takes a client certificate.
  const std::string host = options.bind_address == "0.0.0.0" ? "127.0.0.1"
                           : options.bind_address == "::"    ? "::1"
                                                             : options.bind_address;
  struct Probe {
    std::uint16_t port;
    bool with_cert;
  };
  std::vector<Probe> probes;
  if (!options.plain) {
    probes = {{ports.mqtts, true}};
    if (ports.websocket) probes.push_back({*ports.websocket, false});
  } else if (options.plain->tls) {
    probes = {{ports.broker, false}};
  } else if (!wait_for_tcp_port(host, ports.broker, remaining(), alive)) {
    return child.running() ? "mosquitto did not accept TCP on " + host + ":" + std::to_string(ports.broker) +
                                 " within " + secs
                           : exited();
  }
  for (const auto& p : probes) {
    TlsProbeResult last;
    wait_until(
        [&] {
          if (!child.running()) return true;
          last = probe_tls(host, p.port, ca_file, p.with_cert ? probe_cert : "", p.with_cert ? probe_key : "");
          return last.ok;
        },
        remaining());
    if (!child.running()) return exited();
    if (!last.ok)
      return "mosquitto did not accept TLS on " + host + ":" + std::to_string(p.port) + " within " + secs +
             (last.error.empty() ? "" : " (" + last.error + ")");
  }

  try {
    client = std::make_unique<HubInternalClient>(ports.internal, client_id_prefix + "-" + std::to_string(++connections),
                                                 config.internal_username, config.internal_password, remaining());
  } catch (const InfrastructureError& e) {
    return child.running() ? std::string(e.what()) : exited();
  }
  // The plugin loaded, reads commands and writes its audit file: a ping comes back as a pong.
  if (options.with_plugin) {
    const auto id = next_ping++;
    client->send_ping(id);
    if (!wait_for_pong(id, remaining()))
      return child.running() ? "the iothub plugin did not answer a ping in " + audit_file + " within " + secs
                             : exited();
  }
  return {};
}

void HubProcess::Impl::on_audit_lines(const std::vector<std::string_view>& lines) {
  std::vector<ReadEvent> batch;
  batch.reserve(lines.size() + 1);
  {
    std::lock_guard lock(audit_mutex);
    JsonHead head;  // its storage reused line after line
    for (const auto line : lines) {
      // A publish (nearly every line under load) goes to the capture as its text: checked, not
      // built; the rules read it back from the capture.
      if (read_json_head(line, max_json_depth, head) && head.plain_string("kind") == "publish") {
        const auto src = head.plain_string("src");
        const auto src_seq = head.unsigned_number("src_seq");
        if (src && src_seq && head.find("mono_ns") && head.find("wall") && !head.find("seq")) {
          if (auto g = accountant.observe(std::string(*src), *src_seq)) batch.push_back({capture_gap_event(*g), {}, {}});
          batch.push_back({std::nullopt, line, "publish"});
          continue;
        }
      }
      Json event = parse_json_or_discarded(line);  // bounded depth, like every JSON we read
      if (!event.is_object() || !event.contains("kind")) {
        // The plugin is ours, so this is a bug there or a torn write; keep it visible in the
        // capture (the src_seq gap it leaves is reported by the accountant too).
        Json bad = make_event("hub_error");
        bad["cause"] = "malformed-audit";
        bad["detail"] = "malformed line in " + audit_file;
        bad["payload_b64"] = base64_encode(line);
        batch.push_back({std::move(bad), {}, {}});
        continue;
      }
      // A gap goes first: it explains what is missing before what follows it.
      for (const auto& g : accountant.observe_event(event)) batch.push_back({capture_gap_event(g), {}, {}});
      if (event["kind"] == "pong" && event.contains("id") && event["id"].is_number_integer()) {
        last_pong_id = std::max(last_pong_id, event["id"].get<std::int64_t>());
        last_pong_at = std::chrono::steady_clock::now();
      }
      batch.push_back({std::move(event), line, {}});
    }
  }
  pong_arrived.notify_all();
  sink.emit_batch(std::move(batch));
}

bool HubProcess::Impl::wait_for_pong(std::int64_t id, std::chrono::milliseconds timeout) {
  std::unique_lock lock(audit_mutex);
  return pong_arrived.wait_for(lock, timeout, [&] { return last_pong_id >= id; });
}

std::string HubProcess::Impl::exit_detail(int status) const {
  const std::string how = status > 128 ? "killed by signal " + std::to_string(status - 128) + " (" +
                                             ::strsignal(status - 128) + ")"
                                       : "exit status " + std::to_string(status);
  return how;
}

void HubProcess::Impl::fail(const std::string& cause, const std::string& detail) {
  {
    std::lock_guard lock(child_mutex);
    if (failed) return;
    failed = HubFailure{cause, detail};
  }
  Json e = make_event("hub_error");
  e["cause"] = cause;
  e["detail"] = detail;
  e["pid"] = child.pid();
  e["log"] = log_file;
  sink.emit(std::move(e));
}

void HubProcess::Impl::supervise() {
  const int pid = child.pid();
  {
    std::lock_guard lock(audit_mutex);
    last_pong_at = std::chrono::steady_clock::now();
  }
  std::unique_lock wake(supervisor_mutex);
  while (!supervisor_stop) {
    supervisor_wake.wait_for(wake, options.liveness_interval, [this] { return supervisor_stop; });
    if (supervisor_stop) break;
    std::optional<int> status;
    {
      std::lock_guard lock(child_mutex);
      if (!child.running()) status = child.exit_status().value_or(-1);
    }
    if (status) {
      fail("exited", "mosquitto (pid " + std::to_string(pid) + ") exited unexpectedly: " + exit_detail(*status) +
                         "; see " + log_file);
      return;
    }
    if (!options.with_plugin || !client) continue;
    client->send_ping(next_ping++);
    std::chrono::steady_clock::duration silent;
    {
      std::lock_guard lock(audit_mutex);
      silent = std::chrono::steady_clock::now() - last_pong_at;
    }
    // A reader still working through a flood has simply not reached the latest pong yet.
    if (silent > options.unresponsive_after && (!tailer || tailer->backlog() == 0)) {
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(silent).count();
      fail("unresponsive", "mosquitto (pid " + std::to_string(pid) + ") answered no liveness ping for " +
                               std::to_string(ms) + " ms (stopped or hung?); see " + log_file);
      return;
    }
  }
}

void HubProcess::Impl::start_supervisor() {
  {
    std::lock_guard lock(supervisor_mutex);
    supervisor_stop = false;
  }
  supervisor = std::thread([this] { supervise(); });
}

void HubProcess::Impl::stop_supervisor() {
  {
    std::lock_guard lock(supervisor_mutex);
    supervisor_stop = true;
  }
  supervisor_wake.notify_all();
  if (supervisor.joinable()) supervisor.join();
}

std::string HubProcess::Impl::start_once() {
  config.audit_stream = "hub#" + std::to_string(++starts);
  // It holds the internal client's password: created 0600 (mosquitto runs as this same user).
  write_new_file(config_file, render_mosquitto_conf(config), 0600);
  ChildProcess::Options o;
  o.argv = {"mosquitto", "-c", config_file};
  o.env = mosquitto_environment(tls_shim, options.tls13, config.websocket_port);
  o.stdout_path = stdout_file;
  o.stderr_path = stdout_file;
  child = ChildProcess::spawn(o);
  // For operators and tests that must find this broker (e.g. to kill it mid-run on purpose).
  write_file(out_dir + "/mosquitto.pid", std::to_string(child.pid()) + "\n");
  auto why = wait_ready();
  if (!why.empty()) {
    client.reset();
    child.stop();
    return why;
  }
  start_supervisor();
  write_access_file();
  return why;
}

// For the bench commands of `flexhil hub` (hub_access.hpp); rewritten per start (a new pid).
void HubProcess::Impl::write_access_file() {
  if (options.plain || !options.with_plugin) return;
  HubAccess a;
  a.hub = hub_name;
  a.internal_port = ports.internal;
  a.username = config.internal_username;
  a.password = config.internal_password;
  if (!options.events_file.empty()) a.events_file = absolute(options.events_file);
  else if (options.audit_to_file) a.events_file = absolute(audit_file);
  a.registry = config.registry_path;
  a.mosquitto_pid = child.pid();
  write_new_file(out_dir + "/" + kHubAccessFile, render_hub_access(a), 0600);
}

void HubProcess::Impl::start_with_retries() {
  std::string why;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const auto log_before = read_file(log_file).size();
    const auto out_before = read_file(stdout_file).size();
    why = start_once();
    if (why.empty()) return;
    const auto log_new = read_file(log_file).substr(log_before);
    const auto out_new = read_file(stdout_file).substr(out_before);
    const bool collision = (log_new + out_new).find("Address already in use") != std::string::npos;
    // The internal port is always ephemeral, so a collision is worth another pick; a fixed port
    // that is taken fails every attempt and is reported with mosquitto's words.
    if (!collision || attempt == 2) {
      why += " (see " + log_file + ")" + last_lines(out_new + log_new, 6);
      break;
    }
    choose_ports();  // another process took a port between pick and bind
  }
  throw InfrastructureError("error: " + why);
}

void HubProcess::Impl::stop() {
  stop_supervisor();  // first: a requested stop is not a failure
  std::error_code ignored;  // nothing to remove for a plain broker or a hub that never started
  fs::remove(out_dir + "/" + kHubAccessFile, ignored);
  client.reset();
  {
    std::lock_guard lock(child_mutex);
    if (child.started()) child.stop();
  }
  if (watcher) watcher->drain();
  if (tailer) tailer->drain();  // the broker is gone: all its audit stream is readable now
}

HubProcess::HubProcess(HubOptions options, EventSink& sink)
    : impl_(std::make_unique<Impl>(std::move(options), sink)) {
  impl_->prepare();
  std::ofstream(impl_->log_file, std::ios::trunc).flush();
  if (impl_->options.with_plugin) {
    impl_->make_audit_path();
    impl_->tailer = std::make_unique<AuditTailer>(
        impl_->audit_file, [impl = impl_.get()](const std::vector<std::string_view>& lines) { impl->on_audit_lines(lines); });
  }
  impl_->start_with_retries();
  // The watcher starts after the ports are final; the log so far is read from its beginning.
  impl_->watcher = std::make_unique<TlsLogWatcher>(impl_->log_file, impl_->listener_names(), sink);
}

HubProcess::~HubProcess() = default;  // Impl stops the broker and drains the audit file

const HubPorts& HubProcess::ports() const noexcept { return impl_->ports; }
const std::string& HubProcess::hub_name() const noexcept { return impl_->hub_name; }
const std::string& HubProcess::hub_host() const noexcept { return impl_->hub_host; }
bool HubProcess::plain() const noexcept { return impl_->options.plain.has_value(); }
const std::string& HubProcess::ca_file() const noexcept { return impl_->ca_file; }
const std::string& HubProcess::out_dir() const noexcept { return impl_->out_dir; }
const std::string& HubProcess::log_file() const noexcept { return impl_->log_file; }
const std::string& HubProcess::config_file() const noexcept { return impl_->config_file; }
const std::string& HubProcess::trust_bundle_file() const noexcept { return impl_->trust_file; }
const std::string& HubProcess::bind_address() const noexcept { return impl_->options.bind_address; }
const Registry& HubProcess::registry() const noexcept { return impl_->registry; }
bool HubProcess::tls13() const noexcept { return impl_->options.tls13; }
int HubProcess::pid() const noexcept { return impl_->child.pid(); }
const std::string& HubProcess::audit_file() const noexcept { return impl_->audit_file; }

bool HubProcess::running() {
  std::lock_guard lock(impl_->child_mutex);
  return impl_->child.running() && impl_->client && impl_->client->connected();
}

std::optional<HubFailure> HubProcess::failure() const {
  std::lock_guard lock(impl_->child_mutex);
  return impl_->failed;
}

std::uint64_t HubProcess::audit_missing() const {
  std::lock_guard lock(impl_->audit_mutex);
  return impl_->accountant.missing();
}

std::uint64_t HubProcess::audit_received() const {
  if (!impl_->tailer) return 0;
  return impl_->tailer->lines();
}

void HubProcess::send_c2d(const std::string& device, std::string_view body,
                          const std::map<std::string, std::string>& props, std::optional<std::chrono::seconds> ttl) {
  if (!impl_->client) throw InfrastructureError("the hub is not running");
  Json cmd{{"device", device}, {"body_b64", base64_encode(body)}, {"props", Json::object()}};
  if (ttl) cmd["ttl_s"] = ttl->count();
  for (const auto& [k, v] : props) cmd["props"][k] = v;
  impl_->client->publish_command(kCmdC2dTopic, cmd);
}

void HubProcess::update_desired(const std::string& device, const Json& patch) {
  if (!impl_->client) throw InfrastructureError("the hub is not running");
  impl_->client->publish_command(kCmdDesiredTopic, Json{{"device", device}, {"patch", patch}});
}

std::string HubProcess::call_method(const std::string& device, const std::string& method, const Json& payload) {
  if (!impl_->client) throw InfrastructureError("the hub is not running");
  const std::string rid = std::to_string(impl_->next_rid++);
  impl_->client->publish_command(kCmdMethodTopic,
                                 Json{{"device", device}, {"method", method}, {"rid", rid}, {"payload", payload}});
  return rid;
}

void HubProcess::restart() {
  impl_->stop();
  std::string why = impl_->start_once();
  if (!why.empty()) {
    impl_->fail("not-ready", why + " after a requested restart; see " + impl_->log_file);
    throw InfrastructureError("error: " + why + " after a restart (see " + impl_->log_file + ")");
  }
}

void HubProcess::stop() {
  if (!impl_) return;
  impl_->stop();
}

}  // namespace flexhil::broker
