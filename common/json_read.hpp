#pragma once
// The one way untrusted JSON text (capture lines, plugin audit messages, harness commands,
// payloads read with nlohmann) becomes a Json value. nlohmann's DOM is built iteratively, but
// copying, comparing and dumping a value recurse: a line nested a million levels deep would
// overflow the stack far away from where it was read. So nesting is bounded while parsing (a
// parser callback refuses the container that goes too deep, before it exists), and numbers that
// do not fit a double (`1e400`) are an error instead of an exception escaping to main().
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace flexhil {

using Json = nlohmann::json;

// Deepest nesting of objects/arrays accepted anywhere JSON is read (the top level counts as 1).
// Real events are 3 levels deep, real telemetry rarely more than 5.
inline constexpr int max_json_depth = 256;

struct JsonRead {
  std::optional<Json> value;  // set when the text was one valid JSON value within the bounds
  std::size_t error_offset = 0;  // byte offset (0-based) of the error
  std::string error;             // one line, e.g. "nesting deeper than 256 levels"
  bool ok() const { return value.has_value(); }
};

// Never throws (other than std::bad_alloc).
JsonRead read_json(std::string_view text, int max_depth = max_json_depth);

// The value, or a discarded Json (is_discarded()) when the text is not valid bounded JSON —
// a drop-in for Json::parse(text, nullptr, false).
Json parse_json_or_discarded(std::string_view text, int max_depth = max_json_depth);

}  // namespace flexhil
