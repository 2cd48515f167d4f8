#include "harness/run/run_parts.hpp"

#include <algorithm>
#include <atomic>
#include <thread>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>

#include "certs/sas_token.hpp"
#include "common/error.hpp"
#include "common/private_file.hpp"
#include "harness/run/install_block.hpp"
#include "sim/flexy/runtime/paho_wake.hpp"

namespace flexhil::run {
namespace fs = std::filesystem;

namespace {
// A fleet's devices stop side by side: each stop waits for its MQTT client's DISCONNECT and its
// threads, and a hundred of them one after the other would hold the report back for seconds.
void stop_devices(const std::vector<std::unique_ptr<flexy::FlexyDevice>>& devices) {
  if (devices.size() <= 1) {
    for (const auto& d : devices) d->stop();
    return;
  }
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < devices.size(); i = next++) devices[i]->stop();
  };
  std::vector<std::thread> workers;
  const std::size_t n = std::min<std::size_t>(8, devices.size());
  for (std::size_t i = 1; i < n; ++i) workers.emplace_back(worker);
  worker();
  for (auto& t : workers) t.join();
}
}  // namespace

flexy::FlexyDevice* RunParts::dut(const std::string& device) const {
  const auto it = dut_by_id.find(device);
  return it == dut_by_id.end() ? nullptr : it->second;
}

std::string RunParts::link_key(const std::string& device, scenario::Action::LinkPath path) {
  return device + (path == scenario::Action::LinkPath::plc ? "/plc" : "/hub");
}

link::FaultLink* RunParts::link(const std::string& device, scenario::Action::LinkPath path) const {
  const auto it = links.find(link_key(device, path));
  return it == links.end() ? nullptr : it->second.get();
}

void RunParts::stop() {
  stop_devices(duts);
  dut_by_id.clear();
  duts.clear();
  links.clear();
  paho_wake.reset();
  select_fds.reset();
  ftp.reset();
  smtp.reset();
  http.reset();
  plc.reset();
  hub.reset();
}

std::optional<std::string> RunParts::failure() const {
  if (hub)
    if (const auto f = hub->failure()) return fmt::format("the hub failed ({}): {}", f->cause, f->detail);
  if (plc)
    if (const auto f = plc->failure()) return "the PLC simulator failed: " + *f;
  if (http)
    if (const auto f = http->failure()) return "the HTTP endpoint failed: " + *f;
  if (smtp)
    if (const auto f = smtp->failure()) return "the SMTP endpoint failed: " + *f;
  if (ftp)
    if (const auto f = ftp->failure()) return "the FTP endpoint failed: " + *f;
  return std::nullopt;
}

std::vector<std::string> broker_host_names(const scenario::Scenario& s) {
  std::vector<std::string> names;
  for (const auto* dut : s.devices_under_test())
    for (const auto& r : dut->hosts)
    if (r.target == scenario::HostTarget::broker && std::find(names.begin(), names.end(), r.host) == names.end())
      names.push_back(r.host);
  return names;
}

