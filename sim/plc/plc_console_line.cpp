#include "sim/plc/plc_console_line.hpp"

#include <fmt/format.h>

namespace flexhil::plc {

std::optional<std::string> plc_console_line(const Json& e) {
  const auto kind = e.value("kind", "");
  if (kind == "plc_change")
    return fmt::format("[{:9.3f}] change unit {} {}: {} -> {} ({})", e.value("scenario_s", 0.0), e.value("unit", 0),
                       e.value("point", ""), e.value("old", Json()).dump(), e.value("new", Json()).dump(), e.value("cause", ""));
  if (kind == "plc_fault")
    return fmt::format("[{:9.3f}] fault {} {}: {}", e.value("scenario_s", 0.0), e.value("fault", ""),
                       e.value("state", ""), e.value("detail", ""));
  return std::nullopt;
}

}  // namespace flexhil::plc
