#include "harness/run/action_schedule.hpp"

#include <algorithm>

namespace flexhil::run {

ActionSchedule::ActionSchedule(std::vector<scenario::Action> actions) : actions_(std::move(actions)) {
  // Stable: two actions at the same time keep the order the scenario wrote them in.
  std::stable_sort(actions_.begin(), actions_.end(),
                   [](const scenario::Action& a, const scenario::Action& b) { return a.at_s < b.at_s; });
}

std::vector<const scenario::Action*> ActionSchedule::due(double t) {
  std::vector<const scenario::Action*> out;
  while (next_ < actions_.size() && actions_[next_].at_s <= t) out.push_back(&actions_[next_++]);
  return out;
}

std::chrono::milliseconds ActionSchedule::sleep_before_next(double t, double scale,
                                                           std::chrono::milliseconds tick) const {
  const auto at = next_at();
  if (!at || scale <= 0) return tick;
  // At ×20 a fixed 50 ms tick is a full scenario second late: wake when the action is due.
  const double wall_ms = (*at - t) / scale * 1000.0;
  if (wall_ms >= static_cast<double>(tick.count())) return tick;
  return std::chrono::milliseconds(std::max<long long>(1, static_cast<long long>(wall_ms)));
}

}  // namespace flexhil::run