broker::HubOptions hub_options_for(const scenario::Scenario& s, const PreparedRegistry& registry,
                                   const std::string& out_dir) {
  if (s.broker) {
    broker::PlainBrokerOptions plain;
    plain.port = s.broker->port;
    plain.tls = s.broker->tls;
    plain.users = s.broker->users;
    plain.telemetry_filter = s.expect.telemetry_topic;
    broker::HubOptionsBuilder b;
    b.out_dir(out_dir).bind(s.broker->bind).plain(std::move(plain));
    if (!s.hub.pki_dir.empty()) b.pki_dir(s.hub.pki_dir);
    for (const auto& name : broker_host_names(s)) b.extra_name(name);
    for (const auto& name : s.hub.extra_names) b.extra_name(name);
    if (!s.dut.advertise.empty()) b.extra_name(s.dut.advertise);
    return b.finalize();
  }
  broker::PluginOptions plugin;
  plugin.qos2_policy = s.hub.qos2_policy;
  plugin.max_message_bytes = s.hub.max_message_bytes;
  // The skew is scenario time; the plugin compares wall seconds.
  if (s.hub.sas_skew_s) plugin.sas_skew_seconds = std::llround(*s.hub.sas_skew_s / s.time_scale);
  broker::HubOptionsBuilder b;
  b.hub(s.hub.name)
      .registry(registry.path)
      .out_dir(out_dir)
      .bind(s.hub.bind)
      .port(external_link_faults(s, scenario::Action::LinkPath::hub) ? 0 : s.hub.port)
      .tls13(s.hub.tls13)
      .plugin_options(plugin);
  if (s.hub.ws_port) b.websocket_port(*s.hub.ws_port);
  // The same CA directory `flexhil hub --pki` keeps: a bench Flexy trusts one CA file across runs.
  if (!s.hub.pki_dir.empty()) b.pki_dir(s.hub.pki_dir);
  for (const auto& name : s.hub.extra_names) b.extra_name(name);
  if (!s.dut.advertise.empty()) b.extra_name(s.dut.advertise);  // the name a bench device dials
  // An unregistered device certificate ([dut] register_certificate = false) needs no trust: the
  // handshake takes any and the plugin refuses it at CONNECT, as IoT Hub does.
  return b.finalize();
}

HubRoute hub_route(const broker::HubProcess& hub, const std::string& device) {
  if (hub.plain()) return {"", fmt::format("127.0.0.1:{}", hub.ports().broker)};
  static_cast<void>(device);  // every device dials the one MQTTS port
  HubRoute r;
  r.host = hub.hub_host();
  for (auto& ch : r.host) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  r.address = fmt::format("127.0.0.1:{}", hub.ports().mqtts);
  return r;
}

flexy::FlexyConfig emulated_config(const scenario::Scenario& s, const std::string& usr_dir, const HubRoute& route,
                                   std::optional<std::uint16_t> plc_port, std::optional<std::uint16_t> http_port) {
  return emulated_config(s, s.dut, usr_dir, route, plc_port, EndpointPorts{http_port, std::nullopt, std::nullopt});
}

flexy::FlexyConfig emulated_config(const scenario::Scenario& s, const std::string& usr_dir, const HubRoute& route,
                                   std::optional<std::uint16_t> plc_port, const EndpointPorts& endpoints) {
  return emulated_config(s, s.dut, usr_dir, route, plc_port, endpoints);
}

flexy::FlexyConfig emulated_config(const scenario::Scenario& s, const scenario::DutSpec& dut, const std::string& usr_dir,
                                   const HubRoute& route, std::optional<std::uint16_t> plc_port,
                                   const EndpointPorts& endpoints) {
  auto config = *dut.flexy;
  config.usr_dir = usr_dir;
  config.time_scale = s.time_scale;
  using scenario::HostTarget;
  // Routes are ordered "host" before "host:port" (the loader's promise): the later one wins.
  for (auto& topic : config.topics) {
    if (!plc_port) break;
    std::string ip = topic.ip;
    for (auto& ch : ip) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    bool to_plc = ip == "127.0.0.1" || ip == "localhost";
    for (const auto& r : dut.hosts)
      if (r.host == ip && (!r.port || *r.port == topic.port)) to_plc = r.target == HostTarget::plc;
    if (!to_plc) continue;
    topic.ip = "127.0.0.1";
    topic.port = *plc_port;
  }
  if (!route.host.empty()) config.mqtt.resolve[route.host] = route.address;
  // Only the run's one MQTT server is a target here ([hub] and [broker] exclude each other).
  for (const auto& r : dut.hosts)
    if (r.target == HostTarget::broker || r.target == HostTarget::hub) config.mqtt.resolve[r.host] = route.address;
  // The actions route by the key as written: "api.example.com:8080" only for that port.
  for (const auto& r : dut.hosts) {
    if (r.target == HostTarget::http && endpoints.http)
      config.actions.resolve[r.key()] = fmt::format("127.0.0.1:{}", *endpoints.http);
    if (r.target == HostTarget::smtp && endpoints.smtp)
      config.actions.smtp_resolve[r.key()] = fmt::format("127.0.0.1:{}", *endpoints.smtp);
    if (r.target == HostTarget::ftp && endpoints.ftp)
      config.actions.ftp_resolve[r.key()] = fmt::format("127.0.0.1:{}", *endpoints.ftp);
  }
  return config;
}

