#pragma once
// The fields of an MQTT CONNECT packet the plugin cannot get from mosquitto's plugin API: the
// will's topic, QoS and retain flag (mosquitto 2.0.11 neither shows the will at CONNECT nor
// checks its topic). The TLS shim keeps the first plaintext bytes of each TLS session, which
// begin with the CONNECT; this parses them. Pure: bytes in, fields or a reason out.
#include <optional>
#include <string>
#include <string_view>

namespace flexhil::broker {

struct ConnectWill {
  std::string topic;
  int qos = 0;
  bool retain = false;
};

struct ConnectPacket {
  int protocol_level = 0;  // 4 = MQTT 3.1.1, 5 = MQTT 5, 3 = MQTT 3.1
  int keepalive = 0;       // seconds
  std::string client_id;
  std::optional<ConnectWill> will;
};

enum class ConnectParseStatus { complete, incomplete, malformed };

struct ConnectParse {
  ConnectParseStatus status = ConnectParseStatus::incomplete;
  ConnectPacket packet;  // complete: the fields up to the will topic
  std::string error;     // malformed: why
};

// `bytes` is the start of a client's stream. Only the bytes up to the will topic are needed;
// the will payload, username and password are not read.
ConnectParse parse_connect_prefix(std::string_view bytes);

}  // namespace flexhil::broker
