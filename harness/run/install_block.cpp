#include "harness/run/install_block.hpp"

#include <filesystem>
#include <fmt/format.h>

namespace flexhil::run {
namespace fs = std::filesystem;

namespace {

bool is_wildcard(const std::string& address) { return address == "0.0.0.0" || address == "::"; }
bool is_loopback(const std::string& address) { return address.rfind("127.", 0) == 0 || address == "::1"; }

// What the device dials: the advertised name, else the listener's own address; a wildcard
// listener has no one address, so the user is told which one to take.
std::string dial_address(const std::string& advertise, const std::string& bind) {
  if (!advertise.empty()) return advertise;
  if (is_wildcard(bind)) return "<this PC's LAN address>";
  return bind;
}

std::string unit_list(const std::vector<int>& units) {
  std::string out;
  for (const int u : units) out += (out.empty() ? "" : ", ") + std::to_string(u);
  return out;
}

}  // namespace

InstallFacts install_facts(const scenario::Scenario& s, const broker::HubProcess& hub, const plc::PlcServer* plc,
                           const ExternalLinkPorts& link) {
  InstallFacts f;
  f.plain = hub.plain();
  f.advertise = s.dut.advertise;
  f.bind = hub.bind_address();
  f.device = s.dut.device;
  f.wait_s = s.dut.wait_s;
  if (f.plain) {
    f.tls = s.broker->tls;
    f.port = hub.ports().broker;
    f.broker_users = !s.broker->users.empty();
    if (f.tls) f.ca_file = hub.ca_file();
  } else {
    f.hub_host = hub.hub_host();
    f.hub_name = hub.hub_name();
    f.port = hub.ports().mqtts;
    f.ca_file = hub.ca_file();
    if (const auto* dev = hub.registry().find_device(s.dut.device)) {
      f.auth = std::string(broker::to_string(dev->auth));
      f.certificate = dev->certificate;
      if (!f.certificate.empty()) {
        const auto key = fs::path(f.certificate).replace_extension(".key");
        if (fs::is_regular_file(key)) f.key_file = key.string();
      }
    }
  }
  if (plc && s.plc) f.plc = PlcFacts{s.plc->bind.value_or("127.0.0.1"), plc->port(), s.plc->units};
  // Through the fault points: the device dials them, they relay to the hub and the PLC.
  if (link.hub) f.port = *link.hub;
  if (link.plc && f.plc) f.plc->port = *link.plc;
  return f;
}

std::string install_block(const InstallFacts& f) {
  const std::string host = dial_address(f.advertise, f.bind);
  std::string out;
  auto line = [&out](const std::string& text) { out += "  " + text + "\n"; };
  std::vector<std::string> warnings;
  if (f.plain) {
    out += "External device under test — configure the real Flexy:\n";
    line(fmt::format("MQTT broker     {}:{} ({})", host, f.port, f.tls ? "TLS" : "plain TCP"));
    if (f.tls) line(fmt::format("CA certificate  {}  → upload to /usr/ by FTP", f.ca_file));
    line(fmt::format("client id       {}", f.device));
    line(f.broker_users ? "credentials     a username and password of [broker] users"
                        : "credentials     none needed (anonymous allowed)");
  } else {
    const bool sas = f.auth == "sas";
    out += "External device under test — install and configure the real Flexy:\n";
    line(fmt::format("hub host name   {} (map it to {} in the Flexy's DNS/hosts, or use the IP)", f.hub_host, host));
    line(fmt::format("MQTT over TLS   {}:{} ({})", host, f.port, sas ? "SAS" : "X.509"));
    line(fmt::format("CA certificate  {}  → upload to /usr/ by FTP (the program's CAFile, e.g. /usr/ca.pem)",
                     f.ca_file));
    line(fmt::format("client id       {}", f.device));
    line(fmt::format("username        {}/{}/?api-version=2021-04-12", f.hub_host, f.device));
    if (sas) {
      line(fmt::format("password        a SAS token: flexhil certs sas --hub {} --device {} --key <its primary_key "
                       "in the registry> --ttl 24h",
                       f.hub_name, f.device));
    } else {
      line(fmt::format("password        any (X.509: the hub judges the certificate; the reference program sends "
                       "HostName={};DeviceID={};x509=true)",
                       f.hub_name, f.device));
      if (!f.certificate.empty())
        line(fmt::format("certificate     {}  → upload as /usr/{}.crt (CertFile)", f.certificate, f.device));
      else
        line(fmt::format("certificate     the one whose thumbprint is registered for {} (CertFile)", f.device));
      if (!f.key_file.empty())
        line(fmt::format("key             {}  → upload as /usr/{}.key (KeyFile)", f.key_file, f.device));
      else
        line(fmt::format("key             the certificate's private key → /usr/{}.key (KeyFile)", f.device));
      if (f.auth == "x509-ca") line("                (x509-ca: a certificate with CN = the device id, signed by a registered CA)");
    }
    if (f.port != kReferenceHubPort)
      warnings.push_back(fmt::format(
          "the hub listens on port {}, but the reference Azure program (like IoT Hub) dials {}: set MQTT "
          "\"SETPARAM\", \"Port\", \"{}\" in the program, or run with [hub] port = {}",
          f.port, kReferenceHubPort, f.port, kReferenceHubPort));
  }
  if (is_loopback(f.bind))
    warnings.push_back(fmt::format("the MQTT listener is on {} only: a Flexy on the LAN cannot reach it "
                                   "(set bind = \"0.0.0.0\" in [hub]/[broker])",
                                   f.bind));
  if (f.plc) {
    const std::string plc_host = dial_address(f.advertise, f.plc->bind);
    line(fmt::format("PLC (Modbus TCP IO server)  {}:{}, unit id {} (the IO server topic's IP address and unit id)",
                     plc_host, f.plc->port, unit_list(f.plc->units)));
    if (f.plc->port != kModbusPort)
      warnings.push_back(fmt::format("the PLC listens on port {}, not {} that a Flexy's Modbus IO server dials by "
                                     "default: set its port in the IO server, or [plc] port = {}",
                                     f.plc->port, kModbusPort, kModbusPort));
    if (is_loopback(f.plc->bind))
      warnings.push_back(fmt::format("the PLC listens on {} only: a Flexy on the LAN cannot poll it "
                                     "(set [plc] bind = \"0.0.0.0\")",
                                     f.plc->bind));
  }
  for (const auto& w : warnings) line("warning: " + w);
  return out;
}

std::string install_file(const std::string& run_dir) { return (fs::path(run_dir) / "install.txt").string(); }

}  // namespace flexhil::run
