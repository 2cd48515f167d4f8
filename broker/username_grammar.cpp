#include "broker/username_grammar.hpp"

#include <algorithm>
#include <cctype>

#include "broker/property_bag.hpp"
#include "common/ascii_case.hpp"

namespace flexhil::broker {

namespace {


UsernameVerdict refuse(UsernameForm form, std::string reason_id, std::string reason) {
  UsernameVerdict v;
  v.accepted = false;
  v.form = form;
  v.reason_id = std::move(reason_id);
  v.reason = std::move(reason);
  return v;
}

// Reads `api-version`, `DeviceClientType`, `model-id` from "k=v&k=v"; unknown keys are ignored.
void read_query(std::string_view query, UsernameVerdict& v) {
  const auto bag = decode_property_bag(query);
  for (const auto& [k, val] : bag.entries) {
    if (!val) continue;
    if (iequals(k, "api-version")) v.api_version = *val;
    else if (iequals(k, "DeviceClientType")) v.device_client_type = *val;
    else if (iequals(k, "model-id")) v.model_id = *val;
  }
}

}  // namespace

std::string_view to_string(UsernameForm form) {
  switch (form) {
    case UsernameForm::current: return "current";
    case UsernameForm::sdk: return "sdk";
    case UsernameForm::legacy: return "legacy";
    case UsernameForm::none: return "none";
    case UsernameForm::module: return "module";
    case UsernameForm::invalid: return "invalid";
  }
  return "invalid";
}

UsernameVerdict judge_username(const std::optional<std::string>& username, std::string_view client_id,
                               std::string_view hub_host) {
  if (!username || username->empty())
    return refuse(UsernameForm::invalid, "AUTH-USERNAME-FORMAT",
                  "no username; IoT Hub needs '{hub}.azure-devices.net/{deviceId}/?api-version=…'");
  const std::string_view u = *username;
  const auto slash = u.find('/');
  if (slash == std::string_view::npos)
    return refuse(UsernameForm::invalid, "AUTH-USERNAME-FORMAT",
                  "username '" + *username + "' has no '/'; expected '" + std::string(hub_host) +
                      "/{deviceId}/?api-version=…'");
  const auto host = u.substr(0, slash);
  if (!iequals(host, hub_host))
    return refuse(UsernameForm::invalid, "AUTH-USERNAME-HOST",
                  "username host '" + std::string(host) + "' is not the hub host name '" + std::string(hub_host) + "'");
  const auto rest = u.substr(slash + 1);
  const bool is_module = client_id.find('/') != std::string_view::npos;

  // The device part: ClientId (which holds '/' for modules) followed by end or '/'.
  if (rest.substr(0, client_id.size()) != client_id ||
      (rest.size() > client_id.size() && rest[client_id.size()] != '/')) {
    auto shown = rest.substr(0, std::min(rest.find('/'), rest.size()));
    return refuse(UsernameForm::invalid, "AUTH-USERNAME-DEVICE",
                  "username device part '" + std::string(shown) + "' does not match ClientId '" +
                      std::string(client_id) + "'");
  }
  std::string_view tail = rest.substr(client_id.size());  // "", "/", "/?…", "/api-version=…"
  UsernameVerdict v;
  v.accepted = true;
  if (tail.empty() || tail == "/") {
    v.form = is_module ? UsernameForm::module : UsernameForm::none;
    v.finding_id = "AUTH-USERNAME-NO-API-VERSION";
    v.reason = "username has no api-version (IoT Hub accepts it but warns of unexpected behaviour)";
    return v;
  }
  tail.remove_prefix(1);
  if (tail.front() == '?') {
    read_query(tail.substr(1), v);
  } else if (tail.size() >= 12 && iequals(tail.substr(0, 12), "api-version=")) {
    read_query(tail, v);
    v.form = is_module ? UsernameForm::module : UsernameForm::legacy;
  } else {
    return refuse(UsernameForm::invalid, "AUTH-USERNAME-FORMAT",
                  "unexpected '" + std::string(tail) + "' after the device id in the username; expected '/?api-version=…'");
  }
  if (v.form != UsernameForm::legacy && v.form != UsernameForm::module) {
    if (is_module) v.form = UsernameForm::module;
    else if (!v.device_client_type.empty() || !v.model_id.empty()) v.form = UsernameForm::sdk;
    else v.form = UsernameForm::current;
  }
  if (v.api_version.empty()) {
    if (!is_module && v.form != UsernameForm::sdk) v.form = UsernameForm::none;
    v.finding_id = "AUTH-USERNAME-NO-API-VERSION";
    v.reason = "username has no api-version (IoT Hub accepts it but warns of unexpected behaviour)";
  }
  return v;
}

}  // namespace flexhil::broker
