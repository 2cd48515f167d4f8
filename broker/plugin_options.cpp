#include "broker/plugin_options.hpp"

#include <charconv>
#include <stdexcept>

#include "common/mqtt_topic_filter.hpp"

namespace flexhil::broker {

namespace {
std::int64_t integer(const std::string& name, const std::string& value, std::int64_t min, std::int64_t max) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || p != value.data() + value.size() || v < min || v > max)
    throw std::invalid_argument("plugin_opt_" + name + " '" + value + "' must be an integer from " +
                                std::to_string(min) + " to " + std::to_string(max));
  return v;
}

bool choice(const std::string& name, const std::string& value, const char* yes, const char* no) {
  if (value == yes) return true;
  if (value == no) return false;
  throw std::invalid_argument("plugin_opt_" + name + " '" + value + "' must be " + no + " or " + yes);
}
}  // namespace

IothubOptions parse_iothub_options(const std::vector<std::pair<std::string, std::string>>& options) {
  IothubOptions o;
  for (const auto& [name, value] : options) {
    if (name == "registry") o.registry = value;
    else if (name == "hub") o.hub = value;
    else if (name == "internal_username") o.internal_username = value;
    else if (name == "internal_password") o.internal_password = value;
    else if (name == "qos2_policy") o.qos2_accept = choice(name, value, "accept", "disconnect");
    else if (name == "max_message_bytes") o.max_message_bytes = integer(name, value, 1, 268435455);
    else if (name == "max_subscriptions") o.max_subscriptions = static_cast<int>(integer(name, value, 0, 100000));
    else if (name == "sas_skew_seconds") o.sas_skew_seconds = integer(name, value, 0, 86400);
    else if (name == "mqtt5_policy") o.mqtt5_accept = choice(name, value, "accept", "refuse");
    else if (name == "will_policy") o.will_accept = choice(name, value, "accept", "refuse");
    else if (name == "sas_expiry_check_seconds") o.sas_expiry_check_seconds = integer(name, value, 1, 86400);
    else if (name == "audit_file") o.audit_file = value;
    else if (name == "audit_stream") o.audit_stream = value;
    else if (name == "audit_flush_ms") o.audit_flush_ms = integer(name, value, 0, 1000);
    else if (name == "mode") o.plain = choice(name, value, "plain", "hub");
    else if (name == "users_file") o.users_file = value;
    else if (name == "telemetry_filter") {
      if (!is_valid_topic_filter(value))
        throw std::invalid_argument("plugin_opt_telemetry_filter '" + value + "' is not an MQTT topic filter");
      o.telemetry_filter = value;
    }
    else if (name == "ca_file") o.ca_file = value;
    else if (name == "c2d_clean_session") o.c2d_clean_session_deliver = choice(name, value, "deliver", "drop");
    else
      throw std::invalid_argument("unknown option plugin_opt_" + name +
                                  " (expected one of: registry, hub, internal_username, internal_password, "
                                  "qos2_policy, max_message_bytes, max_subscriptions, sas_skew_seconds, "
                                  "mqtt5_policy, will_policy, sas_expiry_check_seconds, audit_file, audit_stream, audit_flush_ms, ca_file, mode, "
                                  "users_file, telemetry_filter, c2d_clean_session)");
  }
  if (o.plain) {
    if (!o.registry.empty()) throw std::invalid_argument("plugin_opt_registry is for mode hub; a plain broker reads plugin_opt_users_file");
  } else if (!o.users_file.empty()) {
    throw std::invalid_argument("plugin_opt_users_file is for mode plain");
  } else if (o.registry.empty()) throw std::invalid_argument("plugin_opt_registry is required (the device registry TOML file)");
  if (o.internal_username.empty() != o.internal_password.empty())
    throw std::invalid_argument("plugin_opt_internal_username and plugin_opt_internal_password go together");
  return o;
}

}  // namespace flexhil::broker
