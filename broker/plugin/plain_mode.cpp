// The plugin's plain mode (plugin_opt_mode plain): a generic MQTT broker. The same audit events
// as the hub (connect, subscribe, publish, disconnect) with no Azure judgement: credentials are
// checked against the users file (none = anonymous allowed), every topic is allowed except the
// harness's own `$flexhil/…`, retained messages are kept as any broker keeps them.
#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

#include "broker/plugin/hub_plugin.hpp"
#include "common/mqtt_topic_filter.hpp"

namespace flexhil::broker::plugin {

namespace {

std::string text_or_empty(const char* s) { return s ? s : ""; }

bool harness_topic(const std::string& topic) { return topic.rfind("$flexhil/", 0) == 0 || topic == "$flexhil"; }

// What mosquitto 2.0 answers a refused authentication with: 5 (not authorised) in MQTT 3.1/3.1.1,
// reason code 0x87 (not authorized) in MQTT 5.
int refused_connack(int protocol_version) { return protocol_version == 5 ? 0x87 : 5; }

}  // namespace

HubPlugin::HubPlugin(IothubOptions options, Registry registry, std::vector<PlainUser> users)
    : HubPlugin(std::move(options), std::move(registry)) {
  plain_users_ = std::move(users);
}

int HubPlugin::plain_basic_auth(mosquitto_evt_basic_auth& ev, Connection conn) {
  mosquitto* client = ev.client;
  std::optional<std::string> username, password;
  if (ev.username) username = ev.username;
  if (ev.password) password = ev.password;
  auto verdict = judge_plain_connect(plain_users_, username, password);
  if (verdict.accepted && username && *username == options_.internal_username) {
    verdict.accepted = false;
    verdict.reason_id = kPlainCredentialsRefused;
    verdict.reason = "the internal username is reserved for the harness";
  }
  const int protocol = mosquitto_client_protocol_version(client);
  Json e = make_event("connect");
  e["device"] = conn.client_id;
  e["username"] = username.value_or("");
  e["password_set"] = password.has_value();  // never the password itself
  e["listener"] = "broker";
  e["address"] = text_or_empty(mosquitto_client_address(client));
  e["protocol_version"] = protocol;
  e["keepalive"] = mosquitto_client_keepalive(client);
  e["clean_session"] = mosquitto_client_clean_session(client);
  e["auth"] = verdict.auth;
  e["verdict"] = verdict.accepted ? "accepted" : "refused";
  e["connack"] = verdict.accepted ? 0 : refused_connack(protocol);
  e["reason"] = verdict.reason;
  e["reason_id"] = verdict.reason_id;
  emit(std::move(e));
  if (!verdict.accepted) {
    connections_.erase(client);
    return MOSQ_ERR_AUTH;
  }
  conn.accepted = true;
  if (auto it = current_.find(conn.client_id); it != current_.end() && it->second != client)
    if (auto old = connections_.find(it->second); old != connections_.end()) old->second.replaced = true;
  if (mosquitto_client_clean_session(client)) sessions_.erase(conn.client_id);
  current_[conn.client_id] = client;
  connections_[client] = std::move(conn);
  return MOSQ_ERR_SUCCESS;
}

int HubPlugin::plain_acl_check(mosquitto_evt_acl_check& ev, Connection& conn) {
  const std::string topic = text_or_empty(ev.topic);
  switch (ev.access) {
    case MOSQ_ACL_SUBSCRIBE: {
      Json e = make_event("subscribe");
      e["device"] = conn.client_id;
      e["topic"] = topic;
      e["qos"] = ev.qos;
      if (harness_topic(topic)) {
        e["granted_qos"] = 128;
        e["verdict"] = "refused";
        e["reason"] = "$flexhil/ topics belong to the harness";
        emit(std::move(e));
        return MOSQ_ERR_ACL_DENIED;
      }
      sessions_[conn.client_id].filters[topic] = ev.qos;
      e["granted_qos"] = ev.qos;
      e["verdict"] = "granted";
      e["reason"] = "";
      emit(std::move(e));
      return MOSQ_ERR_SUCCESS;
    }
    case MOSQ_ACL_WRITE:
    case MOSQ_ACL_READ: return harness_topic(topic) ? MOSQ_ERR_ACL_DENIED : MOSQ_ERR_SUCCESS;
    case MOSQ_ACL_UNSUBSCRIBE:
      if (auto s = sessions_.find(conn.client_id); s != sessions_.end()) s->second.filters.erase(topic);
      return MOSQ_ERR_SUCCESS;
    default: return MOSQ_ERR_ACL_DENIED;
  }
}

void HubPlugin::plain_message(mosquitto_evt_message& ev, const Connection& conn) {
  const std::string topic = text_or_empty(ev.topic);
  const std::string payload(static_cast<const char*>(ev.payload ? ev.payload : ""), ev.payloadlen);
  Json e = make_event("publish");
  e["device"] = conn.client_id;
  e["topic"] = topic;
  e["qos"] = ev.qos;
  e["retain"] = ev.retain;
  e["size"] = ev.payloadlen;
  e["payload_b64"] = base64_encode(payload);
  e["verdict"] = "accepted";
  e["reason"] = "";
  e["telemetry"] = topic_matches_filter(options_.telemetry_filter, topic);
  emit(std::move(e));
}

}  // namespace flexhil::broker::plugin
