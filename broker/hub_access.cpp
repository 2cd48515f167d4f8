#include "broker/hub_access.hpp"

#include <stdexcept>

#include "common/event.hpp"
#include "common/json_read.hpp"

namespace flexhil::broker {

std::string render_hub_access(const HubAccess& a) {
  Json j{{"hub", a.hub},
         {"internal", {{"host", "127.0.0.1"}, {"port", a.internal_port}, {"username", a.username}, {"password", a.password}}},
         {"events_file", a.events_file},
         {"registry", a.registry},
         {"mosquitto_pid", a.mosquitto_pid}};
  return j.dump(2) + "\n";
}

HubAccess parse_hub_access(std::string_view text) {
  const Json j = parse_json_or_discarded(text);
  if (j.is_discarded() || !j.is_object()) throw std::invalid_argument("not a JSON object");
  auto string_at = [](const Json& o, const char* key) {
    if (!o.contains(key) || !o[key].is_string() || o[key].get<std::string>().empty())
      throw std::invalid_argument(std::string("\"") + key + "\" missing or not a string");
    return o[key].get<std::string>();
  };
  HubAccess a;
  a.hub = string_at(j, "hub");
  if (!j.contains("internal") || !j["internal"].is_object()) throw std::invalid_argument("\"internal\" missing");
  const Json& in = j["internal"];
  if (!in.contains("port") || !in["port"].is_number_integer() || in["port"].get<long long>() < 1 ||
      in["port"].get<long long>() > 65535)
    throw std::invalid_argument("\"internal.port\" missing or not a port number");
  a.internal_port = static_cast<std::uint16_t>(in["port"].get<long long>());
  a.username = string_at(in, "username");
  a.password = string_at(in, "password");
  if (j.contains("events_file") && j["events_file"].is_string()) a.events_file = j["events_file"].get<std::string>();
  a.registry = string_at(j, "registry");
  if (j.contains("mosquitto_pid") && j["mosquitto_pid"].is_number_integer())
    a.mosquitto_pid = j["mosquitto_pid"].get<int>();
  return a;
}

}  // namespace flexhil::broker
