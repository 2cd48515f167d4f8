#pragma once
// MQTT 3.1.1 topic filters (`+` one level, `#` the rest): shared by the broker plugin (which marks
// a plain broker's telemetry) and the rules (which pick telemetry out of a capture), so both
// agree on what a filter selects.
#include <string_view>

namespace flexhil {

// A filter as MQTT 3.1.1 §4.7.1 allows it: non-empty, `#` only as the whole last level, `+` only
// as a whole level.
bool is_valid_topic_filter(std::string_view filter);
// Does `topic` match `filter`? A topic starting with `$` is never matched by a leading wildcard
// (§4.7.2). An invalid filter matches nothing.
bool topic_matches_filter(std::string_view filter, std::string_view topic);

}  // namespace flexhil
