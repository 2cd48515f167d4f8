// TOPIC-…, PROPS-…, PAYLOAD-… and TIME-…: one publish at a time.
#include <cmath>
#include <fmt/format.h>

#include "harness/rules/context.hpp"
#include "harness/rules/timestamp.hpp"

namespace flexhil::rules::detail {
namespace {

bool starts_with(const std::string& s, std::string_view p) { return s.rfind(p, 0) == 0; }

// Which device a `devices/{id}/…` topic names ("" when it names none).
std::string topic_device(const std::string& topic) {
  if (!starts_with(topic, "devices/")) return {};
  const auto end = topic.find('/', 8);
  return topic.substr(8, end == std::string::npos ? std::string::npos : end - 8);
}

std::string device_part(const std::string& device) { return device.substr(0, device.find('/')); }

bool allowed_publish(const std::string& device, const std::string& topic) {
  return flexhil::is_telemetry_topic(device, topic) || starts_with(topic, "$iothub/twin/GET/?$rid=") ||
         starts_with(topic, "$iothub/twin/PATCH/properties/reported/?$rid=") ||
         starts_with(topic, "$iothub/methods/res/");
}

bool allowed_subscribe(const std::string& device, const std::string& topic) {
  const auto slash = device.find('/');
  const std::string c2d = slash == std::string::npos
                              ? "devices/" + device + "/messages/devicebound/#"
                              : "devices/" + device.substr(0, slash) + "/modules/" + device.substr(slash + 1) +
                                    "/messages/devicebound/#";
  return topic == c2d || topic == "$iothub/twin/res/#" || topic == "$iothub/twin/PATCH/properties/desired/#" ||
         topic == "$iothub/methods/POST/#";
}

void check_topic(Context& c, const Json& ev, bool publish) {
  const auto device = EventView(ev).string("device");
  const auto topic = EventView(ev).string("topic");
  const bool ok = publish ? allowed_publish(device, topic) : allowed_subscribe(device, topic);
  if (ok) return;
  const auto other = topic_device(topic);
  const char* what = publish ? "publish to" : "subscribe to";
  if (!other.empty() && other != device_part(device))
    c.findings.add("TOPIC-OTHER-DEVICE", device, fmt::format("{} '{}' (topic of device '{}')", what, topic, other),
                   {EventView(ev).seq()});
  else
    c.findings.add("TOPIC-FORBIDDEN", device, fmt::format("{} '{}' (not an IoT Hub topic)", what, topic),
                   {EventView(ev).seq()});
}

std::string json_value_text(const JsonNode& n) {
  return n.type == JsonNode::Type::string ? "\"" + n.text + "\"" : n.text;
}

}  // namespace

void topic_rules(Context& c) {
  for (const auto& ev : c.events) {
    const auto kind = EventView(ev).kind();
    if (kind == "subscribe") {
      check_topic(c, ev, false);
    } else if (kind == "publish") {
      check_topic(c, ev, true);
      const auto device = EventView(ev).string("device");
      const EventView e(ev);
      if (e.flag("retain") || e.number("retain").value_or(0) != 0)
        c.findings.add("TOPIC-RETAIN-USED", device,
                       fmt::format("publish to '{}' with retain=1 (forwarded as mqtt-retain=true, never stored)",
                                   EventView(ev).string("topic")),
                       {EventView(ev).seq()});
      if (e.number("qos") == 2.0)
        c.findings.add("TOPIC-QOS2", device, fmt::format("publish to '{}' at QoS 2", EventView(ev).string("topic")), {EventView(ev).seq()});
    }
  }
  if (!c.expect.content_type_required) return;
  for (const auto& m : c.telemetry) {
    const Json* props = EventView(*m.event).object("props");
    auto prop = [&](const char* key) -> std::string {
      return props ? EventView(*props).string(key, "<missing>") : std::string("<missing>");
    };
    const auto ct = prop("$.ct");
    const auto ce = prop("$.ce");
    std::string lct = ct, lce = ce;
    for (auto* s : {&lct, &lce})
      for (auto& ch : *s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (lct.rfind("application/json", 0) != 0 || (lce != "utf-8" && lce != "utf8"))
      c.findings.add("PROPS-MISSING-CONTENT-TYPE", m.device,
                     fmt::format("telemetry at {} has $.ct={} $.ce={} (expected application/json and utf-8)",
                                 fmt_s(m.t), ct, ce),
                     {m.seq});
  }
}

void payload_rules(Context& c) {
  for (const auto& m : c.telemetry) {
    if (m.size > c.expect.max_message_bytes)
      c.findings.add("PAYLOAD-TOO-LARGE", m.device,
                     fmt::format("message of {} bytes (limit {} bytes)", m.size, c.expect.max_message_bytes), {m.seq});
    if (m.utf8_error) {
      c.findings.add("PAYLOAD-INVALID-UTF8", m.device,
                     fmt::format("invalid UTF-8 at byte {} of {}", *m.utf8_error, m.payload.size()), {m.seq});
      continue;
    }
    const auto& scan = m.scan;
    if (!scan.root) {
      c.findings.add("PAYLOAD-INVALID-JSON", m.device,
                     fmt::format("invalid JSON at byte {}: {}", scan.error_offset.value_or(0), scan.error), {m.seq});
      if (scan.suspected_unescaped_quote)
        c.findings.add("PAYLOAD-UNESCAPED-CHAR", m.device,
                       fmt::format("string ends early at byte {}: unescaped '\"' inside a key or value",
                                   scan.error_offset.value_or(0)),
                       {m.seq});
    }
    for (const auto& cc : scan.control_characters)
      c.findings.add("PAYLOAD-UNESCAPED-CHAR", m.device,
                     fmt::format("raw control character {} at byte {} in a string (at {})", cc.what, cc.offset, cc.path),
                     {m.seq});
    for (const auto& d : scan.duplicate_keys)
      c.findings.add("PAYLOAD-DUPLICATE-KEY", m.device,
                     fmt::format("key \"{}\" appears more than once in object {} (second at byte {})", d.what, d.path,
                                 d.offset),
                     {m.seq});
    if (!scan.root || scan.root->type != JsonNode::Type::object) continue;
    for (const auto& key : c.expect.required_keys) {
      bool present = false;
      for (const auto& [k, v] : scan.root->members) present = present || k == key;
      if (!present)
        c.findings.add("PAYLOAD-MISSING-KEY", m.device, fmt::format("telemetry at {} lacks key \"{}\"", fmt_s(m.t), key),
                       {m.seq});
    }
    if (!c.expect.numbers_as_strings_ok) {
      for (const auto& [key, node] : m.tags) {
        if (node->type != JsonNode::Type::string) continue;
        const auto* tg = c.tag(key, m.device);
        if (tg && tg->type == TagExpectation::Type::string) continue;
        if (number_from_text(node->text))
          c.findings.add("PAYLOAD-NUMBER-AS-STRING", m.device,
                         fmt::format("\"{}\":{} is a number sent as a string", key, json_value_text(*node)), {m.seq});
      }
    }
  }
}

void time_rules(Context& c) {
  const auto& key = c.expect.timestamp_key;
  if (key.empty()) return;
  std::map<std::string, std::pair<double, std::uint64_t>> previous;  // device → (timestamp, seq)
  for (const auto& m : c.telemetry) {
    if (!m.scan.root || m.scan.root->type != JsonNode::Type::object) continue;
    const JsonNode* node = nullptr;
    for (const auto& [k, v] : m.scan.root->members)
      if (k == key) node = &v;
    if (!node) continue;  // PAYLOAD-MISSING-KEY covers it when required
    const auto text = node->text;
    const auto ts = node->type == JsonNode::Type::string ? parse_timestamp(text) : std::nullopt;
    if (!ts) {
      c.findings.add("TIME-FORMAT", m.device, fmt::format("\"{}\":{} is no timestamp", key, json_value_text(*node)),
                     {m.seq});
      continue;
    }
    using Form = ParsedTimestamp::Form;
    const bool format_ok =
        c.expect.timestamp_format == TimestampFormat::any ||
        (c.expect.timestamp_format == TimestampFormat::iso8601 && ts->form == Form::iso8601 && ts->has_zone) ||
        (c.expect.timestamp_format == TimestampFormat::flexy && ts->form != Form::flexy_time_dollar);
    if (!format_ok)
      c.findings.add("TIME-FORMAT", m.device,
                     fmt::format("\"{}\":\"{}\" is not {}", key, text,
                                 c.expect.timestamp_format == TimestampFormat::iso8601
                                     ? "ISO 8601 with a zone (YYYY-MM-DDTHH:MM:SSZ)"
                                     : "YYYY-MM-DD HH:MM:SS or ISO 8601"),
                     {m.seq});
    double epoch = ts->epoch_s;
    if (!ts->has_zone) {
      c.findings.add("TIME-NO-ZONE", m.device,
                     fmt::format("\"{}\":\"{}\" has no zone; read as UTC it is {:+.0f} s off the receive time", key, text,
                                 ts->epoch_s - m.wall_s),
                     {m.seq});
      if (c.expect.utc_offset_s) epoch -= *c.expect.utc_offset_s;
    }
    const double skew = epoch - m.wall_s;
    if (std::abs(skew) > c.expect.max_clock_skew_s)
      c.findings.add("TIME-SKEW", m.device,
                     fmt::format("timestamp \"{}\" is {:+.3f} s from the receive time (allowed ±{})", text, skew,
                                 fmt_s(c.expect.max_clock_skew_s)),
                     {m.seq});
    auto prev = previous.find(m.device);
    if (prev != previous.end() && epoch < prev->second.first)
      c.findings.add("TIME-BACKWARDS", m.device,
                     fmt::format("timestamp \"{}\" is {:.3f} s earlier than the previous message's", text,
                                 prev->second.first - epoch),
                     {prev->second.second, m.seq});
    previous[m.device] = {epoch, m.seq};
  }
}

}  // namespace flexhil::rules::detail
