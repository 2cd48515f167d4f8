#pragma once
// The plugin's plain mode: a generic MQTT broker (not Azure IoT Hub) that checks a username and
// password against a list of users, or lets everyone in when the list is empty — as mosquitto
// with a password_file (or allow_anonymous) would. No Azure judgement: no username grammar, no
// topic policy, no SAS or X.509. Pure logic; the plugin and the launcher share it.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flexhil::broker {

struct PlainUser {
  std::string name;
  std::string password;
};

// The users file the launcher writes (0600) and the plugin reads: one JSON object per line,
// {"name": "...", "password": "..."}.
std::string render_plain_users(const std::vector<PlainUser>& users);
// Throws std::invalid_argument naming the line of a malformed entry.
std::vector<PlainUser> parse_plain_users(std::string_view text);

// The reason_id of a refused plain CONNECT (the rule of the same id judges it).
inline constexpr const char* kPlainCredentialsRefused = "AUTH-BROKER-CREDENTIALS";

struct PlainConnectVerdict {
  bool accepted = false;
  std::string auth;       // "anonymous" (no users configured) or "password"
  std::string reason_id;  // "" or kPlainCredentialsRefused
  std::string reason;     // why it was refused, naming the user (never the password)
};

// No users: every CONNECT is accepted (anonymous allowed). Users: the username must name one of
// them and the password must equal its password exactly.
PlainConnectVerdict judge_plain_connect(const std::vector<PlainUser>& users, const std::optional<std::string>& username,
                                        const std::optional<std::string>& password);

}  // namespace flexhil::broker
