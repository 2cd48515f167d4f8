#pragma once
// TOML values as JSON (desired-property patches and method payloads may be written as TOML
// tables or as JSON text in a scenario).
#include "common/event.hpp"
#include "common/toml_reader.hpp"

namespace flexhil::scenario {

Json toml_to_json(const toml::node& node);
// The value of `key`: a TOML table/array/scalar converted, or a string parsed as JSON text
// (a parse error names the key's position). Absent → empty object (or ConfigError if required).
Json json_value(TomlTable& t, const char* key, bool required);

}  // namespace flexhil::scenario
