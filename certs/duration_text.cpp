#include "certs/duration_text.hpp"

#include <cmath>

#include "common/duration.hpp"

namespace flexhil::certs {

std::optional<std::chrono::seconds> parse_duration_text(std::string_view text) {
  // A token lifetime is a whole number of units ("1.5h" is refused: say "90m").
  if (text.find_first_of(".eE") != std::string_view::npos)
    return std::nullopt;
  const auto seconds = parse_duration_seconds(text);
  if (!seconds || *seconds < 1 || *seconds != std::trunc(*seconds)) return std::nullopt;
  if (*seconds > static_cast<double>(std::int64_t{1} << 40)) return std::nullopt;  // absurdly far: refuse
  return std::chrono::seconds(static_cast<std::int64_t>(*seconds));
}

}  // namespace flexhil::certs
