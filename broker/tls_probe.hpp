#pragma once
// Readiness of a TLS listener proven the strict way: a complete TLS 1.2 handshake with OpenSSL,
// the server certificate verified against the hub CA (and, on the X.509 port, our client
// certificate accepted by the server).
#include <cstdint>
#include <string>

namespace flexhil::broker {

struct TlsProbeResult {
  bool ok = false;
  std::string error;  // what failed, in OpenSSL's words when it was the handshake
};

// One attempt. `client_cert`/`client_key` may be empty (no client certificate).
TlsProbeResult probe_tls(const std::string& host, std::uint16_t port, const std::string& ca_file,
                         const std::string& client_cert = {}, const std::string& client_key = {});

}  // namespace flexhil::broker