SignedToken sign_sas_token(const scenario::Scenario& s, const broker::Registry& registry, const std::string& hub_host,
                           double now_s) {
  return sign_sas_token(s, s.dut, registry, hub_host, now_s);
}

SignedToken sign_sas_token(const scenario::Scenario& s, const scenario::DutSpec& dut, const broker::Registry& registry,
                           const std::string& hub_host, double now_s) {
  const auto& g = *dut.sas_token;
  certs::SasTokenRequest req;
  req.resource = g.hub_wide ? hub_host : hub_host + "/devices/" + dut.device;
  if (g.policy.empty()) {
    const auto* dev = registry.find_device(dut.device);
    if (!dev) throw ConfigError(g.where, fmt::format("device '{}' is not in the hub's registry", dut.device));
    req.key_base64 = dev->primary_key;
  } else {
    const auto* policy = registry.find_policy(g.policy);
    if (!policy) throw ConfigError(g.where, fmt::format("no [[policy]] '{}' in the hub's registry", g.policy));
    req.key_base64 = policy->key;
    req.policy_name = g.policy;
  }
  // Rounded up: the token is valid for at least `expires_after` (se is whole seconds).
  req.expiry = static_cast<std::int64_t>(std::ceil(now_s + g.expires_after_s / s.time_scale));
  return {certs::make_sas_token(req), req.expiry};
}

void start_hub(RunParts& parts, const scenario::Scenario& s, const PreparedRegistry& registry,
               const std::string& out_dir, EventSink& events, const std::string& events_file, std::ostream& out) {
  auto options = hub_options_for(s, registry, out_dir);
  options.events_file = events_file;
  parts.hub = std::make_unique<broker::HubProcess>(std::move(options), events);
  const auto& hub = *parts.hub;
  if (hub.plain()) {
    out << fmt::format("plain MQTT broker ready: {} {}:{} ({})\n", s.broker->tls ? "mqtts" : "mqtt", hub.bind_address(),
                       hub.ports().broker, s.broker->users.empty() ? "anonymous allowed" : "username and password");
    return;
  }
  out << fmt::format("hub '{}' ready: mqtts {}:{} (SAS and X.509, {})\n", hub.hub_host(), hub.bind_address(),
                     hub.ports().mqtts, hub.tls13() ? "TLS 1.2/1.3" : "TLS 1.2");
}

void start_plc(RunParts& parts, const scenario::Scenario& s, const ScaledClock& clock, EventSink& events,
               std::ostream& out) {
  if (!s.plc) return;
  parts.plc = std::make_unique<plc::PlcServer>(*s.plc, clock, &events, clock.steady());
  const auto bind = s.plc->bind.value_or("127.0.0.1");
  parts.plc->start(bind, external_link_faults(s, scenario::Action::LinkPath::plc) ? 0 : s.plc->port.value_or(0));
  out << fmt::format("PLC ready on {}:{}\n", bind, parts.plc->port());
}

bool external_link_faults(const scenario::Scenario& s, scenario::Action::LinkPath path) {
  if (s.dut.kind != scenario::DutKind::external) return false;
  return std::any_of(s.actions.begin(), s.actions.end(), [&](const scenario::Action& a) {
    return a.kind == scenario::ActionKind::link && a.link_path == path;
  });
}

