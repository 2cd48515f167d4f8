#include "broker/hub_console.hpp"

#include <fmt/format.h>

#include "broker/hub_event_line.hpp"
#include "common/event_view.hpp"
#include "common/json_scan.hpp"
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
  if (p.websocket) out << "  WebSocket     " << *p.websocket << "  (wss, path /$iothub/websocket; SAS and X.509 devices alike)\n";
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

namespace {

// The names az prints for the `$.` system properties of a device message.
std::string azure_name(const std::string& system_property) {
  static const std::pair<const char*, const char*> names[] = {
      {"$.mid", "message-id"},        {"$.cid", "correlation-id"},
      {"$.uid", "user-id"},           {"$.ct", "content-type"},
      {"$.ce", "content-encoding"},   {"$.ctime", "iothub-creation-time-utc"},
      {"$.to", "to"},                 {"$.exp", "absolute-expiry-time"},
      {"$.on", "iothub-outputname"},  {"$.sub", "iothub-app-subject"},
      {"$.cdid", "iothub-connection-device-id"}, {"$.cmid", "iothub-connection-module-id"},
      {"$.diagid", "diagnostic-id"},  {"$.diagctx", "diagnostic-context"}};
  for (const auto& [k, v] : names)
    if (system_property == k) return v;
  return system_property;
}

constexpr std::size_t kShownPayloadBytes = 4096;

std::string shown_payload(const std::string& body) {
  const bool cut = body.size() > kShownPayloadBytes;
  const std::string part = body.substr(0, kShownPayloadBytes);
  std::string out;
  if (!first_invalid_utf8(part) || (cut && *first_invalid_utf8(part) + 4 > part.size())) {
    // Shown as received; line breaks are indented so the block stays readable.
    for (char c : part) {
      if (c == '\n') out += "\n              ";
      else if (c == '\r') continue;
      else out += c;
    }
  } else {
    out = "(binary) ";
    for (std::size_t i = 0; i < part.size() && i < 64; ++i)
      out += fmt::format("{:02x}", static_cast<unsigned char>(part[i]));
    if (part.size() > 64) out += "…";
  }
  if (cut) out += fmt::format(" … ({} bytes in all)", body.size());
  return out;
}

}  // namespace

std::vector<std::string> hub_message_detail(const Json& event) {
  const EventView e(event);
  if (e.kind() != "publish" || e.string("verdict") != "accepted" || !e.has("props")) return {};
  Json system = Json::object(), application = Json::object();
  if (const Json* props = e.object("props"))
    for (auto it = props->begin(); it != props->end(); ++it) {
      if (it.key().rfind("$.", 0) == 0)
        system[azure_name(it.key())] = it.value();
      else
        application[it.key()] = it.value();
    }
  // A module's ClientId is "{deviceId}/{moduleId}": monitor-events shows the two apart.
  const std::string identity = e.string("device");
  const auto slash = identity.find('/');
  system["iothub-connection-device-id"] = identity.substr(0, slash);
  if (slash != std::string::npos) system["iothub-connection-module-id"] = identity.substr(slash + 1);
  system["iothub-enqueuedtime"] = e.string("wall");
  if (is_telemetry(e)) system["iothub-message-source"] = "Telemetry";
  if (e.flag("retain")) application["mqtt-retain"] = "true";  // as IoT Hub forwards a retained message
  std::string body;
  base64_decode(e.text("payload_b64"), body);
  const auto dump = [](const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); };
  return {"  system      " + dump(system), "  application " + dump(application), "  payload     " + shown_payload(body)};
}

}  // namespace flexhil::broker
