#include "broker/plugin/hub_plugin.hpp"

#include <chrono>
#include <cstring>
#include <ctime>
#include <fmt/format.h>
#include <variant>
#include <vector>

// mosquitto_broker.h before mosquitto_plugin.h (the v5 plugin API).
#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

#include "broker/harness_commands.hpp"
#include "broker/keepalive_policy.hpp"
#include "broker/mqtt_connect_packet.hpp"
#include "broker/publish_audit_line.hpp"
#include "broker/websocket_frames.hpp"
#include "broker/will_policy.hpp"
#include "common/clock.hpp"
#include "broker/plugin/client_certificate.hpp"
#include "broker/property_bag.hpp"
#include "broker/topic_policy.hpp"

namespace flexhil::broker::plugin {

namespace {

std::string or_empty(const char* s) { return s ? s : ""; }

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A device's "last seen" (the devices listing), stamped on every message: the kernel's last tick
// is precise enough and costs no clock read.
std::int64_t coarse_now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

std::string c2d_filter(const std::string& device) { return "devices/" + device + "/messages/devicebound/#"; }

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);  // the clock of the TLS shim's read times
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// "$flexhil/#", "$flexhil/cmd/…", … : what the harness's own connection may subscribe to.
bool internal_filter(std::string_view filter) { return filter == "$flexhil/#" || starts_with(filter, "$flexhil/"); }

// The harness may also watch device telemetry read-only (bench/capture_ingest counts the stream
// independently of the audit path this way).
bool observes_telemetry(std::string_view filter) { return starts_with(filter, "devices/"); }

// Mosquitto 2.0.11 passes -1 for a clean DISCONNECT, a dropped socket and a keep-alive timeout
// alike (verified, broker/README.md), so those are all "client"; the hub launcher can refine them
// from mosquitto's log.
std::string disconnect_reason(int mosquitto_reason) {
  switch (mosquitto_reason) {
    case -1:
    case MOSQ_ERR_SUCCESS: return "client";
    case MOSQ_ERR_KEEPALIVE: return "keepalive";
    case MOSQ_ERR_ADMINISTRATIVE_ACTION: return "kicked";
    default: return "error";
  }
}

}  // namespace

HubPlugin::HubPlugin(IothubOptions options, Registry registry)
    : options_(std::move(options)), registry_(std::move(registry)), cas_(registry_, options_.ca_file) {
  if (!options_.hub.empty()) registry_.hub = options_.hub;
  policy_.hub_host = registry_.host();
  policy_.sas_skew_seconds = options_.sas_skew_seconds;
  policy_.accept_mqtt5 = options_.mqtt5_accept;
  for (const auto& d : registry_.devices) twins_.emplace(d.id, TwinState(d.twin_desired, d.twin_reported));
  for (const auto& m : registry_.modules) twins_.emplace(m.id, TwinState(m.twin_desired, m.twin_reported));  // module twins
  if (!options_.audit_file.empty()) audit_ = std::make_unique<AuditLog>(options_.audit_file, options_.audit_stream, options_.audit_flush_ms);
  read_wall_offset();
}

void HubPlugin::read_wall_offset() {
  timespec real{};
  clock_gettime(CLOCK_REALTIME, &real);
  wall_offset_ns_ = static_cast<std::int64_t>(real.tv_sec) * 1'000'000'000 + real.tv_nsec - monotonic_ns();
}

std::chrono::system_clock::time_point HubPlugin::wall_at(std::int64_t mono_ns) const {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(mono_ns + wall_offset_ns_)));
}

void HubPlugin::emit(Json event) {
  if (audit_) audit_->write(std::move(event));
}

void HubPlugin::flush_audit(std::int64_t now_ns) {
  if (!audit_) return;
  audit_->flush_if_due(now_ns);
  if (audit_->write_failures() != reported_failures_) {
    reported_failures_ = audit_->write_failures();
    mosquitto_log_printf(MOSQ_LOG_ERR, "iothub plugin: %llu audit event(s) could not be written to %s: %s",
                         static_cast<unsigned long long>(reported_failures_), options_.audit_file.c_str(),
                         std::strerror(audit_->last_errno()));
  }
}

void HubPlugin::deliver(const std::string& client_id, const std::string& topic, const std::string& payload, int qos) {
  mosquitto_broker_publish_copy(client_id.c_str(), topic.c_str(), static_cast<int>(payload.size()),
                                payload.empty() ? nullptr : payload.data(), qos, false, nullptr);
}

