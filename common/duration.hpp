#pragma once
// The one reading of a duration text, for scenarios, PLC configurations and `flexhil certs sas
// --ttl`: a number followed by an optional unit — "250ms", "2s", "1.5m", "1h", "7d", "90"
// (seconds). Units: us, ms, s, m or min, h, d.
#include <optional>
#include <string_view>

namespace flexhil {

// Seconds; nullopt when malformed or not finite (a sign is accepted: callers bound the range).
std::optional<double> parse_duration_seconds(std::string_view text);

}  // namespace flexhil
