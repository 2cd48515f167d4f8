#pragma once
// "3600", "90s", "30m", "1h", "7d" -> seconds (nullopt when malformed, zero or negative).
// Used by `flexhil certs sas --ttl`; the units are those of common/duration.hpp, in whole numbers.
#include <chrono>
#include <optional>
#include <string_view>

namespace flexhil::certs {

std::optional<std::chrono::seconds> parse_duration_text(std::string_view text);

}  // namespace flexhil::certs