std::string HubPlugin::listener_of(const mosquitto* client, bool tls_session) const {
  if (mosquitto_client_protocol(client) == mp_websockets) return "websocket";
  return tls_session ? "mqtts" : "internal";
}

TwinState& HubPlugin::twin(const std::string& device_id) { return twins_[device_id]; }

bool HubPlugin::connected(const std::string& client_id) const { return current_.count(client_id) > 0; }

std::optional<int> HubPlugin::subscribed_qos(const std::string& client_id, const std::string& filter) const {
  auto s = sessions_.find(client_id);
  if (s == sessions_.end()) return std::nullopt;
  auto f = s->second.filters.find(filter);
  if (f == s->second.filters.end()) return std::nullopt;
  return f->second;
}

void HubPlugin::kick(Connection& conn, const std::string& reason, const std::string& detail) {
  conn.kick_reason = reason;
  conn.kick_detail = detail;
  const std::string id = conn.client_id;  // conn may be erased by the disconnect callback
  mosquitto_kick_client_by_clientid(id.c_str(), false);
}

// ---------------------------------------------------------------------------------- CONNECT

int HubPlugin::on_basic_auth(mosquitto_evt_basic_auth& ev) {
  mosquitto* client = ev.client;
  const std::string client_id = or_empty(mosquitto_client_id(client));
  // mosquitto looks at the peer certificate only for a TLS session; the shim counts the looks.
  const auto queries_before = shim_.peer_queries();
  const auto certificate = client_certificate(client, cas_);
  const bool tls_session = !shim_.loaded() || shim_.peer_queries() != queries_before;
  const std::string listener = listener_of(client, tls_session);
  Connection conn;
  conn.client_id = client_id;
  conn.keepalive = mosquitto_client_keepalive(client);
  if (tls_session && shim_.loaded()) conn.tls_session = shim_.last_peer_session();
  departed_.erase(client);  // the pointer of a freed connection may come back

  // The harness's own connection: exact internal credentials, no certificate, and (when the
  // shim can tell) the internal listener.
  const bool internal_credentials = !options_.internal_username.empty() && ev.username && ev.password &&
                                    options_.internal_username == ev.username &&
                                    options_.internal_password == ev.password;
  if (internal_credentials && !certificate && (listener == "internal" || !shim_.loaded())) {
    conn.internal = true;
    conn.accepted = true;
    connections_[client] = conn;
    current_[client_id] = client;
    return MOSQ_ERR_SUCCESS;
  }
  if (options_.plain) return plain_basic_auth(ev, std::move(conn));

  ConnectRequest req;
  req.client_id = client_id;
  if (ev.username) req.username = ev.username;
  if (ev.password) req.password = ev.password;
  req.protocol_version = mosquitto_client_protocol_version(client);
  req.certificate = certificate;
  req.now = now_seconds();
  auto verdict = judge_connect(req, registry_, policy_);
  // The will is not in mosquitto's plugin API: read it from the CONNECT the shim kept.
  std::optional<ConnectWill> will;
  if (conn.tls_session) {
    // On the WebSocket port the CONNECT is inside the client's frames, after the upgrade request.
    auto stream = shim_.stream_prefix(conn.tls_session);
    if (listener == "websocket") stream = websocket_client_payload(stream);
    const auto parsed = parse_connect_prefix(stream);
    if (parsed.status == ConnectParseStatus::complete) will = parsed.packet.will;
  }
  if (verdict.accepted) {
    const auto w = judge_will(client_id, will, !options_.will_accept);
    if (w.refuse) verdict.accepted = false;
    if (!w.reason_id.empty() && (w.refuse || verdict.reason_id.empty())) {
      verdict.reason_id = w.reason_id;
      verdict.reason = w.reason;
    }
  }
  if (verdict.accepted && ev.username && options_.internal_username == ev.username) {
    verdict.accepted = false;
    verdict.reason_id = "AUTH-REFUSED";
    verdict.reason = "the internal username is reserved for the harness";
  }
  // The loopback listener is the harness's, not a device port: no device may connect there.
  if (listener == "internal") {
    verdict.accepted = false;
    verdict.auth = "none";
    verdict.matched.clear();
    verdict.reason_id = "AUTH-REFUSED";
    verdict.reason = "the internal listener (plain TCP on 127.0.0.1) accepts only the harness's own user; "
                     "devices connect to the MQTTS port";
  }

  Json e = make_event("connect");
  e["device"] = client_id;
  e["username"] = req.username.value_or("");
  e["password_redacted"] = verdict.password_redacted;
  e["listener"] = listener;
  e["address"] = or_empty(mosquitto_client_address(client));
  e["protocol_version"] = req.protocol_version;
  e["keepalive"] = mosquitto_client_keepalive(client);
  e["clean_session"] = mosquitto_client_clean_session(client);
  e["auth"] = verdict.auth;
  e["username_form"] = std::string(to_string(verdict.username.form));
  if (!verdict.username.api_version.empty()) e["api_version"] = verdict.username.api_version;
  if (!verdict.username.device_client_type.empty()) e["device_client_type"] = verdict.username.device_client_type;
  e["verdict"] = verdict.accepted ? "accepted" : "refused";
  e["connack"] = verdict.accepted ? 0 : 5;
  e["reason"] = verdict.reason;
  e["reason_id"] = verdict.reason_id;
  if (!verdict.matched.empty()) e["matched"] = verdict.matched;
  if (certificate) {
    e["thumbprint_sha1"] = certificate->sha1;
    e["thumbprint_sha256"] = certificate->sha256;
    e["certificate_cn"] = certificate->common_name;
    if (certificate->verified_by) e["certificate_ca"] = *certificate->verified_by;
  }
  if (will) {
    e["will_topic"] = will->topic;
    e["will_qos"] = will->qos;
    e["will_retain"] = will->retain;
  }
  if (verdict.sas_expiry) e["sas_expiry"] = *verdict.sas_expiry;
  if (verdict.sas_skn) e["sas_skn"] = *verdict.sas_skn;
  emit(std::move(e));

  if (!verdict.accepted) {
    connections_.erase(client);
    return MOSQ_ERR_AUTH;
  }
  conn.accepted = true;
  if (verdict.auth == "sas") conn.sas_expiry = verdict.sas_expiry;
  // Mosquitto drops the older connection with this ClientId itself once we accept; remember
  // it so its disconnect event says "replaced".
  if (auto it = current_.find(client_id); it != current_.end() && it->second != client) {
    if (auto old = connections_.find(it->second); old != connections_.end()) old->second.replaced = true;
  }
  conn.clean_session = mosquitto_client_clean_session(client);
  if (conn.clean_session) sessions_.erase(client_id);
  connections_[client] = conn;
  current_[client_id] = client;
  last_seen_[client_id] = now_ms();
  // Mosquitto sends these after the CONNACK (plugin messages are queued for its next loop turn).
  if (conn.clean_session && !options_.c2d_clean_session_deliver)
    c2d_drop_queued(client_id, "clean-session");
  else
    c2d_flush(client_id);
  return MOSQ_ERR_SUCCESS;
}

