#include "harness/rules/event_findings.hpp"

#include <array>
#include <string_view>

#include "common/event_view.hpp"
#include "harness/rules/rules.hpp"

namespace flexhil::rules {

Expectations bench_expectations(const std::string& timestamp_key) {
  Expectations e;
  e.connect_within_s.reset();
  e.timestamp_key = timestamp_key;
  return e;
}

std::vector<Finding> single_event_findings(const Json& event, const Expectations& expect) {
  const auto kind = EventView(event).kind();
  if (kind != "publish" && kind != "connect") return {};
  Json alone = event;
  if (alone.is_object()) {
    // One event of a stream is not a stream: its src_seq would read as a gap before it.
    alone.erase("src");
    alone.erase("src_seq");
  }
  std::vector<Json> one;
  one.push_back(std::move(alone));
  std::vector<Finding> kept;
  static constexpr std::array<std::string_view, 5> families{"AUTH-", "TOPIC-", "PROPS-", "PAYLOAD-", "TIME-"};
  for (auto& f : evaluate(one, expect)) {
    for (const auto family : families)
      if (std::string_view(f.rule_id).substr(0, family.size()) == family) {
        kept.push_back(std::move(f));
        break;
      }
  }
  return kept;
}

}  // namespace flexhil::rules
