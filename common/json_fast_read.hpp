#pragma once
// A fast path in front of nlohmann's parser for the JSON the harness reads by the hundred
// thousand: the hub's audit lines (one per device message) and capture lines. nlohmann's lexer
// reads a character at a time through an input adapter and spends about 4 µs on an audit line,
// which on a 2-core machine took CPU from the broker it was following (bench/README.md,
// hub_overhead). This reader scans spans instead, and builds the same Json value: the same number
// types (non-negative integers unsigned, negative ones signed, the rest double), the last of
// duplicate keys kept, the same whitespace and literal rules.
//
// It only answers what it is sure of: text with a byte >= 0x80 inside a string (UTF-8 that
// nlohmann validates), a number that does not fit a double, anything malformed or nested deeper
// than `max_depth` gives nullopt, and read_json() then asks nlohmann for the value or for the
// error and its offset. So the fast path can make reading faster, never different.
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace flexhil {

// nullopt: not taken by the fast path (see above); never throws other than std::bad_alloc.
std::optional<nlohmann::json> read_json_fast(std::string_view text, int max_depth);

}  // namespace flexhil
