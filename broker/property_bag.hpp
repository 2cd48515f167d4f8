#pragma once
// IoT Hub message property bags: the `k=v&k2=v2` tail of a telemetry or cloud-to-device topic.
// Names and values are RFC 2396 URL-encoded; system properties start with `$.` or its encoded
// form `%24.` (both decode to `$.`). A key without `=` has a null value, `k=` an empty string.
// Pure functions, shared by the broker plugin and the harness rules.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/event.hpp"

namespace flexhil::broker {

struct PropertyBag {
  // In topic order; duplicates are kept (to_json keeps the last one, like the hub's map).
  std::vector<std::pair<std::string, std::optional<std::string>>> entries;
  // Problems found while decoding (e.g. "bad percent escape in 'a%zz'"); decoding goes on.
  std::vector<std::string> errors;

  const std::optional<std::string>* find(std::string_view name) const;
  // {"name": "value" | null, …}
  Json to_json() const;
};

// Decodes a bag ("" → empty). Never throws.
PropertyBag decode_property_bag(std::string_view bag);

// Percent-decoding as the hub does it ('+' stays '+'); sets *ok=false on a malformed escape
// (which is then kept literally).
std::string percent_decode(std::string_view text, bool* ok = nullptr);
// Encodes a name or value for a property bag: unreserved characters kept, %XX upper-case.
std::string percent_encode(std::string_view text);
// Builds "k=v&k2=v2" from name/value pairs (null value → "k").
std::string encode_property_bag(const std::vector<std::pair<std::string, std::optional<std::string>>>& entries);

}  // namespace flexhil::broker
