#pragma once
// JSON text written directly, for the few hot paths that emit one event per message (the hub's
// audit line of every publish): building an nlohmann object and dumping it cost more than the
// broker's own work per message (bench/README.md, hub_overhead). Pure.
#include <cstdint>
#include <string>
#include <string_view>

namespace flexhil {

// Appends `text` as a JSON string literal: quote, backslash and control characters escaped,
// invalid UTF-8 replaced by U+FFFD (what nlohmann's error_handler_t::replace writes), so the
// line always parses.
void append_json_string(std::string& out, std::string_view text);

// Appends `"key":` (the key is written as a JSON string).
void append_json_key(std::string& out, std::string_view key);

// The pieces both JSON readers (json_scan, json_fast_read) decode `\uXXXX` escapes with.
int json_hex_digit(char c);                        // 0-15, or -1 for a character that is not one
void append_utf8(std::string& out, unsigned code_point);  // code_point <= 0x10FFFF, not a surrogate

}  // namespace flexhil
