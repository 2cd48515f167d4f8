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
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace flexhil {

// nullopt: not taken by the fast path (see above); never throws other than std::bad_alloc.
std::optional<nlohmann::json> read_json_fast(std::string_view text, int max_depth);

// The top level of a JSON object, the whole text checked as read_json_fast() checks it but
// nothing built: the hub's publish lines are written to the capture from their text, and the
// harness needs only their kind and src/src_seq on the way (bench/README.md, hub_overhead).
// Spans point into the text.
struct JsonHead {
  struct Member {
    enum class Type { string, number, other };  // other: object, array, true, false, null
    std::string_view key;
    std::string_view raw;  // a string's text between its quotes (escapes not decoded), else the value's text
    Type type = Type::other;
    bool escaped = false;  // a string with an escape: raw is not its value
  };
  std::vector<Member> members;  // in order, duplicates kept
  const Member* find(std::string_view key) const;  // the last of that name, as a reader keeps
  std::optional<std::string_view> plain_string(std::string_view key) const;  // a string without escapes
  std::optional<std::uint64_t> unsigned_number(std::string_view key) const;   // a non-negative integer
};

// nullopt when the text is not one object the fast path is sure of (see above) or has an
// escaped key; then read_json() decides.
std::optional<JsonHead> read_json_head(std::string_view text, int max_depth);
// The same into `out`, whose members' storage is reused (a reader of many lines keeps one);
// false where the above gives nullopt (`out` then holds nothing useful).
bool read_json_head(std::string_view text, int max_depth, JsonHead& out);

}  // namespace flexhil
