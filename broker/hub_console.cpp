#include "broker/hub_console.hpp"

#include "broker/hub_event_line.hpp"
#include "common/event_view.hpp"

namespace flexhil::broker {

void print_hub_banner(std::ostream& out, const HubProcess& hub, const std::string& capture_path) {
  const auto& p = hub.ports();
  const auto& host = hub.hub_host();
  out << "flexhil hub '" << hub.hub_name() << "' is ready (mosquitto pid " << hub.pid() << ")\n"
      << "  host name     " << host << "\n"
      << "                devices must reach this PC under that name: add '<this PC's IP> " << host
      << "' to the device's DNS/hosts,\n"
      << "                or connect by IP and give it with --extra-name so the hub certificate covers it\n"
      << "  listening on  " << hub.bind_address() << "\n"
      << "  MQTTS port    " << p.mqtts << "  (" << (hub.tls13() ? "TLS 1.2 and 1.3" : "TLS 1.2 only")
      << "; SAS and X.509 devices alike)\n"
      << "                X.509: a client certificate (self-signed: registered thumbprint; CA-signed: CN = device id)\n"
      << "                SAS:   password = SharedAccessSignature sr=…&sig=…&se=…\n";
  if (p.websocket) out << "  WebSocket     " << *p.websocket << "  (wss, path /$iothub/websocket, SAS)\n";
  out << "  CA file       " << hub.ca_file() << "\n"
      << "                install it on the device as the trusted root (Flexy: replace the Azure root CA)\n"
      << "  username      " << host << "/{deviceId}/?api-version=2021-04-12  (ClientId = {deviceId})\n"
      << "  SAS token     flexhil certs sas --hub " << hub.hub_name() << " --device {deviceId} --key {key} --ttl 1h\n"
      << "  registry      " << hub.registry().file << " (" << hub.registry().devices.size() << " devices)\n"
      << "  capture       " << capture_path << "\n"
      << "  broker log    " << hub.log_file() << "\n";
  out << "Press Ctrl-C to stop.\n" << std::flush;
}

std::optional<std::string> hub_console_line(const Json& event) {
  if (EventView(event).kind() == "pong") return std::nullopt;
  return describe_event(event);
}

}  // namespace flexhil::broker
