#include "broker/harness_commands.hpp"

#include "broker/plugin_options.hpp"
#include "common/json_read.hpp"

namespace flexhil::broker {

namespace {
std::optional<HarnessCommand> fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return std::nullopt;
}
bool is_plain_segment(const std::string& s) {
  return !s.empty() && s.find_first_of("/#+?&") == std::string::npos;
}
}  // namespace

std::optional<HarnessCommand> parse_harness_command(std::string_view topic, std::string_view payload,
                                                    std::string* error) {
  const Json j = parse_json_or_discarded(payload);  // nesting bounded: nothing recursive sees a deep value
  if (j.is_discarded() || !j.is_object()) return fail(error, "payload is not a JSON object");
  if (topic == internal_topics::command_ping) {
    if (!j.contains("id") || !j["id"].is_number_integer()) return fail(error, "\"id\" must be an integer");
    return PingCommand{j["id"].get<std::int64_t>()};
  }
  std::string request;
  if (j.contains("request")) {
    if (!j["request"].is_string()) return fail(error, "\"request\" must be a string");
    request = j["request"].get<std::string>();
  }
  if (topic == internal_topics::command_devices) return DevicesCommand{request};
  if (!j.contains("device") || !j["device"].is_string() || j["device"].get<std::string>().empty())
    return fail(error, "missing \"device\" (string)");
  const auto device = j["device"].get<std::string>();
  if (topic == internal_topics::command_c2d) {
    C2dCommand c{device, {}, {}, std::nullopt, request};
    if (j.contains("ttl_s")) {
      if (!j["ttl_s"].is_number_integer() || j["ttl_s"].get<std::int64_t>() < 1 ||
          j["ttl_s"].get<std::int64_t>() > 172800)
        return fail(error, "\"ttl_s\" must be an integer from 1 to 172800 (IoT Hub keeps a C2D message at most 2 days)");
      c.ttl_s = j["ttl_s"].get<std::int64_t>();
    }
    if (j.contains("body_b64")) {
      if (!j["body_b64"].is_string() || !base64_decode(j["body_b64"].get<std::string>(), c.body))
        return fail(error, "\"body_b64\" must be a base64 string");
    }
    if (j.contains("props")) {
      if (!j["props"].is_object()) return fail(error, "\"props\" must be an object of strings or nulls");
      for (auto it = j["props"].begin(); it != j["props"].end(); ++it) {
        if (it.value().is_null()) c.props.emplace_back(it.key(), std::nullopt);
        else if (it.value().is_string()) c.props.emplace_back(it.key(), it.value().get<std::string>());
        else return fail(error, "property \"" + it.key() + "\" must be a string or null");
      }
    }
    return c;
  }
  if (topic == internal_topics::command_desired) {
    if (!j.contains("patch") || !j["patch"].is_object()) return fail(error, "\"patch\" must be an object");
    return DesiredCommand{device, j["patch"], request};
  }
  if (topic == internal_topics::command_method) {
    MethodCommand m;
    m.device = device;
    if (!j.contains("method") || !j["method"].is_string() || !is_plain_segment(j["method"].get<std::string>()))
      return fail(error, "\"method\" must be a non-empty name without / # + ? &");
    m.method = j["method"].get<std::string>();
    if (!j.contains("rid") || !(j["rid"].is_string() || j["rid"].is_number_integer()))
      return fail(error, "\"rid\" must be a string or an integer");
    m.rid = j["rid"].is_string() ? j["rid"].get<std::string>() : std::to_string(j["rid"].get<long long>());
    if (!is_plain_segment(m.rid)) return fail(error, "\"rid\" must not be empty or hold / # + ? &");
    m.payload = j.contains("payload") ? j["payload"].dump() : "null";
    return m;
  }
  return fail(error, "unknown command topic '" + std::string(topic) + "'");
}

}  // namespace flexhil::broker