// ---------------------------------------------------------------------------------- ACL

int HubPlugin::on_acl_check(mosquitto_evt_acl_check& ev) {
  auto it = connections_.find(ev.client);
  if (it == connections_.end()) {
    if (auto d = departed_.find(ev.client); d != departed_.end() && ev.access == MOSQ_ACL_WRITE) {
      const Connection conn = std::move(d->second);
      departed_.erase(d);
      // A plain broker lets mosquitto deliver wills as it does.
      return options_.plain ? MOSQ_ERR_SUCCESS : will_message(ev, conn);
    }
    return MOSQ_ERR_ACL_DENIED;
  }
  if (!it->second.accepted) return MOSQ_ERR_ACL_DENIED;
  Connection& conn = it->second;
  const std::string_view topic = ev.topic ? ev.topic : "";  // a view: twice for every message

  if (conn.internal) {
    switch (ev.access) {
      case MOSQ_ACL_SUBSCRIBE:
      case MOSQ_ACL_READ:
        return internal_filter(topic) || observes_telemetry(topic) ? MOSQ_ERR_SUCCESS : MOSQ_ERR_ACL_DENIED;
      case MOSQ_ACL_WRITE: return starts_with(topic, "$flexhil/cmd/") ? MOSQ_ERR_SUCCESS : MOSQ_ERR_ACL_DENIED;
      case MOSQ_ACL_UNSUBSCRIBE: return MOSQ_ERR_SUCCESS;
      default: return MOSQ_ERR_ACL_DENIED;
    }
  }
  if (options_.plain) return plain_acl_check(ev, conn);
  switch (ev.access) {
    case MOSQ_ACL_SUBSCRIBE: return acl_device_subscribe(ev, conn);
    case MOSQ_ACL_WRITE: return acl_device_write(ev, conn);
    case MOSQ_ACL_READ:
      // Device telemetry never reaches another device: a device reads only its own downstream topics.
      return device_may_receive(conn.client_id, topic) ? MOSQ_ERR_SUCCESS : MOSQ_ERR_ACL_DENIED;
    case MOSQ_ACL_UNSUBSCRIBE: {
      if (auto s = sessions_.find(conn.client_id); s != sessions_.end()) s->second.filters.erase(std::string(topic));
      return MOSQ_ERR_SUCCESS;
    }
    default: return MOSQ_ERR_ACL_DENIED;
  }
}

