#include "sim/plc/value_history.hpp"

#include <algorithm>

namespace flexhil::plc {

void ValueHistory::record(PlcChange change) {
  by_point_[change.point].emplace_back(change.scenario_s, change.new_value);
  changes_.push_back(std::move(change));
}

std::optional<double> ValueHistory::value_at(const std::string& point, double t) const {
  const auto it = by_point_.find(point);
  if (it == by_point_.end()) return std::nullopt;
  const auto& series = it->second;
  // The last entry with time <= t; several changes at the same time: the latest wins.
  auto after = std::upper_bound(series.begin(), series.end(), t,
                                [](double v, const auto& e) { return v < e.first; });
  if (after == series.begin()) return std::nullopt;
  return (after - 1)->second;
}

std::vector<PlcChange> ValueHistory::changes_of(const std::string& point) const {
  std::vector<PlcChange> out;
  for (const auto& c : changes_)
    if (c.point == point) out.push_back(c);
  return out;
}

}  // namespace flexhil::plc
