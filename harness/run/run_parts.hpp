#pragma once
// The parts of a run — the impersonated hub, the PLC simulator and the device under test — and
// how the scenario configures them. The configuration functions are pure (unit-tested in
// tests/run); start_hub/start_plc/start_emulated_device are the I/O edge; RunParts stops what was
// started in reverse order, also from its destructor.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "broker/hub_process.hpp"
#include "common/clock.hpp"
#include "common/event.hpp"
#include "common/fd_range.hpp"
#include "harness/run/install_block.hpp"
#include "harness/run/run_registry.hpp"
#include "harness/scenario/scenario.hpp"
#include "sim/endpoints/ftp_endpoint.hpp"
#include "sim/endpoints/http_endpoint.hpp"
#include "sim/endpoints/smtp_endpoint.hpp"
#include "sim/flexy/runtime/flexy_config.hpp"
#include "sim/flexy/runtime/flexy_device.hpp"
#include "sim/link/fault_link.hpp"
#include "sim/plc/plc_server.hpp"

namespace flexhil::run {

struct RunParts {
  std::unique_ptr<broker::HubProcess> hub;
  std::shared_ptr<flexy::PahoWake> paho_wake;  // prepare_emulated_device(); the device shares it
  // The numbers below 1024 for the devices' libmodbus sockets (common/fd_range.hpp); a fleet shares it.
  std::shared_ptr<SelectRangeReserve> select_fds;
  std::unique_ptr<plc::PlcServer> plc;
  std::unique_ptr<endpoints::HttpEndpoint> http;  // [endpoints.http]
  std::unique_ptr<endpoints::SmtpEndpoint> smtp;  // [endpoints.smtp]
  std::unique_ptr<endpoints::FtpEndpoint> ftp;    // [endpoints.ftp]
  // Between an emulated device and the hub when the scenario has link actions for it (sim/link/).
  std::map<std::string, std::unique_ptr<link::FaultLink>> links;  // by link_key(device, path)
  // The emulated devices under test, in start order (one, or a fleet's members).
  std::vector<std::unique_ptr<flexy::FlexyDevice>> duts;
  std::map<std::string, flexy::FlexyDevice*> dut_by_id;
  flexy::FlexyDevice* dut(const std::string& device) const;   // nullptr: not started (or external)
  // nullptr: no fault point on that link of the device.
  link::FaultLink* link(const std::string& device, scenario::Action::LinkPath path) const;
  static std::string link_key(const std::string& device, scenario::Action::LinkPath path);

