#pragma once
// The line `flexhil plc` prints for a PLC event a person watching the bench cares about:
//   [<scenario s>] change unit <unit> <point>: <old> -> <new> (<cause>)
//   [<scenario s>] fault <fault> <state>: <detail>
// Pure: formats the JSON event, nothing else.
#include <optional>
#include <string>

#include "common/event.hpp"

namespace flexhil::plc {

// The line for plc_change and plc_fault events; nothing for any other kind.
std::optional<std::string> plc_console_line(const Json& event);

}  // namespace flexhil::plc
