#pragma once
// A small strict JSON scanner (RFC 8259) that keeps what general-purpose readers throw away:
// object members in order WITH duplicates, the byte offset of the first error, raw control
// characters inside strings, and a diagnosis of the typical "quote not escaped" breakage of
// JSON built by string concatenation. nlohmann::json silently keeps one of two duplicate keys,
// which is exactly the defect PAYLOAD-DUPLICATE-KEY has to see.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flexhil {

struct JsonNode {
  enum class Type { object, array, string, number, boolean, null };
  // Defined in the .cpp: clang 14 (make fuzz) cannot otherwise tell whether the node is
  // default-constructible while `members` (pairs holding a JsonNode) is still incomplete.
  JsonNode();
  Type type = Type::null;
  std::string text;  // decoded string, raw number text, "true"/"false"/"null"
  std::vector<std::pair<std::string, JsonNode>> members;  // objects: in order, duplicates kept
  std::vector<JsonNode> items;                            // arrays
  std::size_t offset = 0;                                 // byte offset of the value
};

struct JsonIssue {
  std::size_t offset = 0;
  std::string path;  // JSON pointer of the object or string, e.g. "/data/Temperature"
  std::string what;  // e.g. the duplicated key, or "U+000A"
};

struct JsonScan {
  std::optional<JsonNode> root;          // set when the text is structurally valid JSON
  std::optional<std::size_t> error_offset;
  std::string error;                     // "expected ':' after object key", …
  bool suspected_unescaped_quote = false;  // a string ended and a word follows: `"Ta"g"`
  std::vector<JsonIssue> duplicate_keys;
  std::vector<JsonIssue> control_characters;  // raw U+0000–U+001F inside strings
  bool valid() const { return root.has_value() && control_characters.empty(); }
};

// Never throws; nesting deeper than max_json_depth (common/json_read.hpp, 256) levels is an error.
JsonScan scan_json(std::string_view text);

// The whole text is one number ("21.5", " 7 ", "+3"; blanks around it tolerated, as the Flexy
// pads some formats); nullopt otherwise or when not finite.
std::optional<double> number_from_text(std::string_view text);
// The numeric reading of a scanned value: numbers, strings holding a number, booleans as 1/0.
std::optional<double> node_number(const JsonNode& node);

// Offset of the first byte that is not part of a valid UTF-8 sequence (overlongs, surrogates
// and code points above U+10FFFF are invalid), or nullopt when the text is valid UTF-8.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

}  // namespace flexhil