int HubPlugin::acl_device_subscribe(mosquitto_evt_acl_check& ev, Connection& conn) {
  const std::string filter = or_empty(ev.topic);
  const auto cls = classify_subscribe(conn.client_id, filter);
  auto& session = sessions_[conn.client_id];
  const bool already = session.filters.count(filter) > 0;
  Json e = make_event("subscribe");
  e["device"] = conn.client_id;
  e["topic"] = filter;
  e["qos"] = ev.qos;
  std::string reason = cls.reason, reason_id = cls.reason_id;
  if (cls.kind != SubscribeKind::forbidden && !already &&
      static_cast<int>(session.filters.size()) >= options_.max_subscriptions) {
    reason_id = "CONN-TOO-MANY-SUBSCRIPTIONS";
    reason = fmt::format("subscription {} of the connection; IoT Hub allows {}", session.filters.size() + 1,
                         options_.max_subscriptions);
  }
  if (!reason_id.empty()) {
    e["granted_qos"] = 128;
    e["verdict"] = "disconnected";
    e["reason"] = reason;
    e["reason_id"] = reason_id;
    emit(std::move(e));
    kick(conn, "kicked", reason_id + ": " + reason);
    return MOSQ_ERR_ACL_DENIED;
  }
  // The listeners' max_qos 1 (hub_config.cpp) makes mosquitto grant a QoS 2 request as 1, as
  // IoT Hub does, and this callback sees 1. With qos2_policy accept there is no max_qos and
  // mosquitto grants what was asked (an ACL callback cannot lower it): the event says so, and
  // downstream messages never use QoS 2.
  session.filters[filter] = ev.qos > 1 ? 1 : ev.qos;
  e["granted_qos"] = ev.qos;
  e["verdict"] = "granted";
  e["reason"] = ev.qos > 1 ? "QoS 2 subscription granted as 2 by mosquitto; IoT Hub grants QoS 1" : "";
  emit(std::move(e));
  // Queued C2D goes out after the SUBACK (mosquitto sends plugin messages on its next loop turn).
  if (filter == c2d_filter(conn.client_id)) c2d_flush(conn.client_id);
  return MOSQ_ERR_SUCCESS;
}

int HubPlugin::acl_device_write(mosquitto_evt_acl_check& ev, Connection& conn) {
  const std::string_view topic = ev.topic ? ev.topic : "";
  const auto cls = classify_publish(conn.client_id, topic);
  std::string reason = cls.reason, reason_id = cls.reason_id;
  if (reason_id.empty() && ev.qos == 2 && !options_.qos2_accept) {
    reason_id = "TOPIC-QOS2";
    reason = "QoS 2 publish; IoT Hub supports QoS 0 and 1 (qos2_policy=disconnect)";
  }
  if (reason_id.empty()) {
    std::int64_t size = ev.payloadlen;
    for (const auto& [k, v] : cls.props.entries) size += static_cast<std::int64_t>(k.size() + (v ? v->size() : 0));
    if (size > options_.max_message_bytes) {
      reason_id = "PAYLOAD-TOO-LARGE";
      reason = fmt::format("message of {} bytes (body + properties) exceeds {} bytes", size, options_.max_message_bytes);
    }
  }
  if (reason_id.empty()) return MOSQ_ERR_SUCCESS;  // the publish event follows from MOSQ_EVT_MESSAGE

  Json e = make_event("publish");
  e["device"] = conn.client_id;
  e["topic"] = topic;
  e["props"] = cls.props.to_json();
  e["qos"] = ev.qos;
  e["retain"] = ev.retain;
  e["size"] = ev.payloadlen;
  // A 300 KB body would bloat the capture: the size says enough for refused messages.
  if (reason_id != "PAYLOAD-TOO-LARGE" && ev.payload)
    e["payload_b64"] = base64_encode(std::string_view(static_cast<const char*>(ev.payload), ev.payloadlen));
  else
    e["payload_b64"] = "";
  e["verdict"] = "disconnected";
  e["reason"] = reason;
  e["reason_id"] = reason_id;
  emit(std::move(e));
  kick(conn, "kicked", reason_id + ": " + reason);
  return MOSQ_ERR_ACL_DENIED;
}

