#include "sim/flexy/runtime/tag_history.hpp"

#include <algorithm>

namespace flexhil::flexy {

void TagHistory::record(int tag_id, std::int64_t time, basic::Value value) {
  auto& points = points_[tag_id];
  points.push_back(HistoryPoint{tag_id, time, std::move(value)});
  while (points.size() > per_tag_) points.pop_front();
}

std::vector<HistoryPoint> TagHistory::chronological() const {
  std::vector<HistoryPoint> all;
  for (const auto& [id, points] : points_) all.insert(all.end(), points.begin(), points.end());
  std::stable_sort(all.begin(), all.end(), [](const HistoryPoint& a, const HistoryPoint& b) { return a.time < b.time; });
  return all;
}

std::size_t TagHistory::size(int tag_id) const {
  auto it = points_.find(tag_id);
  return it == points_.end() ? 0 : it->second.size();
}

}  // namespace flexhil::flexy
