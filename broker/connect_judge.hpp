#pragma once
// The CONNECT verdict of the impersonated IoT Hub: ClientId, username, device lookup, SAS token
// or X.509 certificate — exactly the checks of docs/hub-behaviour.md, with a precise
// reason and a stable AUTH-… id for every refusal. Pure: the caller passes "now" and what
// mosquitto saw (no mosquitto types).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "broker/password_redaction.hpp"
#include "broker/registry.hpp"
#include "broker/username_grammar.hpp"

namespace flexhil::broker {

// What the TLS session showed of the client certificate. The handshake accepts any
// certificate (as IoT Hub's does), so the chain check against the registered CAs is made by
// whoever holds the certificate (the plugin) and its outcome is passed here.
struct PresentedCertificate {
  std::string sha1;    // upper-case hex of the DER
  std::string sha256;  // upper-case hex of the DER
  std::string common_name;
  std::optional<std::int64_t> not_before;  // seconds since the epoch, when known
  std::optional<std::int64_t> not_after;   // seconds since the epoch, when known
  // The registered CA the certificate chains to (its [[ca]] name), validity dates left aside
  // (those are judged here); nullopt = it chains to none, `chain_error` says why.
  std::optional<std::string> verified_by;
  std::string chain_error;
};

struct ConnectRequest {
  std::string client_id;
  std::optional<std::string> username;
  std::optional<std::string> password;
  int protocol_version = 4;  // 3 = MQTT 3.1, 4 = 3.1.1, 5 = MQTT 5
  std::optional<PresentedCertificate> certificate;
  std::int64_t now = 0;  // seconds since the Unix epoch
};

struct ConnectPolicy {
  std::string hub_host;             // "{hub}.azure-devices.net"
  std::int64_t sas_skew_seconds = 300;
  bool accept_mqtt5 = false;        // real hubs: preview only → refused by default
};

struct ConnectVerdict {
  bool accepted = false;
  std::string reason;     // one line
  std::string reason_id;  // AUTH-… when refused; "" when accepted
  std::string auth = "none";  // "sas", "x509-selfsigned", "x509-ca", "none"
  UsernameVerdict username;
  std::string password_redacted;
  std::optional<std::int64_t> sas_expiry;
  std::optional<std::string> sas_skn;
  std::string matched;  // "primary", "secondary", "policy:<name>", "ca:<CN>" when accepted
};

ConnectVerdict judge_connect(const ConnectRequest& request, const Registry& registry,
                             const ConnectPolicy& policy);


// Segment-wise, case-insensitive: is `sr` (decoded) a prefix of `path`? A trailing '/' on sr
// is ignored. Returns the number of sr segments matched, or nullopt when not a prefix.
std::optional<std::size_t> sr_prefix_segments(std::string_view sr, std::string_view path);

}  // namespace flexhil::broker
