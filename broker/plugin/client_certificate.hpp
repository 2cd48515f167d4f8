#pragma once
// What the plugin learns from the client certificate of a TLS session (thumbprints of its DER,
// subject CN, end date). The X509 is freed here, always.
#include <optional>

#include "broker/connect_judge.hpp"

struct mosquitto;

namespace flexhil::broker::plugin {

std::optional<PresentedCertificate> client_certificate(const mosquitto* client);

}  // namespace flexhil::broker::plugin
