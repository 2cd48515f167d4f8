#include "common/run_end_counts.hpp"

#include <fmt/format.h>

#include "common/event_view.hpp"
#include "common/json_read.hpp"

namespace flexhil {

void CountedCapture::count(std::string_view kind) {
  ++total_;
  auto it = by_kind_.find(kind);
  if (it == by_kind_.end()) it = by_kind_.emplace(std::string(kind), 0).first;
  ++it->second;
}

bool CountedCapture::count(Json& event) {
  const std::string kind(EventView(event).kind());
  const bool run_end = kind == "run_end";
  if (run_end) event["counts"] = {{"total", total_}, {"by_kind", by_kind_}};
  count(kind);
  return run_end;
}

void CountedCapture::emit(Json event) {
  std::lock_guard lock(mutex_);
  count(event);
  writer_.emit(std::move(event));
}

void CountedCapture::emit_batch(std::vector<ReadEvent> events) {
  std::lock_guard lock(mutex_);
  for (auto& r : events) {
    if (!r.value && r.kind == "run_end") r.value = parse_json_or_discarded(r.text);  // it gets counts
    if (!r.value)
      count(r.kind);
    else if (count(*r.value))
      r.text = {};  // the text no longer says it all
  }
  writer_.emit_batch(std::move(events));
}

CaptureCheck check_capture_counts(const std::vector<Json>& events) {
  CaptureCheck check;
  std::uint64_t total = 0;
  std::map<std::string, std::uint64_t> by_kind;
  for (const auto& ev : events) {
    const EventView e(ev);
    if (e.kind() != "run_end") {
      ++total;
      ++by_kind[std::string(e.kind())];
      continue;
    }
    const Json* counts = e.object("counts");
    const auto said_total = counts ? EventView(*counts).integer("total") : std::nullopt;
    const Json* said_kinds = counts ? EventView(*counts).object("by_kind") : nullptr;
    if (!said_total || !said_kinds) {
      check.problem = fmt::format("run_end (seq {}) carries no event counts, so the capture cannot be checked",
                                  e.seq());
      return check;
    }
    if (static_cast<std::uint64_t>(*said_total) != total) {
      check.problem = fmt::format("run_end (seq {}) counts {} events before it, {} were read", e.seq(), *said_total,
                                  total);
      return check;
    }
    std::map<std::string, std::uint64_t> said;
    for (const auto& [k, v] : said_kinds->items())
      said[k] = v.is_number_unsigned() ? v.get<std::uint64_t>() : 0;
    for (const auto& [k, n] : said)
      if (by_kind[k] != n) {
        check.problem = fmt::format("run_end (seq {}) counts {} '{}' events, {} were read", e.seq(), n, k, by_kind[k]);
        return check;
      }
    for (const auto& [k, n] : by_kind)
      if (!said.count(k) && n > 0) {
        check.problem = fmt::format("run_end (seq {}) counts no '{}' events, {} were read", e.seq(), k, n);
        return check;
      }
    check.complete = true;
    return check;
  }
  check.problem = events.empty() ? "no events" : "no run_end event: the run did not finish (killed or cut short?)";
  return check;
}

}  // namespace flexhil