// ---------------------------------------------------------------------------------- MESSAGE

int HubPlugin::on_message(mosquitto_evt_message& ev) {
  auto it = connections_.find(ev.client);
  if (it == connections_.end()) return MOSQ_ERR_SUCCESS;
  if (it->second.internal) {
    harness_command(ev);
    return MOSQ_ERR_SUCCESS;
  }
  if (options_.plain)
    plain_message(ev, it->second);
  else
    device_message(ev, it->second);
  return MOSQ_ERR_SUCCESS;
}

void HubPlugin::device_message(mosquitto_evt_message& ev, const Connection& conn) {
  // Views, not copies: this runs for every message a device sends.
  const std::string_view topic = ev.topic ? ev.topic : "";
  const std::string_view payload(static_cast<const char*>(ev.payload ? ev.payload : ""), ev.payloadlen);
  const auto cls = classify_publish(conn.client_id, topic);
  if (audit_) {
    // Written as text, not built as a Json object: the one event per message (publish_audit_line.hpp).
    AcceptedPublish p;
    p.device = conn.client_id;
    p.topic = topic;
    p.props = &cls.props;
    p.qos = ev.qos;
    p.retain = ev.retain;
    p.payload = payload;
    p.mono_ns = monotonic_ns();
    const std::string wall = format_wall_iso(wall_at(p.mono_ns));
    p.wall = wall;
    audit_->write_members([&](std::string& line) { append_accepted_publish_members(line, p); });
  }
  last_seen_[conn.client_id] = coarse_now_ms();
  // IoT Hub does not store retained messages.
  ev.retain = false;

  const std::string& device = conn.client_id;
  switch (cls.kind) {
    case PublishKind::twin_get: {
      const auto doc = twin(device).document().dump();
      deliver(device, twin_response_topic(200, cls.rid), doc, subscribed_qos(device, "$iothub/twin/res/#").value_or(0));
      Json t = make_event("twin_get");
      t["device"] = device;
      t["rid"] = cls.rid;
      t["status"] = 200;
      t["version"] = twin(device).desired_version();
      t["reported_version"] = twin(device).reported_version();
      emit(std::move(t));
      break;
    }
    case PublishKind::twin_patch_reported: {
      const auto res = twin(device).patch_reported(payload);
      deliver(device,
              twin_response_topic(res.status, cls.rid, res.status == 204 ? std::to_string(res.version) : ""), "",
              subscribed_qos(device, "$iothub/twin/res/#").value_or(0));
      Json t = make_event("twin_patch_reported");
      t["device"] = device;
      t["rid"] = cls.rid;
      t["status"] = res.status;
      t["version"] = res.version;
      if (!res.error.empty()) t["error"] = res.error;
      emit(std::move(t));
      break;
    }
    case PublishKind::method_response: {
      Json t = make_event("method_response");
      t["device"] = device;
      t["rid"] = cls.rid;
      t["status"] = cls.status;
      t["payload_b64"] = base64_encode(payload);
      emit(std::move(t));
      break;
    }
    default: break;
  }
}

int HubPlugin::will_message(mosquitto_evt_acl_check& ev, const Connection& conn) {
  const std::string topic = or_empty(ev.topic);
  const auto cls = classify_publish(conn.client_id, topic);
  // Off the telemetry topic the CONNECT was refused or flagged (will_policy); nothing goes out.
  if (cls.kind != PublishKind::telemetry) return MOSQ_ERR_ACL_DENIED;
  const std::string_view payload(static_cast<const char*>(ev.payload ? ev.payload : ""), ev.payloadlen);
  Json e = make_event("publish");
  e["device"] = conn.client_id;
  e["topic"] = topic;
  e["props"] = will_properties(cls.props, ev.retain).to_json();
  if (!cls.props.errors.empty()) e["props_errors"] = cls.props.errors;
  e["qos"] = ev.qos;
  e["retain"] = ev.retain;
  e["size"] = ev.payloadlen;
  e["payload_b64"] = base64_encode(payload);
  e["will"] = true;
  e["verdict"] = "accepted";
  e["reason"] = "will message: the connection ended without DISCONNECT; sent as telemetry with iothub-MessageType=Will";
  emit(std::move(e));
  // mosquitto would keep a retained will; IoT Hub stores nothing, so the plugin sends it on
  // itself without the flag (to the harness's telemetry observers) and denies mosquitto's copy.
  mosquitto_broker_publish_copy(nullptr, topic.c_str(), static_cast<int>(payload.size()),
                                payload.empty() ? nullptr : payload.data(), ev.qos, false, nullptr);
  return MOSQ_ERR_ACL_DENIED;
}

