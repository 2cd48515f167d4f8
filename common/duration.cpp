#include "common/duration.hpp"

#include <charconv>
#include <cmath>

namespace flexhil {

std::optional<double> parse_duration_seconds(std::string_view text) {
  double value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr == begin || !std::isfinite(value)) return std::nullopt;
  const std::string_view unit(ptr, static_cast<std::size_t>(end - ptr));
  double factor = 0;
  if (unit.empty() || unit == "s") factor = 1;
  else if (unit == "ms") factor = 1e-3;
  else if (unit == "us") factor = 1e-6;
  else if (unit == "m" || unit == "min") factor = 60;
  else if (unit == "h") factor = 3600;
  else if (unit == "d") factor = 86400;
  else return std::nullopt;
  const double seconds = value * factor;
  if (!std::isfinite(seconds)) return std::nullopt;
  return seconds;
}

}  // namespace flexhil