ExternalLinkPorts start_external_links(RunParts& parts, const scenario::Scenario& s, std::ostream& out) {
  using Path = scenario::Action::LinkPath;
  ExternalLinkPorts ports;
  // The relay dials the part on loopback when it listens on every address.
  auto upstream = [](const std::string& bind, std::uint16_t port) {
    return fmt::format("{}:{}", bind == "0.0.0.0" ? "127.0.0.1" : bind, port);
  };
  auto fault_point = [&](Path path, const std::string& to, const std::string& bind, std::uint16_t port) {
    auto link = std::make_unique<link::FaultLink>(to);
    link->start(bind, port);
    out << fmt::format("link fault point ready on {}:{} ({} -> {} {})\n", bind, link->port(), s.dut.device,
                       path == Path::plc ? "PLC" : "hub", to);
    const auto p = link->port();
    parts.links[RunParts::link_key(s.dut.device, path)] = std::move(link);
    return p;
  };
  if (external_link_faults(s, Path::hub) && parts.hub && !parts.hub->plain())
    ports.hub = fault_point(Path::hub, upstream(s.hub.bind, parts.hub->ports().mqtts), s.hub.bind, s.hub.port);
  if (external_link_faults(s, Path::plc) && parts.plc) {
    const auto bind = s.plc->bind.value_or("127.0.0.1");
    ports.plc = fault_point(Path::plc, upstream(bind, parts.plc->port()), bind, s.plc->port.value_or(0));
  }
  return ports;
}

namespace {

std::string names_mapped_to(const scenario::Scenario& s, scenario::HostTarget target) {
  std::string names;
  for (const auto& r : s.dut.hosts)
    if (r.target == target) names += (names.empty() ? "" : ", ") + r.key();
  return names.empty() ? std::string(" (no host mapped to it)") : " for " + names;
}

void start_http_endpoint(RunParts& parts, const scenario::Scenario& s, const std::string& out_dir, EventSink& events,
                         std::ostream& out) {
  if (!s.endpoints.http) return;
  endpoints::HttpEndpointOptions o;
  o.config = *s.endpoints.http;
  o.body_dir = (fs::path(out_dir) / "http").string();
  o.body_label = "http";
  o.events = &events;
  parts.http = std::make_unique<endpoints::HttpEndpoint>(std::move(o));
  parts.http->start("127.0.0.1", 0);
  out << fmt::format("HTTP endpoint ready on 127.0.0.1:{}{}\n", parts.http->port(),
                     names_mapped_to(s, scenario::HostTarget::http));
}

}  // namespace

void start_endpoints(RunParts& parts, const scenario::Scenario& s, const std::string& out_dir, EventSink& events,
                     std::ostream& out) {
  start_http_endpoint(parts, s, out_dir, events, out);
  if (s.endpoints.smtp) {
    endpoints::SmtpEndpointOptions o;
    o.config = *s.endpoints.smtp;
    o.mail_dir = (fs::path(out_dir) / "smtp").string();
    o.mail_label = "smtp";
    o.events = &events;
    parts.smtp = std::make_unique<endpoints::SmtpEndpoint>(std::move(o));
    parts.smtp->start("127.0.0.1", 0);
    out << fmt::format("SMTP sink ready on 127.0.0.1:{}{}\n", parts.smtp->port(),
                       names_mapped_to(s, scenario::HostTarget::smtp));
  }
  if (s.endpoints.ftp) {
    endpoints::FtpEndpointOptions o;
    o.config = *s.endpoints.ftp;
    o.upload_dir = (fs::path(out_dir) / "ftp").string();
    o.upload_label = "ftp";
    o.events = &events;
    parts.ftp = std::make_unique<endpoints::FtpEndpoint>(std::move(o));
    parts.ftp->start("127.0.0.1", 0);
    out << fmt::format("FTP sink ready on 127.0.0.1:{}{}\n", parts.ftp->port(),
                       names_mapped_to(s, scenario::HostTarget::ftp));
  }
}

void prepare_emulated_device(RunParts& parts) {
  parts.paho_wake = std::make_shared<flexy::PahoWake>();
  parts.select_fds = std::make_shared<SelectRangeReserve>();
  // Not ready in time: pokes do nothing and connects are slow, never wrong.
  (void)parts.paho_wake->wait_ready(std::chrono::seconds(3));
}