void HubPlugin::harness_command(const mosquitto_evt_message& ev) {
  const std::string topic = or_empty(ev.topic);
  const std::string payload(static_cast<const char*>(ev.payload ? ev.payload : ""), ev.payloadlen);
  std::string error;
  const auto cmd = parse_harness_command(topic, payload, &error);
  auto reject = [&](const std::string& why) {
    Json e = make_event("command_rejected");
    e["topic"] = topic;
    e["reason"] = why;
    emit(std::move(e));
  };
  if (!cmd) return reject(error);
  auto delivery = [&](Json& e, const std::string& device, const std::string& filter) -> std::optional<int> {
    const auto qos = subscribed_qos(device, filter);
    const bool ok = connected(device) && qos.has_value();
    e["delivered"] = ok;
    if (!ok) e["reason"] = connected(device) ? "device is not subscribed to " + filter : "device is not connected";
    return ok ? qos : std::nullopt;
  };
  if (const auto* ping = std::get_if<PingCommand>(&*cmd)) {
    Json e = make_event("pong");
    e["id"] = ping->id;
    emit(std::move(e));
  } else if (const auto* c2d = std::get_if<C2dCommand>(&*cmd)) {
    c2d_command(*c2d);
  } else if (const auto* devices = std::get_if<DevicesCommand>(&*cmd)) {
    device_status(devices->request);
  } else if (const auto* desired = std::get_if<DesiredCommand>(&*cmd)) {
    if (!registry_.find_device(desired->device)) return reject("unknown device '" + desired->device + "'");
    const auto version = twin(desired->device).patch_desired(desired->patch);
    Json body = desired->patch;
    body["$version"] = version;
    const auto text = body.dump();
    const auto t = desired_patch_topic(version);
    Json e = make_event("desired_update");
    e["device"] = desired->device;
    e["topic"] = t;
    e["payload_b64"] = base64_encode(text);
    e["version"] = version;
    if (!desired->request.empty()) e["request"] = desired->request;
    const auto qos = delivery(e, desired->device, "$iothub/twin/PATCH/properties/desired/#");
    if (qos) deliver(desired->device, t, text, *qos);
    emit(std::move(e));
  } else if (const auto* method = std::get_if<MethodCommand>(&*cmd)) {
    const auto t = method_request_topic(method->method, method->rid);
    Json e = make_event("method_request");
    e["device"] = method->device;
    e["topic"] = t;
    e["method"] = method->method;
    e["rid"] = method->rid;
    e["payload_b64"] = base64_encode(method->payload);
    const auto qos = delivery(e, method->device, "$iothub/methods/POST/#");
    if (qos) deliver(method->device, t, method->payload, *qos);
    emit(std::move(e));
  }
}

// ---------------------------------------------------------------------------------- C2D

