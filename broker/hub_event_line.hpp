#pragma once
// One human-readable line per event for `flexhil hub` (and scripts that read its output):
//   09:12:01 connect Flexy205Self x509 accepted
//   09:12:02 connect FlexySas sas refused (AUTH-SAS-EXPIRED: token expired …)
//   09:12:03 tls_failure 127.0.0.1:51234 x509 certificate verify failed — <what usually causes it>
// Pure: formats the JSON event, nothing else.
#include <string>

#include "common/event.hpp"

namespace flexhil::broker {

std::string describe_event(const Json& event);

}  // namespace flexhil::broker