void start_emulated_device(RunParts& parts, const scenario::Scenario& s, const scenario::DutSpec& dut,
                           basic::Program program, const std::string& usr_dir, std::shared_ptr<ScaledClock> clock,
                           EventSink& events, std::ostream& out, bool quiet) {
  const auto& hub = *parts.hub;
  // The device trusts the run's CA where the program's CAFile says (in place of the Azure roots).
  fs::create_directories(fs::path(flexy::map_usr_path(usr_dir, dut.ca_file)).parent_path());
  fs::copy_file(hub.ca_file(), flexy::map_usr_path(usr_dir, dut.ca_file), fs::copy_options::overwrite_existing);
  using Path = scenario::Action::LinkPath;
  auto has_faults = [&](Path path) {
    return std::any_of(s.actions.begin(), s.actions.end(), [&](const scenario::Action& a) {
      return a.kind == scenario::ActionKind::link && a.device == dut.device && a.link_path == path;
    });
  };
  // The device reaches the hub (or the PLC) through a fault point; the [[action]] kind = "link" steer it.
  auto fault_point = [&](Path path, const std::string& upstream) {
    auto link = std::make_unique<link::FaultLink>(upstream);
    link->start("127.0.0.1", 0);
    const auto port = link->port();
    out << fmt::format("link fault point ready on 127.0.0.1:{} ({} -> {} {})\n", port, dut.device,
                       path == Path::plc ? "PLC" : "hub", upstream);
    parts.links[RunParts::link_key(dut.device, path)] = std::move(link);
    return port;
  };
  auto route = hub_route(hub, dut.device);
  if (has_faults(Path::hub)) route.address = fmt::format("127.0.0.1:{}", fault_point(Path::hub, route.address));
  std::optional<std::uint16_t> plc_port;
  if (parts.plc) plc_port = parts.plc->port();
  if (plc_port && has_faults(Path::plc)) plc_port = fault_point(Path::plc, fmt::format("127.0.0.1:{}", *plc_port));
  auto config = emulated_config(s, dut, usr_dir, route, plc_port,
                                EndpointPorts{parts.http ? std::optional<std::uint16_t>(parts.http->port()) : std::nullopt,
                                              parts.smtp ? std::optional<std::uint16_t>(parts.smtp->port()) : std::nullopt,
                                              parts.ftp ? std::optional<std::uint16_t>(parts.ftp->port()) : std::nullopt});
  if (dut.sas_token) {
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    const auto token = sign_sas_token(s, dut, hub.registry(), hub.hub_host(), now);
    for (auto& tag : config.tags)
      if (tag.name == dut.sas_token->tag) tag.initial = token.password;
    if (!quiet) out << fmt::format("SAS token in tag {}: expires se={} (no renewal)\n", dut.sas_token->tag, token.expiry);
  }
  flexy::FlexyDeviceOptions dopt;
  dopt.paho_wake = parts.paho_wake;
  dopt.select_fds = parts.select_fds;
  dopt.config = std::move(config);
  dopt.program = std::move(program);
  dopt.clock = std::move(clock);
  dopt.events = &events;
  auto device = std::make_unique<flexy::FlexyDevice>(std::move(dopt));
  device->start();
  parts.dut_by_id[dut.device] = device.get();
  parts.duts.push_back(std::move(device));
  if (!quiet) out << fmt::format("emulated Flexy '{}' running {}\n", dut.device, dut.program_file);
}

void print_external_instructions(std::ostream& out, const scenario::Scenario& s, const broker::HubProcess& hub,
                                 const plc::PlcServer* plc, const ExternalLinkPorts& link) {
  const auto block = install_block(install_facts(s, hub, plc, link));
  const auto file = install_file(hub.out_dir());
  write_new_file(file, block, 0644);
  out << "\n" << block;
  out << fmt::format("  (also in {})\n", file);
  out << fmt::format("Waiting up to {:.0f} s for '{}' to connect (Ctrl-C to stop)…\n\n", s.dut.wait_s, s.dut.device);
}

}  // namespace flexhil::run
