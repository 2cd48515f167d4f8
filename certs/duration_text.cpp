#include "certs/duration_text.hpp"

#include <charconv>
#include <cstdint>

namespace flexhil::certs {

std::optional<std::chrono::seconds> parse_duration_text(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t unit = 1;
  switch (text.back()) {
    case 's': unit = 1; text.remove_suffix(1); break;
    case 'm': unit = 60; text.remove_suffix(1); break;
    case 'h': unit = 3600; text.remove_suffix(1); break;
    case 'd': unit = 86400; text.remove_suffix(1); break;
    default: break;
  }
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value <= 0) return std::nullopt;
  if (value > (std::int64_t{1} << 40) / unit) return std::nullopt;  // absurdly far: refuse, do not overflow
  return std::chrono::seconds(value * unit);
}

}  // namespace flexhil::certs
