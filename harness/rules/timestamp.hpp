#pragma once
// Reading the timestamps devices put in their payloads: ISO 8601 (`2026-11-26T09:00:00.123Z`,
// `…+01:00`), the zone-less `YYYY-MM-DD HH:MM:SS` of the reference Flexy script, and the Flexy's
// raw TIME$ (`26/11/2026 09:00:00`). Pure; used by the TIME-… rules.
#include <optional>
#include <string_view>

namespace flexhil::rules {

struct ParsedTimestamp {
  enum class Form { iso8601, space_separated, flexy_time_dollar };
  Form form = Form::iso8601;
  bool has_zone = false;  // Z or ±HH:MM present
  bool has_t = false;     // the ISO 'T' separator
  double epoch_s = 0;     // seconds since 1970 UTC; a zone-less time is read as if it were UTC
};

std::optional<ParsedTimestamp> parse_timestamp(std::string_view text);

}  // namespace flexhil::rules
