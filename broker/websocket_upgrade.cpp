#include "broker/websocket_upgrade.hpp"
#include "common/ascii_case.hpp"

#include <cctype>

namespace flexhil::broker {

namespace {

constexpr std::size_t kMaxHead = 16 * 1024;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}


// Does the comma-separated list hold `token` (compared case-insensitively when `fold`)?
bool list_has(std::string_view list, std::string_view token, bool fold) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    const auto item = trim(list.substr(0, comma));
    if (fold ? iequals(item, token) : item == token) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

UpgradeVerdict refuse(int status, std::string reason) { return {false, status, std::move(reason)}; }

}  // namespace

std::optional<UpgradeVerdict> judge_websocket_upgrade(std::string_view head, std::string_view path,
                                                      std::string_view subprotocol) {
  const auto end = head.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (head.size() > kMaxHead) return refuse(400, "HTTP request head larger than 16 KB");
    return std::nullopt;
  }
  head = head.substr(0, end + 2);
  const auto line_end = head.find("\r\n");
  const auto request_line = head.substr(0, line_end);
  const auto sp1 = request_line.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : request_line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || request_line.substr(0, sp1) != "GET")
    return refuse(400, "not an HTTP GET request line");
  auto target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (const auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);

  bool upgrade = false, connection_upgrade = false, has_subprotocol = false, offers_subprotocol = false;
  std::string offered;
  auto rest = head.substr(line_end + 2);
  while (!rest.empty()) {
    const auto eol = rest.find("\r\n");
    const auto line = rest.substr(0, eol);
    rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 2);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const auto name = trim(line.substr(0, colon));
    const auto value = trim(line.substr(colon + 1));
    if (iequals(name, "Upgrade")) upgrade = list_has(value, "websocket", true);
    else if (iequals(name, "Connection")) connection_upgrade = connection_upgrade || list_has(value, "upgrade", true);
    else if (iequals(name, "Sec-WebSocket-Protocol")) {
      has_subprotocol = true;
      if (!offered.empty()) offered += ", ";
      offered += std::string(value);
      // Subprotocol tokens are case-sensitive (RFC 6455 4.1).
      offers_subprotocol = offers_subprotocol || list_has(value, subprotocol, false);
    }
  }
  if (target != path)
    return refuse(404, "WebSocket path '" + std::string(target) + "'; IoT Hub serves MQTT only on " + std::string(path));
  if (!upgrade || !connection_upgrade) return refuse(400, "not a WebSocket upgrade (Upgrade: websocket missing)");
  if (!has_subprotocol)
    return refuse(400, "no Sec-WebSocket-Protocol; IoT Hub requires subprotocol '" + std::string(subprotocol) + "'");
  if (!offers_subprotocol)
    return refuse(400, "subprotocol '" + offered + "' offered; IoT Hub requires '" + std::string(subprotocol) + "'");
  return UpgradeVerdict{true, 101, ""};
}

std::string http_refusal(const UpgradeVerdict& v) {
  const char* text = v.status == 404 ? "Not Found" : "Bad Request";
  const std::string body = v.reason + "\n";
  return "HTTP/1.1 " + std::to_string(v.status) + " " + text +
         "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace flexhil::broker