std::string HubPlugin::new_message_id() {
  // A random (version 4) UUID, the form of IoT Hub's message ids.
  const std::uint64_t hi = (ids_() & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  const std::uint64_t lo = (ids_() & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF, hi & 0xFFFF, lo >> 48,
                     lo & 0xFFFFFFFFFFFFULL);
}

void HubPlugin::c2d_command(const C2dCommand& cmd) {
  const auto admission = c2d_.admit(cmd.device, registry_.find_device(cmd.device) != nullptr, cmd.body.size());
  if (!admission.accepted()) {
    Json e = make_event("c2d_refused");
    e["device"] = cmd.device;
    if (!cmd.request.empty()) e["request"] = cmd.request;
    e["size"] = cmd.body.size();
    e["pending"] = c2d_.pending(cmd.device);
    e["reason_id"] = admission.reason_id;
    e["reason"] = admission.reason;
    emit(std::move(e));
    return;
  }
  C2dMessage m;
  m.device = cmd.device;
  m.mid = new_message_id();
  for (const auto& [k, v] : cmd.props)
    if (k == "$.mid" && v) m.mid = *v;
  m.request = cmd.request;
  m.body = cmd.body;
  m.enqueued_ms = now_ms();
  m.expires_ms = m.enqueued_ms + 1000 * cmd.ttl_s.value_or(c2d_.limits().default_ttl_s);
  m.topic = c2d_message_topic(m.device, m.mid, cmd.ttl_s ? std::optional(m.expires_ms) : std::nullopt, cmd.props);

  const auto qos = subscribed_qos(m.device, c2d_filter(m.device));
  const bool now = connected(m.device) && qos.has_value();
  Json e = make_event("c2d_sent");
  e["device"] = m.device;
  e["mid"] = m.mid;
  if (!m.request.empty()) e["request"] = m.request;
  e["topic"] = m.topic;
  e["size"] = m.body.size();
  e["payload_b64"] = base64_encode(m.body);
  e["expires"] = iso8601_utc_ms(m.expires_ms);
  e["delivered"] = now;
  if (!now) {
    e["reason"] = connected(m.device) ? "queued: device is not subscribed to " + c2d_filter(m.device)
                                      : "queued: device is not connected";
    e["pending"] = c2d_.pending(m.device) + 1;
  } else {
    e["pending"] = 0;
  }
  emit(std::move(e));
  if (now)
    c2d_deliver(m, *qos, false);
  else
    c2d_.push(std::move(m));
}

void HubPlugin::c2d_deliver(const C2dMessage& m, int qos, bool from_queue) {
  deliver(m.device, m.topic, m.body, qos);
  Json e = make_event("c2d_delivered");
  e["device"] = m.device;
  e["mid"] = m.mid;
  if (!m.request.empty()) e["request"] = m.request;
  e["topic"] = m.topic;
  e["qos"] = qos;
  e["queued"] = from_queue;
  e["waited_ms"] = now_ms() - m.enqueued_ms;
  emit(std::move(e));
}

void HubPlugin::c2d_flush(const std::string& device) {
  if (c2d_.pending(device) == 0 || !connected(device)) return;
  const auto qos = subscribed_qos(device, c2d_filter(device));
  if (!qos) return;
  const auto conn = connections_.find(current_.at(device));
  const bool may_receive_queued =
      conn != connections_.end() && (!conn->second.clean_session || options_.c2d_clean_session_deliver);
  if (!may_receive_queued) return;
  c2d_expire();  // an expired message is never delivered, not even on the tick it expires
  for (const auto& m : c2d_.take_all(device)) c2d_deliver(m, *qos, true);
}

void HubPlugin::c2d_drop_queued(const std::string& device, const std::string& reason) {
  for (const auto& m : c2d_.take_all(device)) {
    Json e = make_event("c2d_dropped");
    e["device"] = device;
    e["mid"] = m.mid;
    if (!m.request.empty()) e["request"] = m.request;
    e["reason"] = reason;
    e["detail"] = "a CleanSession=1 connect starts without the messages queued before it (c2d_clean_session=drop)";
    emit(std::move(e));
  }
}

void HubPlugin::c2d_expire() {
  for (const auto& m : c2d_.take_expired(now_ms())) {
    Json e = make_event("c2d_expired");
    e["device"] = m.device;
    e["mid"] = m.mid;
    if (!m.request.empty()) e["request"] = m.request;
    e["expires"] = iso8601_utc_ms(m.expires_ms);
    e["waited_ms"] = now_ms() - m.enqueued_ms;
    e["pending"] = c2d_.pending(m.device);
    emit(std::move(e));
  }
}

void HubPlugin::device_status(const std::string& request) {
  Json devices = Json::array();
  for (const auto& d : registry_.devices) {
    Json j;
    j["device"] = d.id;
    const bool on = connected(d.id);
    j["connected"] = on;
    if (on) {
      const auto conn = connections_.find(current_.at(d.id));
      if (conn != connections_.end()) j["clean_session"] = conn->second.clean_session;
    }
    j["c2d_subscribed"] = on && subscribed_qos(d.id, c2d_filter(d.id)).has_value();
    j["pending_c2d"] = c2d_.pending(d.id);
    auto seen = last_seen_.find(d.id);
    j["last_seen"] = seen == last_seen_.end() ? Json() : Json(iso8601_utc_ms(seen->second));
    devices.push_back(std::move(j));
  }
  Json e = make_event("device_status");
  if (!request.empty()) e["request"] = request;
  e["devices"] = std::move(devices);
  emit(std::move(e));
}

// ---------------------------------------------------------------------------------- DISCONNECT / TICK

int HubPlugin::on_disconnect(mosquitto_evt_disconnect& ev) {
  auto it = connections_.find(ev.client);
  if (it == connections_.end()) return MOSQ_ERR_SUCCESS;
  Connection conn = std::move(it->second);
  connections_.erase(it);
  if (auto cur = current_.find(conn.client_id); cur != current_.end() && cur->second == ev.client)
    current_.erase(cur);
  if (conn.internal || !conn.accepted) return MOSQ_ERR_SUCCESS;
  departed_[ev.client] = conn;
  last_seen_[conn.client_id] = now_ms();
  Json e = make_event("disconnect");
  e["device"] = conn.client_id;
  if (!conn.kick_reason.empty()) {
    e["reason"] = conn.kick_reason;
    e["detail"] = conn.kick_detail;
  } else if (conn.replaced) {
    e["reason"] = "replaced";
    e["detail"] = "a new connection with the same ClientId was accepted";
  } else {
    e["reason"] = disconnect_reason(ev.reason);
    e["detail"] = ev.reason == -1 ? "connection closed (mosquitto does not tell DISCONNECT, socket loss or keep-alive apart)"
                                  : fmt::format("mosquitto reason {}", ev.reason);
  }
  emit(std::move(e));
  return MOSQ_ERR_SUCCESS;
}

int HubPlugin::on_tick(mosquitto_evt_tick&) {
  const auto now = monotonic_ns();  // the one clock read of a tick (a tick per message in a flood)
  note_stall(now);
  departed_.clear();  // their wills were checked synchronously after their disconnect events
  if (now >= next_slow_tick_ns_) {
    next_slow_tick_ns_ = now + 10'000'000;
    read_wall_offset();
    c2d_expire();  // a C2D message is also expired just before any delivery (c2d_flush)
    check_sas_expiry(now_seconds());
  }
  check_keepalives(now);
  flush_audit(now);  // the events of the last audit_flush_ms, in one write
  return MOSQ_ERR_SUCCESS;
}

// mosquitto's loop waits at most 100 ms for its sockets, then ticks. A longer silence means the
// broker was held up (a burst of TLS handshakes, a starved host): whatever it received meanwhile
// is stamped late, and the cadence rules must not read that as the devices' timing.
void HubPlugin::note_stall(std::int64_t now) {
  const auto gap = last_tick_ns_ == 0 ? 0 : now - last_tick_ns_;
  last_tick_ns_ = now;
  if (gap < kStallReportNs) return;
  Json e = make_event("hub_stall");
  e["stalled_s"] = static_cast<double>(gap) / 1e9;
  emit(std::move(e));
}

// mosquitto 2.0.11 checks keep-alives in whole seconds and only now and then, so its drop comes
// seconds late; the hub's verdict (1.5 x keep-alive, capped) is taken here on every tick from
// the TLS shim's time of the session's last read. That covers MQTT/WebSocket too: libwebsockets
// reads its TLS session with the same SSL_read, and mosquitto hands the plugin that session.
void HubPlugin::check_keepalives(std::int64_t now) {
  if (now < next_keepalive_check_ns_) return;
  next_keepalive_check_ns_ = now + 100'000'000;
  std::vector<std::string> silent;
  for (auto& [client, conn] : connections_) {
    if (!conn.accepted || conn.internal || !conn.tls_session || !conn.kick_reason.empty()) continue;
    const auto limit = keepalive_drop_after_ns(conn.keepalive);
    if (limit == 0) continue;
    const auto last = shim_.last_read_ns(conn.tls_session);
    if (!last || now - *last <= limit) continue;
    conn.kick_reason = "keepalive";
    conn.kick_detail = fmt::format("nothing received for {:.2f} s; IoT Hub drops a client silent for 1.5 x its "
                                   "keep-alive of {} s{} = {:.1f} s",
                                   static_cast<double>(now - *last) / 1e9, conn.keepalive,
                                   conn.keepalive > kMaxKeepaliveSeconds ? " (capped at 1767 s)" : "",
                                   static_cast<double>(limit) / 1e9);
    silent.push_back(conn.client_id);
  }
  // With the will: a keep-alive drop is a connection lost without DISCONNECT.
  for (const auto& id : silent) mosquitto_kick_client_by_clientid(id.c_str(), true);
}

void HubPlugin::check_sas_expiry(std::int64_t now) {
  if (now < next_expiry_check_) return;
  next_expiry_check_ = now + options_.sas_expiry_check_seconds;
  std::vector<std::string> expired;
  for (auto& [client, conn] : connections_) {
    if (conn.accepted && conn.sas_expiry && *conn.sas_expiry + options_.sas_skew_seconds < now &&
        conn.kick_reason.empty()) {
      conn.kick_reason = "sas-expired";
      conn.kick_detail = fmt::format("SAS token expired at se={} ({} s of clock skew allowed)", *conn.sas_expiry,
                                     options_.sas_skew_seconds);
      expired.push_back(conn.client_id);
    }
  }
  for (const auto& id : expired) mosquitto_kick_client_by_clientid(id.c_str(), false);
}

}  // namespace flexhil::broker::plugin