  RunParts() = default;
  RunParts(const RunParts&) = delete;
  RunParts& operator=(const RunParts&) = delete;
  ~RunParts() { stop(); }
  void stop();  // device, endpoints, PLC, hub: the reverse of their start
  // Why one of our own parts failed while running (hub died or froze, PLC or an endpoint died), or nullopt.
  std::optional<std::string> failure() const;
};

// The hub of this run: the scenario's [hub], the run's registry, and — for a certificate the
// scenario does not register — trust of that certificate (or its CA) by the TLS listener, so the
// hub's verdict, not the handshake, refuses the device.
broker::HubOptions hub_options_for(const scenario::Scenario& s, const PreparedRegistry& registry,
                                   const std::string& out_dir);

// Where the emulated device reaches the run's MQTT server: the hub's host name (as the program
// dials it, lower-case; "" for a plain broker, which has no name of its own) and the loopback
// address:port of the listener (for the hub: the one for the device's credentials).
struct HubRoute {
  std::string host;
  std::string address;  // "127.0.0.1:18883"
};
HubRoute hub_route(const broker::HubProcess& hub, const std::string& device);

// The emulated Flexy's configuration for this run: /usr is the run's copy, the clock's scale,
// the hub's host name and every [dut.flexy.hosts] name mapped to "hub"/"broker" routed to the
// server's listener (a "host:port" entry wins over a "host" one: the emulated Flexy routes by host,
// whatever port the program dials), PLC topics on loopback or mapped to "plc" pointed at the run's
// PLC, names mapped to "http" routed to the run's HTTP endpoint for the outbound actions
// (`[actions] resolve`, keyed as the scenario wrote them: "host" or "host:port"), names mapped to
// "smtp" and "ftp" routed to the run's SMTP and FTP sinks (`smtp_resolve`, `ftp_resolve`: they
// apply when the device's [system] mail or FTP server is that name). A name the program dials
// that no entry maps keeps resolving as before (or not at all).
struct EndpointPorts {
  std::optional<std::uint16_t> http, smtp, ftp;
};
flexy::FlexyConfig emulated_config(const scenario::Scenario& s, const scenario::DutSpec& dut, const std::string& usr_dir,
                                   const HubRoute& route, std::optional<std::uint16_t> plc_port,
                                   const EndpointPorts& endpoints = {});
flexy::FlexyConfig emulated_config(const scenario::Scenario& s, const std::string& usr_dir, const HubRoute& route,
                                   std::optional<std::uint16_t> plc_port, const EndpointPorts& endpoints = {});
flexy::FlexyConfig emulated_config(const scenario::Scenario& s, const std::string& usr_dir, const HubRoute& route,
                                   std::optional<std::uint16_t> plc_port, std::optional<std::uint16_t> http_port);

// The names [dut.flexy.hosts] maps to the plain broker: the SANs its TLS certificate needs.
std::vector<std::string> broker_host_names(const scenario::Scenario& s);

struct SignedToken {
  std::string password;
  std::int64_t expiry = 0;
};
// The scenario's [dut.sas_token], signed at `now_s` (Unix seconds): the hub judges its expiry in
// wall seconds, so the scenario-time `expires_after` is divided by the time scale. Throws
// ConfigError when the key it names is not in the registry.
SignedToken sign_sas_token(const scenario::Scenario& s, const scenario::DutSpec& dut, const broker::Registry& registry,
                           const std::string& hub_host, double now_s);
SignedToken sign_sas_token(const scenario::Scenario& s, const broker::Registry& registry, const std::string& hub_host,
                           double now_s);

// An external device with link actions reaches the hub (or the PLC) through a fault point that
// takes the scenario's address and port; the part itself then listens on an ephemeral port.
bool external_link_faults(const scenario::Scenario& s, scenario::Action::LinkPath path);
// `events_file`: where `events` lands (capture.jsonl), for the bench commands (hub-access.json).
void start_hub(RunParts& parts, const scenario::Scenario& s, const PreparedRegistry& registry,
               const std::string& out_dir, EventSink& events, const std::string& events_file, std::ostream& out);
void start_plc(RunParts& parts, const scenario::Scenario& s, const ScaledClock& clock, EventSink& events,
               std::ostream& out);
// The fault points of an external device (external_link_faults), on the addresses and ports the
// scenario gives the hub and the PLC, relaying to where those now listen.
ExternalLinkPorts start_external_links(RunParts& parts, const scenario::Scenario& s, std::ostream& out);
// The scenario's [endpoints]: the HTTP endpoint, the SMTP and the FTP sinks, each on
// 127.0.0.1:<ephemeral>; request bodies in <out_dir>/http/, mails in <out_dir>/smtp/, uploads in
// <out_dir>/ftp/. Nothing when the scenario has none.
void start_endpoints(RunParts& parts, const scenario::Scenario& s, const std::string& out_dir, EventSink& events,
                     std::ostream& out);
// Before scenario time starts: the emulated device's PahoWake, connected, so that the program's
// first MQTT CONNECT costs what TLS costs instead of waiting for paho's receive thread to notice
// it (up to 1.1 s, flexy/runtime/paho_wake.hpp). Waits at most 3 s (about one paho poll).
void prepare_emulated_device(RunParts& parts);
// `program`: the device's program, compiled before anything started (scenario::check_dut_program).
// `usr_dir`: the device's own /usr (run_registry.hpp member_usr_dir). `quiet`: no line on `out`
// (a fleet prints one line for all its members).
void start_emulated_device(RunParts& parts, const scenario::Scenario& s, const scenario::DutSpec& dut,
                           basic::Program program, const std::string& usr_dir, std::shared_ptr<ScaledClock> clock,
                           EventSink& events, std::ostream& out, bool quiet = false);

// What a bench user installs on the real Flexy and where it connects (install_block.hpp), printed
// and written to install.txt in the run folder. `plc`: the run's PLC, or nullptr.
void print_external_instructions(std::ostream& out, const scenario::Scenario& s, const broker::HubProcess& hub,
                                 const plc::PlcServer* plc, const ExternalLinkPorts& link = {});

}  // namespace flexhil::run
