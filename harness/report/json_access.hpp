#pragma once
// Tolerant field access for events: a capture may come from another version or be hand-edited,
// and a report must never throw because a field is missing or has an unexpected type.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/event.hpp"

namespace flexhil::report {

inline std::string field_string(const Json& e, const char* key, std::string fallback = {}) {
  if (!e.is_object()) return fallback;
  const auto it = e.find(key);
  if (it == e.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

// A view of a string field (no copy, for hot loops over tens of thousands of events); the view
// lives as long as the event. `fallback` must outlive the call (use literals).
inline std::string_view field_view(const Json& e, const char* key, std::string_view fallback = {}) {
  if (!e.is_object()) return fallback;
  const auto it = e.find(key);
  if (it == e.end() || !it->is_string()) return fallback;
  return it->get_ref<const std::string&>();
}

inline std::optional<double> field_number(const Json& e, const char* key) {
  if (!e.is_object()) return std::nullopt;
  const auto it = e.find(key);
  if (it == e.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

inline std::int64_t field_int(const Json& e, const char* key, std::int64_t fallback = 0) {
  if (!e.is_object()) return fallback;
  const auto it = e.find(key);
  if (it == e.end()) return fallback;
  if (it->is_number_integer()) return it->get<std::int64_t>();
  if (it->is_number()) return static_cast<std::int64_t>(it->get<double>());
  return fallback;
}

}  // namespace flexhil::report
